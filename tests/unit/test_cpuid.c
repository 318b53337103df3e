/* Host tests of the CPUID view (arch/x86/cpuid.c): the frequency leaf Linux calibrates from. */
#include <keel/domain.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/hvm.h>
#include <asm/vmx_internal.h>
#include "host.h"

u64 tsc_hz;

static struct domain dom = { .nr_vcpus = 1 };
static struct vcpu vcpu0 = { .domain = &dom };

bool hvm_svm;	/* VT-x: cpuid.c's leaves are the same on SVM but for CR4's fixed bits */

void hvm_skip_insn(unsigned int len) { }

/* Leaf 0 reaches 0x16, so that Linux's cpu_khz_from_cpuid() reads it. */
static void test_max_leaf(void **state)
{
	assert_int_equal(vcpu_cpuid(&vcpu0, 0, 0).eax, 0x16);
}

/* Leaf 0x16 is the TSC's frequency in MHz, rounded, whatever the host says. */
static void test_freq_leaf(void **state)
{
	struct cpuid_regs r;

	tsc_hz = 199989000;
	r = vcpu_cpuid(&vcpu0, 0x16, 0);
	assert_int_equal(r.eax, 200);
	assert_int_equal(r.ebx, 200);
	assert_int_equal(r.ecx, 0);
	assert_int_equal(r.edx, 0);
	tsc_hz = 2899400000ULL;
	assert_int_equal(vcpu_cpuid(&vcpu0, 0x16, 0).eax, 2899);
}

/* The leaves between XSAVE's (hidden) and 0x16 say nothing. */
static void test_leaves_below(void **state)
{
	u32 leaf;

	for (leaf = 0xd; leaf < 0x16; leaf++) {
		struct cpuid_regs r = vcpu_cpuid(&vcpu0, leaf, 0);

		assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_max_leaf),
		cmocka_unit_test(test_freq_leaf),
		cmocka_unit_test(test_leaves_below),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
