/* The 4-level, 2 MiB-page tables keel.efi hands to the core (pure C). */
#include <keel/types.h>
#include <keel/string.h>
#include <keel/errno.h>
#include "pagetable.h"

#define PTE_P		BIT(0)
#define PTE_RW		BIT(1)
#define PTE_PS		BIT(7)
#define PTE_ADDR	0x000ffffffffff000ULL
#define PT_ENTRIES	512

/* Number of distinct 1 << shift sized blocks [start, start + size) touches. */
static u64 blocks(u64 start, u64 size, unsigned int shift)
{
	if (!size)
		return 0;
	return ((start + size - 1) >> shift) - (start >> shift) + 1;
}

u64 pt_pages_needed(u64 ident_end, u64 virt, u64 virt_size)
{
	/* PML4 + PDPTs + PDs of each range. */
	return 1 + blocks(0, ident_end, 39) + blocks(0, ident_end, 30) +
	       blocks(virt, virt_size, 39) + blocks(virt, virt_size, 30);
}

void pt_init(struct pt_pool *pool, u64 *pages, u64 nr)
{
	pool->pages = pages;
	pool->nr = nr;
	pool->used = 1;
	memset(pages, 0, nr * PT_PAGE_SIZE);
}

u64 pt_root(const struct pt_pool *pool)
{
	return (u64)(uptr)pool->pages;
}

/* The next-level table behind *entry, allocating it from the pool if absent. */
static u64 *pt_next(struct pt_pool *pool, u64 *entry)
{
	u64 *page;

	if (*entry & PTE_P)
		return (u64 *)(uptr)(*entry & PTE_ADDR);
	if (pool->used >= pool->nr)
		return NULL;
	page = pool->pages + pool->used++ * PT_ENTRIES;
	*entry = (u64)(uptr)page | PTE_P | PTE_RW;
	return page;
}

int pt_map(struct pt_pool *pool, u64 virt, u64 phys, u64 size)
{
	u64 *pml4 = pool->pages, *pdpt, *pd;
	u64 off;

	if (!IS_ALIGNED(virt | phys | size, PT_LARGE_SIZE))
		return -EINVAL;
	for (off = 0; off < size; off += PT_LARGE_SIZE) {
		u64 va = virt + off;

		pdpt = pt_next(pool, &pml4[(va >> 39) & 511]);
		if (!pdpt)
			return -ENOMEM;
		pd = pt_next(pool, &pdpt[(va >> 30) & 511]);
		if (!pd)
			return -ENOMEM;
		pd[(va >> 21) & 511] = (phys + off) | PTE_P | PTE_RW | PTE_PS;
	}
	return 0;
}
