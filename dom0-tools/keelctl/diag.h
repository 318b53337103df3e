/* Messages about a configuration, collected and printed in line order ("FILE:LINE: ..."). */
#ifndef KEELCTL_DIAG_H
#define KEELCTL_DIAG_H

#include <stdio.h>
#include "util.h"

struct diag_entry {
	unsigned int source;	/* order of the file among those reported (0 first) */
	unsigned int line;	/* 0: about the whole file, printed after its lines */
	char *text;		/* the whole message line, with its newline */
};

struct diag {
	unsigned int nr, errors;
	struct diag_entry *entries;
};

/* An error (@warning false) or warning at @file:@line (line 0: no line number). */
void diag_add(struct diag *d, unsigned int source, const char *file, unsigned int line,
	      bool warning, const char *fmt, va_list ap);
/* Prints every message, sorted by source and line (stable), and forgets them. */
void diag_flush(struct diag *d, FILE *out);

#endif
