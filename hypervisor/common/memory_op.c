/* memory_op: placing shared_info and grant-table frames in the guest's physical space, and the guest's memory map. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/foreign_map.h>
#include <keel/grant_table.h>
#include <keel/hypercall.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/pvh_layout.h>
#include <keel/vcpu.h>
#include <public/memory.h>

/*
 * Put keel's page @hpa at @gpa in @d's p2m, replacing what was there. A RAM
 * page it replaces goes back to keel, as on Xen, unless a grant pins it;
 * keel's special pages stay (it keeps pointers into them).
 */
static long physmap_place(struct domain *d, u64 gpa, u64 hpa)
{
	u64 old_hpa = 0, attr = 0, now_hpa = 0, now_attr = 0, size;
	long rc = 0;

	if (gpa >= PVH_SPECIAL_GPA(0) && gpa < PVH_SPECIAL_GPA(PVH_SPECIAL_PAGES))
		return -EINVAL;
	if (p2m_lookup(d, gpa, &old_hpa, &attr))
		attr = 0;
	if (attr & P2M_FOREIGN_BIT)
		return -EBUSY;		/* remove_from_physmap it first */
	/* Outside the p2m lock: grant code takes the two the other way round. */
	if ((attr & P2M_OWNED_BIT) &&
	    grant_table_page_in_use(d, old_hpa & PAGE_MASK))
		return -EBUSY;
	spin_lock(&d->p2m_lock);
	if (pt_lookup(&d->p2m, gpa, &now_hpa, &now_attr, &size))
		now_attr = 0;
	if (now_attr != attr || (attr && now_hpa != old_hpa))
		rc = -EBUSY;	/* changed meanwhile */
	else if (pt_map(&d->p2m, gpa, hpa, PAGE_SIZE,
			arch_p2m_attr(P2M_READ | P2M_WRITE), 0))
		rc = -ENOMEM;
	spin_unlock(&d->p2m_lock);
	old_hpa &= PAGE_MASK;
	if (rc)
		return rc;
	arch_p2m_flush(d);
	/* The RAM page it replaced goes back, once no CPU can reach it. */
	if (attr & P2M_OWNED_BIT)
		free_page(phys_to_virt(old_hpa));
	return 0;
}

/* Take keel's page @hpa away from @gpa, unless something replaced it. */
static void physmap_remove(struct domain *d, u64 gpa, u64 hpa)
{
	u64 cur, attr, size;
	bool removed;

	spin_lock(&d->p2m_lock);
	removed = !pt_lookup(&d->p2m, gpa, &cur, &attr, &size) && cur == hpa &&
		  !(attr & P2M_OWNED_BIT) && !pt_unmap(&d->p2m, gpa, PAGE_SIZE);
	spin_unlock(&d->p2m_lock);
	if (removed)
		arch_p2m_flush(d);
}

/* Map keel's shared_info page at @gpa, moving it from where it was. */
static long place_shared_info(struct domain *d, u64 gpa)
{
	u64 hpa = virt_to_phys(d->shared_info);
	long rc;

	if (gpa >= pvh_ram_end(d->mem_size) && gpa < PVH_SPECIAL_START)
		return -EINVAL;
	rc = physmap_place(d, gpa, hpa);
	if (rc)
		return rc;
	if (d->shared_info_gpa && d->shared_info_gpa != gpa)
		physmap_remove(d, d->shared_info_gpa, hpa);
	d->shared_info_gpa = gpa;
	return 0;
}

/* Map frame @idx of @d's grant table at @gpa (growing the table to it). */
static long place_grant_frame(struct domain *d, u64 idx, u64 gpa)
{
	u64 hpa, old_gpa;
	long rc = grant_table_frame(d, idx, &hpa, &old_gpa);

	if (!rc)
		rc = physmap_place(d, gpa, hpa);
	if (rc)
		return rc;
	if (old_gpa != GNTTAB_NO_GPA && old_gpa != gpa)
		physmap_remove(d, old_gpa, hpa);
	grant_table_frame_placed(d, idx, gpa);
	return 0;
}

static long add_to_physmap(struct vcpu *v, u64 arg)
{
	struct xen_add_to_physmap x;

	if (copy_from_guest(v, &x, arg, sizeof(x)))
		return -EFAULT;
	if (x.domid != DOMID_SELF && x.domid != v->domain->id)
		return -ESRCH;
	if (x.gpfn >= PFN_DOWN(PT_ADDR_LIMIT))
		return -EINVAL;
	switch (x.space) {
	case XENMAPSPACE_shared_info:
		if (x.idx != 0)
			return -EINVAL;
		return place_shared_info(v->domain, x.gpfn << PAGE_SHIFT);
	case XENMAPSPACE_grant_table:
		return place_grant_frame(v->domain, x.idx, x.gpfn << PAGE_SHIFT);
	default:
		return -ENOSYS;
	}
}

static long memory_map(struct vcpu *v, u64 arg)
{
	struct hvm_memmap_table_entry map[PVH_MAX_MEMMAP];
	struct xen_memory_map m;
	unsigned int n = pvh_memmap(v->domain->mem_size, map);

	if (copy_from_guest(v, &m, arg, sizeof(m)))
		return -EFAULT;
	n = MIN(n, m.nr_entries);
	/* e820 entries: addr, size, type (20 bytes each, packed). */
	for (unsigned int i = 0; i < n; i++)
		if (copy_to_guest(v, m.buffer + i * 20, &map[i], 20))
			return -EFAULT;
	m.nr_entries = n;
	return copy_to_guest(v, arg, &m, sizeof(m.nr_entries)) ? -EFAULT : 0;
}

long do_memory_op(struct vcpu *v, int cmd, u64 arg)
{
	switch (cmd) {
	case XENMEM_add_to_physmap:
		return add_to_physmap(v, arg);
	case XENMEM_memory_map:
		return memory_map(v, arg);
	case XENMEM_add_to_physmap_batch:
		return foreign_map_batch(v, arg);
	case XENMEM_remove_from_physmap:
		return foreign_remove_from_physmap(v, arg);
	default:
		return -ENOSYS;
	}
}
