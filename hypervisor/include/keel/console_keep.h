/* A destroyed domain's console output, kept for console_read after it is gone (docs/domctl.md). */
#ifndef KEEL_CONSOLE_KEEP_H
#define KEEL_CONSOLE_KEEP_H

#include <keel/page.h>
#include <keel/types.h>
#include <public/xen.h>

struct domain;

/* The output kept of each domain (console_ring.c): 16 KiB. */
#define CONSOLE_KEEP_ORDER 2
#define CONSOLE_KEEP_SIZE (PAGE_SIZE << CONSOLE_KEEP_ORDER)
/* Destroyed domains whose output stays readable: the newest ones. */
#define CONSOLE_KEEP_DEAD 4

/*
 * @d is being destroyed and writes no more: copy what it kept of its
 * output (it may not be read yet), in place of the oldest copy when all
 * CONSOLE_KEEP_DEAD are taken. d->console_lock held.
 */
void console_keep_save(struct domain *d);

/*
 * console_read: the output of domain id @id, instance *@instance (0: the
 * newest domain of that id) from stream position *@pos, as
 * text_ring_read() copies it. @d: the domain_get_console() of @id, or
 * NULL; it is read when it is that instance, else the copy kept of a
 * destroyed one. *@instance: the one read; *@head: bytes it ever wrote;
 * *@gone: it was destroyed, no byte follows. -ESRCH when neither holds
 * it (never was, or its copy made room for newer ones), -EINVAL for a
 * position past the head.
 */
long console_keep_read(struct domain *d, domid_t id, u64 *instance, u64 *pos,
		       char *buf, size_t size, u64 *head, bool *gone);

#endif
