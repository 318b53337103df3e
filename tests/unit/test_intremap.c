/* Host tests of VT-d interrupt remapping (vtd_irte.c): IRTEs and remappable messages. */
#include <asm/intremap.h>
#include "host.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
