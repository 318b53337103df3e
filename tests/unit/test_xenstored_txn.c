/* Host tests of xenstored's transactions: isolation, commit, EAGAIN on conflicts, quotas. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conn.h"
#include "host.h"
#include "quota.h"
#include "transaction.h"
#include "tree.h"

static struct conn dom0_conn, dom5_conn;
static char fired[8][64];
static unsigned int nr_fired;

static void record_fired(const char *path, bool recursive, const struct perms *perms, void *arg)
{
	if (nr_fired < 8)
		snprintf(fired[nr_fired++], sizeof(fired[0]), "%s%s", path, recursive ? " (all)" : "");
}

static void init_conn(struct conn *c, unsigned int domid)
{
	memset(c, 0, sizeof(*c));
	c->domid = domid;
	c->next_txn_id = 1;
	LIST_INIT(&c->transactions);
}

static int setup(void **state)
{
	quota_reset();
	tree_init();
	init_conn(&dom0_conn, 0);
	init_conn(&dom5_conn, 5);
	nr_fired = 0;
	return 0;
}

static int teardown(void **state)
{
	transaction_reset(&dom0_conn);
	transaction_reset(&dom5_conn);
	tree_fini();
	return 0;
}

/* A transaction of @c (NULL: the live store) as seen by @c's domain. */
static struct store_ctx in(struct conn *c, struct transaction *t)
{
	return (struct store_ctx){ .domid = c->domid, .txn = t,
				   .changed = t ? txn_record_change : record_fired, .arg = t };
}

static struct transaction *start(struct conn *c)
{
	uint32_t id;

	assert_int_equal(transaction_start(c, &id), 0);
	assert_int_not_equal(id, 0);
	return transaction_find(c, id);
}

static int commit(struct conn *c, struct transaction *t)
{
	return transaction_end(c, t, true, record_fired, NULL);
}

static const char *read_value(struct store_ctx ctx, const char *path)
{
	static char buf[64];
	const struct node *node;

	if (tree_read(&ctx, path, &node))
		return NULL;
	snprintf(buf, sizeof(buf), "%.*s", (int)node->value_len, node->value ? node->value : "");
	return buf;
}

static void test_isolated_until_commit(void **state)
{
	struct transaction *t = start(&dom0_conn);

	assert_int_equal(tree_write(&(struct store_ctx){ .txn = t, .changed = txn_record_change,
							 .arg = t }, "/t/x", "1", 1), 0);
	assert_string_equal(read_value(in(&dom0_conn, t), "/t/x"), "1");
	assert_null(read_value(in(&dom0_conn, NULL), "/t/x"));
	assert_null(read_value(in(&dom0_conn, NULL), "/t"));
	assert_int_equal(nr_fired, 0);
	assert_int_equal(commit(&dom0_conn, t), 0);
	assert_string_equal(read_value(in(&dom0_conn, NULL), "/t/x"), "1");
	/* Watches hear of it at commit. */
	assert_int_equal(nr_fired, 1);
	assert_string_equal(fired[0], "/t/x");
	assert_int_equal(dom0_conn.nr_transactions, 0);
}

static void test_discard(void **state)
{
	struct transaction *t = start(&dom0_conn);

	assert_int_equal(tree_write(&(struct store_ctx){ .txn = t }, "/gone", "1", 1), 0);
	assert_int_equal(transaction_end(&dom0_conn, t, false, record_fired, NULL), 0);
	assert_null(read_value(in(&dom0_conn, NULL), "/gone"));
	assert_int_equal(nr_fired, 0);
}

static void test_write_write_conflict(void **state)
{
	struct store_ctx live = in(&dom0_conn, NULL);
	struct transaction *t1, *t2;

	assert_int_equal(tree_write(&live, "/k", "0", 1), 0);
	t1 = start(&dom0_conn);
	t2 = start(&dom0_conn);
	assert_int_equal(tree_write(&(struct store_ctx){ .txn = t1 }, "/k", "1", 1), 0);
	assert_int_equal(tree_write(&(struct store_ctx){ .txn = t2 }, "/k", "2", 1), 0);
	assert_int_equal(commit(&dom0_conn, t1), 0);
	assert_int_equal(commit(&dom0_conn, t2), -EAGAIN);
	assert_string_equal(read_value(live, "/k"), "1");
	assert_int_equal(dom0_conn.nr_transactions, 0);
}

static void test_read_then_outside_write_conflicts(void **state)
{
	struct store_ctx live = in(&dom0_conn, NULL);
	struct transaction *t;

	assert_int_equal(tree_write(&live, "/k", "0", 1), 0);
	assert_int_equal(tree_mkdir(&live, "/other"), 0);
	t = start(&dom0_conn);
	assert_string_equal(read_value(in(&dom0_conn, t), "/k"), "0");
	assert_int_equal(tree_write(&live, "/k", "changed", 7), 0);
	/* It still sees what it read first. */
	assert_string_equal(read_value(in(&dom0_conn, t), "/k"), "0");
	assert_int_equal(tree_write(&(struct store_ctx){ .txn = t }, "/other/x", "1", 1), 0);
	assert_int_equal(commit(&dom0_conn, t), -EAGAIN);
	assert_null(read_value(live, "/other/x"));
}

static void test_created_meanwhile_conflicts(void **state)
{
	struct store_ctx live = in(&dom0_conn, NULL);
	struct transaction *t = start(&dom0_conn);

	assert_int_equal(tree_mkdir(&live, "/n"), 0);
	assert_null(read_value(in(&dom0_conn, t), "/n/x"));	/* looks at /n: missing then */
	assert_int_equal(tree_write(&live, "/n/x", "1", 1), 0);
	assert_int_equal(commit(&dom0_conn, t), -EAGAIN);
}

static void test_disjoint_commits(void **state)
{
	struct store_ctx live = in(&dom0_conn, NULL);
	struct transaction *t1, *t2;

	assert_int_equal(tree_mkdir(&live, "/x"), 0);
	assert_int_equal(tree_mkdir(&live, "/y"), 0);
	t1 = start(&dom0_conn);
	t2 = start(&dom0_conn);
	assert_int_equal(tree_write(&(struct store_ctx){ .txn = t1 }, "/x/a", "1", 1), 0);
	assert_int_equal(tree_write(&(struct store_ctx){ .txn = t2 }, "/y/b", "2", 1), 0);
	assert_int_equal(tree_write(&live, "/z", "3", 1), 0);
	assert_int_equal(commit(&dom0_conn, t2), 0);
	assert_int_equal(commit(&dom0_conn, t1), 0);
	assert_string_equal(read_value(live, "/x/a"), "1");
	assert_string_equal(read_value(live, "/y/b"), "2");
}

static void test_rm_and_perms_in_transaction(void **state)
{
	struct store_ctx live = in(&dom0_conn, NULL);
	const char *owner5[] = { "n5" };
	struct transaction *t;
	const struct node *node;
	struct store_ctx ctx;
	struct perms perms;

	assert_int_equal(tree_write(&live, "/r/a/b", "1", 1), 0);
	assert_int_equal(tree_write(&live, "/r/c", "2", 1), 0);
	t = start(&dom0_conn);
	ctx = in(&dom0_conn, t);
	assert_int_equal(tree_rm(&ctx, "/r/a"), 0);
	assert_int_equal(perms_parse(owner5, 1, &perms), 0);
	assert_int_equal(tree_set_perms(&ctx, "/r/c", &perms), 0);
	perms_free(&perms);
	assert_int_equal(tree_read(&ctx, "/r/a/b", &node), -ENOENT);
	assert_string_equal(read_value(live, "/r/a/b"), "1");
	assert_int_equal(quota_nodes_owned(5), 0);
	nr_fired = 0;
	assert_int_equal(commit(&dom0_conn, t), 0);
	assert_null(read_value(live, "/r/a/b"));
	assert_null(read_value(live, "/r/a"));
	assert_int_equal(tree_read(&live, "/r", &node), 0);
	assert_int_equal(node->children_len, 2);
	assert_int_equal(quota_nodes_owned(5), 1);	/* /r/c changed hands at commit */
	assert_int_equal(quota_nodes_owned(0), 2);	/* "/" and /r */
	assert_int_equal(nr_fired, 2);
	assert_string_equal(fired[0], "/r/a (all)");
	assert_string_equal(fired[1], "/r/c");
}

static void test_transaction_quota(void **state)
{
	struct transaction *t;
	uint32_t id, ids[3];

	quota.transactions = 2;
	assert_int_equal(transaction_start(&dom5_conn, &ids[0]), 0);
	assert_int_equal(transaction_start(&dom5_conn, &ids[1]), 0);
	assert_int_not_equal(ids[0], ids[1]);
	assert_int_equal(transaction_start(&dom5_conn, &id), -ENOSPC);
	t = transaction_find(&dom5_conn, ids[0]);
	assert_non_null(t);
	assert_int_equal(transaction_end(&dom5_conn, t, false, NULL, NULL), 0);
	assert_null(transaction_find(&dom5_conn, ids[0]));
	assert_int_equal(transaction_start(&dom5_conn, &ids[2]), 0);
	/* dom0 is not limited. */
	for (id = 0; id < 5; id++)
		assert_int_equal(transaction_start(&dom0_conn, &ids[0]), 0);
	assert_int_equal(dom0_conn.nr_transactions, 5);
}

static void test_node_quota_inside_transaction(void **state)
{
	struct store_ctx live = in(&dom0_conn, NULL);
	const char *owner5[] = { "n5" };
	struct transaction *t;
	struct store_ctx ctx;
	struct perms perms;

	quota.nodes = 3;
	assert_int_equal(tree_mkdir(&live, "/home"), 0);
	assert_int_equal(perms_parse(owner5, 1, &perms), 0);
	assert_int_equal(tree_set_perms(&live, "/home", &perms), 0);
	perms_free(&perms);
	t = start(&dom5_conn);
	ctx = in(&dom5_conn, t);
	assert_int_equal(tree_mkdir(&ctx, "/home/a"), 0);
	assert_int_equal(tree_mkdir(&ctx, "/home/b"), 0);
	assert_int_equal(tree_mkdir(&ctx, "/home/c"), -ENOSPC);
	assert_int_equal(tree_rm(&ctx, "/home/a"), 0);
	assert_int_equal(tree_mkdir(&ctx, "/home/c"), 0);
	assert_int_equal(commit(&dom5_conn, t), 0);
	assert_int_equal(quota_nodes_owned(5), 3);
}

/* ---- the audit of f21af78: findings 9, 10 and 15 ---- */

/* Heap bytes in use (AddressSanitizer's count: the unit tests always run under it). */
size_t __sanitizer_get_current_allocated_bytes(void);

/* /local/domain/5/data as the toolstack makes it: owned by dom5. */
static void make_data5(void)
{
	struct store_ctx live = in(&dom0_conn, NULL);
	const char *owner5[] = { "n5" };
	struct perms perms;

	assert_int_equal(tree_mkdir(&live, "/local/domain/5/data"), 0);
	assert_int_equal(perms_parse(owner5, 1, &perms), 0);
	assert_int_equal(tree_set_perms(&live, "/local/domain/5/data", &perms), 0);
	perms_free(&perms);
}

/*
 * Finding 9: the view held the child (read while it existed) but not its parent (first
 * looked up after a live removal): XS_RM of the child dereferenced a NULL parent. The
 * view is stale, so the transaction is in conflict: EAGAIN, now and at commit.
 */
static void test_rm_with_parent_gone_from_view(void **state)
{
	struct store_ctx live5 = in(&dom5_conn, NULL), tx;
	const struct node *node;
	struct transaction *t;

	make_data5();
	assert_int_equal(tree_write(&live5, "/local/domain/5/data/p/c", "x", 1), 0);
	t = start(&dom5_conn);
	tx = in(&dom5_conn, t);
	assert_int_equal(tree_read(&tx, "/local/domain/5/data/p/c", &node), 0);
	assert_int_equal(tree_rm(&live5, "/local/domain/5/data/p"), 0);
	assert_int_equal(tree_rm(&tx, "/local/domain/5/data/p/c"), -EAGAIN);
	assert_int_equal(commit(&dom5_conn, t), -EAGAIN);
	assert_int_equal(tree_read(&live5, "/local/domain/5/data/p", &node), -ENOENT);
	assert_int_equal(dom5_conn.nr_transactions, 0);
}

/* The same shape the other way: the view's parent, taken before a live creation, does not
 * list a child the view then picked up; removing the parent left the child behind. */
static void test_rm_child_left_by_stale_parent(void **state)
{
	struct store_ctx live5 = in(&dom5_conn, NULL), tx;
	const struct node *node;
	struct transaction *t;

	make_data5();
	assert_int_equal(tree_mkdir(&live5, "/local/domain/5/data/p"), 0);
	t = start(&dom5_conn);
	tx = in(&dom5_conn, t);
	assert_int_equal(tree_read(&tx, "/local/domain/5/data/p", &node), 0);
	assert_int_equal(tree_write(&live5, "/local/domain/5/data/p/c", "x", 1), 0);
	/* The view now holds p (without c) and c; whatever it answers, it must not crash. */
	if (tree_read(&tx, "/local/domain/5/data/p/c", &node) == 0 &&
	    tree_rm(&tx, "/local/domain/5/data/p") == 0)
		assert_int_equal(tree_rm(&tx, "/local/domain/5/data/p/c"), -EAGAIN);
	assert_int_equal(commit(&dom5_conn, t), -EAGAIN);
	assert_string_equal(read_value(live5, "/local/domain/5/data/p/c"), "x");
}

/* A stale parent still lists a child removed live: creating it again is a conflict, not a
 * second entry of the same name. */
static void test_create_child_stale_parent_lists(void **state)
{
	struct store_ctx live5 = in(&dom5_conn, NULL), tx;
	const struct node *node;
	struct transaction *t;

	make_data5();
	assert_int_equal(tree_write(&live5, "/local/domain/5/data/p/c", "x", 1), 0);
	t = start(&dom5_conn);
	tx = in(&dom5_conn, t);
	assert_int_equal(tree_read(&tx, "/local/domain/5/data/p", &node), 0);
	assert_int_equal(tree_rm(&live5, "/local/domain/5/data/p/c"), 0);
	assert_int_equal(tree_write(&tx, "/local/domain/5/data/p/c", "y", 1), -EAGAIN);
	assert_int_equal(tree_read(&tx, "/local/domain/5/data/p", &node), -EAGAIN);
	assert_int_equal(commit(&dom5_conn, t), -EAGAIN);
	assert_null(read_value(live5, "/local/domain/5/data/p/c"));
}

/* Finding 10: reading nodes that do not exist records nothing per missing node. */
static void test_missing_reads_hold_nothing(void **state)
{
	static char path[XENSTORE_ABS_PATH_MAX + 1];
	struct store_ctx tx;
	const struct node *node;
	struct transaction *t;
	size_t before, grown;
	int r, len;

	make_data5();
	t = start(&dom5_conn);
	tx = in(&dom5_conn, t);
	before = __sanitizer_get_current_allocated_bytes();
	for (r = 0; r < 50; r++) {
		len = snprintf(path, sizeof(path), "/q%d", r);
		while (len + 2 < XENSTORE_ABS_PATH_MAX) {
			path[len++] = '/';
			path[len++] = 'a';
		}
		path[len] = '\0';
		assert_int_equal(tree_read(&tx, path, &node), -EACCES);
	}
	grown = __sanitizer_get_current_allocated_bytes() - before;
	if (grown > 64 * 1024)
		fail_msg("50 reads of missing 3 KiB paths hold %zu KiB", grown >> 10);
	assert_int_equal(commit(&dom5_conn, t), 0);
}

/* Finding 10: writing one node again and again keeps one change, not one per write. */
static void test_repeated_writes_hold_one_change(void **state)
{
	struct store_ctx tx;
	struct transaction *t;
	size_t before, grown;
	int r;

	make_data5();
	t = start(&dom5_conn);
	tx = in(&dom5_conn, t);
	assert_int_equal(tree_write(&tx, "/local/domain/5/data/x", "v", 1), 0);
	before = __sanitizer_get_current_allocated_bytes();
	for (r = 0; r < 10000; r++)
		assert_int_equal(tree_write(&tx, "/local/domain/5/data/x", "v", 1), 0);
	grown = __sanitizer_get_current_allocated_bytes() - before;
	if (grown > 16 * 1024)
		fail_msg("10000 writes of one node hold %zu KiB more", grown >> 10);
	nr_fired = 0;
	assert_int_equal(commit(&dom5_conn, t), 0);
	assert_int_equal(nr_fired, 1);
	assert_string_equal(fired[0], "/local/domain/5/data/x");
}

/* Finding 10: a guest's transaction accesses at most transaction-nodes (1024) nodes: ENOSPC,
 * and the transaction fails (ENOMEM at commit, as Xen's). dom0 is not held to it. */
static void test_transaction_nodes_quota(void **state)
{
	struct store_ctx live0 = in(&dom0_conn, NULL), tx;
	const struct node *node;
	struct transaction *t;
	char path[64];
	int i, rc;

	make_data5();
	for (i = 0; i < 1100; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/data/n%d", i);
		assert_int_equal(tree_write(&live0, path, "v", 1), 0);
	}
	t = start(&dom5_conn);
	tx = in(&dom5_conn, t);
	for (i = 0; i < 1100; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/data/n%d", i);
		rc = tree_read(&tx, path, &node);
		if (rc)
			break;
	}
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(i, 1024);
	assert_int_equal(commit(&dom5_conn, t), -ENOMEM);
	t = start(&dom0_conn);
	tx = in(&dom0_conn, t);
	for (i = 0; i < 1100; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/data/n%d", i);
		assert_int_equal(tree_read(&tx, path, &node), 0);
	}
	assert_int_equal(commit(&dom0_conn, t), 0);
}

/* Finding 10: what a domain's open transactions hold is capped (the memory quota, 2 MiB),
 * across all its transactions; ending one gives its share back. */
static void test_transaction_memory_quota(void **state)
{
	struct store_ctx live0 = in(&dom0_conn, NULL), tx1, tx2;
	static char value[4000];
	const struct node *node;
	struct transaction *t1, *t2;
	char path[64];
	int i, rc = 0;

	make_data5();
	memset(value, 'v', sizeof(value));
	for (i = 0; i < 800; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/data/n%d", i);
		assert_int_equal(tree_write(&live0, path, value, sizeof(value)), 0);
	}
	t1 = start(&dom5_conn);
	tx1 = in(&dom5_conn, t1);
	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/data/n%d", i);
		assert_int_equal(tree_read(&tx1, path, &node), 0);
	}
	t2 = start(&dom5_conn);
	tx2 = in(&dom5_conn, t2);
	for (i = 300; i < 800; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/data/n%d", i);
		rc = tree_read(&tx2, path, &node);
		if (rc)
			break;
	}
	assert_int_equal(rc, -ENOSPC);
	/* 2 MiB of 4 KiB nodes: about 500 in all. */
	assert_true(i > 300 + 150 && i < 300 + 250);
	assert_int_equal(commit(&dom5_conn, t2), -ENOMEM);
	assert_int_equal(commit(&dom5_conn, t1), 0);
	t2 = start(&dom5_conn);
	tx2 = in(&dom5_conn, t2);
	for (i = 300; i < 700; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/data/n%d", i);
		assert_int_equal(tree_read(&tx2, path, &node), 0);
	}
	assert_int_equal(commit(&dom5_conn, t2), 0);
}

/* Finding 15: parallel transactions each within the node quota cannot commit past it. */
static void test_node_quota_rechecked_at_commit(void **state)
{
	struct store_ctx live5 = in(&dom5_conn, NULL), tx;
	struct transaction *t[10];
	unsigned int owned_before;
	char path[128];
	int i, k, rc;

	/* Ten full transactions hold more than the memory quota: only nodes count here. */
	quota.memory = 64 << 20;
	make_data5();
	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/data/d%d", i);
		assert_int_equal(tree_mkdir(&live5, path), 0);
		t[i] = start(&dom5_conn);
	}
	owned_before = quota_nodes_owned(5);
	assert_int_equal(owned_before, 11);
	for (i = 0; i < 10; i++) {
		tx = in(&dom5_conn, t[i]);
		for (k = 0; k < 1000; k++) {
			snprintf(path, sizeof(path), "/local/domain/5/data/d%d/n%d", i, k);
			if (tree_write(&tx, path, "x", 1))
				break;
		}
		assert_int_equal(k, 1000 - 11);
	}
	assert_int_equal(commit(&dom5_conn, t[0]), 0);
	assert_int_equal(quota_nodes_owned(5), 1000);
	for (i = 1; i < 10; i++) {
		rc = commit(&dom5_conn, t[i]);
		assert_int_equal(rc, -ENOSPC);
	}
	assert_int_equal(quota_nodes_owned(5), quota.nodes);
	/* Removing within a transaction still commits at the limit. */
	t[0] = start(&dom5_conn);
	tx = in(&dom5_conn, t[0]);
	assert_int_equal(tree_rm(&tx, "/local/domain/5/data/d0/n0"), 0);
	assert_int_equal(tree_mkdir(&tx, "/local/domain/5/data/d0/m"), 0);
	assert_int_equal(commit(&dom5_conn, t[0]), 0);
	assert_int_equal(quota_nodes_owned(5), quota.nodes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_isolated_until_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_write_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_then_outside_write_conflicts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_created_meanwhile_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disjoint_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm_and_perms_in_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_quota_inside_transaction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rm_with_parent_gone_from_view, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rm_child_left_by_stale_parent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_create_child_stale_parent_lists, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_reads_hold_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_writes_hold_one_change, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_transaction_nodes_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_memory_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_quota_rechecked_at_commit, setup,
						teardown),
	};

	/* XS_TEST=<pattern>: only the matching tests. */
	if (getenv("XS_TEST"))
		cmocka_set_test_filter(getenv("XS_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
