/* dom0's ACPI tables when it owns the machine: a new RSDP, XSDT and MADT over the host's tables. */
#ifndef ASM_HWDOM_ACPI_H
#define ASM_HWDOM_ACPI_H

#include <keel/types.h>
#include <asm/acpi_walk.h>

struct domain;

/*
 * hwdom_acpi_compose() - lay out, in @buf (@size bytes at guest-physical
 * @gpa, which is also host-physical: dom0 is 1:1), an RSDP (revision 2),
 * an XSDT listing the new MADT then the host tables dom0 may see (at their
 * host addresses), and a MADT with the host's flags, IOAPICs and interrupt
 * source overrides and one local APIC per vCPU (APIC id = vCPU id, ACPI
 * UID of the host's n-th enabled CPU). A pure function of the host tables.
 * @return bytes used, with the RSDP's address in *@rsdp_gpa; -ENOENT
 * without a host MADT, -EINVAL for malformed host tables, -ENOSPC.
 */
long hwdom_acpi_compose(const struct acpi_walk *w, unsigned int nr_vcpus,
			u64 gpa, void *buf, size_t size, u64 *rsdp_gpa);

/*
 * hwdom_acpi_ecam() - the host MCFG's ECAM windows (PCI configuration
 * space in memory), page-aligned [start, end) in @out, at most @max: how
 * many, 0 without an MCFG, -EINVAL for a malformed one. Keel does not
 * emulate ECAM: a window left in dom0's 1:1 device map would let it write
 * MSI and MSI-X registers and BARs past vPCI.
 */
struct boot_range;
int hwdom_acpi_ecam(const struct acpi_walk *w, struct boot_range *out,
		    unsigned int max);

/*
 * hwdom_acpi_ioapic_pages() - the page of every IOAPIC the host MADT
 * lists, also those keel has no vIOAPIC for (past MADT_MAX_IOAPICS, or
 * refused by ioapic_init()), in @out (at most @max): how many, or -errno.
 */
int hwdom_acpi_ioapic_pages(const struct acpi_walk *w, u64 *out,
			    unsigned int max);

/* hwdom_acpi_build() - hwdom_acpi_compose() over the host's tables for @d: 0 or -errno. */
int hwdom_acpi_build(struct domain *d, u64 gpa, void *buf, size_t size,
		     u64 *rsdp_gpa);

#endif
