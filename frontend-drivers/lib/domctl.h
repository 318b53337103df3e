/* keel_domctl from a privileged test guest, and a small PVH domain builder on top of it. */
#ifndef GUEST_DOMCTL_H
#define GUEST_DOMCTL_H

#include <keel/types.h>
#include <public/keel_domctl.h>
#include <public/xen.h>

/* Where foreign frames are mapped to be written: unused guest-physical space. */
#define FOREIGN_WINDOW 0x80000000ULL

/* The keel_op hypercall (48); fills in the version. */
long keel_domctl(struct keel_domctl *op);
/* One command on @domid with no arguments (pause, unpause, destroy). */
long keel_domctl_simple(u32 cmd, domid_t domid);
long keel_domctl_getinfo(domid_t domid, struct keel_domctl_info *info);
/* keel's free page count (KEEL_DOMCTL_physinfo), or 0 on failure. */
u64 keel_free_pages(void);

/* Map frame @gfn of @domid at @gpa (XENMEM_add_to_physmap_batch); its error. */
long foreign_map(domid_t domid, u64 gfn, u64 gpa);
long foreign_unmap(u64 gpa);

/*
 * Build a paused domain from the PVH ELF @elf (@len bytes): @vcpus vCPUs,
 * @mem_mb MiB, @cmdline. Returns the new domain id, or a negative errno
 * (the half-built domain is destroyed).
 */
long domu_build(const void *elf, u64 len, unsigned int vcpus, u64 mem_mb,
		const char *cmdline);

/*
 * domu_build() in two steps, for a toolstack that sets up event channels
 * or grants for the domain before writing its command line.
 * domu_create(): a paused domain with id @want (DOMID_INVALID: the lowest
 * free one), @vcpus vCPUs and @mem_mb MiB; its id or a negative errno.
 * domu_load(): load @elf into it and set its boot entry and @cmdline; 0 or
 * a negative errno (the caller destroys the domain on failure).
 */
long domu_create(domid_t want, unsigned int vcpus, u64 mem_mb);
long domu_load(domid_t domid, const void *elf, u64 len, const char *cmdline);

#endif
