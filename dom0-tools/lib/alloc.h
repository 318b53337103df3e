/* Allocation for dom0's tools: running out of memory stops the program with a message. */
#ifndef DOM0_TOOLS_ALLOC_H
#define DOM0_TOOLS_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
void *xmemdup(const void *p, size_t size);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
