/* Xenstore path syntax: validation, relative paths, parents and children, domain ids. */
#ifndef XENSTORED_PATH_H
#define XENSTORED_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

/* Domain ids from here up are Xen's special DOMID_* values, never a real domain. */
#define DOMID_FIRST_RESERVED	0x7ff0U
/* Room for any absolute path and its NUL. */
#define PATH_BUF		(XENSTORE_ABS_PATH_MAX + 1)

/*
 * Checks @path as sent by @domid and writes its absolute form to @out (PATH_BUF bytes):
 * a path not starting with '/' is under /local/domain/<domid>. With @allow_special a
 * watch's "@name" is accepted too. -EINVAL for anything malformed or too long.
 */
int path_canonical(unsigned int domid, const char *path, bool allow_special, char *out);
/* Is @child @parent itself or below it? */
bool path_is_child(const char *child, const char *parent);
/* Writes @path's parent to @out (PATH_BUF bytes); @path must not be "/". */
void path_parent(const char *path, char *out);
/* The last component of @path. */
const char *path_leaf(const char *path);
/* Writes /local/domain/<domid> to @out. */
void path_domain_home(unsigned int domid, char *out, size_t size);
/* @path relative to @domid's home if it is below it, else @path itself. */
const char *path_relative_to(unsigned int domid, const char *path);
/* Parses a decimal domain id (0..65535, no sign, no spaces); -EINVAL otherwise. */
int parse_domid(const char *s, unsigned int *domid);
/* Parse decimal numbers in the same strict way. */
int parse_u32(const char *s, uint32_t *value);
int parse_u64(const char *s, uint64_t *value);

#endif
