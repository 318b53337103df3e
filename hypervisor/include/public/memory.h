/* memory_op hypercall: sub-ops and structures keel implements (Xen's values). */
#ifndef PUBLIC_MEMORY_H
#define PUBLIC_MEMORY_H

#include <keel/types.h>
#include <public/xen.h>

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page 2
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_populate_physmap 6
#define XENMEM_add_to_physmap 7
#define XENMEM_memory_map 9

/* mem_flags of a reservation: bits 0-7 address bits, a NUMA node above. */
#define XENMEMF_get_address_bits(x) ((x) & 0xffu)
#define XENMEMF_populate_on_demand (1 << 16)

/* increase, decrease, populate: @nr_extents of 2^@extent_order frames. */
struct xen_memory_reservation {
	u64 extent_start;	/* guest handle: xen_pfn_t[nr_extents] */
	u64 nr_extents;
	unsigned int extent_order;
	unsigned int mem_flags;	/* XENMEMF_* */
	domid_t domid;
};

#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_grant_table 1
#define XENMAPSPACE_gmfn_foreign 4

struct xen_add_to_physmap {
	domid_t domid;
	u16 size;
	unsigned int space;
	u64 idx;
	u64 gpfn;
};

struct xen_memory_map {
	unsigned int nr_entries;	/* IN: room in buffer; OUT: entries written */
	u64 buffer;			/* guest handle of e820-style entries */
};

/* XENMEM_add_to_physmap_batch (23): @size frames of a space at once. */
#define XENMEM_add_to_physmap_batch 23
struct xen_add_to_physmap_batch {
	domid_t domid;
	u16 space;
	u16 size;
	domid_t foreign_domid;	/* gmfn_foreign only */
	u64 idxs;		/* guest handle: xen_ulong_t[size] */
	u64 gpfns;		/* guest handle: xen_pfn_t[size] */
	u64 errs;		/* guest handle: int[size], out */
};

/* XENMEM_remove_from_physmap (15): unmap what is at @gpfn. */
#define XENMEM_remove_from_physmap 15
struct xen_remove_from_physmap {
	domid_t domid;
	u64 gpfn;
};

#endif
