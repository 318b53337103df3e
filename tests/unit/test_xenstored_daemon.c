/*
 * Integration tests of xenstored: the daemon (built with the sanitizers) runs as a child
 * process; dom0 talks to it over its Unix socket, a domain over a ring page in a file
 * (--ring-dir). Each test starts a fresh daemon and requires it to stop cleanly.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "host.h"
#include "xs_client.h"

static struct xs_daemon daemon_;
static struct xs_client dom0;

static int start(void **state, const char *const *args)
{
	int fd;

	assert_int_equal(daemon_start(&daemon_, args), 0);
	fd = daemon_connect(&daemon_);
	assert_true(fd >= 0);
	xs_client_socket(&dom0, fd);
	return 0;
}

static int setup(void **state)
{
	return start(state, NULL);
}

/* Domain quotas small enough to reach. */
static int setup_quotas(void **state)
{
	static const char *const args[] = {
		"--quota", "nodes=5", "--quota", "watches=2", "--quota", "transactions=1",
		"--quota", "value_size=16", NULL,
	};

	return start(state, args);
}

/* Transaction limits small enough to reach over a ring. */
static int setup_txn_quotas(void **state)
{
	static const char *const args[] = {
		"--quota", "transaction-nodes=4", "--quota", "memory=8000", NULL,
	};

	return start(state, args);
}

/* A daemon with 32 file descriptors (it inherits the limit; this process gets its own back). */
static int setup_few_fds(void **state)
{
	struct rlimit old, few;
	int rc;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	few = old;
	few.rlim_cur = 32;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &few), 0);
	rc = start(state, NULL);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	return rc;
}

static int teardown(void **state)
{
	xs_client_close(&dom0);
	assert_true(daemon_alive(&daemon_));
	assert_int_equal(daemon_stop(&daemon_), 0);
	return 0;
}

static struct xs_client connect_dom0(void)
{
	struct xs_client cl;
	int fd = daemon_connect(&daemon_);

	assert_true(fd >= 0);
	xs_client_socket(&cl, fd);
	return cl;
}

static void expect_ok(int rc, const struct xs_msg *reply)
{
	assert_int_equal(rc, 0);
	if (!xs_is_ok(reply))
		fail_msg("expected OK, got type %u '%s'", reply->hdr.type, reply->body);
}

static void expect_error(int rc, const struct xs_msg *reply, const char *name)
{
	assert_int_equal(rc, 0);
	if (!xs_is_error(reply, name))
		fail_msg("expected %s, got type %u '%s'", name, reply->hdr.type, reply->body);
}

static void write_ok(struct xs_client *cl, uint32_t tx, const char *path, const char *value)
{
	struct xs_msg reply;

	expect_ok(xs_write_node(cl, tx, path, value, (unsigned int)strlen(value), &reply), &reply);
}

static void expect_read(struct xs_client *cl, uint32_t tx, const char *path, const char *value)
{
	struct xs_msg reply;

	assert_int_equal(xs_callv(cl, XS_READ, tx, &reply, 1, path), 0);
	if (reply.hdr.type != XS_READ)
		fail_msg("READ %s: got type %u '%s'", path, reply.hdr.type, reply.body);
	assert_int_equal(reply.hdr.len, strlen(value));
	assert_memory_equal(reply.body, value, strlen(value));
}

static void expect_event(struct xs_client *cl, const char *path, const char *token)
{
	struct xs_msg event;

	assert_int_equal(xs_next_event(cl, &event, XS_TIMEOUT_MS), 0);
	assert_string_equal(event.body, path);
	assert_int_equal(event.hdr.len, strlen(path) + strlen(token) + 2);
	assert_string_equal(event.body + strlen(path) + 1, token);
	assert_int_equal(event.hdr.req_id, 0);
}

static void expect_no_event(struct xs_client *cl)
{
	struct xs_msg event;

	assert_int_equal(xs_next_event(cl, &event, 100), -ETIMEDOUT);
}

static uint32_t start_transaction(struct xs_client *cl)
{
	struct xs_msg reply;

	assert_int_equal(xs_callv(cl, XS_TRANSACTION_START, 0, &reply, 1, ""), 0);
	assert_int_equal(reply.hdr.type, XS_TRANSACTION_START);
	assert_true(reply.hdr.len > 1 && reply.body[reply.hdr.len - 1] == '\0');
	return (uint32_t)strtoul(reply.body, NULL, 10);
}

/* Introduces domain @domid on a fresh ring page and returns a client acting as the guest. */
static struct xs_client introduce(unsigned int domid)
{
	struct xenstore_domain_interface *intf = daemon_ring_page(&daemon_, domid);
	char domid_str[8];
	struct xs_msg reply;
	struct xs_client guest;

	assert_non_null(intf);
	snprintf(domid_str, sizeof(domid_str), "%u", domid);
	expect_ok(xs_callv(&dom0, XS_INTRODUCE, 0, &reply, 3, domid_str, "4096", "7"), &reply);
	xs_client_ring(&guest, intf, NULL, NULL);
	return guest;
}

/* dom0 makes /local/domain/@domid, owned by the domain. */
static void make_home(unsigned int domid)
{
	char path[64], owner[16];
	struct xs_msg reply;

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	snprintf(owner, sizeof(owner), "n%u", domid);
	expect_ok(xs_callv(&dom0, XS_MKDIR, 0, &reply, 1, path), &reply);
	expect_ok(xs_callv(&dom0, XS_SET_PERMS, 0, &reply, 2, path, owner), &reply);
}

static void test_read_write_mkdir_rm(void **state)
{
	struct xs_msg reply;

	write_ok(&dom0, 0, "/a/b", "value");
	expect_read(&dom0, 0, "/a/b", "value");
	expect_read(&dom0, 0, "/a", "");
	expect_ok(xs_callv(&dom0, XS_MKDIR, 0, &reply, 1, "/a/c"), &reply);
	expect_ok(xs_callv(&dom0, XS_MKDIR, 0, &reply, 1, "/a/b"), &reply);
	expect_read(&dom0, 0, "/a/b", "value");
	assert_int_equal(xs_callv(&dom0, XS_DIRECTORY, 0, &reply, 1, "/a"), 0);
	assert_int_equal(reply.hdr.type, XS_DIRECTORY);
	assert_int_equal(reply.hdr.len, 4);
	assert_memory_equal(reply.body, "b\0c\0", 4);
	/* Relative paths of dom0's socket are under /local/domain/0. */
	write_ok(&dom0, 0, "name", "Domain-0");
	expect_read(&dom0, 0, "/local/domain/0/name", "Domain-0");
	expect_ok(xs_callv(&dom0, XS_RM, 0, &reply, 1, "/a"), &reply);
	expect_error(xs_callv(&dom0, XS_READ, 0, &reply, 1, "/a/b"), &reply, "ENOENT");
	expect_ok(xs_callv(&dom0, XS_RM, 0, &reply, 1, "/a"), &reply);
	expect_error(xs_callv(&dom0, XS_RM, 0, &reply, 1, "/a/b"), &reply, "ENOENT");
	expect_error(xs_callv(&dom0, XS_RM, 0, &reply, 1, "/"), &reply, "EINVAL");
	expect_error(xs_callv(&dom0, XS_READ, 0, &reply, 1, "/bad//path"), &reply, "EINVAL");
}

/* A child list longer than one payload: DIRECTORY says E2BIG, DIRECTORY_PART pages it. */
static void test_directory_part(void **state)
{
	static char expected[8192], got[8192];
	unsigned int i, exp_len = 0, got_len = 0, offset = 0;
	char path[64], off_str[16], gen[32] = "";
	struct xs_msg reply;
	bool last = false;

	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/big/child-number-%04u", i);
		expect_ok(xs_callv(&dom0, XS_MKDIR, 0, &reply, 1, path), &reply);
		exp_len += (unsigned int)sprintf(expected + exp_len, "child-number-%04u", i) + 1;
	}
	expect_error(xs_callv(&dom0, XS_DIRECTORY, 0, &reply, 1, "/big"), &reply, "E2BIG");
	while (!last) {
		snprintf(off_str, sizeof(off_str), "%u", offset);
		assert_int_equal(xs_callv(&dom0, XS_DIRECTORY_PART, 0, &reply, 2, "/big",
					  off_str), 0);
		assert_int_equal(reply.hdr.type, XS_DIRECTORY_PART);
		if (gen[0])
			assert_string_equal(reply.body, gen);	/* the node did not change */
		strcpy(gen, reply.body);
		i = (unsigned int)strlen(reply.body) + 1;
		/* The list ends with an empty string. */
		last = reply.hdr.len >= 2 && reply.body[reply.hdr.len - 2] == '\0';
		memcpy(got + got_len, reply.body + i, reply.hdr.len - i - last);
		got_len += reply.hdr.len - i - last;
		offset += reply.hdr.len - i - last;
	}
	assert_int_equal(got_len, exp_len);
	assert_memory_equal(got, expected, exp_len);
	expect_error(xs_callv(&dom0, XS_DIRECTORY_PART, 0, &reply, 2, "/big", "3"), &reply,
		     "EINVAL");
	expect_error(xs_callv(&dom0, XS_DIRECTORY_PART, 0, &reply, 2, "/big", "x"), &reply,
		     "EINVAL");
}

static void test_permission_ops(void **state)
{
	struct xs_msg reply;

	assert_int_equal(xs_callv(&dom0, XS_GET_PERMS, 0, &reply, 1, "/"), 0);
	assert_int_equal(reply.hdr.type, XS_GET_PERMS);
	assert_int_equal(reply.hdr.len, 3);
	assert_memory_equal(reply.body, "n0\0", 3);
	write_ok(&dom0, 0, "/p", "");
	expect_ok(xs_callv(&dom0, XS_SET_PERMS, 0, &reply, 3, "/p", "n5", "r6"), &reply);
	assert_int_equal(xs_callv(&dom0, XS_GET_PERMS, 0, &reply, 1, "/p"), 0);
	assert_int_equal(reply.hdr.len, 6);
	assert_memory_equal(reply.body, "n5\0r6\0", 6);
	/* A child inherits them. */
	write_ok(&dom0, 0, "/p/q", "");
	assert_int_equal(xs_callv(&dom0, XS_GET_PERMS, 0, &reply, 1, "/p/q"), 0);
	assert_memory_equal(reply.body, "n5\0r6\0", 6);
	expect_error(xs_callv(&dom0, XS_SET_PERMS, 0, &reply, 2, "/p", "x5"), &reply, "EINVAL");
	expect_error(xs_callv(&dom0, XS_SET_PERMS, 0, &reply, 1, "/p"), &reply, "EINVAL");
	expect_error(xs_callv(&dom0, XS_SET_PERMS, 0, &reply, 2, "/none/x", "n0"), &reply,
		     "ENOENT");
}

static void test_watches(void **state)
{
	struct xs_client other = connect_dom0();
	struct xs_msg reply;

	expect_ok(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "/w", "tok"), &reply);
	expect_event(&dom0, "/w", "tok");	/* once, on registration */
	expect_ok(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "/w/a/b/c", "deep"), &reply);
	expect_event(&dom0, "/w/a/b/c", "deep");
	expect_error(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "/w", "tok"), &reply, "EEXIST");
	expect_error(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "/w//x", "t"), &reply, "EINVAL");
	expect_error(xs_callv(&dom0, XS_WATCH, 0, &reply, 1, "/w"), &reply, "EINVAL");

	/* Changes below the watched path fire it, from any connection. */
	write_ok(&other, 0, "/w/a/b", "1");
	expect_event(&dom0, "/w/a/b", "tok");
	expect_no_event(&dom0);
	write_ok(&other, 0, "/elsewhere", "1");
	write_ok(&other, 0, "/wx", "1");
	expect_no_event(&dom0);
	/* Removing a parent fires the watches below it with their own path. */
	expect_ok(xs_callv(&other, XS_RM, 0, &reply, 1, "/w"), &reply);
	expect_event(&dom0, "/w", "tok");
	expect_event(&dom0, "/w/a/b/c", "deep");

	expect_ok(xs_callv(&dom0, XS_UNWATCH, 0, &reply, 2, "/w", "tok"), &reply);
	expect_error(xs_callv(&dom0, XS_UNWATCH, 0, &reply, 2, "/w", "tok"), &reply, "ENOENT");
	write_ok(&other, 0, "/w", "again");
	expect_no_event(&dom0);
	xs_client_close(&other);
}

static void test_transactions(void **state)
{
	struct xs_client other = connect_dom0();
	uint32_t t1, t2;
	struct xs_msg reply;

	expect_ok(xs_callv(&other, XS_WATCH, 0, &reply, 2, "/t", "w"), &reply);
	expect_event(&other, "/t", "w");
	t1 = start_transaction(&dom0);
	assert_int_not_equal(t1, 0);
	write_ok(&dom0, t1, "/t/x", "1");
	expect_read(&dom0, t1, "/t/x", "1");
	expect_error(xs_callv(&dom0, XS_READ, 0, &reply, 1, "/t/x"), &reply, "ENOENT");
	expect_no_event(&other);
	expect_ok(xs_callv(&dom0, XS_TRANSACTION_END, t1, &reply, 1, "T"), &reply);
	expect_read(&dom0, 0, "/t/x", "1");
	expect_event(&other, "/t/x", "w");	/* at commit */

	/* Two transactions on one node: the second to end gets EAGAIN. */
	t1 = start_transaction(&dom0);
	t2 = start_transaction(&other);
	expect_read(&dom0, t1, "/t/x", "1");
	expect_read(&other, t2, "/t/x", "1");
	write_ok(&dom0, t1, "/t/x", "2");
	write_ok(&other, t2, "/t/x", "3");
	expect_ok(xs_callv(&dom0, XS_TRANSACTION_END, t1, &reply, 1, "T"), &reply);
	expect_error(xs_callv(&other, XS_TRANSACTION_END, t2, &reply, 1, "T"), &reply, "EAGAIN");
	expect_read(&dom0, 0, "/t/x", "2");
	/* The failed transaction is gone. */
	expect_error(xs_callv(&other, XS_READ, t2, &reply, 1, "/t/x"), &reply, "ENOENT");

	/* Discarding, and bad uses. */
	t1 = start_transaction(&dom0);
	write_ok(&dom0, t1, "/t/y", "1");
	expect_error(xs_callv(&dom0, XS_TRANSACTION_END, t1, &reply, 1, "X"), &reply, "EINVAL");
	expect_ok(xs_callv(&dom0, XS_TRANSACTION_END, t1, &reply, 1, "F"), &reply);
	expect_error(xs_callv(&dom0, XS_READ, 0, &reply, 1, "/t/y"), &reply, "ENOENT");
	expect_error(xs_callv(&dom0, XS_TRANSACTION_END, 0, &reply, 1, "T"), &reply, "ENOENT");
	expect_error(xs_callv(&dom0, XS_WRITE, 12345, &reply, 2, "/t/z", "v"), &reply, "ENOENT");
	t1 = start_transaction(&dom0);
	expect_error(xs_callv(&dom0, XS_TRANSACTION_START, t1, &reply, 1, ""), &reply, "EBUSY");
	/* Another connection cannot use it. */
	expect_error(xs_callv(&other, XS_READ, t1, &reply, 1, "/t/x"), &reply, "ENOENT");
	xs_client_close(&other);
}

static void test_reset_watches_and_control(void **state)
{
	struct xs_client other = connect_dom0();
	struct xs_msg reply;
	uint32_t t;

	expect_ok(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "/r", "tok"), &reply);
	expect_event(&dom0, "/r", "tok");
	t = start_transaction(&dom0);
	expect_ok(xs_callv(&dom0, XS_RESET_WATCHES, 0, &reply, 1, ""), &reply);
	write_ok(&other, 0, "/r/x", "1");
	expect_no_event(&dom0);
	expect_error(xs_callv(&dom0, XS_TRANSACTION_END, t, &reply, 1, "T"), &reply, "ENOENT");

	expect_ok(xs_callv(&dom0, XS_CONTROL, 0, &reply, 1, "check"), &reply);
	expect_ok(xs_callv(&dom0, XS_CONTROL, 0, &reply, 2, "print", "hello from the test"),
		  &reply);
	expect_error(xs_callv(&dom0, XS_CONTROL, 0, &reply, 1, "no-such-command"), &reply,
		     "EINVAL");
	assert_int_equal(xs_callv(&dom0, XS_CONTROL, 0, &reply, 1, "help"), 0);
	assert_non_null(strstr(reply.body, "check"));
	xs_client_close(&other);
}

static void test_domain_ops(void **state)
{
	struct xs_msg reply;

	expect_ok(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "@introduceDomain", "in"), &reply);
	expect_event(&dom0, "@introduceDomain", "in");
	expect_ok(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "@releaseDomain", "out"), &reply);
	expect_event(&dom0, "@releaseDomain", "out");

	introduce(5);
	expect_event(&dom0, "@introduceDomain", "in");
	assert_int_equal(xs_callv(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, &reply, 1, "5"), 0);
	assert_string_equal(reply.body, "T");
	assert_int_equal(xs_callv(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, &reply, 1, "6"), 0);
	assert_string_equal(reply.body, "F");
	assert_int_equal(xs_callv(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, &reply, 1, "0"), 0);
	assert_string_equal(reply.body, "T");
	assert_int_equal(xs_callv(&dom0, XS_GET_DOMAIN_PATH, 0, &reply, 1, "5"), 0);
	assert_int_equal(reply.hdr.type, XS_GET_DOMAIN_PATH);
	assert_string_equal(reply.body, "/local/domain/5");
	expect_ok(xs_callv(&dom0, XS_RESUME, 0, &reply, 1, "5"), &reply);

	expect_ok(xs_callv(&dom0, XS_RELEASE, 0, &reply, 1, "5"), &reply);
	expect_event(&dom0, "@releaseDomain", "out");
	assert_int_equal(xs_callv(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, &reply, 1, "5"), 0);
	assert_string_equal(reply.body, "F");
	expect_error(xs_callv(&dom0, XS_RELEASE, 0, &reply, 1, "5"), &reply, "ENOENT");
	expect_error(xs_callv(&dom0, XS_RESUME, 0, &reply, 1, "5"), &reply, "ENOENT");

	expect_error(xs_callv(&dom0, XS_INTRODUCE, 0, &reply, 3, "0", "1", "1"), &reply, "EINVAL");
	expect_error(xs_callv(&dom0, XS_INTRODUCE, 0, &reply, 3, "x", "1", "1"), &reply, "EINVAL");
	expect_error(xs_callv(&dom0, XS_INTRODUCE, 0, &reply, 2, "9", "1"), &reply, "EINVAL");
	/* No ring page to map for domain 9. */
	expect_error(xs_callv(&dom0, XS_INTRODUCE, 0, &reply, 3, "9", "1", "1"), &reply, "EIO");
	expect_error(xs_callv(&dom0, XS_GET_DOMAIN_PATH, 0, &reply, 1, "70000"), &reply, "EINVAL");
	expect_error(xs_callv(&dom0, XS_SET_TARGET, 0, &reply, 2, "5", "6"), &reply, "ENOSYS");
}

/* What the hypervisor says of domain @domid (its --ring-dir state file). */
static void set_domain_state(unsigned int domid, const char *state)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/domain-%u.state", daemon_.dir, domid);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(state, f);
	fclose(f);
}

/* A domain that shuts down fires @releaseDomain once; one that is gone is released. */
static void test_domain_death(void **state)
{
	struct xs_msg reply;

	introduce(5);
	introduce(6);
	expect_ok(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "@releaseDomain", "out"), &reply);
	expect_event(&dom0, "@releaseDomain", "out");

	set_domain_state(5, "shutdown");
	expect_event(&dom0, "@releaseDomain", "out");
	usleep(100000);		/* many polls of the state: still one event */
	expect_no_event(&dom0);
	assert_int_equal(xs_callv(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, &reply, 1, "5"), 0);
	assert_string_equal(reply.body, "T");

	set_domain_state(5, "gone");
	expect_event(&dom0, "@releaseDomain", "out");
	assert_int_equal(xs_callv(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, &reply, 1, "5"), 0);
	assert_string_equal(reply.body, "F");
	assert_int_equal(xs_callv(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, &reply, 1, "6"), 0);
	assert_string_equal(reply.body, "T");
	expect_error(xs_callv(&dom0, XS_RELEASE, 0, &reply, 1, "5"), &reply, "ENOENT");
}

/* A guest over its ring: relative paths, watches, and what it may not do. */
static void test_domain_over_ring(void **state)
{
	struct xs_client guest;
	struct xs_msg reply;

	make_home(5);
	write_ok(&dom0, 0, "/local/domain/0/secret", "x");
	guest = introduce(5);
	assert_int_equal(guest.intf->server_features, XENSTORE_SERVER_FEATURE_ERROR);

	write_ok(&guest, 0, "data/x", "from-guest");
	expect_read(&dom0, 0, "/local/domain/5/data/x", "from-guest");
	expect_read(&guest, 0, "/local/domain/5/data/x", "from-guest");
	assert_int_equal(xs_callv(&guest, XS_GET_PERMS, 0, &reply, 1, "data/x"), 0);
	assert_memory_equal(reply.body, "n5\0", 3);

	expect_ok(xs_callv(&guest, XS_WATCH, 0, &reply, 2, "device", "dev"), &reply);
	expect_event(&guest, "device", "dev");
	write_ok(&dom0, 0, "/local/domain/5/device/vif/0/state", "1");
	expect_event(&guest, "device/vif/0/state", "dev");

	expect_error(xs_callv(&guest, XS_READ, 0, &reply, 1, "/local/domain/0/secret"), &reply,
		     "EACCES");
	expect_error(xs_callv(&guest, XS_READ, 0, &reply, 1, "/local/domain/0/none"), &reply,
		     "EACCES");
	expect_error(xs_write_node(&guest, 0, "/tool/x", "1", 1, &reply), &reply, "EACCES");
	expect_error(xs_callv(&guest, XS_RM, 0, &reply, 1, "/local/domain/0"), &reply, "EACCES");
	expect_error(xs_callv(&guest, XS_SET_PERMS, 0, &reply, 2, "data/x", "n6"), &reply,
		     "EPERM");
	expect_error(xs_callv(&guest, XS_INTRODUCE, 0, &reply, 3, "6", "1", "1"), &reply,
		     "EACCES");
	expect_error(xs_callv(&guest, XS_CONTROL, 0, &reply, 1, "check"), &reply, "EACCES");
	/* It lets domain 6 read a node; dom0 sees the change. */
	expect_ok(xs_callv(&guest, XS_SET_PERMS, 0, &reply, 3, "data/x", "n5", "r6"), &reply);
	assert_int_equal(xs_callv(&dom0, XS_GET_PERMS, 0, &reply, 1, "/local/domain/5/data/x"), 0);
	assert_memory_equal(reply.body, "n5\0r6\0", 6);

	/* Transactions over the ring, with a conflict from dom0. */
	{
		uint32_t t = start_transaction(&guest);

		expect_read(&guest, t, "data/x", "from-guest");
		write_ok(&guest, t, "data/y", "1");
		write_ok(&dom0, 0, "/local/domain/5/data/x", "dom0-was-here");
		expect_error(xs_callv(&guest, XS_TRANSACTION_END, t, &reply, 1, "T"), &reply,
			     "EAGAIN");
		expect_error(xs_callv(&guest, XS_READ, 0, &reply, 1, "data/y"), &reply, "ENOENT");
	}
}

static void test_domain_quotas(void **state)
{
	char name[32], big[17];
	struct xs_client guest;
	struct xs_msg reply;
	unsigned int i;

	make_home(5);
	guest = introduce(5);
	memset(big, 'v', sizeof(big));
	/* value_size=16 */
	expect_ok(xs_write_node(&guest, 0, "v", big, 16, &reply), &reply);
	expect_error(xs_write_node(&guest, 0, "v", big, 17, &reply), &reply, "ENOSPC");
	/* nodes=5: its home and "v" count; three more fit. */
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		expect_ok(xs_callv(&guest, XS_MKDIR, 0, &reply, 1, name), &reply);
	}
	expect_error(xs_callv(&guest, XS_MKDIR, 0, &reply, 1, "one-too-many"), &reply, "ENOSPC");
	expect_ok(xs_callv(&guest, XS_RM, 0, &reply, 1, "n0"), &reply);
	expect_ok(xs_callv(&guest, XS_MKDIR, 0, &reply, 1, "one-more"), &reply);
	/* watches=2 */
	expect_ok(xs_callv(&guest, XS_WATCH, 0, &reply, 2, "a", "1"), &reply);
	expect_ok(xs_callv(&guest, XS_WATCH, 0, &reply, 2, "b", "2"), &reply);
	expect_error(xs_callv(&guest, XS_WATCH, 0, &reply, 2, "c", "3"), &reply, "E2BIG");
	/* transactions=1 */
	start_transaction(&guest);
	expect_error(xs_callv(&guest, XS_TRANSACTION_START, 0, &reply, 1, ""), &reply, "ENOSPC");
	/* dom0 is held to none of them. */
	expect_ok(xs_write_node(&dom0, 0, "/local/domain/5/dom0-big", big, 17, &reply), &reply);
	expect_ok(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "/a", "1"), &reply);
	expect_ok(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "/b", "2"), &reply);
	expect_ok(xs_callv(&dom0, XS_WATCH, 0, &reply, 2, "/c", "3"), &reply);
}

/*
 * A guest's transaction over transaction-nodes or its domain's memory quota: ENOSPC for that
 * request and the ones after, ENOMEM at commit; the guest and the daemon go on (audit 10).
 */
static void test_transaction_quotas(void **state)
{
	static char big[3000];
	struct xs_client guest;
	struct xs_msg reply;
	char name[32];
	uint32_t t;
	int i;

	make_home(5);
	guest = introduce(5);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		write_ok(&guest, 0, name, "v");
	}
	t = start_transaction(&guest);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		expect_read(&guest, t, name, "v");
	}
	expect_error(xs_callv(&guest, XS_READ, t, &reply, 1, "n4"), &reply, "ENOSPC");
	expect_error(xs_callv(&guest, XS_READ, t, &reply, 1, "n0"), &reply, "ENOSPC");
	expect_error(xs_callv(&guest, XS_TRANSACTION_END, t, &reply, 1, "T"), &reply, "ENOMEM");
	/* Missing nodes cost nothing: many reads of them fit. */
	t = start_transaction(&guest);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "none/%d/x", i);
		expect_error(xs_callv(&guest, XS_READ, t, &reply, 1, name), &reply, "ENOENT");
	}
	expect_ok(xs_callv(&guest, XS_TRANSACTION_END, t, &reply, 1, "T"), &reply);
	/* memory=8000: the fourth node of the transaction does not fit, the third did. */
	memset(big, 'b', sizeof(big));
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "/local/domain/5/big%d", i);
		expect_ok(xs_write_node(&dom0, 0, name, big, sizeof(big), &reply), &reply);
	}
	t = start_transaction(&guest);
	write_ok(&guest, t, "n0", "w");
	expect_ok(xs_write_node(&guest, t, "n1", big, 2000, &reply), &reply);
	assert_int_equal(xs_callv(&guest, XS_READ, t, &reply, 1, "big0"), 0);
	assert_int_equal(reply.hdr.type, XS_READ);
	expect_error(xs_callv(&guest, XS_READ, t, &reply, 1, "big1"), &reply, "ENOSPC");
	expect_error(xs_callv(&guest, XS_TRANSACTION_END, t, &reply, 1, "T"), &reply, "ENOMEM");
	expect_read(&guest, 0, "n0", "v");
	/* dom0 is held to neither. */
	t = start_transaction(&dom0);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "/local/domain/5/n%d", i);
		expect_read(&dom0, t, name, "v");
	}
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "/local/domain/5/big%d", i);
		assert_int_equal(xs_callv(&dom0, XS_READ, t, &reply, 1, name), 0);
		assert_int_equal(reply.hdr.type, XS_READ);
	}
	expect_ok(xs_callv(&dom0, XS_TRANSACTION_END, t, &reply, 1, "T"), &reply);
}

/*
 * A guest that keeps its request ring full of small reads on one vCPU and takes every
 * reply at once on another, as the audit's attack does.
 */
struct flooder {
	struct xenstore_domain_interface *intf;
	volatile bool stop;
	unsigned long sent;
};

static void *flood_requests(void *arg)
{
	struct xsd_sockmsg hdr = { .type = XS_READ, .len = 5 };
	struct flooder *f = arg;
	char msg[sizeof(hdr) + 5];
	XENSTORE_RING_IDX prod, cons;

	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), "data", 5);
	while (!f->stop) {
		prod = __atomic_load_n(&f->intf->req_prod, __ATOMIC_ACQUIRE);
		cons = __atomic_load_n(&f->intf->req_cons, __ATOMIC_ACQUIRE);
		for (; XENSTORE_RING_SIZE - (prod - cons) >= sizeof(msg); prod += sizeof(msg)) {
			guest_ring_write(f->intf, msg, sizeof(msg));
			f->sent++;
		}
	}
	return NULL;
}

static void *flood_replies(void *arg)
{
	struct flooder *f = arg;
	char sink[XENSTORE_RING_SIZE];

	while (!f->stop)
		guest_ring_read(f->intf, sink, sizeof(sink));
	return NULL;
}

static long long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000LL + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/*
 * Finding 11: one guest that keeps its ring busy used to hold the daemon for good. Now
 * dom0's tools and the other guests are answered meanwhile. (Nothing may fail while the
 * threads run: they use this frame.)
 */
static void test_flooding_guest_starves_no_one(void **state)
{
	struct flooder f = { 0 };
	struct xs_client guest6;
	struct timespec start;
	struct xs_msg reply;
	pthread_t threads[2];
	unsigned long before;
	long long took;
	bool answered = true, flooder_served;
	int i;

	make_home(5);
	make_home(6);
	write_ok(&dom0, 0, "/local/domain/5/data", "");
	write_ok(&dom0, 0, "/local/domain/6/x", "6");
	f.intf = introduce(5).intf;
	guest6 = introduce(6);
	assert_int_equal(pthread_create(&threads[0], NULL, flood_requests, &f), 0);
	assert_int_equal(pthread_create(&threads[1], NULL, flood_replies, &f), 0);
	while (f.sent < 1000)
		usleep(1000);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < 20 && answered; i++) {
		answered = !xs_callv(&dom0, XS_READ, 0, &reply, 1, "/local/domain/6/x") &&
			   reply.hdr.type == XS_READ;
		answered = answered && !xs_callv(&guest6, XS_READ, 0, &reply, 1, "x") &&
			   reply.hdr.type == XS_READ;
	}
	took = elapsed_ms(&start);
	/* And the flooding guest is still served (its threads may wait for a CPU a while). */
	before = f.sent;
	for (i = 0; i < 300 && f.sent == before; i++)
		usleep(10000);
	flooder_served = f.sent > before;
	f.stop = true;
	pthread_join(threads[0], NULL);
	pthread_join(threads[1], NULL);
	if (!answered || took > 10000)
		fail_msg("dom0 and another guest: %s after %lld ms", answered ? "answered" : "starved",
			 took);
	assert_true(flooder_served);
}

/* How many lines of the daemon's log contain @needle. */
static unsigned int log_lines(const char *needle)
{
	char line[512];
	unsigned int n = 0;
	FILE *f = fopen(daemon_.log, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/*
 * More local tools than the daemon has file descriptors: the extra ones wait in the
 * listen queue until others leave, and the daemon neither spins on accept() nor logs it
 * over and over.
 */
static void test_out_of_fds(void **state)
{
	enum { CLIENTS = 40 };
	static struct xs_client cl[CLIENTS];
	bool answered[CLIENTS];
	unsigned int i, nr_answered = 0, closed = 0;
	struct xs_msg reply;

	for (i = 0; i < CLIENTS; i++)
		cl[i] = connect_dom0();
	for (i = 0; i < CLIENTS; i++) {
		xs_send(&cl[i], XS_GET_DOMAIN_PATH, 0, "3", 2);
		answered[i] = xs_recv(&cl[i], &reply, 200) == 0;
		nr_answered += answered[i];
	}
	assert_true(nr_answered > 10 && nr_answered < CLIENTS);
	usleep(300000);
	if (log_lines("accept:") > 3)
		fail_msg("%u lines about accept() in the log", log_lines("accept:"));
	/* As many answered ones leave as wait: those are taken in and answered. */
	for (i = 0; i < CLIENTS && closed < CLIENTS - nr_answered; i++) {
		if (answered[i]) {
			xs_client_close(&cl[i]);
			closed++;
		}
	}
	for (i = 0; i < CLIENTS; i++) {
		if (answered[i])
			continue;
		assert_int_equal(xs_recv(&cl[i], &reply, XS_TIMEOUT_MS), 0);
		assert_string_equal(reply.body, "/local/domain/3");
	}
	for (i = 0; i < CLIENTS; i++)
		xs_client_close(&cl[i]);
	write_ok(&dom0, 0, "/still", "here");
}

/* Malformed requests get EINVAL; the connection and the daemon go on. */
static void test_malformed_requests(void **state)
{
	uint32_t bad_types[] = { XS_WATCH_EVENT, XS_ERROR, XS_TYPE_COUNT, 0xdeadbeef };
	struct xs_msg reply;
	unsigned int i;

	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++)
		expect_error(xs_call(&dom0, bad_types[i], 0, "/x\0", 3, &reply), &reply, "EINVAL");
	/* Paths without their NUL, or with something after it. */
	expect_error(xs_call(&dom0, XS_READ, 0, "/x", 2, &reply), &reply, "EINVAL");
	expect_error(xs_call(&dom0, XS_READ, 0, "/x\0/y\0", 6, &reply), &reply, "EINVAL");
	expect_error(xs_call(&dom0, XS_WRITE, 0, "/no-nul", 7, &reply), &reply, "EINVAL");
	expect_error(xs_call(&dom0, XS_MKDIR, 0, NULL, 0, &reply), &reply, "EINVAL");
	expect_error(xs_call(&dom0, XS_DIRECTORY, 0, "\0", 1, &reply), &reply, "EINVAL");
	expect_error(xs_call(&dom0, XS_INTRODUCE, 0, "5\0" "1\0" "1", 5, &reply), &reply,
		     "EINVAL");
	/* Still answering. */
	write_ok(&dom0, 0, "/still", "here");
	expect_read(&dom0, 0, "/still", "here");
}

/* Broken framing drops that connection only. */
static void test_broken_framing(void **state)
{
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };
	struct xs_client bad = connect_dom0(), truncated = connect_dom0();
	struct xs_msg reply;

	assert_int_equal(xs_send_raw(&bad, &hdr, sizeof(hdr)), 0);
	assert_int_equal(xs_recv(&bad, &reply, XS_TIMEOUT_MS), -EPIPE);
	xs_client_close(&bad);

	/* Half a header: nothing happens until the rest comes. */
	hdr = (struct xsd_sockmsg){ .type = XS_GET_DOMAIN_PATH, .req_id = 9, .len = 2 };
	assert_int_equal(xs_send_raw(&truncated, &hdr, 8), 0);
	assert_int_equal(xs_recv(&truncated, &reply, 100), -ETIMEDOUT);
	assert_int_equal(xs_send_raw(&truncated, (char *)&hdr + 8, sizeof(hdr) - 8), 0);
	assert_int_equal(xs_send_raw(&truncated, "3", 2), 0);
	assert_int_equal(xs_recv(&truncated, &reply, XS_TIMEOUT_MS), 0);
	assert_int_equal(reply.hdr.req_id, 9);
	assert_string_equal(reply.body, "/local/domain/3");
	/* Closed in the middle of a header. */
	assert_int_equal(xs_send_raw(&truncated, &hdr, 5), 0);
	xs_client_close(&truncated);

	write_ok(&dom0, 0, "/still", "here");
	expect_read(&dom0, 0, "/still", "here");
}

/* Random bytes, then random messages: replies or a dropped connection, never a crash. */
static void test_garbage(void **state)
{
	char buf[sizeof(struct xsd_sockmsg) + 512];
	struct xsd_sockmsg *hdr = (struct xsd_sockmsg *)buf;
	struct xs_client cl;
	struct xs_msg reply;
	unsigned int i, j, len;

	srand(1234);
	for (i = 0; i < 20; i++) {
		cl = connect_dom0();
		for (j = 0; j < sizeof(buf); j++)
			buf[j] = (char)rand();
		xs_send_raw(&cl, buf, sizeof(buf));
		xs_recv(&cl, &reply, 50);
		xs_client_close(&cl);
	}
	cl = connect_dom0();
	for (i = 0; i < 3000; i++) {
		len = (unsigned int)rand() % 64;
		hdr->type = (uint32_t)rand() % (XS_TYPE_COUNT + 2);
		hdr->req_id = i;
		hdr->tx_id = rand() % 8 ? 0 : (uint32_t)rand() % 4;
		hdr->len = len;
		for (j = 0; j < len; j++)
			buf[sizeof(*hdr) + j] = "/ab\0@-x1T"[rand() % 9];
		assert_int_equal(xs_send_raw(&cl, buf, (unsigned int)sizeof(*hdr) + len), 0);
		do
			assert_int_equal(xs_recv(&cl, &reply, XS_TIMEOUT_MS), 0);
		while (reply.hdr.type == XS_WATCH_EVENT);
		assert_int_equal(reply.hdr.req_id, i);
	}
	xs_client_close(&cl);
	write_ok(&dom0, 0, "/still", "here");
	expect_read(&dom0, 0, "/still", "here");
}

/* A guest with impossible ring indices is dropped; dom0 can connect it again. */
static void test_hostile_ring(void **state)
{
	struct xs_client guest;
	struct xs_msg reply;
	unsigned int i;

	make_home(5);
	guest = introduce(5);
	write_ok(&guest, 0, "ok", "1");
	guest.intf->req_prod = guest.intf->req_cons + 5000;
	for (i = 0; i < 300 && guest.intf->error != XENSTORE_ERROR_RINGIDX; i++)
		usleep(10000);
	assert_int_equal(guest.intf->error, XENSTORE_ERROR_RINGIDX);
	assert_int_equal(xs_callv(&dom0, XS_IS_DOMAIN_INTRODUCED, 0, &reply, 1, "5"), 0);
	assert_string_equal(reply.body, "T");

	guest = introduce(5);	/* a fresh page */
	expect_read(&guest, 0, "ok", "1");
	/* A reply ring the guest claims to have over-consumed. */
	guest.intf->rsp_cons = guest.intf->rsp_prod + 2000;
	xs_send(&guest, XS_READ, 0, "ok", 3);
	for (i = 0; i < 300 && guest.intf->error != XENSTORE_ERROR_RINGIDX; i++)
		usleep(10000);
	assert_int_equal(guest.intf->error, XENSTORE_ERROR_RINGIDX);

	guest = introduce(5);
	/* An oversized header. */
	{
		struct xsd_sockmsg hdr = { .type = XS_READ, .len = 100000 };

		xs_send_raw(&guest, &hdr, sizeof(hdr));
	}
	for (i = 0; i < 300 && guest.intf->error != XENSTORE_ERROR_PROTO; i++)
		usleep(10000);
	assert_int_equal(guest.intf->error, XENSTORE_ERROR_PROTO);
	write_ok(&dom0, 0, "/still", "here");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_write_mkdir_rm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_watches_and_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_death, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_over_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_quotas, setup_quotas, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_quotas, setup_txn_quotas, teardown),
		cmocka_unit_test_setup_teardown(test_flooding_guest_starves_no_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_fds, setup_few_fds, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_framing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_ring, setup, teardown),
	};

	/* XS_TEST=<pattern>: only the matching tests. */
	if (getenv("XS_TEST"))
		cmocka_set_test_filter(getenv("XS_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
