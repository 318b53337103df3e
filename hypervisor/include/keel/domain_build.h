/* Building the boot-time domains (dom0, or those of a boot tree) from the loader's modules. */
#ifndef KEEL_DOMAIN_BUILD_H
#define KEEL_DOMAIN_BUILD_H

#include <keel/types.h>

struct boot_domain;
struct boot_info;
struct domain;

#define DOM0_DEFAULT_MEM MiB(256)

/*
 * Build dom0 from module 0 (a PVH ELF kernel, its string the command
 * line) and modules 1.. (its initrd and other modules). NULL, with the
 * reason printed, when there is no kernel or it cannot be built.
 */
struct domain *build_dom0(const struct boot_info *bi);

/*
 * Build the domain @bd of the boot tree (docs/boot-domains.md): its kernel,
 * ramdisk, command line, memory, vCPUs and scheduling; on_reboot restarts
 * it. NULL, with the reason printed, when it cannot be built.
 */
struct domain *build_boot_domain(const struct boot_info *bi,
				 const struct boot_domain *bd);

struct pvh_boot_params;
/* ACPI tables, console ring and xenstore page + ports of a domain with memory. */
int domain_setup_special_pages(struct domain *d);
/*
 * Write @d's boot page from @p (memory size and ACPI filled in here) and
 * start vCPU 0 at the PVH @entry when unpaused. 0, -E2BIG or -EBUSY.
 */
int domain_set_boot(struct domain *d, u32 entry, struct pvh_boot_params *p);

#endif
