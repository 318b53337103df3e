/* The entry page tables keel.efi hands to the core, built with the hypervisor's generic builder. */
#ifndef KEEL_EFI_PAGETABLE_H
#define KEEL_EFI_PAGETABLE_H

#include <keel/pagetable.h>
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
	struct pt_ops ops;
	struct page_table pt;
};

/* Pages to identity-map [0, ident_end) and map virt_size bytes at virt. */
u64 boot_pt_pages_needed(u64 ident_end, u64 virt, u64 virt_size);

/* Zero the pool and allocate the PML4 from it. */
void boot_pt_init(struct pt_pool *pool, u64 *pages, u64 nr);

/* Map [virt, virt + size) to phys, all 2 MiB aligned: 0, -EINVAL or -ENOMEM. */
int boot_pt_map(struct pt_pool *pool, u64 virt, u64 phys, u64 size);

/* Physical address of the PML4 (the pool is identity-mapped). */
u64 boot_pt_root(const struct pt_pool *pool);

#endif
