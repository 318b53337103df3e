/* A backend device's xenstore chores: reads under its directories, one-transaction commits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "alloc.h"
#include "xenbe_parse.h"
#include "xenbe_xs.h"

#define XS_RETRIES	8

int xenbe_read_at(const struct xenbe_env *env, uint32_t tx, const char *dir, const char *key,
		  char **val)
{
	char *path = xasprintf("%s/%s", dir, key);
	int rc = env->ops->xs_read(env->priv, tx, path, val);

	free(path);
	return rc;
}

int xenbe_read_uint(const struct xenbe_env *env, const char *dir, const char *key, uint64_t max,
		    uint64_t *v)
{
	char *s;
	int rc = xenbe_read_at(env, 0, dir, key, &s);

	if (rc)
		return rc;
	rc = xenbe_parse_uint(s, max, v) ? 0 : -EINVAL;
	free(s);
	return rc;
}

static int write_at(const struct xenbe_env *env, uint32_t tx, const char *dir, const char *key,
		    const char *val)
{
	char *path = xasprintf("%s/%s", dir, key);
	int rc = env->ops->xs_write(env->priv, tx, path, val);

	free(path);
	return rc;
}

int xenbe_commit(const struct xenbe_env *env, const char *be_path, int *state, bool *gone,
		 const struct xenbe_kv *kv, unsigned int n, int new_state)
{
	int tries;

	for (tries = 0; tries < XS_RETRIES; tries++) {
		uint32_t tx;
		char *cur;
		uint64_t v;
		unsigned int i;
		int rc = env->ops->xs_tx_start(env->priv, &tx);

		if (rc)
			return rc;
		rc = xenbe_read_at(env, tx, be_path, "state", &cur);
		if (rc == -ENOENT) {
			env->ops->xs_tx_end(env->priv, tx, false);
			*gone = true;
			return -ENOENT;
		}
		if (rc == 0) {
			bool same = xenbe_parse_uint(cur, 8, &v) && (int)v == *state;

			free(cur);
			if (!same && *state != XENBE_STATE_UNKNOWN) {
				env->ops->xs_tx_end(env->priv, tx, false);
				return -EBUSY;
			}
		}
		for (i = 0; i < n && rc == 0; i++)
			rc = write_at(env, tx, be_path, kv[i].key, kv[i].val);
		if (rc == 0 && new_state >= 0) {
			char sv[12];

			snprintf(sv, sizeof(sv), "%d", new_state);
			rc = write_at(env, tx, be_path, "state", sv);
		}
		if (rc) {
			env->ops->xs_tx_end(env->priv, tx, false);
			return rc;
		}
		rc = env->ops->xs_tx_end(env->priv, tx, true);
		if (rc == -EAGAIN)
			continue;
		if (rc == 0 && new_state >= 0)
			*state = new_state;
		return rc;
	}
	return -EAGAIN;
}

void xenbe_error_node(const struct xenbe_env *env, const char *btype, uint16_t domid,
		      uint32_t devid, int err, const char *msg)
{
	char *path = xasprintf("/local/domain/0/error/backend/%s/%u/%u/error", btype, domid,
			       devid);
	char *val = xasprintf("%d %s", err < 0 ? -err : err, msg);

	env->ops->xs_write(env->priv, 0, path, val);
	free(path);
	free(val);
}
