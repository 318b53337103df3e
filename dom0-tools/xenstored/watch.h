/* Watches: per-connection (path, token) pairs, fired by changes below their path and by special events. */
#ifndef XENSTORED_WATCH_H
#define XENSTORED_WATCH_H

#include <stdbool.h>
#include "perms.h"

struct conn;
struct watch;

#define SPECIAL_INTRODUCE	"@introduceDomain"
#define SPECIAL_RELEASE		"@releaseDomain"

/*
 * Adds @c's watch on @path (relative to the domain's home unless absolute, or "@name")
 * with @token. -EINVAL for a bad path, -EEXIST if @c already has it, -E2BIG over the quota.
 */
int watch_add(struct conn *c, const char *path, const char *token, struct watch **added);
/* Queues the event every new watch gets once, to go after the reply to WATCH. */
void watch_fire_initial(struct conn *c, struct watch *w);
/* -ENOENT if @c has no such watch. */
int watch_remove(struct conn *c, const char *path, const char *token);
void watch_reset(struct conn *c);
/*
 * Fires every watch on @path or above it, and with @recursive (@path and all below went
 * away) every watch below it too. Connections that cannot read a node with @perms are
 * skipped; @perms NULL (special events) skips nobody.
 */
void watch_fire(const char *path, bool recursive, const struct perms *perms);

#endif
