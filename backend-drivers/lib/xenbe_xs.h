/* A backend device's xenstore chores: reads under its directories, one-transaction commits. */
#ifndef XENBE_XS_H
#define XENBE_XS_H

#include <stdbool.h>
#include <stdint.h>
#include "xenbe_env.h"

/* be/state not known yet (a device this instance just found): commit() does not compare. */
#define XENBE_STATE_UNKNOWN	(-1)

struct xenbe_kv {
	const char *key;
	char val[24];
};

/* <dir>/<key>: 0 with a malloc()ed value, or -errno (-ENOENT when missing). */
int xenbe_read_at(const struct xenbe_env *env, uint32_t tx, const char *dir, const char *key,
		  char **val);

/* A number under @dir: 0, -ENOENT (missing) or -EINVAL (not a number no larger than @max). */
int xenbe_read_uint(const struct xenbe_env *env, const char *dir, const char *key, uint64_t max,
		    uint64_t *v);

/*
 * Writes @kv under @be_path (and be/state = @new_state unless < 0) in one transaction that also
 * checks the directory is still there and that nobody (the toolstack) changed be/state since we
 * last wrote *@state. 0 (*@state updated); -ENOENT (directory gone: *@gone set); -EBUSY
 * (be/state changed: re-read); -EAGAIN (transaction conflicts every time) or another -errno.
 */
int xenbe_commit(const struct xenbe_env *env, const char *be_path, int *state, bool *gone,
		 const struct xenbe_kv *kv, unsigned int n, int new_state);

/* /local/domain/0/error/backend/<btype>/<domid>/<devid>/error = "<errno> <msg>" (2.7f). */
void xenbe_error_node(const struct xenbe_env *env, const char *btype, uint16_t domid,
		      uint32_t devid, int err, const char *msg);

#endif
