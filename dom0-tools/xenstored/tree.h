/* The store: nodes with values, children and permissions, generation counts, and its operations. */
#ifndef XENSTORED_TREE_H
#define XENSTORED_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perms.h"

struct transaction;

struct node {
	char *path;
	uint64_t gen;			/* the store's generation at its last change */
	struct perms perms;
	char *value;
	unsigned int value_len;
	char *children;			/* leaf names, each NUL-terminated, oldest first */
	unsigned int children_len;
};

/* Told of each change: @path changed, or with @recursive went away with all below it. */
typedef void (*change_fn)(const char *path, bool recursive, const struct perms *perms,
			  void *arg);

/* Who acts on the store, and on which view of it. */
struct store_ctx {
	unsigned int domid;		/* whose permissions and quotas apply */
	struct transaction *txn;	/* NULL: the live store */
	change_fn changed;		/* may be NULL */
	void *arg;			/* for @changed */
};

/* Creates the live store with "/" (owner dom0, no access for others). */
void tree_init(void);
void tree_fini(void);

/*
 * The operations take canonical absolute paths and return 0 or -errno: EACCES without
 * the permission, ENOENT for a missing node (EACCES when its nearest existing ancestor
 * is unreadable to the caller), ENOSPC over a quota, EINVAL for removing "/", EPERM
 * for an unprivileged owner change. In a transaction also EAGAIN when its view turns out
 * stale, and once it failed, its error (see transaction.h).
 */
/* Finds a node the caller may read; it stays valid until the store next changes. */
int tree_read(struct store_ctx *ctx, const char *path, const struct node **node);
/* Sets a value, creating the node and missing parents (inheriting permissions). */
int tree_write(struct store_ctx *ctx, const char *path, const void *value, unsigned int len);
/* Creates the node and missing parents with empty values; an existing node is left alone. */
int tree_mkdir(struct store_ctx *ctx, const char *path);
/* Removes the node and everything below it; a missing node under an existing parent is fine. */
int tree_rm(struct store_ctx *ctx, const char *path);
/* Replaces the permissions; the caller must own the node. */
int tree_set_perms(struct store_ctx *ctx, const char *path, const struct perms *perms);

/* ---- for transactions ---- */
struct node *node_dup(const struct node *node);
/* The bytes @node takes, for the memory quota. */
size_t node_size(const struct node *node);
void node_free(struct node *node);
/* The live store's node at @path, or NULL. */
struct node *tree_live_get(const char *path);
/* Puts @node (NULL: nothing) at @path in the live store, freeing what was there. */
void tree_live_replace(const char *path, struct node *node);

#endif
