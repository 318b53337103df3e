/* Watches: per-connection (path, token) pairs, fired by changes below their path and by special events. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "conn.h"
#include "log.h"
#include "path.h"
#include "quota.h"
#include "watch.h"

struct watch {
	TAILQ_ENTRY(watch) link;
	char *path;		/* as the client gave it: events are reported the same way */
	char *abs_path;
	char *token;
	bool too_long_said;	/* an event of it was dropped for its length, and logged */
};

static struct watch *find(struct conn *c, const char *abs_path, const char *token)
{
	struct watch *w;

	TAILQ_FOREACH(w, &c->watches, link)
		if (!strcmp(w->abs_path, abs_path) && !strcmp(w->token, token))
			return w;
	return NULL;
}

/*
 * Queues "<path>|<token>|" for @w, @path made relative if the watch's was; an event longer
 * than a payload may be (a long path under a watch with a long token) is dropped.
 */
static void send_event(struct conn *c, struct watch *w, const char *path)
{
	size_t plen, tlen = strlen(w->token);
	char *data;

	if (w->path[0] != '/' && w->path[0] != '@')
		path = path_relative_to(c->domid, path);
	plen = strlen(path);
	if (plen + tlen + 2 > XENSTORE_PAYLOAD_MAX) {
		/* Once per watch: the guest can make as many as it writes. */
		if (!w->too_long_said)
			log_msg("connection of domain %u: watch event too long, dropped (and "
				"more such of this watch)", c->domid);
		w->too_long_said = true;
		return;
	}
	data = xmalloc(plen + tlen + 2);
	memcpy(data, path, plen + 1);
	memcpy(data + plen + 1, w->token, tlen + 1);
	conn_send_event(c, data, (unsigned int)(plen + tlen + 2));
	free(data);
}

int watch_add(struct conn *c, const char *path, const char *token, struct watch **added)
{
	char abs_path[PATH_BUF];
	struct watch *w;
	int rc;

	rc = path_canonical(c->domid, path, true, abs_path);
	if (rc)
		return rc;
	if (find(c, abs_path, token))
		return -EEXIST;
	if (c->domid != 0 && c->nr_watches >= quota.watches)
		return -E2BIG;
	w = xcalloc(1, sizeof(*w));
	w->path = xstrdup(path);
	w->abs_path = xstrdup(abs_path);
	w->token = xstrdup(token);
	TAILQ_INSERT_TAIL(&c->watches, w, link);
	c->nr_watches++;
	*added = w;
	return 0;
}

void watch_fire_initial(struct conn *c, struct watch *w)
{
	send_event(c, w, w->abs_path);
}

static void watch_free(struct conn *c, struct watch *w)
{
	TAILQ_REMOVE(&c->watches, w, link);
	c->nr_watches--;
	free(w->path);
	free(w->abs_path);
	free(w->token);
	free(w);
}

int watch_remove(struct conn *c, const char *path, const char *token)
{
	char abs_path[PATH_BUF];
	struct watch *w;

	if (path_canonical(c->domid, path, true, abs_path))
		return -EINVAL;
	w = find(c, abs_path, token);
	if (!w)
		return -ENOENT;
	watch_free(c, w);
	return 0;
}

void watch_reset(struct conn *c)
{
	while (!TAILQ_EMPTY(&c->watches))
		watch_free(c, TAILQ_FIRST(&c->watches));
}

void watch_fire(const char *path, bool recursive, const struct perms *perms)
{
	bool special = path[0] == '@';
	struct watch *w;
	struct conn *c;

	TAILQ_FOREACH(c, &conns, link) {
		if (c->dead || (perms && !(perms_access(perms, c->domid) & PERM_READ)))
			continue;
		TAILQ_FOREACH(w, &c->watches, link) {
			if (special || w->abs_path[0] == '@') {
				if (!strcmp(w->abs_path, path))
					send_event(c, w, path);
			} else if (path_is_child(path, w->abs_path)) {
				send_event(c, w, path);
			} else if (recursive && path_is_child(w->abs_path, path)) {
				send_event(c, w, w->abs_path);
			}
		}
	}
}
