/* Host tests of xenstored's transactions: isolation, commit, EAGAIN on conflicts, quotas. */
#include <errno.h>
#include <stdio.h>
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
