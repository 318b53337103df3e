/* printk() for host tests of code that logs: messages are captured for assertions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/printk.h>
#include "host.h"

char test_log[16384];

void test_log_reset(void)
{
	test_log[0] = '\0';
}

int test_log_has(const char *needle)
{
	return strstr(test_log, needle) != NULL;
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(test_log);

	(void)level;
	vsnprintf(test_log + used, sizeof(test_log) - used, fmt, ap);
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "printk: %s", test_log + used);
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}
