/* The daemon's log: a file given with --log, else standard error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "log.h"

static FILE *log_file;

int log_open(const char *path)
{
	FILE *f = fopen(path, "a");

	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	log_close();
	log_file = f;
	return 0;
}

void log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

void log_msg(const char *fmt, ...)
{
	FILE *out = log_file ? log_file : stderr;
	struct timespec now;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(out, "[%5lld.%03ld] xenstored: ", (long long)now.tv_sec, now.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}
