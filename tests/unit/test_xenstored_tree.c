/* Host tests of xenstored's pure logic: paths, permissions, the node tree, quotas, generations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#include "path.h"
#include "perms.h"
#include "quota.h"
#include "strmap.h"
#include "tree.h"

/* ---- paths ---- */

static void test_path_canonical(void **state)
{
	char out[PATH_BUF], *longest = malloc(XENSTORE_ABS_PATH_MAX + 2);

	assert_int_equal(path_canonical(0, "/a/b-c_D9@", false, out), 0);
	assert_string_equal(out, "/a/b-c_D9@");
	assert_int_equal(path_canonical(0, "/", false, out), 0);
	assert_string_equal(out, "/");
	assert_int_equal(path_canonical(5, "device/vif", false, out), 0);
	assert_string_equal(out, "/local/domain/5/device/vif");
	assert_int_equal(path_canonical(0, "@releaseDomain", true, out), 0);
	assert_string_equal(out, "@releaseDomain");

	assert_int_equal(path_canonical(0, "", false, out), -EINVAL);
	assert_int_equal(path_canonical(0, "/a//b", false, out), -EINVAL);
	assert_int_equal(path_canonical(0, "/a/", false, out), -EINVAL);
	assert_int_equal(path_canonical(0, "/a b", false, out), -EINVAL);
	assert_int_equal(path_canonical(0, "/a.b", false, out), -EINVAL);
	assert_int_equal(path_canonical(5, "x/", false, out), -EINVAL);
	assert_int_equal(path_canonical(0, "@releaseDomain", false, out), -EINVAL);
	assert_int_equal(path_canonical(0, "@", true, out), -EINVAL);
	assert_int_equal(path_canonical(0, "@a/b", true, out), -EINVAL);

	longest[0] = '/';
	memset(longest + 1, 'x', XENSTORE_ABS_PATH_MAX - 1);
	longest[XENSTORE_ABS_PATH_MAX] = '\0';
	assert_int_equal(path_canonical(0, longest, false, out), 0);
	strcat(longest, "y");
	assert_int_equal(path_canonical(0, longest, false, out), -EINVAL);
	/* A relative path past its limit, and one whose absolute form gets too long. */
	assert_int_equal(path_canonical(5, longest + 1, false, out), -EINVAL);
	longest[XENSTORE_REL_PATH_MAX] = '\0';
	assert_int_equal(path_canonical(5, longest + 1, false, out), 0);
	free(longest);
}

static void test_path_relations(void **state)
{
	char parent[PATH_BUF];
	unsigned int domid;
	uint32_t v32;

	assert_true(path_is_child("/a/b", "/a"));
	assert_true(path_is_child("/a", "/a"));
	assert_true(path_is_child("/a", "/"));
	assert_false(path_is_child("/ab", "/a"));
	assert_false(path_is_child("/a", "/a/b"));
	assert_false(path_is_child("@introduceDomain", "/"));

	path_parent("/a/b/c", parent);
	assert_string_equal(parent, "/a/b");
	path_parent("/a", parent);
	assert_string_equal(parent, "/");
	assert_string_equal(path_leaf("/a/b/c"), "c");
	assert_string_equal(path_relative_to(5, "/local/domain/5/data/x"), "data/x");
	assert_string_equal(path_relative_to(5, "/local/domain/50/x"), "/local/domain/50/x");

	assert_int_equal(parse_domid("0", &domid), 0);
	assert_int_equal(parse_domid("65535", &domid), 0);
	assert_int_equal(domid, 65535);
	assert_int_equal(parse_domid("65536", &domid), -EINVAL);
	assert_int_equal(parse_domid("-1", &domid), -EINVAL);
	assert_int_equal(parse_domid("", &domid), -EINVAL);
	assert_int_equal(parse_domid(" 1", &domid), -EINVAL);
	assert_int_equal(parse_domid("1x", &domid), -EINVAL);
	assert_int_equal(parse_u32("4294967295", &v32), 0);
	assert_int_equal(parse_u32("4294967296", &v32), -EINVAL);
}

/* ---- permissions ---- */

static void test_perms_parse_format(void **state)
{
	const char *good[] = { "n5", "r6", "w7", "b0" };
	const char *bad_letter[] = { "x5" }, *no_domid[] = { "r" }, *bad_domid[] = { "r-1" };
	const char *empty[] = { "" };
	struct perms perms;
	char buf[64];

	assert_int_equal(perms_parse(good, 4, &perms), 0);
	assert_int_equal(perms.count, 4);
	assert_int_equal(perms.list[0].domid, 5);
	assert_int_equal(perms.list[0].access, 0);
	assert_int_equal(perms.list[3].access, PERM_READ | PERM_WRITE);
	assert_int_equal(perms_format(&perms, buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "n5\0r6\0w7\0b0\0", 12);
	perms_free(&perms);

	assert_int_equal(perms_parse(bad_letter, 1, &perms), -EINVAL);
	assert_int_equal(perms_parse(no_domid, 1, &perms), -EINVAL);
	assert_int_equal(perms_parse(bad_domid, 1, &perms), -EINVAL);
	assert_int_equal(perms_parse(empty, 1, &perms), -EINVAL);
	assert_int_equal(perms_parse(good, 0, &perms), -EINVAL);
}

static void test_perms_access(void **state)
{
	const char *strings[] = { "n5", "r6", "w7", "b8" };
	struct perms perms;

	assert_int_equal(perms_parse(strings, 4, &perms), 0);
	assert_int_equal(perms_access(&perms, 0), PERM_READ | PERM_WRITE | PERM_OWNER);
	assert_int_equal(perms_access(&perms, 5), PERM_READ | PERM_WRITE | PERM_OWNER);
	assert_int_equal(perms_access(&perms, 6), PERM_READ);
	assert_int_equal(perms_access(&perms, 7), PERM_WRITE);
	assert_int_equal(perms_access(&perms, 8), PERM_READ | PERM_WRITE);
	assert_int_equal(perms_access(&perms, 9), 0);	/* the owner entry's default */
	perms.list[0].access = PERM_READ;
	assert_int_equal(perms_access(&perms, 9), PERM_READ);
	perms_free(&perms);
}

/* ---- the tree ---- */

struct change {
	char path[64];
	bool recursive;
};
static struct change changes[16];
static unsigned int nr_changes;

static void record_change(const char *path, bool recursive, const struct perms *perms, void *arg)
{
	if (nr_changes < 16) {
		snprintf(changes[nr_changes].path, sizeof(changes[0].path), "%s", path);
		changes[nr_changes++].recursive = recursive;
	}
}

static struct store_ctx as(unsigned int domid)
{
	return (struct store_ctx){ .domid = domid, .changed = record_change };
}

static int setup(void **state)
{
	quota_reset();
	tree_init();
	nr_changes = 0;
	return 0;
}

static int teardown(void **state)
{
	tree_fini();
	return 0;
}

static const char *value_of(unsigned int domid, const char *path)
{
	static char buf[256];
	struct store_ctx ctx = as(domid);
	const struct node *node;

	if (tree_read(&ctx, path, &node))
		return NULL;
	snprintf(buf, sizeof(buf), "%.*s", (int)node->value_len, node->value ? node->value : "");
	return buf;
}

/* Sets @path's permissions as dom0, from a string like "n5 r6". */
static void set_perms(const char *path, const char *spec)
{
	struct store_ctx ctx = as(0);
	char copy[64], *strings[8], *tok, *save;
	struct perms perms;
	unsigned int n = 0;

	snprintf(copy, sizeof(copy), "%s", spec);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		strings[n++] = tok;
	assert_int_equal(perms_parse((const char *const *)strings, n, &perms), 0);
	assert_int_equal(tree_set_perms(&ctx, path, &perms), 0);
	perms_free(&perms);
}

static void test_write_read(void **state)
{
	struct store_ctx ctx = as(0);
	const struct node *node;

	assert_int_equal(tree_write(&ctx, "/a/b/c", "hello", 5), 0);
	assert_string_equal(value_of(0, "/a/b/c"), "hello");
	/* The missing parents were made, with empty values. */
	assert_string_equal(value_of(0, "/a/b"), "");
	assert_int_equal(tree_read(&ctx, "/", &node), 0);
	assert_int_equal(node->children_len, 2);
	assert_memory_equal(node->children, "a", 2);
	/* Values are bytes: NULs included. */
	assert_int_equal(tree_write(&ctx, "/bin", "x\0y", 3), 0);
	assert_int_equal(tree_read(&ctx, "/bin", &node), 0);
	assert_int_equal(node->value_len, 3);
	assert_memory_equal(node->value, "x\0y", 3);
	assert_int_equal(tree_read(&ctx, "/nothing", &node), -ENOENT);
	assert_int_equal(nr_changes, 2);
	assert_string_equal(changes[0].path, "/a/b/c");
	assert_false(changes[0].recursive);
}

static void test_children_in_creation_order(void **state)
{
	struct store_ctx ctx = as(0);
	const struct node *node;

	assert_int_equal(tree_mkdir(&ctx, "/d/zz"), 0);
	assert_int_equal(tree_mkdir(&ctx, "/d/aa"), 0);
	assert_int_equal(tree_write(&ctx, "/d/mm", "", 0), 0);
	assert_int_equal(tree_read(&ctx, "/d", &node), 0);
	assert_int_equal(node->children_len, 9);
	assert_memory_equal(node->children, "zz\0aa\0mm\0", 9);
}

static void test_mkdir_keeps_existing(void **state)
{
	struct store_ctx ctx = as(0);

	assert_int_equal(tree_write(&ctx, "/m", "keep", 4), 0);
	nr_changes = 0;
	assert_int_equal(tree_mkdir(&ctx, "/m"), 0);
	assert_string_equal(value_of(0, "/m"), "keep");
	assert_int_equal(nr_changes, 0);
	assert_int_equal(tree_mkdir(&ctx, "/m/n"), 0);
	assert_int_equal(nr_changes, 1);
}

static void test_rm(void **state)
{
	struct store_ctx ctx = as(0);
	const struct node *node;

	assert_int_equal(tree_write(&ctx, "/r/x/y", "1", 1), 0);
	assert_int_equal(tree_write(&ctx, "/r/x/z", "2", 1), 0);
	assert_int_equal(tree_write(&ctx, "/r/keep", "3", 1), 0);
	nr_changes = 0;
	assert_int_equal(tree_rm(&ctx, "/r/x"), 0);
	assert_int_equal(tree_read(&ctx, "/r/x", &node), -ENOENT);
	assert_int_equal(tree_read(&ctx, "/r/x/y", &node), -ENOENT);
	assert_int_equal(tree_read(&ctx, "/r", &node), 0);
	assert_int_equal(node->children_len, 5);
	assert_memory_equal(node->children, "keep", 5);
	assert_int_equal(nr_changes, 1);
	assert_string_equal(changes[0].path, "/r/x");
	assert_true(changes[0].recursive);
	/* Missing with an existing parent is fine; with a missing parent it is not. */
	assert_int_equal(tree_rm(&ctx, "/r/x"), 0);
	assert_int_equal(tree_rm(&ctx, "/r/x/y"), -ENOENT);
	assert_int_equal(tree_rm(&ctx, "/"), -EINVAL);
	assert_int_equal(quota_nodes_owned(0), 3);	/* "/", "/r", "/r/keep" */
}

/* Paths as deep as the length limit allows are created and removed without recursion. */
static void test_deep_path(void **state)
{
	struct store_ctx ctx = as(0);
	char path[PATH_BUF];
	unsigned int i;

	for (i = 0; i + 2 <= XENSTORE_ABS_PATH_MAX; i += 2)
		memcpy(path + i, "/a", 2);
	path[i] = '\0';
	assert_int_equal(tree_write(&ctx, path, "deep", 4), 0);
	assert_int_equal(quota_nodes_owned(0), 1 + XENSTORE_ABS_PATH_MAX / 2);
	assert_int_equal(tree_rm(&ctx, "/a"), 0);
	assert_int_equal(quota_nodes_owned(0), 1);
}

static void test_permissions(void **state)
{
	struct store_ctx dom0 = as(0), dom5 = as(5), dom6 = as(6);
	const struct node *node;
	char buf[64];

	assert_int_equal(tree_mkdir(&dom0, "/local/domain/5"), 0);
	set_perms("/local/domain/5", "n5");
	/* The root gives others nothing. */
	assert_int_equal(tree_write(&dom5, "/elsewhere", "x", 1), -EACCES);
	assert_int_equal(tree_read(&dom5, "/", &node), -EACCES);
	/* Domain 5 owns its home: it writes below it, and owns what it creates. */
	assert_int_equal(tree_write(&dom5, "/local/domain/5/data/x", "v", 1), 0);
	assert_int_equal(tree_read(&dom5, "/local/domain/5/data/x", &node), 0);
	assert_int_equal(perms_format(&node->perms, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "n5");
	/* Domain 6 sees nothing there, not even what is missing. */
	assert_int_equal(tree_read(&dom6, "/local/domain/5/data/x", &node), -EACCES);
	assert_int_equal(tree_read(&dom6, "/local/domain/5/none", &node), -EACCES);
	assert_int_equal(tree_read(&dom0, "/local/domain/5/none", &node), -ENOENT);
	assert_int_equal(tree_write(&dom6, "/local/domain/5/data/x", "w", 1), -EACCES);
	assert_int_equal(tree_rm(&dom6, "/local/domain/5/data"), -EACCES);
	assert_int_equal(tree_mkdir(&dom6, "/local/domain/5/data/new"), -EACCES);
	/* Domain 5 lets 6 read. */
	set_perms("/local/domain/5/data/x", "n5 r6");
	assert_string_equal(value_of(6, "/local/domain/5/data/x"), "v");
	assert_int_equal(tree_write(&dom6, "/local/domain/5/data/x", "w", 1), -EACCES);
}

static void test_set_perms_rules(void **state)
{
	const char *mine[] = { "n5", "b6" }, *give_away[] = { "n6" };
	const char *many[] = { "n5", "r1", "r2", "r3", "r4", "r6" };
	struct store_ctx dom0 = as(0), dom5 = as(5), dom6 = as(6);
	struct perms perms;

	assert_int_equal(tree_mkdir(&dom0, "/p"), 0);
	set_perms("/p", "n5");
	assert_int_equal(perms_parse(mine, 2, &perms), 0);
	/* Only the owner (or dom0) may change them, even with write access. */
	assert_int_equal(tree_set_perms(&dom5, "/p", &perms), 0);
	assert_int_equal(tree_set_perms(&dom6, "/p", &perms), -EACCES);
	assert_int_equal(tree_set_perms(&dom5, "/p/missing", &perms), -ENOENT);
	perms_free(&perms);
	/* An unprivileged owner may not give the node away; dom0 may. */
	assert_int_equal(perms_parse(give_away, 1, &perms), 0);
	assert_int_equal(tree_set_perms(&dom5, "/p", &perms), -EPERM);
	assert_int_equal(tree_set_perms(&dom0, "/p", &perms), 0);
	assert_int_equal(quota_nodes_owned(6), 1);
	assert_int_equal(quota_nodes_owned(5), 0);
	perms_free(&perms);
	/* Quota on entries per node (5 by default). */
	set_perms("/p", "n5");
	assert_int_equal(perms_parse(many, 6, &perms), 0);
	assert_int_equal(tree_set_perms(&dom5, "/p", &perms), -ENOSPC);
	assert_int_equal(tree_set_perms(&dom0, "/p", &perms), 0);
	perms_free(&perms);
}

/* A domain creating under a node others may write to inherits the parent's perms, as owner. */
static void test_perms_inherited(void **state)
{
	struct store_ctx dom0 = as(0), dom5 = as(5);
	const struct node *node;
	char buf[64];

	assert_int_equal(tree_mkdir(&dom0, "/shared"), 0);
	set_perms("/shared", "r0 b5 r7");
	assert_int_equal(tree_write(&dom5, "/shared/a/b", "1", 1), 0);
	assert_int_equal(tree_read(&dom0, "/shared/a/b", &node), 0);
	assert_int_equal(perms_format(&node->perms, buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "r5\0b5\0r7\0", 9);
	assert_string_equal(value_of(7, "/shared/a/b"), "1");
	assert_int_equal(quota_nodes_owned(5), 2);
	/* dom0 keeps the parent's owner. */
	assert_int_equal(tree_mkdir(&dom0, "/shared/c"), 0);
	assert_int_equal(tree_read(&dom0, "/shared/c", &node), 0);
	assert_int_equal(node->perms.list[0].domid, 0);
}

static void test_quota_nodes(void **state)
{
	struct store_ctx dom0 = as(0), dom5 = as(5);
	const struct node *node;

	quota.nodes = 3;
	assert_int_equal(tree_mkdir(&dom0, "/q"), 0);
	set_perms("/q", "n5");
	assert_int_equal(quota_nodes_owned(5), 1);
	/* Two more would reach the quota with /q: a write needing three is refused whole. */
	assert_int_equal(tree_write(&dom5, "/q/a/b/c", "x", 1), -ENOSPC);
	assert_int_equal(tree_read(&dom0, "/q/a", &node), -ENOENT);
	assert_int_equal(tree_write(&dom5, "/q/a/b", "x", 1), 0);
	assert_int_equal(tree_mkdir(&dom5, "/q/c"), -ENOSPC);
	/* Removing frees the quota. */
	assert_int_equal(tree_rm(&dom5, "/q/a"), 0);
	assert_int_equal(quota_nodes_owned(5), 1);
	assert_int_equal(tree_mkdir(&dom5, "/q/c"), 0);
	/* dom0 has no quota. */
	assert_int_equal(tree_write(&dom0, "/q/d/e/f/g", "", 0), 0);
}

static void test_quota_value_size(void **state)
{
	struct store_ctx dom0 = as(0), dom5 = as(5);
	char big[16] = "0123456789abcdef";

	quota.value_size = 8;
	assert_int_equal(tree_mkdir(&dom0, "/v"), 0);
	set_perms("/v", "n5");
	assert_int_equal(tree_write(&dom5, "/v/x", big, 8), 0);
	assert_int_equal(tree_write(&dom5, "/v/x", big, 9), -ENOSPC);
	assert_string_equal(value_of(0, "/v/x"), "01234567");
	/* Refused before anything is created. */
	assert_int_equal(tree_write(&dom5, "/v/y/z", big, 9), -ENOSPC);
	assert_null(value_of(0, "/v/y"));
	assert_int_equal(tree_write(&dom0, "/v/x", big, 16), 0);
}

static void test_generations(void **state)
{
	struct store_ctx ctx = as(0);
	const struct node *node;
	uint64_t parent_gen, gen;

	assert_int_equal(tree_write(&ctx, "/g/x", "1", 1), 0);
	assert_int_equal(tree_read(&ctx, "/g", &node), 0);
	parent_gen = node->gen;
	assert_int_equal(tree_read(&ctx, "/g/x", &node), 0);
	gen = node->gen;
	assert_true(gen > 0);
	/* Reading changes nothing; writing a value changes only that node's. */
	assert_int_equal(tree_read(&ctx, "/g/x", &node), 0);
	assert_true(node->gen == gen);
	assert_int_equal(tree_write(&ctx, "/g/x", "2", 1), 0);
	assert_int_equal(tree_read(&ctx, "/g/x", &node), 0);
	assert_true(node->gen > gen);
	assert_int_equal(tree_read(&ctx, "/g", &node), 0);
	assert_true(node->gen == parent_gen);
	/* A new child changes the parent's. */
	assert_int_equal(tree_mkdir(&ctx, "/g/y"), 0);
	assert_int_equal(tree_read(&ctx, "/g", &node), 0);
	assert_true(node->gen > parent_gen);
}

/* ---- the node table's hash (audit of f21af78, finding 19) ---- */

/* The reference vectors of the SipHash paper: key 00..0f, messages 00, 01, ... */
static void test_siphash_vectors(void **state)
{
	uint8_t key[16], msg[16];
	unsigned int i;

	for (i = 0; i < 16; i++)
		key[i] = msg[i] = (uint8_t)i;
	assert_true(strmap_siphash(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	assert_true(strmap_siphash(key, msg, 15) == 0xa129ca6149be45e5ULL);
}

/* Unkeyed 32-bit FNV-1a from state @h, the hash the node table had. */
static uint32_t fnv1a(uint32_t h, const char *s, size_t len)
{
	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

#define BLOCK	8
#define TRIES	(1U << 17)

struct candidate {
	uint32_t hash;
	uint32_t index;
};

static int by_hash(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static void make_block(uint64_t *rng, char *out)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
	unsigned int i;

	for (i = 0; i < BLOCK; i++) {
		*rng ^= *rng << 13;
		*rng ^= *rng >> 7;
		*rng ^= *rng << 17;
		out[i] = chars[*rng % 64];
	}
}

/* Two different blocks that take FNV-1a from @state to one state (a birthday search). */
static uint32_t fnv_collision(uint32_t state, uint64_t *rng, char *a, char *b)
{
	static struct candidate cand[TRIES];
	static char blocks[TRIES][BLOCK];
	unsigned int i;

	for (;;) {
		for (i = 0; i < TRIES; i++) {
			make_block(rng, blocks[i]);
			cand[i].hash = fnv1a(state, blocks[i], BLOCK);
			cand[i].index = i;
		}
		qsort(cand, TRIES, sizeof(cand[0]), by_hash);
		for (i = 1; i < TRIES; i++) {
			if (cand[i].hash == cand[i - 1].hash &&
			    memcmp(blocks[cand[i].index], blocks[cand[i - 1].index], BLOCK)) {
				memcpy(a, blocks[cand[i].index], BLOCK);
				memcpy(b, blocks[cand[i - 1].index], BLOCK);
				return cand[i].hash;
			}
		}
	}
}

/*
 * Keys a guest can pick to all collide under the old unkeyed FNV-1a (Joux's multicollision:
 * 10 colliding block pairs in a row give 1024 paths with one hash) spread out now.
 */
static void test_colliding_paths_spread(void **state)
{
	enum { ROUNDS = 10, KEYS = 1 << ROUNDS };
	char pairs[ROUNDS][2][BLOCK], key[ROUNDS * BLOCK + 1];
	uint32_t h = 2166136261u, first = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	struct strmap *map;
	unsigned int r, k;

	for (r = 0; r < ROUNDS; r++)
		h = fnv_collision(h, &rng, pairs[r][0], pairs[r][1]);
	map = strmap_new();
	for (k = 0; k < KEYS; k++) {
		for (r = 0; r < ROUNDS; r++)
			memcpy(key + r * BLOCK, pairs[r][(k >> r) & 1], BLOCK);
		key[ROUNDS * BLOCK] = '\0';
		/* They do collide under FNV-1a (else this test proves nothing). */
		if (k == 0)
			first = fnv1a(2166136261u, key, ROUNDS * BLOCK);
		assert_int_equal(fnv1a(2166136261u, key, ROUNDS * BLOCK), first);
		strmap_put(map, key, map);
	}
	assert_int_equal(strmap_count(map), KEYS);
	if (strmap_longest_chain(map) > 16)
		fail_msg("%u colliding keys: a chain of %u", KEYS, strmap_longest_chain(map));
	strmap_free(map, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_colliding_paths_spread),
		cmocka_unit_test(test_path_canonical),
		cmocka_unit_test(test_path_relations),
		cmocka_unit_test(test_perms_parse_format),
		cmocka_unit_test(test_perms_access),
		cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_children_in_creation_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_keeps_existing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_perms_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perms_inherited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_value_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generations, setup, teardown),
	};

	/* XS_TEST=<pattern>: only the matching tests. */
	if (getenv("XS_TEST"))
		cmocka_set_test_filter(getenv("XS_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
