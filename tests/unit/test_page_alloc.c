/* Host tests of the physical page allocator and of mm_init()'s reservations. */
#include <stdlib.h>
#include <string.h>
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/page_alloc.h>
#include "host.h"

#define FAKE_RAM_SIZE (64ULL << 20)

/* Fake physical memory for mm_init(): physical address = offset into it. */
static uint8_t *fake_ram;

/* No domains here: no frame is charged to one. */
u64 *frame_owner_count(unsigned int owner)
{
	return NULL;
}

void *phys_to_virt(u64 phys)
{
	assert_true(phys < FAKE_RAM_SIZE);
	return fake_ram + phys;
}

u64 virt_to_phys(const void *virt)
{
	return (const uint8_t *)virt - fake_ram;
}

static void test_init_and_free_ranges(void **state)
{
	struct page_allocator pa;
	u64 bitmap[4];

	(void)state;
	page_alloc_init(&pa, bitmap, 200);
	assert_int_equal(pa.nr_free, 0);
	assert_false(page_is_free(&pa, 0));
	/* only whole pages inside the range become free */
	page_alloc_add_free(&pa, 0x1001, 0x5fff);
	assert_int_equal(pa.nr_free, 3);
	assert_false(page_is_free(&pa, 1));
	assert_true(page_is_free(&pa, 2));
	assert_true(page_is_free(&pa, 4));
	assert_false(page_is_free(&pa, 5));
	/* reservations take every page they touch, and count once */
	page_alloc_reserve(&pa, 0x2fff, 0x3001);
	assert_int_equal(pa.nr_free, 1);
	page_alloc_reserve(&pa, 0x2000, 0x4000);
	assert_int_equal(pa.nr_free, 1);
	/* nothing beyond the tracked range */
	page_alloc_add_free(&pa, 0, 1000 * PAGE_SIZE);
	assert_int_equal(pa.nr_free, 200);
	assert_false(page_is_free(&pa, 200));
}

static void test_alloc_until_empty(void **state)
{
	struct page_allocator pa;
	u64 bitmap[2], pfn;
	bool seen[100] = { false };

	(void)state;
	page_alloc_init(&pa, bitmap, 100);
	page_alloc_add_free(&pa, 0, 100 * PAGE_SIZE);
	page_alloc_reserve(&pa, 10 * PAGE_SIZE, 20 * PAGE_SIZE);
	for (int i = 0; i < 90; i++) {
		assert_int_equal(page_alloc_frames(&pa, 0, &pfn), 0);
		assert_true(pfn < 100);
		assert_false(pfn >= 10 && pfn < 20);
		assert_false(seen[pfn]);
		seen[pfn] = true;
	}
	assert_int_equal(pa.nr_free, 0);
	assert_int_equal(page_alloc_frames(&pa, 0, &pfn), -ENOMEM);
	assert_int_equal(page_free_frames(&pa, 42, 0), 0);
	assert_int_equal(page_alloc_frames(&pa, 0, &pfn), 0);
	assert_int_equal(pfn, 42);
}

static void test_aligned_orders(void **state)
{
	struct page_allocator pa;
	static u64 bitmap[64];
	u64 pfn, pfn2;

	(void)state;
	page_alloc_init(&pa, bitmap, 4096);
	page_alloc_add_free(&pa, 3 * PAGE_SIZE, 4096 * PAGE_SIZE);
	assert_int_equal(page_alloc_frames(&pa, 9, &pfn), 0);
	assert_int_equal(pfn % 512, 0);
	assert_int_equal(pfn, 512);	/* 0..511 is not wholly free */
	assert_int_equal(page_alloc_frames(&pa, 9, &pfn2), 0);
	assert_int_equal(pfn2, 1024);
	assert_int_equal(pa.nr_free, 4093 - 1024);
	assert_int_equal(page_alloc_frames(&pa, 13, &pfn), -ENOMEM);
	assert_int_equal(page_free_frames(&pa, 512, 9), 0);
	assert_int_equal(pa.nr_free, 4093 - 512);
}

static void test_bad_frees(void **state)
{
	struct page_allocator pa;
	u64 bitmap[2], pfn;

	(void)state;
	page_alloc_init(&pa, bitmap, 64);
	page_alloc_add_free(&pa, 0, 64 * PAGE_SIZE);
	assert_int_equal(page_alloc_frames(&pa, 2, &pfn), 0);
	assert_int_equal(page_free_frames(&pa, pfn, 2), 0);
	assert_int_equal(page_free_frames(&pa, pfn, 2), -EINVAL); /* double */
	assert_int_equal(page_free_frames(&pa, 1, 1), -EINVAL); /* misaligned */
	assert_int_equal(page_free_frames(&pa, 64, 0), -EINVAL); /* outside */
	assert_int_equal(page_free_frames(&pa, 0, 40), -EINVAL);
	assert_int_equal(pa.nr_free, 64);
}

static bool in_range(u64 addr, u64 start, u64 end)
{
	return addr + PAGE_SIZE > start && addr < end;
}

/*
 * mm_init() on a BIOS-like map: every page it hands out must be usable RAM
 * outside the low megabyte, the image, the modules, the boot-info block
 * and firmware ranges; all the rest of the RAM must be handed out.
 */
static void test_mm_init_reservations(void **state)
{
	static struct boot_info bi;
	u64 expected_free, got = 0;
	void *p;

	(void)state;
	fake_ram = calloc(1, FAKE_RAM_SIZE);
	memset(&bi, 0, sizeof(bi));
	bootinfo_add_memmap(&bi, 0, 0x9fc00, MEM_USABLE);
	bootinfo_add_memmap(&bi, 0x9fc00, 0x400, MEM_RESERVED);
	bootinfo_add_memmap(&bi, 0x100000, 0x2f00000, MEM_USABLE);
	bootinfo_add_memmap(&bi, 0x3000000, 0x100000, MEM_ACPI);
	bootinfo_add_memmap(&bi, 0x3100000, 0xe00000, MEM_USABLE);
	/* a firmware range overlapping RAM must win over it */
	bootinfo_add_memmap(&bi, 0x3800000, 0x1000, MEM_RESERVED);
	bi.image_phys_start = 0x200000;
	bi.image_phys_end = 0x280000;
	bootinfo_add_module(&bi, 0x1000000, 0x1234567, "kernel");
	bootinfo_add_module(&bi, 0x2000000, 0x2000000, "empty");
	bootinfo_add_reserved(&bi, 0x10000, 0x11000);	/* boot info */
	bootinfo_add_reserved(&bi, 0x300000, 0x302000);

	assert_int_equal(mm_init(&bi), 0);
	expected_free = (0x2f00000 + 0xe00000 - 0x1000) / PAGE_SIZE
		- 0x80000 / PAGE_SIZE		/* image */
		- (0x1235000 - 0x1000000) / PAGE_SIZE
		- 2				/* reserved[1] */
		- 1				/* the bitmap itself */
		- 32;	/* the frame table: 8 bytes a frame, in whole pages */
	assert_int_equal(host_pages.nr_free, expected_free);

	while ((p = alloc_page())) {
		u64 a = virt_to_phys(p);

		got++;
		assert_true(a >= 0x100000);
		assert_false(in_range(a, 0x200000, 0x280000));
		assert_false(in_range(a, 0x1000000, 0x1234567));
		assert_false(in_range(a, 0x300000, 0x302000));
		assert_false(in_range(a, 0x3000000, 0x3100000));
		assert_false(in_range(a, 0x3800000, 0x3801000));
		assert_true(a < 0x3f00000);
	}
	assert_int_equal(got, expected_free);
	free(fake_ram);
}

static void test_mm_init_no_room(void **state)
{
	static struct boot_info bi;

	(void)state;
	fake_ram = calloc(1, FAKE_RAM_SIZE);
	memset(&bi, 0, sizeof(bi));
	bootinfo_add_memmap(&bi, 0, 0x9f000, MEM_USABLE);
	bi.image_phys_start = 0x200000;
	bi.image_phys_end = 0x280000;
	test_log_reset();
	assert_int_equal(mm_init(&bi), -ENOMEM);
	assert_true(test_log_has("no room"));
	free(fake_ram);
}

/* Room for the AP trampoline below 1 MiB: free RAM only, never page 0. */
static void test_low_memory_for_trampoline(void **state)
{
	static struct boot_info bi;

	(void)state;
	memset(&bi, 0, sizeof(bi));
	bootinfo_add_memmap(&bi, 0, 0x9fc00, MEM_USABLE);
	bootinfo_add_memmap(&bi, 0x9fc00, 0x400, MEM_RESERVED);
	bootinfo_add_memmap(&bi, 0x100000, 0x1000000, MEM_USABLE);
	bi.image_phys_start = 0x200000;
	bi.image_phys_end = 0x280000;
	assert_int_equal(mm_find_low_memory(&bi, 0x4000), 0x1000);

	/* loader data at 0x3000 and a module at 0x8000: the first gap of 16 KiB */
	bootinfo_add_reserved(&bi, 0x3000, 0x3100);
	bootinfo_add_module(&bi, 0x8000, 0x9000, "low module");
	assert_int_equal(mm_find_low_memory(&bi, 0x4000), 0x4000);
	assert_int_equal(mm_find_low_memory(&bi, 0x5000), 0x9000);
	/* up against the EBDA: the last whole pages of usable RAM */
	assert_int_equal(mm_find_low_memory(&bi, 0x96000), 0x9000);
	assert_int_equal(mm_find_low_memory(&bi, 0x97000), 0);

	/* low RAM the firmware keeps for itself */
	memset(&bi, 0, sizeof(bi));
	bootinfo_add_memmap(&bi, 0, 0x9fc00, MEM_RESERVED);
	bootinfo_add_memmap(&bi, 0x100000, 0x1000000, MEM_USABLE);
	assert_int_equal(mm_find_low_memory(&bi, 0x4000), 0);
}

/* The hardware dom0's kernel range: modules moved out, kept from keel, claimed once. */
static void test_keep_for_dom0(void **state)
{
	static struct boot_info bi;
	const u64 win = 0x1000000, win_end = 0x2000000;
	void *p;

	(void)state;
	fake_ram = calloc(1, FAKE_RAM_SIZE);
	memset(&bi, 0, sizeof(bi));
	bootinfo_add_memmap(&bi, 0, 0x9fc00, MEM_USABLE);
	bootinfo_add_memmap(&bi, 0x9fc00, 0x400, MEM_RESERVED);
	bootinfo_add_memmap(&bi, 0x100000, 0x3f00000, MEM_USABLE);
	bi.image_phys_start = 0x200000;
	bi.image_phys_end = 0x280000;
	bootinfo_add_module(&bi, 0x300000, 0x1300000, "kernel");	/* straddles */
	bootinfo_add_module(&bi, 0x1800000, 0x1900000, "initrd");	/* inside */
	bootinfo_add_module(&bi, 0x2800000, 0x2900000, "tree");	/* outside */
	for (int i = 0; i < 3; i++)
		memset(fake_ram + bi.modules[i].start, 'a' + i,
		       bi.modules[i].end - bi.modules[i].start);
	assert_int_equal(mm_find_low_memory(&bi, 0x4000), 0x1000);

	assert_int_equal(mm_keep_for_dom0(&bi, win, win_end), 0);
	for (int i = 0; i < 3; i++) {
		const struct boot_module *m = &bi.modules[i];

		assert_false(m->start < win_end && win < m->end);
		assert_false(m->start < 0x280000 && 0x200000 < m->end);
		for (u64 a = m->start; a < m->end; a += 0x1000)
			assert_int_equal(fake_ram[a], 'a' + i);
		for (int j = 0; j < i; j++)
			assert_false(m->start < bi.modules[j].end &&
				     bi.modules[j].start < m->end);
	}
	assert_int_equal(bi.modules[1].end - bi.modules[1].start, 0x100000);
	assert_int_equal(bi.modules[2].start, 0x2800000);

	/* Keel never allocates there. */
	assert_int_equal(mm_init(&bi), 0);
	while ((p = alloc_page()))
		assert_false(in_range(virt_to_phys(p), win, win_end));
	/* dom0 claims it, once; and low RAM nothing else uses. */
	assert_int_equal(mm_claim_frame(win >> 12), 0);
	assert_int_equal(mm_claim_frame(win >> 12), -EBUSY);
	assert_int_equal(mm_claim_frame(0x8000 >> 12), 0);
	assert_int_equal(mm_claim_frame(0), -EBUSY);		/* page 0 */
	assert_int_equal(mm_claim_frame(0x2000 >> 12), -EBUSY);	/* trampoline */
	assert_int_equal(mm_claim_frame(0x9f000 >> 12), -EBUSY);	/* firmware's */
	assert_int_equal(mm_claim_frame(0x200000 >> 12), -EBUSY);	/* keel's image */
	assert_int_equal(mm_claim_frame(bi.modules[2].start >> 12), -EBUSY);
	/* Given back, a kept frame stays kept: keel does not take it. */
	put_page(win);
	assert_false(page_is_free(&host_pages, win >> 12));
	assert_int_equal(mm_claim_frame(win >> 12), 0);
	put_page(win);

	/* The loader's data where the kernel goes: dead by then, but the RSDP. */
	bootinfo_add_reserved(&bi, 0x1100000, 0x1101000);
	memcpy(fake_ram + 0x1100040, "RSD PTR xyz", 12);
	bi.rsdp_phys = 0x1100040;
	assert_int_equal(mm_keep_for_dom0(&bi, win, win_end), 0);
	assert_int_equal(bi.reserved[bi.nr_reserved - 1].end,
			 bi.reserved[bi.nr_reserved - 1].start);
	assert_false(in_range(bi.rsdp_phys, win, win_end));
	/* keel's own copy, in its image: outside the fake RAM here. */
	assert_memory_equal((const u8 *)((uintptr_t)fake_ram + bi.rsdp_phys),
			    "RSD PTR xyz", 12);
	free(fake_ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_free_ranges),
		cmocka_unit_test(test_alloc_until_empty),
		cmocka_unit_test(test_aligned_orders),
		cmocka_unit_test(test_bad_frees),
		cmocka_unit_test(test_mm_init_reservations),
		cmocka_unit_test(test_mm_init_no_room),
		cmocka_unit_test(test_low_memory_for_trampoline),
		cmocka_unit_test(test_keep_for_dom0),
	};

	return cmocka_run_group_tests_name("page_alloc", tests, NULL, NULL);
}
