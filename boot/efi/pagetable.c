/* keel.efi's entry page tables: 2 MiB pages from a fixed pool, through mm/pagetable.c. */
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>
#include "pagetable.h"

#define PTE_P		BIT(0)
#define PTE_RW		BIT(1)
#define PTE_PS		BIT(7)

static const struct pt_format boot_format = {
	.present = PTE_P,
	.table_attr = PTE_P | PTE_RW,
	.large = PTE_PS,
	.addr_mask = 0x000ffffffffff000ULL,
};

/* Number of distinct 1 << shift sized blocks [start, start + size) touches. */
static u64 blocks(u64 start, u64 size, unsigned int shift)
{
	if (!size)
		return 0;
	return ((start + size - 1) >> shift) - (start >> shift) + 1;
}

u64 boot_pt_pages_needed(u64 ident_end, u64 virt, u64 virt_size)
{
	/* PML4 + PDPTs + PDs of each range. */
	return 1 + blocks(0, ident_end, 39) + blocks(0, ident_end, 30) +
	       blocks(virt, virt_size, 39) + blocks(virt, virt_size, 30);
}

/* Firmware memory is identity-mapped while keel.efi runs. */
static void *identity(u64 phys)
{
	return (void *)(uptr)phys;
}

static u64 pool_alloc(void *ctx)
{
	struct pt_pool *pool = ctx;

	if (pool->used >= pool->nr)
		return 0;
	return (u64)(uptr)(pool->pages + pool->used++ * (PT_PAGE_SIZE / 8));
}

static void pool_free(void *ctx, u64 phys)
{
	(void)ctx;
	(void)phys;	/* the pool is released as a whole */
}

void boot_pt_init(struct pt_pool *pool, u64 *pages, u64 nr)
{
	pool->pages = pages;
	pool->nr = nr;
	pool->used = 0;
	pool->ops = (struct pt_ops){ identity, pool_alloc, pool_free, pool, NULL };
	memset(pages, 0, nr * PT_PAGE_SIZE);
	pt_init(&pool->pt, &boot_format, &pool->ops);
}

u64 boot_pt_root(const struct pt_pool *pool)
{
	return pool->pt.root;
}

int boot_pt_map(struct pt_pool *pool, u64 virt, u64 phys, u64 size)
{
	if (!IS_ALIGNED(virt | phys | size, PT_LARGE_SIZE))
		return -EINVAL;
	return pt_map(&pool->pt, virt, phys, size, PTE_P | PTE_RW, 0);
}
