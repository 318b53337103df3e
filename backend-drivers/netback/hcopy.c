/* Grant copies made by the daemon itself through privcmd, its arena in kernel-pinned pages. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hcopy.h"
#include <xen/sys/privcmd.h>

#define HC_PAGE		4096u
/* Pages per /dev/xen/hypercall file: privcmd-buf's default "limit" module parameter. */
#define HC_CHUNK	64u
#define PM_PRESENT	(1ull << 63)
#define PM_PFN		((1ull << 55) - 1)

/* The local side of an op at @virt, its length cut at the page's end: false if off the arena. */
static bool local(const struct nb_hcopy *h, uint64_t virt, struct gnttab_copy_ptr *p,
		  size_t *len)
{
	uint64_t base = (uintptr_t)h->arena, at;

	if (virt < base || virt - base >= h->size)
		return false;
	at = virt - base;
	p->u.gmfn = (xen_pfn_t)h->gfn[at / HC_PAGE];
	p->domid = DOMID_SELF;
	p->offset = (uint16_t)(at % HC_PAGE);
	if (*len > HC_PAGE - p->offset)
		*len = HC_PAGE - p->offset;
	return true;
}

static void foreign(const struct ioctl_gntdev_grant_copy_segment *s, bool src,
		    size_t done, struct gnttab_copy_ptr *p)
{
	p->u.ref = src ? s->source.foreign.ref : s->dest.foreign.ref;
	p->domid = src ? s->source.foreign.domid : s->dest.foreign.domid;
	p->offset = (uint16_t)((src ? s->source.foreign.offset : s->dest.foreign.offset) + done);
}

int nb_hcopy_ops(struct nb_hcopy *h, const struct ioctl_gntdev_grant_copy_segment *segs,
		 unsigned int n)
{
	unsigned int i, nops = 0;

	for (i = 0; i < n; i++) {
		const struct ioctl_gntdev_grant_copy_segment *s = &segs[i];
		bool sg = s->flags & GNTCOPY_source_gref, dg = s->flags & GNTCOPY_dest_gref;
		size_t done = 0;

		/* gntdev's checks, so that a bad segment fails the same way on either path. */
		if ((!sg && !dg) || s->len > HC_PAGE ||
		    (sg && s->source.foreign.offset + s->len > HC_PAGE) ||
		    (dg && s->dest.foreign.offset + s->len > HC_PAGE))
			return -EINVAL;
		while (done < s->len) {
			struct gnttab_copy *op;
			size_t len = s->len - done;

			if (nops == h->max_ops)
				return 0;
			op = &h->ops[nops];
			memset(op, 0, sizeof(*op));
			if (sg) {
				foreign(s, true, done, &op->source);
				op->flags |= GNTCOPY_source_gref;
			} else if (!local(h, (uintptr_t)s->source.virt + done, &op->source, &len)) {
				return 0;
			}
			if (dg) {
				foreign(s, false, done, &op->dest);
				op->flags |= GNTCOPY_dest_gref;
			} else if (!local(h, (uintptr_t)s->dest.virt + done, &op->dest, &len)) {
				return 0;
			}
			op->len = (uint16_t)len;
			h->seg_of[nops++] = i;
			done += len;
		}
	}
	return (int)nops;
}

void nb_hcopy_status(const struct nb_hcopy *h, struct ioctl_gntdev_grant_copy_segment *segs,
		     unsigned int n, unsigned int nops)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		segs[i].status = GNTST_okay;
	for (i = 0; i < nops; i++) {
		struct ioctl_gntdev_grant_copy_segment *s = &segs[h->seg_of[i]];

		if (s->status == GNTST_okay)
			s->status = h->ops[i].status;
	}
}

int nb_hcopy_run(struct nb_hcopy *h, struct ioctl_gntdev_grant_copy_segment *segs,
		 unsigned int n)
{
	struct privcmd_hypercall call = { .op = __HYPERVISOR_grant_table_op };
	int nops;

	if (h->privcmd < 0)
		return 0;
	nops = nb_hcopy_ops(h, segs, n);
	if (nops <= 0)
		return nops;
	call.arg[0] = GNTTABOP_copy;
	call.arg[1] = (uintptr_t)h->ops;
	call.arg[2] = (unsigned int)nops;
	if (ioctl(h->privcmd, IOCTL_PRIVCMD_HYPERCALL, &call) < 0)
		return -errno;
	nb_hcopy_status(h, segs, n, (unsigned int)nops);
	return nops;
}

/* Each page's frame number from /proc/self/pagemap (root sees them): 0 or -errno. */
static int frames(struct nb_hcopy *h)
{
	size_t i, pages = h->size / HC_PAGE;
	off_t at = (off_t)((uintptr_t)h->arena / HC_PAGE * sizeof(uint64_t));
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (pread(fd, h->gfn, pages * sizeof(uint64_t), at) != (ssize_t)(pages * sizeof(uint64_t)))
		rc = -EIO;
	close(fd);
	for (i = 0; !rc && i < pages; i++) {
		if (!(h->gfn[i] & PM_PRESENT) || !(h->gfn[i] & PM_PFN))
			rc = -EPERM;	/* not there, or frame numbers hidden */
		h->gfn[i] &= PM_PFN;
	}
	return rc;
}

int nb_hcopy_open(struct nb_hcopy *h, size_t size, unsigned int max_segs, int privcmd)
{
	size_t opsz = (2 * (size_t)max_segs * sizeof(struct gnttab_copy) + HC_PAGE - 1) &
		      ~(size_t)(HC_PAGE - 1);
	size_t total = size + opsz, at;
	uint8_t *base;
	int rc = 0;

	memset(h, 0, sizeof(*h));
	h->privcmd = -1;
	if (privcmd < 0 || size % HC_PAGE)
		return -EINVAL;
	base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	/* Each file gives HC_CHUNK pages at most; its mapping keeps them once it is closed. */
	for (at = 0; !rc && at < total; at += HC_CHUNK * HC_PAGE) {
		size_t len = total - at < HC_CHUNK * HC_PAGE ? total - at : HC_CHUNK * HC_PAGE;
		int fd = open("/dev/xen/hypercall", O_RDWR | O_CLOEXEC);

		if (fd < 0 || mmap(base + at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				   fd, 0) == MAP_FAILED)
			rc = -errno;
		if (fd >= 0)
			close(fd);
	}
	h->arena = base;
	h->mapped = total;
	h->size = size;
	h->max_ops = (unsigned int)(opsz / sizeof(struct gnttab_copy));
	h->ops = (struct gnttab_copy *)(base + size);
	h->gfn = calloc(size / HC_PAGE, sizeof(*h->gfn));
	h->seg_of = calloc(h->max_ops, sizeof(*h->seg_of));
	if (!rc && (!h->gfn || !h->seg_of))
		rc = -ENOMEM;
	if (!rc)
		rc = frames(h);
	if (rc) {
		nb_hcopy_close(h);
		return rc;
	}
	h->privcmd = privcmd;
	return 0;
}

void nb_hcopy_close(struct nb_hcopy *h)
{
	if (h->arena)
		munmap(h->arena, h->mapped);
	free(h->gfn);
	free(h->seg_of);
	memset(h, 0, sizeof(*h));
	h->privcmd = -1;
}
