/* Shared helpers of the host unit tests: cmocka, and what the stubs recorded. */
#ifndef TESTS_UNIT_HOST_H
#define TESTS_UNIT_HOST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Everything printk() was asked to print since the last test_log_reset(). */
extern char test_log[16384];
void test_log_reset(void);
/* Does the captured log contain @needle? */
int test_log_has(const char *needle);

#endif
