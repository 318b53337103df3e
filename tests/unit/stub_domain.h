/* The host under real domains in host tests: RAM arena, EPT-format p2m hooks, idle rest. */
#ifndef TESTS_UNIT_STUB_DOMAIN_H
#define TESTS_UNIT_STUB_DOMAIN_H

#include <keel/types.h>

struct domain;

/*
 * Host RAM of @size bytes (zeroed) managed by keel's own page allocator and
 * frame table (host_pages, mm/frame.c); physical 0 stays in use, as page
 * tables take 0 for "no memory". stub_ram_free() gives it all back to libc.
 */
void stub_ram_init(u64 size);
void stub_ram_free(void);

/* How often the p2m flushed; the hook, if set, runs at each flush. */
extern unsigned int stub_p2m_flushes;
extern void (*stub_p2m_flush_hook)(struct domain *d);

#endif
