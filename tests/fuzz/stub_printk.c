/* printk() for fuzz harnesses: every message is formatted (so bad arguments show) and dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <keel/printk.h>

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	static int verbose = -1;
	char buf[512];

	(void)level;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "printk: %s", buf);
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}
