/* Foreign mappings: the privileged domain maps other domains' pages into its own p2m (toolstack loading). */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/foreign_map.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page.h>
#include <keel/vcpu.h>
#include <public/memory.h>

#define FOREIGN_BATCH_MAX 1024	/* frames per call; the guest may loop */

/* Map frame @gfn of @fd at @gpfn of @d (p2m.c takes the references). */
static int map_foreign(struct domain *d, struct domain *fd, u64 gfn, u64 gpfn)
{
	if (gfn >= PFN_DOWN(PT_ADDR_LIMIT) || gpfn >= PFN_DOWN(PT_ADDR_LIMIT))
		return -EINVAL;
	return p2m_map_foreign(d, PFN_PHYS(gpfn), fd, PFN_PHYS(gfn));
}

long foreign_map_batch(struct vcpu *v, u64 arg)
{
	struct domain *d = v->domain, *fd;
	struct xen_add_to_physmap_batch b;
	long rc = 0;

	if (copy_from_guest(v, &b, arg, sizeof(b)))
		return -EFAULT;
	if (b.domid != DOMID_SELF && b.domid != d->id)
		return -ESRCH;
	if (b.space != XENMAPSPACE_gmfn_foreign)
		return -EOPNOTSUPP;
	if (!d->privileged)
		return -EPERM;
	if (b.size > FOREIGN_BATCH_MAX)
		return -EINVAL;
	if (b.foreign_domid == d->id || b.foreign_domid == DOMID_SELF)
		return -EINVAL;
	fd = domain_get(b.foreign_domid);
	if (!fd)
		return -ESRCH;
	for (unsigned int i = 0; i < b.size; i++) {
		u64 gfn, gpfn;
		int err;

		if (copy_from_guest(v, &gfn, b.idxs + i * 8, 8) ||
		    copy_from_guest(v, &gpfn, b.gpfns + i * 8, 8)) {
			rc = -EFAULT;
			break;
		}
		err = map_foreign(d, fd, gfn, gpfn);
		if (copy_to_guest(v, b.errs + i * sizeof(err), &err, sizeof(err))) {
			rc = -EFAULT;
			break;
		}
	}
	domain_put(fd);
	return rc;
}

long foreign_remove_from_physmap(struct vcpu *v, u64 arg)
{
	struct domain *d = v->domain;
	struct xen_remove_from_physmap r;

	if (copy_from_guest(v, &r, arg, sizeof(r)))
		return -EFAULT;
	if (r.domid != DOMID_SELF && r.domid != d->id)
		return -ESRCH;
	if (r.gpfn >= PFN_DOWN(PT_ADDR_LIMIT))
		return -EINVAL;
	return p2m_unmap_foreign(d, PFN_PHYS(r.gpfn));
}
