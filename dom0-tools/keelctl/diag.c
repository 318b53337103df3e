/* Messages about a configuration, collected and printed in line order ("FILE:LINE: ..."). */
#include <stdlib.h>
#include <string.h>
#include "diag.h"

void diag_add(struct diag *d, unsigned int source, const char *file, unsigned int line,
	      bool warning, const char *fmt, va_list ap)
{
	char *msg, *where;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = xstrdup("(out of memory)");
	where = line ? xasprintf("%s:%u: ", file, line) : xasprintf("%s: ", file);
	d->entries = xrealloc(d->entries, (d->nr + 1) * sizeof(*d->entries));
	d->entries[d->nr++] = (struct diag_entry){
		.source = source, .line = line ? line : ~0u,
		.text = xasprintf("%s%s%s\n", where, warning ? "warning: " : "", msg),
	};
	if (!warning)
		d->errors++;
	free(where);
	free(msg);
}

void diag_flush(struct diag *d, FILE *out)
{
	/* Insertion sort: few messages, and it keeps equal lines in the order they came. */
	for (unsigned int i = 1; i < d->nr; i++) {
		struct diag_entry e = d->entries[i];
		unsigned int j = i;

		while (j && (d->entries[j - 1].source > e.source ||
			     (d->entries[j - 1].source == e.source && d->entries[j - 1].line > e.line))) {
			d->entries[j] = d->entries[j - 1];
			j--;
		}
		d->entries[j] = e;
	}
	for (unsigned int i = 0; i < d->nr; i++) {
		fputs(d->entries[i].text, out);
		free(d->entries[i].text);
	}
	free(d->entries);
	d->entries = NULL;
	d->nr = 0;
}
