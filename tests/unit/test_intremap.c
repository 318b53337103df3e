/* Host tests of VT-d interrupt remapping (vtd_irte.c, vtd_ir.c) on fake units: IRTEs, messages, invalidations. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <asm/intremap.h>
#include <asm/vtd.h>
#include "host.h"

#define ECAP_QI BIT(1)
#define ECAP_IR BIT(3)
#define GCMD_IRE BIT(25)
#define GCMD_SIRTP BIT(24)
#define GCMD_CFI BIT(23)
#define NR_FAKE 3

static struct vtd_unit units[NR_FAKE];
static u64 regs[NR_FAKE][512];
static u64 qi_rings[NR_FAKE][2];
static unsigned int nr_units = 2;
static u64 last_desc[NR_FAKE][2];
static unsigned int submits[NR_FAKE];
static u32 gcmd[NR_FAKE];		/* bits set through vtd_gcmd_set */
static int submit_rc;
static const void *synced;		/* the last range made visible to the units */
static size_t synced_len;

bool iommu_intremap = true;		/* vtd.c's iommu= */

/* ---- what vtd.c and the platform provide ---- */

struct vtd_unit *vtd_unit(unsigned int i)
{
	return i < nr_units ? &units[i] : NULL;
}

unsigned int vtd_nr_units(void)
{
	return nr_units;
}

/* Unit 0 translates bus 0 and the bridge's buses 5-6; unit 1 the device 0x4000; bus 0x80 none. */
struct vtd_unit *vtd_unit_for_sid(u16 segment, u16 sid)
{
	if (segment || (sid >> 8) == 0x80)
		return NULL;
	return sid == 0x4000 ? &units[1] : &units[0];
}

int vtd_ioapic_sid(u8 ioapic_id, u16 *sid)
{
	if (ioapic_id != 2)
		return -ENOENT;
	*sid = 0xf0f8;
	return 0;
}

void vtd_gcmd_set(struct vtd_unit *u, u32 bit, bool on)
{
	unsigned int i = u - units;

	gcmd[i] = on ? gcmd[i] | bit : gcmd[i] & ~bit;
}

int vtd_qi_submit(struct vtd_unit *u, const u64 desc[2])
{
	unsigned int i = u - units;

	last_desc[i][0] = desc[0];
	last_desc[i][1] = desc[1];
	submits[i]++;
	return submit_rc;
}

void vtd_qi_iec_global(u64 desc[2])
{
	desc[0] = 4;
	desc[1] = 0;
}

void vtd_qi_iec_index(u64 desc[2], u16 index, u8 im)
{
	desc[0] = 4 | BIT(4) | (u64)im << 27 | (u64)index << 32;
	desc[1] = 0;
}

void vtd_pt_sync(const void *p, size_t len)
{
	synced = p;
	synced_len = len;
}

/* keel's panic() as cmocka's failed assertion: expect_assert_failure() catches it. */
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	mock_assert(0, "panic", __FILE__, __LINE__);
	abort();
}

/* 00:1e.0 is a bridge: primary bus 0, secondary 5, subordinate 6. */
u32 pci_conf_read(u16 bdf, u16 reg, unsigned int size)
{
	if (bdf == 0x00f0 && reg == 0x18 && size == 4)
		return 0x00060500;
	return ~0u;
}

void *alloc_pages(unsigned int order)
{
	void *p = aligned_alloc(4096, 4096ul << order);

	memset(p, 0, 4096ul << order);
	return p;
}

u64 virt_to_phys(const void *virt)
{
	return (u64)(uintptr_t)virt;
}

static void init_unit(unsigned int i, u64 ecap)
{
	memset(&units[i], 0, sizeof(units[i]));
	units[i].regs = regs[i];
	units[i].ecap = ecap;
	units[i].qi_ring = qi_rings[i];
	units[i].drhd.base = 0xfed90000 + 0x1000 * i;
}

static u64 *irte(unsigned int handle)
{
	u64 irta = regs[0][0xb8 / 8];

	return (u64 *)(uintptr_t)(irta & ~0xfffull) + 2 * handle;
}

/* ---- the encoders, against the VT-d specification's layouts ---- */

static void test_encoders(void **state)
{
	u64 e[2];

	(void)state;
	/* Edge, vector 0x31 to xAPIC id 0; the full SID 00:05.0 verified (SVT 1). */
	irte_encode(e, 0, false, 0x31, false, 0x0028, IRTE_SVT_SID);
	assert_int_equal(e[0], 0x0000000000310001ull);
	assert_int_equal(e[1], 0x0000000000040028ull);
	/* Level, xAPIC id 3 in bits 47:40; a bus range 2..4 (SVT 2). */
	irte_encode(e, 3, false, 0x40, true, 0x0204, IRTE_SVT_BUS);
	assert_int_equal(e[0], 0x0000030000400011ull);
	assert_int_equal(e[1], 0x0000000000080204ull);
	/* x2APIC: the 32-bit id in 63:32; xAPIC keeps only 8 bits. */
	irte_encode(e, 0x1234, true, 0x40, false, 0, IRTE_SVT_SID);
	assert_int_equal(e[0], 0x0000123400400001ull);
	irte_encode(e, 0x1234, false, 0x40, false, 0, IRTE_SVT_SID);
	assert_int_equal(e[0], 0x0000340000400001ull);

	/* MSI: 0xfee, handle[14:0] in 19:5, format bit 4, handle[15] in bit 2. */
	assert_int_equal(ir_msi_addr(0x31), 0xfee00630u);
	assert_int_equal(ir_msi_addr(0x8001), 0xfee00034u);
	assert_int_equal(ir_msi_addr(0x7fff), 0xfeeffff0u);

	/* IOAPIC: handle in 63:49, format 48, handle[15] 11, mask/trigger/polarity, vector. */
	assert_int_equal(ir_ioapic_rte(0x31, 0x31, true, true, true),
			 0x006300000001a031ull);
	assert_int_equal(ir_ioapic_rte(0x8000, 0x40, false, false, false),
			 0x0001000000000840ull);
	assert_int_equal(ir_ioapic_rte(0, 0, false, false, true),
			 0x0001000000010000ull);
}

/* ---- vtd_ir.c ---- */

/* Before any unit remaps (and with iommu=no-intremap) messages stay as keel composed them. */
static void test_off_leaves_compatibility(void **state)
{
	u32 addr = 0xfee00000, data = 0x31;
	u64 rte = 0x10031;

	(void)state;
	init_unit(0, ECAP_QI | ECAP_IR);
	init_unit(1, ECAP_QI | ECAP_IR);
	units[0].drhd.scopes[0] = (struct dmar_scope){ DMAR_SCOPE_BRIDGE, 0, 0x00f0 };
	units[0].drhd.nr_scopes = 1;
	iommu_intremap = false;
	vtd_ir_setup(&units[0]);
	vtd_ir_enable(&units[0]);
	assert_int_equal(regs[0][0xb8 / 8], 0);
	assert_int_equal(gcmd[0], 0);
	assert_false(iommu_ir_active());
	assert_int_equal(iommu_ir_msi(0x0028, &addr, &data), 0);
	assert_int_equal(addr, 0xfee00000u);
	assert_int_equal(data, 0x31);
	assert_int_equal(iommu_ir_ioapic_rte(2, &rte), 0);
	assert_int_equal(rte, 0x10031);
	iommu_ir_free(0x31);
	iommu_intremap = true;
}

/* Two units: IRTA with S = 7 and SIRTP, a global IEC flush, then IRE once each. */
static void test_setup_and_enable(void **state)
{
	(void)state;
	vtd_ir_setup(&units[0]);
	assert_int_not_equal(regs[0][0xb8 / 8] & ~0xfffull, 0);
	assert_int_equal(regs[0][0xb8 / 8] & 0xfff, IRTA_SIZE);
	assert_true(gcmd[0] & GCMD_SIRTP);
	assert_int_equal(submits[0], 1);
	assert_int_equal(last_desc[0][0], 4);	/* IEC, global */
	assert_true(units[0].ir);		/* its boot line says so */
	/* Firmware (or a kexec'd OS) left compatibility format allowed. */
	gcmd[0] |= GCMD_CFI;
	vtd_ir_enable(&units[0]);
	assert_true(gcmd[0] & GCMD_IRE);
	assert_false(gcmd[0] & GCMD_CFI);	/* blocked again */
	assert_false(iommu_ir_active());	/* unit 1 is not remapping yet */
	assert_true(units[0].ir);
	vtd_ir_setup(&units[1]);
	vtd_ir_enable(&units[1]);
	assert_int_equal(regs[1][0xb8 / 8], regs[0][0xb8 / 8]);	/* one table */
	assert_true(iommu_ir_active());
	for (unsigned int h = 0; h < IRT_ENTRIES; h++)
		assert_int_equal(irte(h)[0], 0);
}

/* An MSI: IRTE[vector] for the device's SID, remappable message; the IEC entry invalidated on both units. */
static void test_msi(void **state)
{
	u32 addr = 0xfee00000 | 3 << 12, data = 0x31;

	(void)state;
	submits[0] = submits[1] = 0;
	assert_int_equal(iommu_ir_msi(0x0028, &addr, &data), 0);
	assert_int_equal(addr, 0xfee00630u);
	assert_int_equal(data, 0);
	assert_int_equal(irte(0x31)[0], 0x0000030000310001ull);
	assert_int_equal(irte(0x31)[1], 0x0000000000040028ull);
	assert_ptr_equal(synced, irte(0x31));
	assert_int_equal(synced_len, 16);
	assert_int_equal(submits[0], 1);
	assert_int_equal(submits[1], 1);
	assert_int_equal(last_desc[1][0], 4 | BIT(4) | 0x31ull << 32);

	/* The same message again: nothing to write, nothing to invalidate. */
	addr = 0xfee00000 | 3 << 12;
	data = 0x31;
	assert_int_equal(iommu_ir_msi(0x0028, &addr, &data), 0);
	assert_int_equal(submits[0], 1);

	/* A device below the DMAR's bridge 00:1e.0: the bus range 0..6 is verified. */
	addr = 0xfee00000;
	data = 0x32;
	assert_int_equal(iommu_ir_msi(0x0508, &addr, &data), 0);
	assert_int_equal(irte(0x32)[1], 0x0000000000080006ull);
	/* One on no unit's bus: not remapped, so left in compatibility format. */
	addr = 0xfee00000;
	data = 0x33;
	assert_int_equal(iommu_ir_msi(0x8000, &addr, &data), 0);
	assert_int_equal(addr, 0xfee00000u);
	assert_int_equal(data, 0x33);
	assert_int_equal(irte(0x33)[0], 0);
}

static void test_ioapic(void **state)
{
	u64 rte = (u64)1 << 56 | BIT(16) | BIT(15) | BIT(13) | 0x40;

	(void)state;
	assert_int_equal(iommu_ir_ioapic_rte(2, &rte), 0);
	assert_int_equal(rte, 0x008100000001a040ull);
	assert_int_equal(irte(0x40)[0], 0x0000010000400011ull);
	assert_int_equal(irte(0x40)[1], 0x000000000004f0f8ull);

	/* An IOAPIC the DMAR gives no source-id: refused, its entry unchanged. */
	test_log_reset();
	rte = 0x10041;
	assert_int_equal(iommu_ir_ioapic_rte(9, &rte), -ENODEV);
	assert_int_equal(rte, 0x10041);
	assert_int_equal(irte(0x41)[0], 0);
	assert_true(test_log_has("IOAPIC 9"));
}

/* Unbinding clears the IRTE and invalidates it; a failed invalidation is reported. */
static void test_unbind(void **state)
{
	u32 addr = 0xfee00000, data = 0x50;

	(void)state;
	submits[0] = 0;
	iommu_ir_free(0x31);
	assert_int_equal(irte(0x31)[0], 0);
	assert_int_equal(irte(0x31)[1], 0);
	assert_int_equal(submits[0], 1);
	assert_int_equal(last_desc[0][0], 4 | BIT(4) | 0x31ull << 32);
	iommu_ir_free(0x31);			/* already clear */
	assert_int_equal(submits[0], 1);
	iommu_ir_free(IRT_ENTRIES);		/* out of the table */
	assert_int_equal(submits[0], 1);

	submit_rc = -EIO;
	test_log_reset();
	assert_int_equal(iommu_ir_msi(0x0028, &addr, &data), -EIO);
	assert_true(test_log_has("IRTE 80"));
	/* Its vector is about to be reused: a clear the units may not have seen stops keel. */
	expect_assert_failure(iommu_ir_free(80));
	submit_rc = 0;
	iommu_ir_free(80);
	assert_int_equal(irte(80)[0], 0);
}

/* A unit without queued invalidation: IR refused once, IRE off on the others, messages compatible again. */
static void test_refused_unit_turns_all_off(void **state)
{
	u32 addr = 0xfee00000, data = 0x60;

	(void)state;
	nr_units = 3;
	init_unit(2, ECAP_IR);
	units[2].qi_ring = NULL;
	test_log_reset();
	vtd_ir_setup(&units[2]);
	assert_true(test_log_has("no queued invalidation"));
	assert_false(gcmd[0] & GCMD_IRE);
	assert_false(gcmd[1] & GCMD_IRE);
	assert_false(iommu_ir_active());
	assert_false(units[0].ir);
	assert_false(units[1].ir);
	vtd_ir_enable(&units[0]);
	assert_false(gcmd[0] & GCMD_IRE);
	assert_int_equal(iommu_ir_msi(0x0028, &addr, &data), 0);
	assert_int_equal(addr, 0xfee00000u);
	assert_int_equal(data, 0x60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoders),
		cmocka_unit_test(test_off_leaves_compatibility),
		cmocka_unit_test(test_setup_and_enable),
		cmocka_unit_test(test_msi),
		cmocka_unit_test(test_ioapic),
		cmocka_unit_test(test_unbind),
		cmocka_unit_test(test_refused_unit_turns_all_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
