/* Foreign mappings: the privileged domain maps other domains' pages into its own p2m (toolstack loading). */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/foreign_map.h>
#include <keel/grant_table.h>
#include <keel/hypercall.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include <keel/vcpu.h>
#include <public/memory.h>

#define FOREIGN_BATCH_MAX 1024	/* frames per call; the guest may loop */

/*
 * Make @gpa of @d free for a foreign frame: a foreign frame there drops its
 * reference, an own RAM page goes back to keel (the bitmap allocator frees
 * a 4 KiB piece of a large page just as well; pt_unmap() splits the large
 * mapping). keel's special pages, grant-pinned pages and other mappings
 * (grants, shared info, grant frames) stay. The grant check runs outside
 * the p2m lock (grant code takes them the other way round); a p2m changed
 * meanwhile is -EBUSY.
 */
static int clear_gfn(struct domain *d, u64 gpa)
{
	u64 hpa, attr, now_hpa, now_attr, size;
	int rc = 0;

	if (gpa >= PVH_SPECIAL_GPA(0) && gpa < PVH_SPECIAL_GPA(PVH_SPECIAL_PAGES))
		return -EINVAL;
	if (p2m_lookup(d, gpa, &hpa, &attr))
		return 0;		/* nothing there */
	if (!(attr & (P2M_FOREIGN_BIT | P2M_OWNED_BIT)) ||
	    ((attr & P2M_OWNED_BIT) && grant_table_page_in_use(d, hpa & PAGE_MASK)))
		return -EBUSY;
	spin_lock(&d->p2m_lock);
	if (pt_lookup(&d->p2m, gpa, &now_hpa, &now_attr, &size) ||
	    now_hpa != hpa || now_attr != attr)
		rc = -EBUSY;
	else if (pt_unmap(&d->p2m, gpa, PAGE_SIZE))
		rc = -ENOMEM;
	spin_unlock(&d->p2m_lock);
	if (rc)
		return rc;
	hpa &= PAGE_MASK;
	if (attr & P2M_FOREIGN_BIT)
		domain_put(domain_held(P2M_DOMID(attr)));
	else
		free_page(phys_to_virt(hpa));
	return 0;
}

/* Map frame @gfn of @fd at @gpfn of @d. */
static int map_foreign(struct domain *d, struct domain *fd, u64 gfn, u64 gpfn)
{
	u64 hpa, attr, gpa = gpfn << PAGE_SHIFT;
	int rc;

	if (gfn > (~0ULL >> PAGE_SHIFT) || gpfn > (~0ULL >> PAGE_SHIFT))
		return -EINVAL;
	/* Only pages the domain owns: never another mapping it holds. */
	if (p2m_lookup(fd, gfn << PAGE_SHIFT, &hpa, &attr) ||
	    !(attr & P2M_OWNED_BIT))
		return -ENOENT;
	rc = clear_gfn(d, gpa);
	if (rc)
		return rc;
	spin_lock(&d->p2m_lock);
	if (pt_map(&d->p2m, gpa, hpa & PAGE_MASK, PAGE_SIZE,
		   arch_p2m_foreign_attr(P2M_READ | P2M_WRITE, fd->id), 0))
		rc = -ENOMEM;
	else
		domain_hold(fd);
	spin_unlock(&d->p2m_lock);
	return rc;
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
	arch_p2m_flush(d);
	return rc;
}

long foreign_remove_from_physmap(struct vcpu *v, u64 arg)
{
	struct domain *d = v->domain, *fd = NULL;
	struct xen_remove_from_physmap r;
	u64 hpa, attr, size, tables[PT_LEVELS - 1], gpa;
	unsigned int nr_tables = 0;
	int rc = 0;

	if (copy_from_guest(v, &r, arg, sizeof(r)))
		return -EFAULT;
	if (r.domid != DOMID_SELF && r.domid != d->id)
		return -ESRCH;
	if (r.gpfn > (~0ULL >> PAGE_SHIFT))
		return -EINVAL;
	gpa = r.gpfn << PAGE_SHIFT;
	spin_lock(&d->p2m_lock);
	if (pt_lookup(&d->p2m, gpa, &hpa, &attr, &size))
		rc = -ENOENT;
	else if (!(attr & P2M_FOREIGN_BIT))
		rc = -EINVAL;	/* its own RAM would be gone for good */
	else if (pt_unmap(&d->p2m, gpa, PAGE_SIZE))
		rc = -ENOMEM;
	if (!rc) {
		fd = domain_held(P2M_DOMID(attr));
		/* The toolstack's window leaves no page tables behind. */
		nr_tables = pt_prune(&d->p2m, gpa, tables);
	}
	spin_unlock(&d->p2m_lock);
	if (rc)
		return rc;
	/* No CPU may reach the page or the tables once they are freed. */
	arch_p2m_flush(d);
	pt_free_tables(&d->p2m, tables, nr_tables);
	domain_put(fd);
	return 0;
}

static void release_one(void *ctx, u64 gpa, u64 hpa, u64 size, u64 attr)
{
	struct domain *d = ctx;

	if (!(attr & P2M_FOREIGN_BIT))
		return;
	/* Unmapping while walking is safe: the walk finds leaves, not tables. */
	pt_unmap(&d->p2m, gpa, PAGE_SIZE);
	domain_put(domain_held(P2M_DOMID(attr)));
}

void foreign_map_release_all(struct domain *d)
{
	if (!d->p2m.root)
		return;
	pt_for_each_leaf(&d->p2m, release_one, d);
	arch_p2m_flush(d);
}
