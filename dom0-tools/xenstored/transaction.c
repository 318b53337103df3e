/*
 * Transactions: a private view of the nodes a transaction touched, checked against their
 * generation counts at the end (EAGAIN if any changed meanwhile), then applied at once.
 *
 * What a transaction holds is counted: its entries (at most quota.transaction_nodes for a
 * guest) and their bytes, with its recorded changes, toward its domain's quota.memory. A
 * node that exists nowhere costs nothing, and writing one node again records no new change.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "conn.h"
#include "quota.h"
#include "strmap.h"
#include "transaction.h"

struct txn_entry {
	uint64_t live_gen;	/* the live node's generation when first seen; 0: none */
	struct node *node;	/* the transaction's copy; NULL: no node in its view */
	bool modified;
	size_t charged;		/* bytes counted for it in its transaction's memory */
	int last_change;	/* index of its path's latest change; -1: none */
};

struct txn_change {
	char *path;
	bool recursive;
	struct perms perms;
};

struct transaction {
	LIST_ENTRY(transaction) link;
	uint32_t id;
	unsigned int domid;		/* its connection's */
	struct strmap *entries;		/* path -> struct txn_entry */
	int owned_delta;
	struct txn_change *changes;
	unsigned int nr_changes, room_changes;
	size_t memory;			/* bytes of entries and changes, counted to its domain */
	int error;			/* 0, -EAGAIN (stale view) or -ENOSPC (a quota) */
};

static unsigned int owner_of(const struct node *node)
{
	return node->perms.list[0].domid;
}

/* dom0's transactions are held to nothing. */
static bool unlimited(const struct transaction *t)
{
	return t->domid == 0;
}

/* What an entry for @path holding @node costs: the entry, its key in the map, the copy. */
static size_t entry_cost(const char *path, const struct node *node)
{
	return sizeof(struct txn_entry) + 3 * sizeof(void *) + strlen(path) + 1 +
	       (node ? node_size(node) : 0);
}

static size_t change_cost(const char *path, const struct perms *perms)
{
	return sizeof(struct txn_change) + strlen(path) + 1 +
	       perms->count * sizeof(perms->list[0]);
}

static void charge(struct transaction *t, long delta)
{
	assert(delta >= 0 || t->memory >= (size_t)-delta);
	t->memory += (size_t)delta;
	quota_memory_add(t->domid, delta);
}

/* Would @extra more bytes take @t's domain over its memory quota? */
static bool over_memory(const struct transaction *t, size_t extra)
{
	return !unlimited(t) && quota_memory_used(t->domid) + extra > quota.memory;
}

int txn_fail(struct transaction *t, int err)
{
	assert(err < 0);
	if (!t->error)
		t->error = err;
	return t->error;
}

int txn_error(const struct transaction *t)
{
	return t->error;
}

/* Counts @e's bytes again after its node changed. */
static int recharge(struct transaction *t, const char *path, struct txn_entry *e)
{
	size_t cost = entry_cost(path, e->node);

	charge(t, (long)cost - (long)e->charged);
	e->charged = cost;
	return over_memory(t, 0) ? txn_fail(t, -ENOSPC) : 0;
}

/* A new entry for @path, with a copy of @live (NULL: none). */
static int entry_new(struct transaction *t, const char *path, const struct node *live,
		     struct txn_entry **out)
{
	size_t cost = entry_cost(path, live);
	struct txn_entry *e;

	if (!unlimited(t) && strmap_count(t->entries) >= quota.transaction_nodes)
		return txn_fail(t, -ENOSPC);
	if (over_memory(t, cost))
		return txn_fail(t, -ENOSPC);
	e = xcalloc(1, sizeof(*e));
	e->live_gen = live ? live->gen : 0;
	e->node = live ? node_dup(live) : NULL;
	e->last_change = -1;
	e->charged = cost;
	strmap_put(t->entries, path, e);
	charge(t, (long)cost);
	*out = e;
	return 0;
}

int txn_view_get(struct transaction *t, const char *path, struct node **node)
{
	struct txn_entry *e = strmap_get(t->entries, path);
	struct node *live;
	int rc;

	if (!e) {
		live = tree_live_get(path);
		if (!live) {
			*node = NULL;
			return 0;
		}
		rc = entry_new(t, path, live, &e);
		if (rc)
			return rc;
	}
	*node = e->node;
	return 0;
}

int txn_view_modified(struct transaction *t, const char *path)
{
	struct txn_entry *e = strmap_get(t->entries, path);

	/* Only a node txn_view_get() handed out is changed in place. */
	assert(e && e->node);
	e->modified = true;
	return recharge(t, path, e);
}

int txn_view_put(struct transaction *t, const char *path, struct node *node)
{
	struct txn_entry *e = strmap_get(t->entries, path);
	int rc;

	if (!e) {
		rc = entry_new(t, path, tree_live_get(path), &e);
		if (rc) {
			node_free(node);
			return rc;
		}
	}
	if (e->node && owner_of(e->node) == t->domid)
		t->owned_delta--;
	if (node && owner_of(node) == t->domid)
		t->owned_delta++;
	if (e->node != node)
		node_free(e->node);
	e->node = node;
	e->modified = true;
	return recharge(t, path, e);
}

int txn_owned_delta(const struct transaction *t)
{
	return t->owned_delta;
}

void txn_record_change(const char *path, bool recursive, const struct perms *perms, void *txn)
{
	struct transaction *t = txn;
	struct txn_entry *e = strmap_get(t->entries, path);
	struct txn_change *change;
	size_t cost;

	if (t->error)
		return;
	/* The same change again (a node written over and over) is one event at commit. */
	if (e && e->last_change >= 0) {
		change = &t->changes[e->last_change];
		if (change->recursive == recursive && perms_equal(&change->perms, perms))
			return;
	}
	cost = change_cost(path, perms);
	if (over_memory(t, cost)) {
		txn_fail(t, -ENOSPC);
		return;
	}
	if (t->nr_changes == t->room_changes) {
		t->room_changes = t->room_changes ? t->room_changes * 2 : 8;
		t->changes = xrealloc(t->changes, t->room_changes * sizeof(*t->changes));
	}
	change = &t->changes[t->nr_changes];
	change->path = xstrdup(path);
	change->recursive = recursive;
	perms_copy(&change->perms, perms);
	if (e)
		e->last_change = (int)t->nr_changes;
	t->nr_changes++;
	charge(t, (long)cost);
}

int transaction_start(struct conn *c, uint32_t *id)
{
	struct transaction *t;

	if (c->domid != 0 && c->nr_transactions >= quota.transactions)
		return -ENOSPC;
	t = xcalloc(1, sizeof(*t));
	t->domid = c->domid;
	t->entries = strmap_new();
	do
		t->id = c->next_txn_id++;
	while (t->id == 0 || transaction_find(c, t->id));
	LIST_INSERT_HEAD(&c->transactions, t, link);
	c->nr_transactions++;
	*id = t->id;
	return 0;
}

struct transaction *transaction_find(struct conn *c, uint32_t id)
{
	struct transaction *t;

	LIST_FOREACH(t, &c->transactions, link)
		if (t->id == id)
			return t;
	return NULL;
}

static void free_entry(void *entry)
{
	struct txn_entry *e = entry;

	node_free(e->node);
	free(e);
}

static void sum_charged(const char *path, void *entry, void *sum)
{
	*(size_t *)sum += ((struct txn_entry *)entry)->charged;
}

static void transaction_free(struct conn *c, struct transaction *t)
{
	size_t counted = 0;
	unsigned int i;

	strmap_foreach(t->entries, sum_charged, &counted);
	for (i = 0; i < t->nr_changes; i++)
		counted += change_cost(t->changes[i].path, &t->changes[i].perms);
	/* Every byte it holds was counted, and is given back now. */
	assert(counted == t->memory);
	charge(t, -(long)t->memory);
	LIST_REMOVE(t, link);
	c->nr_transactions--;
	strmap_free(t->entries, free_entry);
	for (i = 0; i < t->nr_changes; i++) {
		free(t->changes[i].path);
		perms_free(&t->changes[i].perms);
	}
	free(t->changes);
	free(t);
}

static void check_entry(const char *path, void *entry, void *unchanged)
{
	struct txn_entry *e = entry;
	struct node *live = tree_live_get(path);

	if ((live ? live->gen : 0) != e->live_gen)
		*(bool *)unchanged = false;
}

struct owned_count {
	unsigned int domid;
	long delta;
};

/* Once every entry is as it was first seen: how applying it changes @count's domain's nodes. */
static void count_owned(const char *path, void *entry, void *count)
{
	struct owned_count *owned = count;
	struct txn_entry *e = entry;
	struct node *live = tree_live_get(path);

	if (!e->modified)
		return;
	owned->delta += e->node && owner_of(e->node) == owned->domid;
	owned->delta -= live && owner_of(live) == owned->domid;
}

static void apply_entry(const char *path, void *entry, void *unused)
{
	struct txn_entry *e = entry;

	if (e->modified) {
		tree_live_replace(path, e->node);
		e->node = NULL;
	}
}

/* Whether @t may be applied now: 0 or -errno (see transaction_end()). */
static int commit_check(struct transaction *t)
{
	struct owned_count owned = { .domid = t->domid };
	bool unchanged = true;

	if (t->error)
		return t->error == -EAGAIN ? -EAGAIN : -ENOMEM;
	strmap_foreach(t->entries, check_entry, &unchanged);
	if (!unchanged)
		return -EAGAIN;
	/* Parallel transactions each within the node quota must not add up past it. */
	if (!unlimited(t)) {
		strmap_foreach(t->entries, count_owned, &owned);
		if (owned.delta > 0 &&
		    quota_nodes_owned(t->domid) + (unsigned long)owned.delta > quota.nodes)
			return -ENOSPC;
	}
	return 0;
}

int transaction_end(struct conn *c, struct transaction *t, bool commit, change_fn changed,
		    void *arg)
{
	unsigned int i;
	int rc = 0;

	if (commit) {
		rc = commit_check(t);
		if (!rc) {
			strmap_foreach(t->entries, apply_entry, NULL);
			for (i = 0; changed && i < t->nr_changes; i++)
				changed(t->changes[i].path, t->changes[i].recursive,
					&t->changes[i].perms, arg);
		}
	}
	transaction_free(c, t);
	return rc;
}

void transaction_reset(struct conn *c)
{
	while (!LIST_EMPTY(&c->transactions))
		transaction_free(c, LIST_FIRST(&c->transactions));
}
