/* The domain builder: a paused PVH domain from a configuration, or nothing at all. */
#ifndef KEELCTL_BUILDER_H
#define KEELCTL_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "hv.h"

#define RAMDISK_FILE_MAX	(1u << 30)

/* Where things went, for messages and xenstore's /vm/<uuid>/image. */
struct build_report {
	uint16_t domid;
	uint32_t entry;
	uint64_t kernel_start, kernel_end;
	uint64_t ramdisk_gpa, ramdisk_size;
	bool from_bzimage;
	char *cmdline;			/* as passed to set_boot (free it) */
};

/*
 * Checks the kernel, ramdisk and command line of @cfg, then creates the domain: create,
 * set_actions, set_sched (when weight or cap is set), set_memory, the kernel's segments and
 * the ramdisk written through foreign mappings (the ramdisk page-aligned after the kernel),
 * set_boot. The domain is left paused. On any failure after create the domain is destroyed;
 * every failure prints why. Returns 0 or -errno.
 */
int build_domain(struct hv *hv, const struct domain_config *cfg, struct build_report *out);

void build_report_free(struct build_report *r);

#endif
