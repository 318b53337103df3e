/* ASSERT(): invariants checked at run time; a failure stops keel with file:line. */
#ifndef KEEL_ASSERT_H
#define KEEL_ASSERT_H

#include <keel/types.h>

/*
 * On by default. Build with -DKEEL_NO_ASSERT to compile the checks out
 * (the expression is still type-checked, never evaluated).
 */
void __noreturn assert_failed(const char *expr, const char *file,
			      unsigned int line);

#ifndef KEEL_NO_ASSERT
#define ASSERT(p)                                                        \
	do {                                                             \
		if (unlikely(!(p)))                                      \
			assert_failed(#p, __FILE__, __LINE__);          \
	} while (0)
#else
#define ASSERT(p) ((void)sizeof(!(p)))
#endif

/* For code that must never be reached. */
#define ASSERT_UNREACHABLE() assert_failed("unreachable", __FILE__, __LINE__)

#endif
