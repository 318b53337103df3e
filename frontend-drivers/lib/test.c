/* Failure counting and the single PASS/FAIL result line of a test guest. */
#include <public/sched.h>
#include "console.h"
#include "test.h"

unsigned int test_failures;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[CONSOLE_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("guest: FAIL %s:%d: %s\n", file, line, msg);
	test_failures++;
}

int test_result(const char *name)
{
	if (!test_failures) {
		printf("guest: PASS %s\n", name);
		return SHUTDOWN_poweroff;
	}
	printf("guest: FAIL %s (%u failure%s)\n", name, test_failures,
	       test_failures == 1 ? "" : "s");
	return SHUTDOWN_crash;
}
