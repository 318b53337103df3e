/* Allocation for the daemon: running out of memory stops it with a message instead of failing. */
#ifndef XENSTORED_ALLOC_H
#define XENSTORED_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
void *xmemdup(const void *p, size_t size);

#endif
