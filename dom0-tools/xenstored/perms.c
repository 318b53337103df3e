/* Node permissions as Xen defines them: an owner, a default for everyone else, per-domain entries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "path.h"
#include "perms.h"

static const char access_letter[] = "nrwb";

int perms_parse(const char *const *strings, unsigned int count, struct perms *out)
{
	unsigned int i, access;

	if (count == 0)
		return -EINVAL;
	out->list = xcalloc(count, sizeof(*out->list));
	out->count = count;
	for (i = 0; i < count; i++) {
		const char *letter = strchr(access_letter, strings[i][0]);

		if (!strings[i][0] || !letter)
			goto invalid;
		access = (unsigned int)(letter - access_letter);
		if (parse_domid(strings[i] + 1, &out->list[i].domid))
			goto invalid;
		out->list[i].access = access;
	}
	return 0;
invalid:
	perms_free(out);
	return -EINVAL;
}

size_t perms_format(const struct perms *perms, char *buf, size_t size)
{
	size_t used = 0;
	unsigned int i;
	int n;

	for (i = 0; i < perms->count; i++) {
		n = snprintf(buf + used, size - used, "%c%u",
			     access_letter[perms->list[i].access & 3], perms->list[i].domid);
		if (n < 0 || (size_t)n + 1 > size - used)
			break;
		used += (size_t)n + 1;
	}
	return used;
}

unsigned int perms_access(const struct perms *perms, unsigned int domid)
{
	const unsigned int all = PERM_READ | PERM_WRITE | PERM_OWNER;
	unsigned int i;

	if (domid == 0 || perms->list[0].domid == domid)
		return all;
	for (i = 1; i < perms->count; i++)
		if (perms->list[i].domid == domid)
			return perms->list[i].access;
	return perms->list[0].access;
}

void perms_copy(struct perms *dst, const struct perms *src)
{
	dst->list = xmemdup(src->list, src->count * sizeof(*dst->list));
	dst->count = src->count;
}

bool perms_equal(const struct perms *a, const struct perms *b)
{
	return a->count == b->count && !memcmp(a->list, b->list, a->count * sizeof(a->list[0]));
}

void perms_single(struct perms *out, unsigned int owner, unsigned int access)
{
	out->list = xmalloc(sizeof(*out->list));
	out->list[0].domid = owner;
	out->list[0].access = access;
	out->count = 1;
}

void perms_free(struct perms *perms)
{
	free(perms->list);
	perms->list = NULL;
	perms->count = 0;
}
