/*
 * Boot-time domain descriptions from a device tree handed over as a
 * multiboot2 module (the layout of Xen's hyperlaunch): docs/boot-domains.md.
 */
#ifndef KEEL_BOOT_DOMAINS_H
#define KEEL_BOOT_DOMAINS_H

#include <keel/bootinfo.h>
#include <keel/types.h>

#define BOOT_DOMAINS_MAX 8			/* domains one tree may describe */
#define BOOT_DOMAINS_MAX_FDT_SIZE (64 * 1024)	/* bytes: a boot config, not a board */

struct boot_domain {
	const char *name;	/* the domain node's name, in the tree */
	const char *cmdline;	/* the kernel's bootargs, in the tree; NULL: use the
				   kernel module's own multiboot2 string */
	u64 mem;		/* bytes, whole pages */
	u16 domid;
	bool privileged;	/* the "privileged" flag: control of other domains */
	unsigned int vcpus;	/* 1..DOMAIN_MAX_VCPUS */
	u32 weight;		/* credit scheduler weight, 1..SCHED_MAX_WEIGHT */
	u32 cap;		/* percent of one CPU, 0 = none */
	int kernel;		/* multiboot2 module index of the kernel */
	int ramdisk;		/* module index of the ramdisk, -1 if none */
	/* enum domain_action for each way it ends (on-poweroff, on-reboot, on-crash) */
	u8 on_poweroff, on_reboot, on_crash;
};

/*
 * The index of the first multiboot2 module that starts with the device-tree
 * magic, or -1 when there is none (keel then boots module 0 as dom0).
 */
int boot_domains_find(const struct boot_info *bi);

/*
 * Parse the tree at @fdt (@size bytes: the module holding it) into at most
 * @max domains at @out, checking every module index against @bi. Returns the
 * number of domains, or a negative errno with *@err a message naming the node
 * and property at fault (valid until the next call).
 */
int boot_domains_parse(const void *fdt, size_t size, const struct boot_info *bi,
		       struct boot_domain *out, unsigned int max,
		       const char **err);

/* The domains the boot tree describes, filled by boot_domains_init(). */
extern struct boot_domain boot_domains[BOOT_DOMAINS_MAX];
extern unsigned int nr_boot_domains;

/*
 * Find and parse the boot tree, if there is one, and print the domains it
 * describes. 0 when there is no tree or it is sound; a negative errno, with
 * the reason printed, when it is malformed.
 */
int boot_domains_init(const struct boot_info *bi);

#endif
