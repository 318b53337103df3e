/* What create is doing, as it goes: a progress line on a terminal, plain lines with -v. */
#include <stdarg.h>
#include <stdbool.h>
#include "progress.h"
#include "util.h"

static enum progress_mode mode;
static FILE *out;
static const char *name;
static bool shown;		/* a PROGRESS_LINE is on the terminal */

void progress_begin(enum progress_mode m, FILE *f, const char *domain)
{
	mode = f ? m : PROGRESS_QUIET;
	out = f;
	name = domain;
	shown = false;
	kc_message_hook = progress_clear;
}

void progress_step(const char *fmt, ...)
{
	va_list ap;

	if (mode == PROGRESS_QUIET)
		return;
	/* \r and erase-line: the step replaces the last one. */
	fprintf(out, mode == PROGRESS_LINE ? "\r\033[K%s: " : "keelctl: %s: ", name);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputs(mode == PROGRESS_LINE ? " ..." : "\n", out);
	fflush(out);
	shown = mode == PROGRESS_LINE;
}

void progress_clear(void)
{
	if (!shown)
		return;
	fputs("\r\033[K", out);
	fflush(out);
	shown = false;
}

void progress_end(void)
{
	progress_clear();
	mode = PROGRESS_QUIET;
	kc_message_hook = NULL;
}
