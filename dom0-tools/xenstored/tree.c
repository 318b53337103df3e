/* The store: nodes with values, children and permissions, generation counts, and its operations. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "path.h"
#include "quota.h"
#include "strmap.h"
#include "transaction.h"
#include "tree.h"

static struct strmap *live;
static uint64_t generation;

static unsigned int owner_of(const struct node *node)
{
	return node->perms.list[0].domid;
}

/* A node with an empty value, @perms, and @creator as owner unless that is dom0. */
static struct node *node_new(const char *path, const struct perms *perms, unsigned int creator)
{
	struct node *node = xcalloc(1, sizeof(*node));

	node->path = xstrdup(path);
	perms_copy(&node->perms, perms);
	if (creator != 0)
		node->perms.list[0].domid = creator;
	return node;
}

struct node *node_dup(const struct node *node)
{
	struct node *copy = xmalloc(sizeof(*copy));

	*copy = *node;
	copy->path = xstrdup(node->path);
	perms_copy(&copy->perms, &node->perms);
	copy->value = node->value ? xmemdup(node->value, node->value_len) : NULL;
	copy->children = node->children ? xmemdup(node->children, node->children_len) : NULL;
	return copy;
}

void node_free(struct node *node)
{
	if (!node)
		return;
	free(node->path);
	perms_free(&node->perms);
	free(node->value);
	free(node->children);
	free(node);
}

size_t node_size(const struct node *node)
{
	return sizeof(*node) + strlen(node->path) + 1 + node->value_len + node->children_len +
	       node->perms.count * sizeof(node->perms.list[0]);
}

/* Does @node list @leaf among its children? */
static bool node_has_child(const struct node *node, const char *leaf)
{
	unsigned int off;

	for (off = 0; off < node->children_len;
	     off += (unsigned int)strlen(node->children + off) + 1)
		if (!strcmp(node->children + off, leaf))
			return true;
	return false;
}

static void node_add_child(struct node *node, const char *leaf)
{
	unsigned int len = (unsigned int)strlen(leaf) + 1;

	node->children = xrealloc(node->children, node->children_len + len);
	memcpy(node->children + node->children_len, leaf, len);
	node->children_len += len;
}

/* False if @node did not list @leaf. */
static bool node_remove_child(struct node *node, const char *leaf)
{
	unsigned int off = 0, len;

	while (off < node->children_len) {
		len = (unsigned int)strlen(node->children + off) + 1;
		if (!strcmp(node->children + off, leaf)) {
			memmove(node->children + off, node->children + off + len,
				node->children_len - off - len);
			node->children_len -= len;
			return true;
		}
		off += len;
	}
	return false;
}

struct node *tree_live_get(const char *path)
{
	return strmap_get(live, path);
}

void tree_live_replace(const char *path, struct node *node)
{
	struct node *old = strmap_remove(live, path);

	if (old) {
		quota_nodes_add(owner_of(old), -1);
		node_free(old);
	}
	if (node) {
		node->gen = ++generation;
		quota_nodes_add(owner_of(node), 1);
		strmap_put(live, path, node);
	}
}

void tree_init(void)
{
	struct perms root_perms;

	live = strmap_new();
	perms_single(&root_perms, 0, 0);
	tree_live_replace("/", node_new("/", &root_perms, 0));
	perms_free(&root_perms);
}

static void free_node_value(void *node)
{
	node_free(node);
}

void tree_fini(void)
{
	strmap_free(live, free_node_value);
	live = NULL;
}

/*
 * ---- one view of the store: the live one, or a transaction's ----
 * A transaction's view can fail (its quotas) and, assembled node by node while the live
 * store changes, contradict itself; the live store never does.
 */

/* The node at @path, or NULL, in @node: 0, or -errno from the transaction. */
static int view_get(struct store_ctx *ctx, const char *path, struct node **node)
{
	if (ctx->txn)
		return txn_view_get(ctx->txn, path, node);
	*node = strmap_get(live, path);
	return 0;
}

/* @node, from view_get(), has been changed in place. */
static int view_modified(struct store_ctx *ctx, struct node *node)
{
	if (ctx->txn)
		return txn_view_modified(ctx->txn, node->path);
	node->gen = ++generation;
	return 0;
}

/* Puts @node, which the view then owns, at @path. */
static int view_put(struct store_ctx *ctx, const char *path, struct node *node)
{
	if (ctx->txn)
		return txn_view_put(ctx->txn, path, node);
	tree_live_replace(path, node);
	return 0;
}

/*
 * The view contradicts itself (a node without its parent, a parent that lists a child it
 * does not have or not one it has): the live store changed under the transaction, which is
 * in conflict, as its commit would find.
 */
static int view_stale(struct store_ctx *ctx)
{
	assert(ctx->txn);
	return txn_fail(ctx->txn, -EAGAIN);
}

/* 0, or what the transaction failed with (before an operation, or during one). */
static int view_error(const struct store_ctx *ctx)
{
	return ctx->txn ? txn_error(ctx->txn) : 0;
}

static unsigned int nodes_owned(struct store_ctx *ctx)
{
	int owned = (int)quota_nodes_owned(ctx->domid);

	if (ctx->txn)
		owned += txn_owned_delta(ctx->txn);
	return owned > 0 ? (unsigned int)owned : 0;
}

static void notify(struct store_ctx *ctx, const char *path, bool recursive,
		   const struct perms *perms)
{
	if (ctx->changed)
		ctx->changed(path, recursive, perms, ctx->arg);
}

/* Cuts the last component off an absolute path in @buf ("/a" becomes "/"). */
static void cut_last(char *buf)
{
	char *slash = strrchr(buf, '/');

	if (slash == buf)
		slash[1] = '\0';
	else
		*slash = '\0';
}

/* Why @path cannot be found: EACCES if its nearest existing ancestor denies @want. */
static int missing_error(struct store_ctx *ctx, const char *path, unsigned int want)
{
	char buf[PATH_BUF];
	struct node *node;
	int rc;

	strcpy(buf, path);
	do {
		cut_last(buf);
		rc = view_get(ctx, buf, &node);
		if (rc)
			return rc;
	} while (!node && strcmp(buf, "/"));
	if (node && !(perms_access(&node->perms, ctx->domid) & want))
		return -EACCES;
	return -ENOENT;
}

/* Creates the missing @path and its missing parents, which inherit their parent's permissions. */
static int create_path(struct store_ctx *ctx, const char *path, struct node **created)
{
	struct node *parent, *node = NULL;
	unsigned int missing = 0;
	char buf[PATH_BUF];
	const char *end;
	int rc;

	strcpy(buf, path);
	do {
		cut_last(buf);
		missing++;
		rc = view_get(ctx, buf, &parent);
		if (rc)
			return rc;
	} while (!parent && strcmp(buf, "/"));
	/* "/" cannot be removed, from any view. */
	assert(parent);
	if (!(perms_access(&parent->perms, ctx->domid) & PERM_WRITE))
		return -EACCES;
	if (ctx->domid != 0 && nodes_owned(ctx) + missing > quota.nodes)
		return -ENOSPC;
	while (missing--) {
		end = strchr(path + strlen(buf) + 1, '/');
		if (end) {
			memcpy(buf, path, (size_t)(end - path));
			buf[end - path] = '\0';
		} else {
			strcpy(buf, path);
		}
		/* Only the first parent was there before; a stale copy may list the child. */
		if (ctx->txn && node_has_child(parent, path_leaf(buf)))
			return view_stale(ctx);
		node_add_child(parent, path_leaf(buf));
		rc = view_modified(ctx, parent);
		if (rc)
			return rc;
		node = node_new(buf, &parent->perms, ctx->domid);
		rc = view_put(ctx, buf, node);
		if (rc)
			return rc;
		parent = node;
	}
	*created = node;
	return 0;
}

int tree_read(struct store_ctx *ctx, const char *path, const struct node **out)
{
	struct node *node;
	int rc = view_error(ctx);

	if (!rc)
		rc = view_get(ctx, path, &node);
	if (rc)
		return rc;
	if (!node)
		return missing_error(ctx, path, PERM_READ);
	if (!(perms_access(&node->perms, ctx->domid) & PERM_READ))
		return -EACCES;
	*out = node;
	return 0;
}

int tree_write(struct store_ctx *ctx, const char *path, const void *value, unsigned int len)
{
	struct node *node;
	int rc = view_error(ctx);

	if (rc)
		return rc;
	if (ctx->domid != 0 && len > quota.value_size)
		return -ENOSPC;
	rc = view_get(ctx, path, &node);
	if (rc)
		return rc;
	if (!node) {
		rc = create_path(ctx, path, &node);
		if (rc)
			return rc;
	} else if (!(perms_access(&node->perms, ctx->domid) & PERM_WRITE)) {
		return -EACCES;
	}
	free(node->value);
	node->value = xmemdup(value, len);
	node->value_len = len;
	rc = view_modified(ctx, node);
	if (rc)
		return rc;
	notify(ctx, path, false, &node->perms);
	return view_error(ctx);
}

int tree_mkdir(struct store_ctx *ctx, const char *path)
{
	struct node *node;
	int rc = view_error(ctx);

	if (!rc)
		rc = view_get(ctx, path, &node);
	if (rc)
		return rc;
	if (node)
		return perms_access(&node->perms, ctx->domid) & PERM_WRITE ? 0 : -EACCES;
	rc = create_path(ctx, path, &node);
	if (rc)
		return rc;
	notify(ctx, path, false, &node->perms);
	return view_error(ctx);
}

static char *child_path(const char *parent, const char *leaf)
{
	size_t plen = strcmp(parent, "/") ? strlen(parent) : 0, llen = strlen(leaf);
	char *path = xmalloc(plen + llen + 2);

	memcpy(path, parent, plen);
	path[plen] = '/';
	memcpy(path + plen + 1, leaf, llen + 1);
	return path;
}

/* Removes @path and all below it, without recursion: trees can be deep. */
static int remove_subtree(struct store_ctx *ctx, const char *path)
{
	size_t depth = 0, room = 16;
	char **stack = xmalloc(room * sizeof(*stack));
	struct node *node;
	unsigned int off;
	char *cur;
	int rc = 0;

	stack[depth++] = xstrdup(path);
	while (depth && !rc) {
		cur = stack[--depth];
		rc = view_get(ctx, cur, &node);
		for (off = 0; !rc && node && off < node->children_len;
		     off += (unsigned int)strlen(node->children + off) + 1) {
			if (depth == room) {
				room *= 2;
				stack = xrealloc(stack, room * sizeof(*stack));
			}
			stack[depth++] = child_path(cur, node->children + off);
		}
		if (!rc && node)
			rc = view_put(ctx, cur, NULL);
		free(cur);
	}
	/* Only a transaction stops half-way (it failed, and is discarded). */
	assert(!rc || ctx->txn);
	while (depth)
		free(stack[--depth]);
	free(stack);
	return rc;
}

int tree_rm(struct store_ctx *ctx, const char *path)
{
	struct node *node, *parent;
	char parent_path[PATH_BUF];
	struct perms old_perms;
	int rc = view_error(ctx);

	if (rc)
		return rc;
	if (!strcmp(path, "/"))
		return -EINVAL;
	path_parent(path, parent_path);
	rc = view_get(ctx, path, &node);
	if (rc)
		return rc;
	if (!node) {
		/* Fine if the parent is there. */
		rc = missing_error(ctx, path, PERM_WRITE);
		if (rc != -ENOENT)
			return rc;
		rc = view_get(ctx, parent_path, &parent);
		return rc ? rc : parent ? 0 : -ENOENT;
	}
	if (!(perms_access(&node->perms, ctx->domid) & PERM_WRITE))
		return -EACCES;
	rc = view_get(ctx, parent_path, &parent);
	if (rc)
		return rc;
	if (!parent || !node_remove_child(parent, path_leaf(path)))
		return view_stale(ctx);
	perms_copy(&old_perms, &node->perms);
	rc = view_modified(ctx, parent);
	if (!rc)
		rc = remove_subtree(ctx, path);
	if (!rc)
		notify(ctx, path, true, &old_perms);
	perms_free(&old_perms);
	return rc ? rc : view_error(ctx);
}

int tree_set_perms(struct store_ctx *ctx, const char *path, const struct perms *perms)
{
	struct node *node;
	int rc = view_error(ctx);

	if (!rc)
		rc = view_get(ctx, path, &node);
	if (rc)
		return rc;
	if (!node)
		return missing_error(ctx, path, PERM_WRITE);
	if (!(perms_access(&node->perms, ctx->domid) & PERM_OWNER))
		return -EACCES;
	if (ctx->domid != 0) {
		if (perms->count > quota.perms)
			return -ENOSPC;
		if (perms->list[0].domid != owner_of(node))
			return -EPERM;
	}
	if (!ctx->txn) {
		quota_nodes_add(owner_of(node), -1);
		quota_nodes_add(perms->list[0].domid, 1);
	}
	perms_free(&node->perms);
	perms_copy(&node->perms, perms);
	rc = view_modified(ctx, node);
	if (rc)
		return rc;
	notify(ctx, path, false, &node->perms);
	return view_error(ctx);
}
