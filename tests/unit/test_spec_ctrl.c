/* Host tests of keel's speculative-execution policy: IBPB, L1D flush and VERW as Xen decides them. */
#include <asm/spec_ctrl.h>
#include "host.h"

static void expect_ext(u32 edx, u32 ext8_ebx, u64 caps, bool ibpb, bool l1d, bool verw)
{
	struct spec_ctrl_policy p = spec_ctrl_decide(edx, ext8_ebx, caps);

	assert_int_equal(p.ibpb, ibpb);
	assert_int_equal(p.l1d_flush, l1d);
	assert_int_equal(p.verw, verw);
}

static void expect(u32 edx, u64 caps, bool ibpb, bool l1d, bool verw)
{
	expect_ext(edx, 0, caps, ibpb, l1d, verw);
}

static void test_nothing_enumerated(void **state)
{
	(void)state;
	expect(0, 0, false, false, false);
}

static void test_ibpb_where_enumerated(void **state)
{
	(void)state;
	expect(CPUID7_EDX_IBRS_IBPB, 0, true, false, false);
	expect(CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_ARCH_CAPS,
	       ARCH_CAPS_RDCL_NO | ARCH_CAPS_MDS_NO, true, false, false);
}

/*
 * AMD enumerates IBPB in CPUID 0x80000008 EBX[12], not in leaf 7 (its
 * EDX[26] is Intel's IBRS/IBPB): an SVM host must still barrier between
 * domains, or one guest trains the branch predictors of the next.
 */
static void test_ibpb_amd_enumeration(void **state)
{
	(void)state;
	expect_ext(0, CPUIDX8_EBX_IBPB, 0, true, false, false);
	expect_ext(0, (u32)~CPUIDX8_EBX_IBPB, 0, false, false, false);
}

/* An L1TF-prone part with L1D_FLUSH flushes; on MD_CLEAR parts that covers MDS too. */
static void test_l1d_flush_covers_mds(void **state)
{
	(void)state;
	expect(CPUID7_EDX_L1D_FLUSH, 0, false, true, false);
	expect(CPUID7_EDX_L1D_FLUSH | CPUID7_EDX_MD_CLEAR, 0, false, true, false);
	expect(CPUID7_EDX_L1D_FLUSH | CPUID7_EDX_MD_CLEAR | CPUID7_EDX_ARCH_CAPS,
	       ARCH_CAPS_MDS_NO, false, true, false);
}

/* Not L1TF-prone, or told the flush is not needed at VM entry: VERW for MDS alone. */
static void test_verw_without_l1d_flush(void **state)
{
	u32 all = CPUID7_EDX_L1D_FLUSH | CPUID7_EDX_MD_CLEAR | CPUID7_EDX_ARCH_CAPS;

	(void)state;
	expect(CPUID7_EDX_MD_CLEAR, 0, false, false, true);
	expect(all, ARCH_CAPS_RDCL_NO, false, false, true);
	expect(all, ARCH_CAPS_SKIP_L1DFL, false, false, true);
	expect(all, ARCH_CAPS_RDCL_NO | ARCH_CAPS_MDS_NO, false, false, false);
	expect(CPUID7_EDX_MD_CLEAR | CPUID7_EDX_ARCH_CAPS, ARCH_CAPS_MDS_NO,
	       false, false, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_enumerated),
		cmocka_unit_test(test_ibpb_where_enumerated),
		cmocka_unit_test(test_ibpb_amd_enumeration),
		cmocka_unit_test(test_l1d_flush_covers_mds),
		cmocka_unit_test(test_verw_without_l1d_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
