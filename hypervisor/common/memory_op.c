/* memory_op: placing shared_info in the guest's physical space, and the guest's memory map. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/foreign_map.h>
#include <keel/hypercall.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/pvh_layout.h>
#include <keel/vcpu.h>
#include <public/memory.h>

/* Map keel's shared_info page at @gpa, replacing what was there. */
static long place_shared_info(struct domain *d, u64 gpa)
{
	u64 old_hpa, attr, size;

	if (gpa >= pvh_ram_end(d->mem_size) && gpa < PVH_SPECIAL_START)
		return -EINVAL;
	if (d->shared_info_gpa)
		pt_unmap(&d->p2m, d->shared_info_gpa, PAGE_SIZE);
	/* A RAM page it replaces goes back to keel, as on Xen. */
	if (!pt_lookup(&d->p2m, gpa, &old_hpa, &attr, &size) &&
	    (attr & P2M_OWNED_BIT)) {
		if (pt_unmap(&d->p2m, gpa, PAGE_SIZE))
			return -ENOMEM;
		free_page(phys_to_virt(old_hpa & PAGE_MASK));
	}
	if (pt_map(&d->p2m, gpa, virt_to_phys(d->shared_info), PAGE_SIZE,
		   arch_p2m_attr(P2M_READ | P2M_WRITE), 0))
		return -ENOMEM;
	arch_p2m_flush(d);
	d->shared_info_gpa = gpa;
	return 0;
}

static long add_to_physmap(struct vcpu *v, u64 arg)
{
	struct xen_add_to_physmap x;

	if (copy_from_guest(v, &x, arg, sizeof(x)))
		return -EFAULT;
	if (x.domid != DOMID_SELF && x.domid != v->domain->id)
		return -ESRCH;
	if (x.gpfn > (~0ULL >> PAGE_SHIFT))
		return -EINVAL;
	switch (x.space) {
	case XENMAPSPACE_shared_info:
		if (x.idx != 0)
			return -EINVAL;
		return place_shared_info(v->domain, x.gpfn << PAGE_SHIFT);
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
