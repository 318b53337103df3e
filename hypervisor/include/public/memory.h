/* memory_op hypercall: sub-ops and structures keel implements (Xen's values). */
#ifndef PUBLIC_MEMORY_H
#define PUBLIC_MEMORY_H

#include <keel/types.h>
#include <public/xen.h>

#define XENMEM_add_to_physmap 7
#define XENMEM_memory_map 9

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
