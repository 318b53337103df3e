/* Xenstore path syntax: validation, relative paths, parents and children, domain ids. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "path.h"

static bool valid_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' || c == '@';
}

/* Only the permitted characters, and no empty component ("//"). */
static bool valid_chars(const char *s)
{
	for (; *s; s++)
		if (!valid_char(*s) || (s[0] == '/' && s[1] == '/'))
			return false;
	return true;
}

static bool valid_absolute(const char *p)
{
	size_t len = strlen(p);

	if (p[0] != '/' || len > XENSTORE_ABS_PATH_MAX || !valid_chars(p))
		return false;
	return len == 1 || p[len - 1] != '/';
}

int path_canonical(unsigned int domid, const char *path, bool allow_special, char *out)
{
	size_t len = strlen(path);
	int n;

	if (len == 0)
		return -EINVAL;
	if (path[0] == '@') {
		if (!allow_special || len == 1 || len > XENSTORE_REL_PATH_MAX || !valid_chars(path + 1) ||
		    strchr(path, '/'))
			return -EINVAL;
		memcpy(out, path, len + 1);
		return 0;
	}
	if (path[0] == '/') {
		if (!valid_absolute(path))
			return -EINVAL;
		memcpy(out, path, len + 1);
		return 0;
	}
	if (len > XENSTORE_REL_PATH_MAX)
		return -EINVAL;
	n = snprintf(out, PATH_BUF, "/local/domain/%u/%s", domid, path);
	if (n < 0 || n >= PATH_BUF || !valid_absolute(out))
		return -EINVAL;
	return 0;
}

bool path_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (!strcmp(parent, "/"))
		return child[0] == '/';
	return !strncmp(child, parent, len) && (child[len] == '\0' || child[len] == '/');
}

void path_parent(const char *path, char *out)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash && slash != path ? (size_t)(slash - path) : 1;

	memcpy(out, path, len);
	out[len] = '\0';
}

const char *path_leaf(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void path_domain_home(unsigned int domid, char *out, size_t size)
{
	snprintf(out, size, "/local/domain/%u", domid);
}

const char *path_relative_to(unsigned int domid, const char *path)
{
	char home[32];
	size_t len;

	path_domain_home(domid, home, sizeof(home));
	len = strlen(home);
	if (!strncmp(path, home, len) && path[len] == '/')
		return path + len + 1;
	return path;
}

int parse_u64(const char *s, uint64_t *value)
{
	uint64_t v = 0, digit;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		digit = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return -EINVAL;
		v = v * 10 + digit;
	}
	*value = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *value)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > UINT32_MAX)
		return -EINVAL;
	*value = (uint32_t)v;
	return 0;
}

int parse_domid(const char *s, unsigned int *domid)
{
	uint32_t v;

	if (parse_u32(s, &v) || v > 0xffff)
		return -EINVAL;
	*domid = v;
	return 0;
}
