/* Host tests of exc_combine() (arch/x86/exc_combine.c): the SDM's table of exception pairs. */
#include <asm/hvm.h>
#include <asm/vmcs.h>
#include "host.h"

#define DE 0
#define DB 1
#define UD 6
#define TS 10
#define NP 11
#define SS 12

static const unsigned int benign[] = { DB, 2, 3, 4, 5, UD, 7, 9, 16, 17, 18, 19 };
static const unsigned int contributory[] = { DE, TS, NP, SS, X86_EXC_GP };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* SDM Vol. 3A, table 6-5: benign first or second: the second is delivered. */
static void test_benign(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(benign); i++) {
		for (size_t j = 0; j < N(contributory); j++) {
			assert_int_equal(exc_combine(benign[i], contributory[j]), contributory[j]);
			assert_int_equal(exc_combine(contributory[j], benign[i]), benign[i]);
		}
		assert_int_equal(exc_combine(benign[i], X86_EXC_PF), X86_EXC_PF);
		assert_int_equal(exc_combine(X86_EXC_PF, benign[i]), benign[i]);
		assert_int_equal(exc_combine(X86_EXC_DF, benign[i]), benign[i]);
		assert_int_equal(exc_combine(benign[i], benign[0]), benign[0]);
	}
}

/* Contributory then contributory: #DF; contributory then #PF: #PF; #PF then either: #DF. */
static void test_double_fault(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(contributory); i++) {
		for (size_t j = 0; j < N(contributory); j++)
			assert_int_equal(exc_combine(contributory[i], contributory[j]), X86_EXC_DF);
		assert_int_equal(exc_combine(contributory[i], X86_EXC_PF), X86_EXC_PF);
		assert_int_equal(exc_combine(X86_EXC_PF, contributory[i]), X86_EXC_DF);
	}
	assert_int_equal(exc_combine(X86_EXC_PF, X86_EXC_PF), X86_EXC_DF);
}

/* A contributory exception or #PF while #DF is delivered: the triple fault (shutdown). */
static void test_triple_fault(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(contributory); i++)
		assert_int_equal(exc_combine(X86_EXC_DF, contributory[i]), EXC_TRIPLE_FAULT);
	assert_int_equal(exc_combine(X86_EXC_DF, X86_EXC_PF), EXC_TRIPLE_FAULT);
	/* #DF itself is neither: a second #DF while the first is delivered is delivered. */
	assert_int_equal(exc_combine(X86_EXC_DF, X86_EXC_DF), X86_EXC_DF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_benign),
		cmocka_unit_test(test_double_fault),
		cmocka_unit_test(test_triple_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
