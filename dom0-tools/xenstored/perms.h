/* Node permissions as Xen defines them: an owner, a default for everyone else, per-domain entries. */
#ifndef XENSTORED_PERMS_H
#define XENSTORED_PERMS_H

#include <stdbool.h>
#include <stddef.h>

#define PERM_READ	1U
#define PERM_WRITE	2U
#define PERM_OWNER	4U	/* may change the permissions; never stored */

struct xs_perm {
	unsigned int domid;
	unsigned int access;	/* PERM_READ | PERM_WRITE */
};

/*
 * list[0]: the owner, who may do anything, and the access of every domain not listed
 * after it; list[1..]: the access of one domain each. Dom0 may do anything anywhere.
 */
struct perms {
	unsigned int count;	/* at least 1 */
	struct xs_perm *list;
};

/* Parses @count strings like "r5" ('n', 'r', 'w' or 'b' and a domid); -EINVAL if malformed. */
int perms_parse(const char *const *strings, unsigned int count, struct perms *out);
/* Writes the permissions as NUL-terminated strings; returns the bytes used (@size permitting). */
size_t perms_format(const struct perms *perms, char *buf, size_t size);
/* What @domid may do to a node with @perms: PERM_* bits. */
unsigned int perms_access(const struct perms *perms, unsigned int domid);
void perms_copy(struct perms *dst, const struct perms *src);
bool perms_equal(const struct perms *a, const struct perms *b);
/* One entry: @owner, with @access for everyone else. */
void perms_single(struct perms *out, unsigned int owner, unsigned int access);
void perms_free(struct perms *perms);

#endif
