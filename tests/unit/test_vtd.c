/* Host tests of VT-d's pure parts: invalidation descriptors, EPT-sharing decisions, entries, and table syncs. */
#include <stdlib.h>
#include <string.h>
#include <keel/errno.h>
#include <keel/pagetable.h>
#include <asm/vtd_regs.h>
#include "host.h"

/* QEMU 7.2's measured values (dom0-hardware.md §5.2). */
#define QEMU_CAP_CM 0x00d2008c222f0686ULL	/* 3+4-level, 2M+1G, CM, PSI */
#define QEMU_CAP_DEF 0x00d2008c22260206ULL	/* 3-level only, MGAW 39 */

static void test_descriptors(void **state)
{
	u64 d[2];

	vtd_qi_cc_global(d);
	assert_int_equal(d[0], 0x11);
	assert_int_equal(d[1], 0);
	vtd_qi_cc_domain(d, 5);
	assert_int_equal(d[0], 0x50021);
	vtd_qi_iotlb_global(d);
	assert_int_equal(d[0], 0xd2);
	vtd_qi_iotlb_dsi(d, 7);
	assert_int_equal(d[0], 0x700e2);
	assert_int_equal(d[1], 0);
	vtd_qi_iotlb_psi(d, 0xffff, 0x123456, 2);
	assert_int_equal(d[0], 0xffff00f2);
	assert_int_equal(d[1], 0x123002);	/* page address, AM 2 */
	vtd_qi_iec_global(d);
	assert_int_equal(d[0], 4);
	vtd_qi_iec_index(d, 0x1234, 3);
	assert_int_equal(d[0], 0x0000123418000014ULL);
	vtd_qi_iec_index(d, 1, 0xff);		/* IM is 5 bits */
	assert_int_equal(d[0], 0x00000001f8000014ULL);
	vtd_qi_wait(d, 0x7654321, 1);
	assert_int_equal(d[0], 0x100000025ULL);	/* status write, data 1 */
	assert_int_equal(d[1], 0x7654320);	/* dword aligned */
}

static void test_plan(void **state)
{
	struct vtd_plan p;
	const char *why = NULL;
	u64 caps[2];

	caps[0] = QEMU_CAP_CM;
	assert_int_equal(vtd_plan_ept(caps, 1, GiB(8), false, &p, &why), 0);
	assert_int_equal(p.levels, 4);
	assert_true(p.share);
	/* 3-level only: PML4[0]'s table, if every gfn is below 512 GiB */
	caps[0] = QEMU_CAP_DEF;
	assert_int_equal(vtd_plan_ept(caps, 1, GiB(8), false, &p, &why), 0);
	assert_int_equal(p.levels, 3);
	assert_true(p.share);
	assert_int_equal(vtd_plan_ept(caps, 1, GiB(513), false, &p, &why), -ENODEV);
	assert_non_null(strstr(why, "MGAW"));	/* 39 bits: 512 GiB */
	caps[0] = (QEMU_CAP_DEF & ~(0x3fULL << 16)) | (47ULL << 16); /* MGAW 48 */
	assert_int_equal(vtd_plan_ept(caps, 1, GiB(513), false, &p, &why), -ENODEV);
	assert_non_null(strstr(why, "512 GiB"));
	/* the common depth of all units */
	caps[1] = QEMU_CAP_CM;
	assert_int_equal(vtd_plan_ept(caps, 2, GiB(8), false, &p, &why), 0);
	assert_int_equal(p.levels, 3);
	caps[0] = QEMU_CAP_CM & ~(2ULL << 8);	/* 4-level only */
	caps[1] = QEMU_CAP_DEF;			/* 3-level only */
	assert_int_equal(vtd_plan_ept(caps, 2, GiB(8), false, &p, &why), -ENODEV);
	/* page sizes: no 2 MiB on one unit, no sharing; 1 GiB only if EPT uses it */
	caps[0] = QEMU_CAP_CM;
	caps[1] = QEMU_CAP_CM & ~CAP_SLLPS_2M & ~CAP_SLLPS_1G;
	assert_int_equal(vtd_plan_ept(caps, 2, GiB(8), false, &p, &why), 0);
	assert_false(p.share);
	caps[1] = QEMU_CAP_CM & ~CAP_SLLPS_1G;
	assert_int_equal(vtd_plan_ept(caps, 2, GiB(8), false, &p, &why), 0);
	assert_true(p.share);
	assert_int_equal(vtd_plan_ept(caps, 2, GiB(8), true, &p, &why), 0);
	assert_false(p.share);
}

static void test_entries(void **state)
{
	u64 ce[2];

	vtd_context_entry(ce, 0x12345000, 4, 7);
	assert_int_equal(ce[0], 0x12345001);	/* present, TT 0 */
	assert_int_equal(ce[1], 0x702);		/* AW 2, DID 7 */
	vtd_context_entry(ce, 0xfedcb000, 3, 0xffff);
	assert_int_equal(ce[0], 0xfedcb001);
	assert_int_equal(ce[1], 0xffff01);
	assert_int_equal(vtd_nr_dids(QEMU_CAP_CM), 65536);
	assert_int_equal(vtd_nr_dids(0), 16);
	assert_string_equal(vtd_fault_reason(5), "write not permitted");
	assert_string_equal(vtd_fault_reason(6), "read not permitted");
	assert_string_equal(vtd_fault_reason(0x25),
			    "compatibility-format interrupt blocked");
	assert_string_equal(vtd_fault_reason(0), "unknown reason");
	assert_string_equal(vtd_fault_reason(0xe), "unknown reason");
	assert_string_equal(vtd_fault_reason(0x27), "unknown reason");
	assert_string_equal(vtd_fault_reason(0xff), "unknown reason");
}

/*
 * Tables for a non-coherent unit: every entry and new table the
 * page-table code writes must be handed to ops->sync after the write.
 */
#define ARENA_PAGES 64
static u64 arena[ARENA_PAGES][512] __attribute__((aligned(4096)));
static u64 synced[ARENA_PAGES][512];	/* value of each entry when last synced */
static unsigned int used;

static void *fake_p2v(u64 phys) { return (void *)(uptr)phys; }

static u64 fake_alloc(void *ctx)
{
	if (used == ARENA_PAGES)
		return 0;
	memset(arena[used], 0xaa, 4096);	/* dirty: zeroing must be synced too */
	memset(arena[used], 0, 4096);
	return (u64)(uptr)arena[used++];
}

static void fake_free(void *ctx, u64 phys) { }

static void fake_sync(const void *p, size_t len)
{
	const u64 *e = p;

	assert_true((uptr)p >= (uptr)arena && (uptr)p + len <= (uptr)(arena + ARENA_PAGES));
	for (size_t i = 0; i < len / 8; i++) {
		size_t idx = &e[i] - &arena[0][0];

		synced[idx / 512][idx % 512] = e[i];
	}
}

static void assert_all_synced(void)
{
	for (unsigned int t = 0; t < used; t++)
		for (unsigned int i = 0; i < 512; i++)
			if (arena[t][i] != synced[t][i])
				fail_msg("table %u entry %u: %#llx written, %#llx synced",
					 t, i, (unsigned long long)arena[t][i],
					 (unsigned long long)synced[t][i]);
}

static void test_table_sync(void **state)
{
	static const struct pt_format fmt = {
		.present = VTD_PTE_R | VTD_PTE_W, .table_attr = VTD_PTE_R | VTD_PTE_W,
		.large = BIT(7), .addr_mask = 0x000ffffffffff000ULL,
	};
	const struct pt_ops ops = { fake_p2v, fake_alloc, fake_free, NULL, fake_sync };
	struct page_table pt;
	u64 tables[PT_LEVELS - 1];
	unsigned int n;

	memset(synced, 0xaa, sizeof(synced));	/* "stale cache lines" */
	assert_int_equal(pt_init(&pt, &fmt, &ops), 0);
	assert_int_equal(pt_map(&pt, 0x100000, 0x5000000, 0x3000, VTD_PTE_R, 0), 0);
	assert_all_synced();
	assert_int_equal(pt_map(&pt, MiB(4), MiB(64), MiB(4), 3, 0), 0); /* 2 MiB leaves */
	assert_all_synced();
	assert_int_equal(pt_unmap(&pt, MiB(5), 0x1000), 0);	/* splits one */
	assert_all_synced();
	assert_int_equal(pt_unmap(&pt, 0x100000, 0x3000), 0);
	n = pt_prune(&pt, 0x100000, tables);
	assert_int_equal(n, 1);
	assert_all_synced();
}

/* Separate tables: a 4 KiB R/W copy of an EPT, then kept in step. */
static void test_mirror(void **state)
{
	static const struct pt_format ept_fmt = {
		.present = 7, .table_attr = 7, .large = BIT(7),
		.addr_mask = 0x000ffffffffff000ULL,
	};
	const struct pt_ops ops = { fake_p2v, fake_alloc, fake_free, NULL, fake_sync };
	struct page_table ept, m;
	u64 pa, attr, size;

	assert_int_equal(pt_init(&ept, &ept_fmt, &ops), 0);
	assert_int_equal(pt_map(&ept, MiB(2), MiB(64), MiB(2), 7 | 6 << 3, 0), 0);
	assert_int_equal(pt_map(&ept, 0x1000, 0x9000, 0x1000, 1 | 6 << 3 | BIT(52), 0), 0);
	assert_int_equal(pt_map(&ept, 0x2000, 0xa000, 0x1000, 4, 0), 0); /* exec only */
	assert_int_equal(vtd_mirror_init(&m, &ops, &ept), 0);
	assert_int_equal(pt_lookup(&m, MiB(2) + 0x5000, &pa, &attr, &size), 0);
	assert_int_equal(pa, MiB(64) + 0x5000);
	assert_int_equal(attr, VTD_PTE_R | VTD_PTE_W);	/* no memory type, no PS */
	assert_int_equal(size, 0x1000);
	assert_int_equal(pt_lookup(&m, 0x1000, &pa, &attr, &size), 0);
	assert_int_equal(pa, 0x9000);
	assert_int_equal(attr, VTD_PTE_R);		/* read-only stays so */
	assert_int_not_equal(pt_lookup(&m, 0x2000, &pa, &attr, &size), 0);
	/* a page out of the 2 MiB range: only that page */
	assert_int_equal(vtd_mirror_update(&m, MiB(2) + 0x3000, 0, 0x1000, 0), 0);
	assert_int_not_equal(pt_lookup(&m, MiB(2) + 0x3000, &pa, &attr, &size), 0);
	assert_int_equal(pt_lookup(&m, MiB(2) + 0x4000, &pa, &attr, &size), 0);
	/* an upgrade, a new page */
	assert_int_equal(vtd_mirror_update(&m, 0x1000, 0x9000, 0x1000, 3 | 6 << 3), 0);
	assert_int_equal(pt_lookup(&m, 0x1000, &pa, &attr, &size), 0);
	assert_int_equal(attr, VTD_PTE_R | VTD_PTE_W);
	assert_int_equal(vtd_mirror_update(&m, GiB(1), GiB(2), 0x2000, 3), 0);
	assert_int_equal(pt_lookup(&m, GiB(1) + 0x1000, &pa, &attr, &size), 0);
	assert_int_equal(pa, GiB(2) + 0x1000);
	assert_all_synced();
}

/* ---- vtd_qi_submit() on a fake unit that runs one descriptor per FSTS read ---- */

static struct vtd_unit qi_unit;
static u64 qi_ring_mem[VTD_QI_ENTRIES * 2] __attribute__((aligned(4096)));
static unsigned int fake_head, fake_tail, fake_done;
static bool fake_stalled;
static u64 fake_last[2];

u64 virt_to_phys(const void *virt) { return (u64)(uptr)virt; }
void vtd_sync(struct vtd_unit *u, const void *p, size_t len) { }
void vtd_write32(struct vtd_unit *u, unsigned int off, u32 v) { }

void vtd_write64(struct vtd_unit *u, unsigned int off, u64 v)
{
	if (off == 0x88)		/* IQT */
		fake_tail = v >> 4;
}

u64 vtd_read64(struct vtd_unit *u, unsigned int off)
{
	return off == 0x80 ? (u64)fake_head << 4 : 0;	/* IQH */
}

u32 vtd_read32(struct vtd_unit *u, unsigned int off)
{
	const u64 *d = &qi_ring_mem[fake_head * 2];

	if (off != 0x34 || fake_stalled || fake_head == fake_tail)
		return 0;
	if ((d[0] & 0xf) == 5) {	/* wait: its data to its status address */
		*(volatile u32 *)(uptr)d[1] = d[0] >> 32;
	} else {
		fake_last[0] = d[0];
		fake_done++;
	}
	fake_head = (fake_head + 1) % VTD_QI_ENTRIES;
	return 0;
}

/*
 * A unit that stalled past keel's timeout and then resumed: the stale
 * wait descriptor it then completes must not end the next submission
 * before that submission's own invalidation has run.
 */
static void test_qi_late_wait(void **state)
{
	u64 d[2];

	qi_unit.qi_ring = qi_ring_mem;
	fake_stalled = true;
	vtd_qi_iotlb_dsi(d, 1);
	assert_int_equal(vtd_qi_submit(&qi_unit, d), -EIO);
	assert_int_equal(fake_done, 0);
	fake_stalled = false;
	vtd_qi_iotlb_dsi(d, 2);
	assert_int_equal(vtd_qi_submit(&qi_unit, d), 0);
	assert_int_equal(fake_done, 2);
	assert_int_equal(fake_last[0], 0x200e2);	/* DID 2's DSI ran */
	/* the queue drained; the next one needs its own completion */
	vtd_qi_iotlb_global(d);
	assert_int_equal(vtd_qi_submit(&qi_unit, d), 0);
	assert_int_equal(fake_done, 3);
	assert_int_equal(fake_head, fake_tail);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_table_sync),
		cmocka_unit_test(test_mirror),
		cmocka_unit_test(test_qi_late_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
