/* Host tests of the generic page-table builder, in x86 and EPT entry formats. */
#include <stdlib.h>
#include <string.h>
#include <keel/errno.h>
#include <keel/page.h>
#include <keel/pagetable.h>
#include "host.h"

#define POOL_PAGES 256
#define POOL_PHYS 0x40000000ULL	/* fake physical address of the pool */

/* A pool of table pages with fake physical addresses; counts use. */
static uint8_t *pool;
static bool in_use[POOL_PAGES];
static int allocated, freed, alloc_limit;

static void *fake_phys_to_virt(u64 phys)
{
	assert_true(phys >= POOL_PHYS && phys < POOL_PHYS + POOL_PAGES * PAGE_SIZE);
	return pool + (phys - POOL_PHYS);
}

static u64 fake_alloc(void *ctx)
{
	(void)ctx;
	if (allocated - freed >= alloc_limit)
		return 0;
	for (int i = 0; i < POOL_PAGES; i++) {
		if (!in_use[i]) {
			in_use[i] = true;
			allocated++;
			memset(pool + i * PAGE_SIZE, 0, PAGE_SIZE);
			return POOL_PHYS + i * PAGE_SIZE;
		}
	}
	return 0;
}

static void fake_free(void *ctx, u64 phys)
{
	int i = (phys - POOL_PHYS) / PAGE_SIZE;

	(void)ctx;
	assert_true(in_use[i]);
	in_use[i] = false;
	freed++;
}

static const struct pt_ops ops = {
	.phys_to_virt = fake_phys_to_virt,
	.alloc_table = fake_alloc,
	.free_table = fake_free,
};

static const struct pt_format x86 = {
	.present = BIT(0), .table_attr = BIT(0) | BIT(1), .large = BIT(7),
	.addr_mask = 0x000ffffffffff000ULL,
};

/* EPT: an entry is present if any of R, W, X is set. */
static const struct pt_format ept = {
	.present = 7, .table_attr = 7, .large = BIT(7),
	.addr_mask = 0x000ffffffffff000ULL,
};

#define RW (BIT(0) | BIT(1))

static struct page_table pt;

static int setup(void **state)
{
	(void)state;
	pool = aligned_alloc(PAGE_SIZE, POOL_PAGES * PAGE_SIZE);
	memset(in_use, 0, sizeof(in_use));
	allocated = freed = 0;
	alloc_limit = POOL_PAGES;
	assert_int_equal(pt_init(&pt, &x86, &ops), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pt_destroy(&pt);
	assert_int_equal(allocated, freed);
	free(pool);
	return 0;
}

static void expect_map(u64 va, u64 pa, u64 size)
{
	u64 got, attr, ps;

	assert_int_equal(pt_lookup(&pt, va, &got, &attr, &ps), 0);
	assert_int_equal(got, pa);
	assert_int_equal(ps, size);
}

static void test_small_pages(void **state)
{
	u64 pa, attr, ps;

	(void)state;
	assert_int_equal(pt_map(&pt, 0x1000, 0x5000, 0x3000, RW, 0), 0);
	expect_map(0x1000, 0x5000, PAGE_SIZE);
	expect_map(0x3abc, 0x7abc, PAGE_SIZE);
	assert_int_equal(pt_lookup(&pt, 0x4000, &pa, &attr, &ps), -ENOENT);
	assert_int_equal(pt_lookup(&pt, 0, &pa, &attr, &ps), -ENOENT);
	assert_int_equal(pt_lookup(&pt, 0x2000, &pa, &attr, &ps), 0);
	assert_int_equal(attr, RW);
	assert_int_equal(allocated, 4);	/* PML4, PDPT, PD, PT */
}

static void test_large_pages_where_aligned(void **state)
{
	(void)state;
	/* 4 KiB up to the 2 MiB boundary, two 2 MiB pages, 4 KiB tail */
	assert_int_equal(pt_map(&pt, 0x1ff000, 0x3ff000, 0x402000, RW, 0), 0);
	expect_map(0x1ff000, 0x3ff000, PAGE_SIZE);
	expect_map(0x200000, 0x400000, LARGE_PAGE_SIZE);
	expect_map(0x5fffff, 0x7fffff, LARGE_PAGE_SIZE);
	expect_map(0x600000, 0x800000, PAGE_SIZE);
	/* va and pa must agree in alignment for a large page */
	assert_int_equal(pt_map(&pt, 0x40000000, 0x40001000, LARGE_PAGE_SIZE,
				RW, 0), 0);
	expect_map(0x40000000, 0x40001000, PAGE_SIZE);
	assert_int_equal(pt_map(&pt, 0x80000000, 0x80000000, LARGE_PAGE_SIZE,
				RW, PT_MAP_4K_ONLY), 0);
	expect_map(0x80000000, 0x80000000, PAGE_SIZE);
}

static void test_huge_pages(void **state)
{
	(void)state;
	assert_int_equal(pt_map(&pt, 0, 0, 2 * HUGE_PAGE_SIZE, RW, PT_MAP_1G), 0);
	expect_map(0x7654321, 0x7654321, HUGE_PAGE_SIZE);
	expect_map(HUGE_PAGE_SIZE + 5, HUGE_PAGE_SIZE + 5, HUGE_PAGE_SIZE);
	assert_int_equal(allocated, 2);	/* PML4 and PDPT only */
}

static void test_split_on_small_map(void **state)
{
	u64 pa, attr, ps;

	(void)state;
	assert_int_equal(pt_map(&pt, 0, 0x10000000, LARGE_PAGE_SIZE, RW, 0), 0);
	/* remap one 4 KiB page read-only elsewhere inside the 2 MiB page */
	assert_int_equal(pt_map(&pt, 0x3000, 0x20000000, PAGE_SIZE, BIT(0), 0), 0);
	expect_map(0x3000, 0x20000000, PAGE_SIZE);
	assert_int_equal(pt_lookup(&pt, 0x3000, &pa, &attr, &ps), 0);
	assert_int_equal(attr, BIT(0));
	/* the other 511 pages keep their old target and attributes */
	expect_map(0x2000, 0x10002000, PAGE_SIZE);
	expect_map(0x1ff000, 0x101ff000, PAGE_SIZE);
	assert_int_equal(pt_lookup(&pt, 0x4000, &pa, &attr, &ps), 0);
	assert_int_equal(attr, RW);
}

static void test_unmap(void **state)
{
	u64 pa, attr, ps;

	(void)state;
	assert_int_equal(pt_map(&pt, 0, 0, 2 * LARGE_PAGE_SIZE, RW, 0), 0);
	/* unmap 8 KiB from the middle of the first large page */
	assert_int_equal(pt_unmap(&pt, 0x100000, 0x2000), 0);
	assert_int_equal(pt_lookup(&pt, 0x100000, &pa, &attr, &ps), -ENOENT);
	assert_int_equal(pt_lookup(&pt, 0x101fff, &pa, &attr, &ps), -ENOENT);
	expect_map(0xff000, 0xff000, PAGE_SIZE);
	expect_map(0x102000, 0x102000, PAGE_SIZE);
	/* the second large page is untouched and can go whole */
	expect_map(0x200000, 0x200000, LARGE_PAGE_SIZE);
	assert_int_equal(pt_unmap(&pt, 0x200000, LARGE_PAGE_SIZE), 0);
	assert_int_equal(pt_lookup(&pt, 0x300000, &pa, &attr, &ps), -ENOENT);
	/* unmapping holes is harmless */
	assert_int_equal(pt_unmap(&pt, 0x7000000000ULL, 0x10000000), 0);
}

/* Transient 4 KiB mappings far from the rest leave no tables behind once pruned. */
static void test_prune(void **state)
{
	u64 detached[PT_LEVELS - 1], pa, attr, ps;
	int base;

	(void)state;
	assert_int_equal(pt_map(&pt, 0, 0, LARGE_PAGE_SIZE, RW, 0), 0);
	base = allocated - freed;
	/* two pages in one new leaf table, 512 GiB away: three new tables */
	assert_int_equal(pt_map(&pt, 0x8000000000ULL, 0x1000, PAGE_SIZE, RW, 0), 0);
	assert_int_equal(pt_map(&pt, 0x8000001000ULL, 0x2000, PAGE_SIZE, RW, 0), 0);
	assert_int_equal(allocated - freed, base + 3);

	/* one page left: nothing to detach */
	assert_int_equal(pt_unmap(&pt, 0x8000000000ULL, PAGE_SIZE), 0);
	assert_int_equal(pt_prune(&pt, 0x8000000000ULL, detached), 0);
	expect_map(0x8000001000ULL, 0x2000, PAGE_SIZE);

	/* the last one: the leaf table, its PD and PDPT go, in that order */
	assert_int_equal(pt_unmap(&pt, 0x8000001000ULL, PAGE_SIZE), 0);
	assert_int_equal(pt_prune(&pt, 0x8000001000ULL, detached), 3);
	assert_int_equal(pt_lookup(&pt, 0x8000001000ULL, &pa, &attr, &ps), -ENOENT);
	pt_free_tables(&pt, detached, 3);
	assert_int_equal(allocated - freed, base);

	/* the low mapping and its tables are untouched; an unmapped hole prunes nothing */
	expect_map(0x1000, 0x1000, LARGE_PAGE_SIZE);
	assert_int_equal(pt_prune(&pt, 0x8000001000ULL, detached), 0);
	assert_int_equal(pt_prune(&pt, 0x1000, detached), 0);
	/* a split large page emptied page by page goes too, up to the shared PDPT */
	assert_int_equal(pt_unmap(&pt, 0, LARGE_PAGE_SIZE - PAGE_SIZE), 0);
	assert_int_equal(pt_unmap(&pt, LARGE_PAGE_SIZE - PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(pt_prune(&pt, LARGE_PAGE_SIZE - PAGE_SIZE, detached), 3);
	pt_free_tables(&pt, detached, 3);
}

static void test_ept_format(void **state)
{
	struct page_table e;
	u64 pa, attr, ps;

	(void)state;
	assert_int_equal(pt_init(&e, &ept, &ops), 0);
	/* read-only, write-back (memory type 6 in bits 5:3) */
	assert_int_equal(pt_map(&e, 0, 0x80000000, 4 * LARGE_PAGE_SIZE,
				BIT(0) | (6 << 3), 0), 0);
	assert_int_equal(pt_lookup(&e, 0x234567, &pa, &attr, &ps), 0);
	assert_int_equal(pa, 0x80234567);
	assert_int_equal(attr, BIT(0) | (6 << 3));
	assert_int_equal(ps, LARGE_PAGE_SIZE);
	/* execute-only still counts as present */
	assert_int_equal(pt_map(&e, 0x1000000, 0x1000, PAGE_SIZE, BIT(2), 0), 0);
	assert_int_equal(pt_lookup(&e, 0x1000000, &pa, &attr, &ps), 0);
	pt_destroy(&e);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(pt_map(&pt, 0x1001, 0, PAGE_SIZE, RW, 0), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0x1001, PAGE_SIZE, RW, 0), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, 0x800, RW, 0), -EINVAL);
	assert_int_equal(pt_map(&pt, ~0xfffULL, 0, 0x2000, RW, 0), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 1ULL << 60, PAGE_SIZE, RW, 0), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, 0x5000, 0), -EINVAL);
	assert_int_equal(pt_unmap(&pt, 0x10, PAGE_SIZE), -EINVAL);
}

static void test_out_of_tables(void **state)
{
	(void)state;
	alloc_limit = 3;	/* root + 2: not enough for a 4 KiB mapping */
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, RW, 0), -ENOMEM);
	alloc_limit = POOL_PAGES;
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, RW, 0), 0);
	expect_map(0, 0, PAGE_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_small_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_pages_where_aligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_on_small_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ept_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_tables, setup, teardown),
	};

	return cmocka_run_group_tests_name("pagetable", tests, NULL, NULL);
}
