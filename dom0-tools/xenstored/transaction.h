/*
 * Transactions: a private view of the nodes a transaction touched, checked against their
 * generation counts at the end (EAGAIN if any changed meanwhile), then applied at once.
 */
#ifndef XENSTORED_TRANSACTION_H
#define XENSTORED_TRANSACTION_H

#include <stdbool.h>
#include <stdint.h>
#include "tree.h"

struct conn;
struct transaction;

/* Opens a transaction on @c and returns its id (never 0); -ENOSPC over the quota. */
int transaction_start(struct conn *c, uint32_t *id);
struct transaction *transaction_find(struct conn *c, uint32_t id);
/*
 * Ends @t, which is freed: with @commit its changes go live and are passed to @changed,
 * unless a node it read or wrote changed in the live store since, or its view was found
 * stale (-EAGAIN), it failed on a quota (-ENOMEM, as Xen answers), or its domain would own
 * more nodes than its quota allows once it is applied (-ENOSPC); then nothing is applied.
 */
int transaction_end(struct conn *c, struct transaction *t, bool commit, change_fn changed,
		    void *arg);
/* Discards all of @c's transactions. */
void transaction_reset(struct conn *c);
/*
 * A change_fn that keeps the change in transaction @txn until it commits (once per node
 * while nothing else about it changes); over the memory quota it fails @txn.
 */
void txn_record_change(const char *path, bool recursive, const struct perms *perms, void *txn);

/*
 * ---- the transaction's view of the store, for tree.c ----
 * A guest's transaction holds at most quota.transaction_nodes nodes, and its domain's
 * transactions quota.memory bytes: going over fails it with -ENOSPC. A failed transaction
 * answers every later request with its error (txn_error()) and cannot commit.
 */
/*
 * Its copy of the node at @path (taken from the live store when first seen) in @node, or
 * NULL: a node that exists nowhere is not recorded (the generation of its nearest existing
 * ancestor, which the caller looks at, covers its creation). 0 or -ENOSPC.
 */
int txn_view_get(struct transaction *t, const char *path, struct node **node);
/* Its copy of the node at @path, from txn_view_get(), was changed in place: 0 or -ENOSPC. */
int txn_view_modified(struct transaction *t, const char *path);
/* Puts @node (NULL: nothing), which it then owns, at @path in its view: 0 or -ENOSPC. */
int txn_view_put(struct transaction *t, const char *path, struct node *node);
/* How many more nodes its owner owns in its view than in the live store. */
int txn_owned_delta(const struct transaction *t);
/* Fails @t with @err (-EAGAIN: its view is stale) unless it failed already; its error. */
int txn_fail(struct transaction *t, int err);
/* 0, or what @t failed with. */
int txn_error(const struct transaction *t);

#endif
