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
 * unless a node it read or wrote changed in the live store since (-EAGAIN, nothing applied).
 */
int transaction_end(struct conn *c, struct transaction *t, bool commit, change_fn changed,
		    void *arg);
/* Discards all of @c's transactions. */
void transaction_reset(struct conn *c);
/* A change_fn that keeps the change in transaction @txn until it commits. */
void txn_record_change(const char *path, bool recursive, const struct perms *perms, void *txn);

/* ---- the transaction's view of the store, for tree.c ---- */
/* Its copy of the node at @path (taken from the live store when first seen), or NULL. */
struct node *txn_view_get(struct transaction *t, const char *path);
/* Its copy of the node at @path was changed in place. */
void txn_view_modified(struct transaction *t, const char *path);
/* Puts @node (NULL: nothing) at @path in its view. */
void txn_view_put(struct transaction *t, const char *path, struct node *node);
/* How many more nodes its owner owns in its view than in the live store. */
int txn_owned_delta(const struct transaction *t);

#endif
