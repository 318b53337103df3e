/* memory_op: the guest's reservation (ballooning), keel's pages in its physmap, and its memory map. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/foreign_map.h>
#include <keel/grant_table.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include <keel/vcpu.h>
#include <public/memory.h>

/* Xen's continuation argument: the extent to start at, above the sub-op. */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1 << MEMOP_EXTENT_SHIFT) - 1)
/*
 * Extents one call does at most; the caller sees how many were done and
 * asks again for the rest (Linux's balloon asks for at most a page of
 * frame numbers, 512, at a time).
 */
#define MEMOP_EXTENTS_MAX 512

/* Map keel's shared_info page at @gpa, moving it from where it was. */
static long place_shared_info(struct domain *d, u64 gpa)
{
	if (!is_hardware_domain(d) && gpa >= pvh_ram_end(d->mem_size) &&
	    gpa < PVH_SPECIAL_START)
		return -EINVAL;
	return p2m_place_keel_page(d, gpa, virt_to_phys(d->shared_info),
				   &d->shared_info_gpa);
}

/* Map frame @idx of @d's grant table at @gpa (growing the table to it). */
static long place_grant_frame(struct domain *d, u64 idx, u64 gpa)
{
	u64 hpa, *placed;
	long rc = grant_table_frame(d, idx, &hpa, &placed);

	return rc ? rc : p2m_place_keel_page(d, gpa, hpa, placed);
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

/*
 * The hardware dom0's devices DMA to the addresses it knows as physical:
 * its RAM stays 1:1, so it may have back only the host frame @gfn itself.
 */
static int populate_identity(struct domain *d, u64 gfn)
{
	static unsigned int reported;	/* dom0 may ask in a loop: the first few */
	int rc = p2m_populate_identity(d, PFN_PHYS(gfn));

	if (rc && __atomic_fetch_add(&reported, 1, __ATOMIC_RELAXED) < 8)
		pr_warn("d%u: populate_physmap of gfn %#llx refused (%d): a 1:1 dom0 gets only that host frame, and it is not free\n",
			d->id, (unsigned long long)gfn, rc);
	return rc;
}

/* One extent (order 0) of a reservation op: 0 when done. */
static int reservation_one(struct vcpu *v, unsigned int op,
			   const struct xen_memory_reservation *r, u64 i)
{
	struct domain *d = v->domain;
	u64 gfn;

	/*
	 * A translated guest learns nothing of the frames it is given; a
	 * hardware dom0 gets no frame it cannot reach (nor DMA to).
	 */
	if (op == XENMEM_increase_reservation)
		return is_hardware_domain(d) ? -EPERM : p2m_add_unreachable(d);
	if (copy_from_guest(v, &gfn, r->extent_start + i * sizeof(gfn),
			    sizeof(gfn)))
		return -EFAULT;
	if (gfn >= PFN_DOWN(PT_ADDR_LIMIT))
		return -EINVAL;
	if (op == XENMEM_populate_physmap && is_hardware_domain(d))
		return populate_identity(d, gfn);
	if (op == XENMEM_populate_physmap)
		return p2m_populate(d, PFN_PHYS(gfn), 0);
	return p2m_remove_ram(d, PFN_PHYS(gfn));
}

/*
 * increase_reservation, decrease_reservation, populate_physmap, as Xen
 * does them for an HVM guest: the number of extents done (from @start,
 * Xen's continuation argument) is the result, and anything wrong with
 * the request as a whole means none.
 */
static long reservation(struct vcpu *v, unsigned int op, u64 start, u64 arg)
{
	struct xen_memory_reservation r;
	unsigned int bits;
	u64 i, end;

	if (copy_from_guest(v, &r, arg, sizeof(r)))
		return start;
	if (r.nr_extents > (~0U >> MEMOP_EXTENT_SHIFT) || start >= r.nr_extents)
		return start;
	/* Xen lets only a domain's controller change another's: keel none. */
	if (r.domid != DOMID_SELF && r.domid != v->domain->id)
		return start;
	/* Single frames only: Xen refuses orders above its maximum so. */
	if (r.extent_order)
		return start;
	bits = XENMEMF_get_address_bits(r.mem_flags);
	if (bits && bits <= PAGE_SHIFT)
		return start;
	/* Populate-on-demand is not for oneself (Xen), nor offered at all. */
	if (op == XENMEM_populate_physmap &&
	    (r.mem_flags & XENMEMF_populate_on_demand))
		return start;
	end = MIN(r.nr_extents, start + MEMOP_EXTENTS_MAX);
	for (i = start; i < end; i++)
		if (reservation_one(v, op, &r, i))
			break;
	return i;
}

/* current_reservation, maximum_reservation: of itself, or any for the privileged. */
static long reservation_query(struct vcpu *v, unsigned int op, u64 arg)
{
	struct domain *d;
	domid_t id;
	long rc;

	if (copy_from_guest(v, &id, arg, sizeof(id)))
		return -EFAULT;
	if (id == DOMID_SELF || id == v->domain->id) {
		d = v->domain;
		domain_hold(d);
	} else {
		d = domain_get(id);
	}
	if (!d)
		return -ESRCH;
	if (d != v->domain && !v->domain->privileged)
		rc = -EPERM;
	else if (op == XENMEM_current_reservation)
		rc = p2m_tot_pages(d);
	else
		rc = d->max_pages;
	domain_put(d);
	return rc;
}

static long memory_map(struct vcpu *v, u64 arg)
{
	struct hvm_memmap_table_entry own[PVH_MAX_MEMMAP];
	const struct hvm_memmap_table_entry *map = own;
	struct domain *d = v->domain;
	struct xen_memory_map m;
	unsigned int n;

	if (d->memmap) {
		map = d->memmap;
		n = d->nr_memmap;
	} else {
		n = pvh_memmap(d->mem_size, own);
	}
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
	unsigned int op = (unsigned int)cmd & MEMOP_CMD_MASK;
	u64 start = (unsigned int)cmd >> MEMOP_EXTENT_SHIFT;

	switch (op) {
	case XENMEM_increase_reservation:
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		return reservation(v, op, start, arg);
	}
	if (start)
		return -ENOSYS;		/* no continuation for the others */
	switch (op) {
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return reservation_query(v, op, arg);
	case XENMEM_maximum_ram_page:
		return host_pages.nr_pfns;	/* as Xen: max_page */
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
