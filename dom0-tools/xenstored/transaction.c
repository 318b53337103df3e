/*
 * Transactions: a private view of the nodes a transaction touched, checked against their
 * generation counts at the end (EAGAIN if any changed meanwhile), then applied at once.
 */
#include <errno.h>
#include <stdlib.h>
#include "alloc.h"
#include "conn.h"
#include "quota.h"
#include "strmap.h"
#include "transaction.h"

struct txn_entry {
	uint64_t live_gen;	/* the live node's generation when first seen; 0: none */
	struct node *node;	/* the transaction's copy; NULL: no node in its view */
	bool modified;
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
	unsigned int nr_changes;
};

static struct txn_entry *entry_get(struct transaction *t, const char *path)
{
	struct txn_entry *e = strmap_get(t->entries, path);
	struct node *live;

	if (!e) {
		live = tree_live_get(path);
		e = xcalloc(1, sizeof(*e));
		e->live_gen = live ? live->gen : 0;
		e->node = live ? node_dup(live) : NULL;
		strmap_put(t->entries, path, e);
	}
	return e;
}

struct node *txn_view_get(struct transaction *t, const char *path)
{
	return entry_get(t, path)->node;
}

void txn_view_modified(struct transaction *t, const char *path)
{
	entry_get(t, path)->modified = true;
}

void txn_view_put(struct transaction *t, const char *path, struct node *node)
{
	struct txn_entry *e = entry_get(t, path);

	if (e->node && e->node->perms.list[0].domid == t->domid)
		t->owned_delta--;
	if (node && node->perms.list[0].domid == t->domid)
		t->owned_delta++;
	if (e->node != node)
		node_free(e->node);
	e->node = node;
	e->modified = true;
}

int txn_owned_delta(const struct transaction *t)
{
	return t->owned_delta;
}

void txn_record_change(const char *path, bool recursive, const struct perms *perms, void *txn)
{
	struct transaction *t = txn;
	struct txn_change *change;

	t->changes = xrealloc(t->changes, (t->nr_changes + 1) * sizeof(*t->changes));
	change = &t->changes[t->nr_changes++];
	change->path = xstrdup(path);
	change->recursive = recursive;
	perms_copy(&change->perms, perms);
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

static void transaction_free(struct conn *c, struct transaction *t)
{
	unsigned int i;

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

static void apply_entry(const char *path, void *entry, void *unused)
{
	struct txn_entry *e = entry;

	if (e->modified) {
		tree_live_replace(path, e->node);
		e->node = NULL;
	}
}

int transaction_end(struct conn *c, struct transaction *t, bool commit, change_fn changed,
		    void *arg)
{
	bool unchanged = true;
	unsigned int i;

	if (commit) {
		strmap_foreach(t->entries, check_entry, &unchanged);
		if (!unchanged) {
			transaction_free(c, t);
			return -EAGAIN;
		}
		strmap_foreach(t->entries, apply_entry, NULL);
		for (i = 0; changed && i < t->nr_changes; i++)
			changed(t->changes[i].path, t->changes[i].recursive,
				&t->changes[i].perms, arg);
	}
	transaction_free(c, t);
	return 0;
}

void transaction_reset(struct conn *c)
{
	while (!LIST_EMPTY(&c->transactions))
		transaction_free(c, LIST_FIRST(&c->transactions));
}
