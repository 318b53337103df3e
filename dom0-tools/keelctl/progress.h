/* What create is doing, as it goes: a progress line on a terminal, plain lines with -v. */
#ifndef KEELCTL_PROGRESS_H
#define KEELCTL_PROGRESS_H

#include <stdio.h>

enum progress_mode {
	PROGRESS_QUIET,		/* nothing (scripts, tests, the monitor) */
	PROGRESS_LINE,		/* one line rewritten in place (stderr is a terminal) */
	PROGRESS_LINES,		/* a line per step (keelctl -v) */
};

/* From now on, steps of domain @name go to @out as @mode says. */
void progress_begin(enum progress_mode mode, FILE *out, const char *name);
/* The next step ("decompressing the kernel /boot/vmlinuz"). */
void progress_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Clears a progress line (before other output, and at the end). */
void progress_clear(void);
/* Done: clears the line and goes quiet. */
void progress_end(void);

#endif
