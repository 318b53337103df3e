/* Host tests of the hardware dom0's memory map builder (common/hwdom_memmap.c). */
#define _GNU_SOURCE
#include <string.h>
#include <keel/errno.h>
#include <keel/hwdom_memmap.h>
#include "host.h"

#define MiB_(x) ((uint64_t)(x) << 20)
#define GiB_(x) ((uint64_t)(x) << 30)

static struct hvm_memmap_table_entry map[HWDOM_MAX_MEMMAP];

static void expect(unsigned int i, uint64_t addr, uint64_t end, uint32_t type)
{
	assert_int_equal(map[i].addr, addr);
	assert_int_equal(map[i].addr + map[i].size, end);
	assert_int_equal(map[i].type, type);
}

/* Sorted, no overlap, no two touching entries of one type. */
static void check_sane(int n)
{
	for (int i = 1; i < n; i++) {
		assert_true(map[i - 1].addr + map[i - 1].size <= map[i].addr);
		assert_false(map[i - 1].addr + map[i - 1].size == map[i].addr &&
			     map[i - 1].type == map[i].type);
	}
}

/* A PC map (Bochs's), dom0 given low RAM and RAM from 16 MiB, keel's pages stolen. */
static void test_pc(void **state)
{
	const struct memmap_entry host[] = {
		{ 0, 0x9f000, MEM_USABLE, 0 },
		{ 0x9f000, 0x1000, MEM_RESERVED, 0 },
		{ 0xe8000, 0x18000, MEM_RESERVED, 0 },
		{ 0x100000, MiB_(511), MEM_USABLE, 0 },
		{ MiB_(512) - 0x10000, 0x10000, MEM_ACPI, 0 },
		{ 0xfffc0000, 0x40000, MEM_RESERVED, 0 },
	};
	const struct boot_range ram[] = {
		{ 0x1000, 0x9f000 }, { MiB_(16), MiB_(272) },
	};
	const struct hwdom_steal steal[] = {
		{ MiB_(272) - 0x4000, MiB_(272) - 0x2000, XEN_HVM_MEMMAP_TYPE_RESERVED },
		{ MiB_(272) - 0x2000, MiB_(272), XEN_HVM_MEMMAP_TYPE_ACPI },
	};
	int n = hwdom_memmap(host, 6, ram, 2, steal, 2, map, HWDOM_MAX_MEMMAP);

	assert_int_equal(n, 11);
	check_sane(n);
	expect(0, 0, 0x1000, XEN_HVM_MEMMAP_TYPE_UNUSABLE);	/* page 0 */
	expect(1, 0x1000, 0x9f000, XEN_HVM_MEMMAP_TYPE_RAM);
	expect(2, 0x9f000, 0xa0000, XEN_HVM_MEMMAP_TYPE_RESERVED);
	expect(3, 0xe8000, 0x100000, XEN_HVM_MEMMAP_TYPE_RESERVED);
	/* keel's image and heap below 16 MiB, and RAM not given: unusable. */
	expect(4, 0x100000, MiB_(16), XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	expect(5, MiB_(16), MiB_(272) - 0x4000, XEN_HVM_MEMMAP_TYPE_RAM);
	expect(6, MiB_(272) - 0x4000, MiB_(272) - 0x2000,
	       XEN_HVM_MEMMAP_TYPE_RESERVED);
	expect(7, MiB_(272) - 0x2000, MiB_(272), XEN_HVM_MEMMAP_TYPE_ACPI);
	expect(8, MiB_(272), MiB_(512) - 0x10000, XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	expect(9, MiB_(512) - 0x10000, MiB_(512), XEN_HVM_MEMMAP_TYPE_ACPI);
	expect(10, 0xfffc0000, GiB_(4), XEN_HVM_MEMMAP_TYPE_RESERVED);
}

/* Unsorted and overlapping host entries: the larger type wins; RAM above 4 GiB. */
static void test_unsorted_overlap_high(void **state)
{
	const struct memmap_entry host[] = {
		{ GiB_(4), GiB_(4), MEM_USABLE, 0 },
		{ GiB_(6), MiB_(2), MEM_NVS, 0 },		/* inside RAM */
		{ 0x100000, GiB_(2), MEM_USABLE, 0 },
		{ GiB_(2) - MiB_(1), MiB_(2), MEM_RESERVED, 0 },	/* straddles its end */
		{ 0xfed00000, 0x1000, MEM_RESERVED, 0 },
		{ 0xfed00000, 0x1000, MEM_BAD, 0 },	/* duplicate, bad wins */
	};
	const struct boot_range ram[] = {
		{ MiB_(16), MiB_(64) }, { GiB_(4), GiB_(4) + MiB_(32) },
	};
	int n = hwdom_memmap(host, 6, ram, 2, NULL, 0, map, HWDOM_MAX_MEMMAP);

	assert_int_equal(n, 9);
	check_sane(n);
	expect(0, 0x100000, MiB_(16), XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	expect(1, MiB_(16), MiB_(64), XEN_HVM_MEMMAP_TYPE_RAM);
	expect(2, MiB_(64), GiB_(2) - MiB_(1), XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	expect(3, GiB_(2) - MiB_(1), GiB_(2) + MiB_(1),
	       XEN_HVM_MEMMAP_TYPE_RESERVED);
	expect(4, 0xfed00000, 0xfed01000, XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	expect(5, GiB_(4), GiB_(4) + MiB_(32), XEN_HVM_MEMMAP_TYPE_RAM);
	expect(6, GiB_(4) + MiB_(32), GiB_(6), XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	expect(7, GiB_(6), GiB_(6) + MiB_(2), XEN_HVM_MEMMAP_TYPE_NVS);
	expect(8, GiB_(6) + MiB_(2), GiB_(8), XEN_HVM_MEMMAP_TYPE_UNUSABLE);
}

/* RAM with many holes (keel's frames among dom0's) and a full map. */
static void test_holes_and_limit(void **state)
{
	const struct memmap_entry host[] = { { 0, GiB_(1), MEM_USABLE, 0 } };
	struct boot_range ram[40];
	int n;

	for (int i = 0; i < 40; i++)
		ram[i] = (struct boot_range){ MiB_(16 + 2 * i),
					      MiB_(17 + 2 * i) };
	n = hwdom_memmap(host, 1, ram, 40, NULL, 0, map, HWDOM_MAX_MEMMAP);
	assert_int_equal(n, 81);
	check_sane(n);
	expect(0, 0, MiB_(16), XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	expect(1, MiB_(16), MiB_(17), XEN_HVM_MEMMAP_TYPE_RAM);
	expect(2, MiB_(17), MiB_(18), XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	expect(80, MiB_(95), GiB_(1), XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	assert_int_equal(hwdom_memmap(host, 1, ram, 40, NULL, 0, map, 80),
			 -E2BIG);
	assert_int_equal(hwdom_memmap(host, 1, ram, 40, NULL, 0, map, 81), 81);
}

/* 100 host entries, ranges alternating RAM and reserved, all kept. */
static void test_many_entries(void **state)
{
	struct memmap_entry host[100];
	int n;

	for (int i = 0; i < 100; i++)
		host[99 - i] = (struct memmap_entry){
			GiB_(i), GiB_(1) - MiB_(1) * (i & 1),
			i & 1 ? MEM_RESERVED : MEM_USABLE, 0,
		};
	n = hwdom_memmap(host, 100, NULL, 0, NULL, 0, map, HWDOM_MAX_MEMMAP);
	assert_int_equal(n, 100);
	check_sane(n);
	expect(0, 0, GiB_(1), XEN_HVM_MEMMAP_TYPE_UNUSABLE);
	expect(1, GiB_(1), GiB_(2) - MiB_(1), XEN_HVM_MEMMAP_TYPE_RESERVED);
	expect(99, GiB_(99), GiB_(99) + GiB_(1) - MiB_(1),
	       XEN_HVM_MEMMAP_TYPE_RESERVED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pc),
		cmocka_unit_test(test_unsorted_overlap_high),
		cmocka_unit_test(test_holes_and_limit),
		cmocka_unit_test(test_many_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
