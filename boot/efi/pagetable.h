/* The 4-level, 2 MiB-page tables keel.efi hands to the core (pure C). */
#ifndef KEEL_EFI_PAGETABLE_H
#define KEEL_EFI_PAGETABLE_H

#include <keel/types.h>

#define PT_PAGE_SIZE	4096
#define PT_LARGE_SIZE	MiB(2)

/*
 * Page-table pages are handed out from one physically contiguous,
 * identity-addressable pool; pool[0] is the PML4.
 */
struct pt_pool {
	u64 *pages;		/* nr pages of 512 entries each */
	u64 nr;
	u64 used;
};

/* Pages to identity-map [0, ident_end) and map virt_size bytes at virt. */
u64 pt_pages_needed(u64 ident_end, u64 virt, u64 virt_size);

/* Zero the pool and allocate the PML4 from it. */
void pt_init(struct pt_pool *pool, u64 *pages, u64 nr);

/* Map [virt, virt + size) to phys, all 2 MiB aligned: 0, -EINVAL or -ENOMEM. */
int pt_map(struct pt_pool *pool, u64 virt, u64 phys, u64 size);

/* Physical address of the PML4 (the pool is identity-mapped). */
u64 pt_root(const struct pt_pool *pool);

#endif
