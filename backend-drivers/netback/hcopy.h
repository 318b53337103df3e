/* Grant copies made by the daemon itself through privcmd, its arena in kernel-pinned pages. */
#ifndef NETBACK_HCOPY_H
#define NETBACK_HCOPY_H

#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/sys/gntdev.h>

/*
 * gntdev's IOCTL_GNTDEV_GRANT_COPY pins and unpins the daemon's page of every segment and
 * makes one hypercall per 16 ops. An arena in /dev/xen/hypercall's pages (libxencall's
 * hypercall buffers: the kernel allocated them and holds them while they are mapped, so they
 * neither move nor go) has frame numbers that stay true: the daemon builds the GNTTABOP_copy
 * ops itself, its side by frame number (DOMID_SELF), and makes one hypercall per batch.
 */
struct nb_hcopy {
	uint8_t *arena;
	size_t size;			/* bytes, whole pages */
	size_t mapped;			/* the arena and the ops' pages */
	uint64_t *gfn;			/* each arena page's frame number */
	struct gnttab_copy *ops;	/* in hypercall-buffer pages too */
	uint32_t *seg_of;		/* the segment each op copies part of */
	unsigned int max_ops;
	int privcmd;			/* -1: none (gntdev copies) */
};

/*
 * The ops for @n gntdev segments, split at the arena's page boundaries as gntdev splits them
 * at dom0's: their number, 0 when a segment's local side is not in the arena or there are
 * too many ops (gntdev must copy), or -EINVAL for what gntdev refuses (both sides local, a
 * grant side past its page, a segment longer than a page).
 */
int nb_hcopy_ops(struct nb_hcopy *h, const struct ioctl_gntdev_grant_copy_segment *segs,
		 unsigned int n);
/* Each segment's status from its ops' (the first failure), as gntdev reports it. */
void nb_hcopy_status(const struct nb_hcopy *h, struct ioctl_gntdev_grant_copy_segment *segs,
		     unsigned int n, unsigned int nops);
/*
 * Maps @size bytes of arena and room for @max_segs segments' ops from /dev/xen/hypercall and
 * reads their frame numbers (/proc/self/pagemap): 0, or -errno with nothing left.
 */
int nb_hcopy_open(struct nb_hcopy *h, size_t size, unsigned int max_segs, int privcmd);
void nb_hcopy_close(struct nb_hcopy *h);
/*
 * The copy of @n segments in one hypercall: the number of ops and each segment's status, 0
 * when gntdev must make it (nothing done), or -errno (statuses undefined).
 */
int nb_hcopy_run(struct nb_hcopy *h, struct ioctl_gntdev_grant_copy_segment *segs,
		 unsigned int n);

#endif
