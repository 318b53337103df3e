/* XTF-style test helpers: CHECK() and the single PASS/FAIL result line. */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

/*
 * CHECK() reports "guest: FAIL <file>:<line>: ..." and counts the failure;
 * test_result() prints the one result line, "guest: PASS <name>" or
 * "guest: FAIL <name> (N failures)", and returns the shutdown reason for
 * guest_main() to return: poweroff on pass, crash on fail.
 */

#include <keel/types.h>

extern unsigned int test_failures;

void test_fail(const char *file, int line, const char *fmt, ...)
	__printf(3, 4);

/* Evaluates to whether @cond held. @fmt needs no newline. */
#define CHECK(cond, fmt, ...)						\
	({								\
		bool __ok = !!(cond);					\
		if (!__ok)						\
			test_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__); \
		__ok;							\
	})

/* CHECK that @call (a long) equals @want, printing both when it does not. */
#define EXPECT(call, want)						\
	do {								\
		long __r = (call);					\
		CHECK(__r == (want), "%s = %ld, want %ld", #call, __r,	\
		      (long)(want));					\
	} while (0)

/* An address the guest's identity map (the first 4 GiB) leaves unmapped. */
#define BAD_PTR ((void *)0xdead00000000ULL)

int test_result(const char *name);

#endif
