/*
 * The guest kit's xenstore client (frontend-drivers/xenbus) on a ring page: against keel's own
 * xenstored core driven in process (requests, transactions, watches, waiting for a value), and
 * against a scripted daemon that misbehaves (stale and oversized replies, impossible indices,
 * silence, event floods).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "conn.h"
#include "domain.h"
#include "perms.h"
#include "protocol.h"
#include "quota.h"
#include "ring.h"
#include "tree.h"
#include "watch.h"
#include "xenstore.h"
#include "xs_port.h"

static struct xenstore_domain_interface page;

/* ---- the environment the client expects: notify, wait, time ---- */

static uint64_t now_ns;
static unsigned int waits;
/* Scripted daemon: called on each notify and wait instead of xenstored. */
static void (*script)(void);
/* Run at the Nth wait (real daemon): a change "while the guest sleeps". */
static unsigned int act_at_wait;
static void (*act)(void);

static void pump(void)
{
	struct conn *c;

	if (script) {
		script();
		return;
	}
	TAILQ_FOREACH(c, &conns, link)
		protocol_process(c);
}

void xs_port_notify(void)
{
	pump();
}

void xs_port_wait(uint64_t timeout_ns)
{
	waits++;
	if (act && waits == act_at_wait)
		act();
	pump();
	now_ns += timeout_ns < 1000000000ULL ? timeout_ns : 1000000000ULL;
}

uint64_t xs_now_ns(void)
{
	return now_ns;
}

/* ---- keel's xenstored as the daemon, domain 5's ring ---- */

static void fake_notify(struct ring_port *port)
{
}

static void fake_close(struct ring_port *port)
{
	free(port);
}

static struct ring_port *fake_open(unsigned int domid, uint64_t mfn, unsigned int evtchn)
{
	return NULL;
}

static const struct ring_backend fake_backend = {
	.name = "fake", .open = fake_open, .notify = fake_notify, .close = fake_close,
	.event_fd = -1,
};

static void fire(const char *path, bool recursive, const struct perms *perms, void *arg)
{
	watch_fire(path, recursive, perms);
}

static void dom0_write(const char *path, const char *value)
{
	struct store_ctx ctx = { .domid = 0, .changed = fire };

	assert_int_equal(tree_write(&ctx, path, value, strlen(value)), 0);
}

static int setup_real(void **state)
{
	struct store_ctx ctx = { .domid = 0 };
	const char *owner[] = { "n5" };
	struct ring_port *port = calloc(1, sizeof(*port));
	struct perms perms;

	quota_reset();
	tree_init();
	memset(&page, 0, sizeof(page));
	script = NULL;
	act = NULL;
	waits = 0;
	assert_int_equal(tree_mkdir(&ctx, "/local/domain/5"), 0);
	assert_int_equal(perms_parse(owner, 1, &perms), 0);
	assert_int_equal(tree_set_perms(&ctx, "/local/domain/5", &perms), 0);
	perms_free(&perms);
	port->intf = &page;
	port->backend = &fake_backend;
	port->domid = 5;
	ring_conn_new(port);
	domain_set_backend(&fake_backend);
	xs_attach((void *)&page);
	return 0;
}

static int teardown_real(void **state)
{
	struct conn *c;

	domain_fini();
	TAILQ_FOREACH(c, &conns, link)
		conn_kill(c, 0);
	conn_reap();
	tree_fini();
	return 0;
}

static void test_read_write(void **state)
{
	char buf[64];

	assert_int_equal(xs_write(XS_NO_TX, "data/x", "hello"), 0);
	assert_int_equal(xs_read(XS_NO_TX, "data/x", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(xs_read(XS_NO_TX, "/local/domain/5/data/x", buf, sizeof(buf)), 5);
	assert_int_equal(xs_read(XS_NO_TX, "data/none", buf, sizeof(buf)), -ENOENT);
	/* Exactly too small for the value and its NUL. */
	assert_int_equal(xs_read(XS_NO_TX, "data/x", buf, 5), -E2BIG);
	assert_int_equal(xs_read(XS_NO_TX, "data/x", buf, 6), 5);
	/* Another domain's and the root's nodes are not ours. */
	assert_int_equal(xs_write(XS_NO_TX, "/local/domain/0/x", "1"), -EACCES);
	assert_int_equal(xs_printf(XS_NO_TX, "data/n", "%u-%s", 42, "z"), 0);
	assert_int_equal(xs_read(XS_NO_TX, "data/n", buf, sizeof(buf)), 4);
	assert_string_equal(buf, "42-z");
	assert_int_equal(xs_rm(XS_NO_TX, "data/n"), 0);
	assert_int_equal(xs_read(XS_NO_TX, "data/n", buf, sizeof(buf)), -ENOENT);
}

static void test_read_u64(void **state)
{
	static const char *const bad[] = { "", "042", "4x", "-1", " 1", "18446744073709551616",
					   "99999999999999999999" };
	uint64_t v;

	assert_int_equal(xs_write(XS_NO_TX, "data/v", "18446744073709551615"), 0);
	assert_int_equal(xs_read_u64(XS_NO_TX, "data/v", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(xs_write(XS_NO_TX, "data/v", "0"), 0);
	assert_int_equal(xs_read_u64(XS_NO_TX, "data/v", &v), 0);
	assert_true(v == 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		assert_int_equal(xs_write(XS_NO_TX, "data/v", bad[i]), 0);
		assert_int_equal(xs_read_u64(XS_NO_TX, "data/v", &v), -EINVAL);
		assert_true(v == 7);
	}
	assert_int_equal(xs_read_u64(XS_NO_TX, "data/none", &v), -ENOENT);
}

static void test_mkdir_directory(void **state)
{
	char buf[256];
	const char *p = buf;

	assert_int_equal(xs_mkdir(XS_NO_TX, "device/vbd"), 0);
	assert_int_equal(xs_directory(XS_NO_TX, "device/vbd", buf, sizeof(buf)), 0);
	assert_int_equal(xs_write(XS_NO_TX, "device/vbd/51712/state", "1"), 0);
	assert_int_equal(xs_write(XS_NO_TX, "device/vbd/51728/state", "1"), 0);
	assert_int_equal(xs_directory(XS_NO_TX, "device/vbd", buf, sizeof(buf)), 2);
	assert_string_equal(p, "51712");
	p += strlen(p) + 1;
	assert_string_equal(p, "51728");
	assert_int_equal(xs_directory(XS_NO_TX, "device/vbd", buf, 11), -E2BIG);
	assert_int_equal(xs_directory(XS_NO_TX, "device/none", buf, sizeof(buf)), -ENOENT);
}

static void test_transactions(void **state)
{
	xs_tx_t t1, t2;
	char buf[16];

	assert_int_equal(xs_transaction_start(&t1), 0);
	assert_int_not_equal(t1, XS_NO_TX);
	assert_int_equal(xs_write(t1, "data/a", "1"), 0);
	/* Not visible outside until the commit. */
	assert_int_equal(xs_read(XS_NO_TX, "data/a", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(xs_transaction_end(t1, true), 0);
	assert_int_equal(xs_read(XS_NO_TX, "data/a", buf, sizeof(buf)), 1);

	/* Two that touch the same node: the second commit must be told to retry. */
	assert_int_equal(xs_transaction_start(&t1), 0);
	assert_int_equal(xs_transaction_start(&t2), 0);
	assert_int_not_equal(t1, t2);
	assert_int_equal(xs_read(t1, "data/a", buf, sizeof(buf)), 1);
	assert_int_equal(xs_read(t2, "data/a", buf, sizeof(buf)), 1);
	assert_int_equal(xs_write(t1, "data/a", "2"), 0);
	assert_int_equal(xs_write(t2, "data/a", "3"), 0);
	assert_int_equal(xs_transaction_end(t1, true), 0);
	assert_int_equal(xs_transaction_end(t2, true), -EAGAIN);
	assert_int_equal(xs_read(XS_NO_TX, "data/a", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "2");

	/* Abort drops the writes. */
	assert_int_equal(xs_transaction_start(&t1), 0);
	assert_int_equal(xs_write(t1, "data/b", "x"), 0);
	assert_int_equal(xs_transaction_end(t1, false), 0);
	assert_int_equal(xs_read(XS_NO_TX, "data/b", buf, sizeof(buf)), -ENOENT);
}

static void test_watch_events(void **state)
{
	char path[64];

	assert_int_equal(xs_watch("data", "t"), 0);
	/* Fires once when set. */
	assert_true(xs_next_event(path, sizeof(path), 0));
	assert_string_equal(path, "data");
	assert_false(xs_next_event(path, sizeof(path), 0));
	dom0_write("/local/domain/5/data/y", "1");
	/* Queued while the next request waits for its reply, then handed out. */
	assert_int_equal(xs_write(XS_NO_TX, "other", "1"), 0);
	assert_true(xs_next_event(path, sizeof(path), 0));
	assert_string_equal(path, "data/y");
	assert_int_equal(xs_unwatch("data", "t"), 0);
	dom0_write("/local/domain/5/data/y", "2");
	assert_false(xs_next_event(path, sizeof(path), 2000000000ULL));
	assert_true(xs_events_seen() >= 2);
}

static void change_state(void)
{
	dom0_write("/local/domain/5/be/state", "4");
}

static bool is_four(const char *val, void *arg)
{
	++*(int *)arg;
	return !strcmp(val, "4");
}

static void test_wait_value(void **state)
{
	char val[16];
	int calls = 0;

	dom0_write("/local/domain/5/be/state", "2");
	act = change_state;
	act_at_wait = waits + 3;
	assert_int_equal(xs_wait_value("be/state", is_four, &calls, 60000000000ULL, val,
				       sizeof(val)), 0);
	assert_string_equal(val, "4");
	/* First, again on the event the watch fires when set, then on the change: no busy loop. */
	assert_int_equal(calls, 3);
	/* A missing node reads as "", and a value that never comes times out. */
	calls = 0;
	act = NULL;
	assert_int_equal(xs_wait_value("be/none", is_four, &calls, 5000000000ULL, val,
				       sizeof(val)), -ETIMEDOUT);
	assert_string_equal(val, "");
	assert_true(calls >= 1);
	/* The watch is gone afterwards: later changes queue nothing. */
	xs_drop_events();
	dom0_write("/local/domain/5/be/none", "4");
	assert_false(xs_next_event(NULL, 0, 0));
}

static void test_wraps_the_ring(void **state)
{
	char value[901], buf[1024];

	for (unsigned int i = 0; i < 20; i++) {
		memset(value, 'a' + i, 900);
		value[900] = '\0';
		assert_int_equal(xs_write(XS_NO_TX, "data/big", value), 0);
		assert_int_equal(xs_read(XS_NO_TX, "data/big", buf, sizeof(buf)), 900);
		assert_memory_equal(buf, value, 900);
	}
	assert_true(page.req_prod > 10 * 1024 && page.rsp_prod > 10 * 1024);
}

static void test_payload_too_big(void **state)
{
	static char value[4100];
	unsigned int prod = page.req_prod;

	memset(value, 'v', sizeof(value) - 1);
	assert_int_equal(xs_write(XS_NO_TX, "data/huge", value), -E2BIG);
	assert_int_equal(page.req_prod, prod);	/* nothing sent */
	assert_int_equal(xs_write(XS_NO_TX, "data/ok", "1"), 0);
}

/* ---- a scripted daemon ---- */

static struct xsd_sockmsg last_req;
static unsigned int script_step;

/* Take a whole request off the ring once it is all there, and remember its header. */
static bool take_request(void)
{
	unsigned int avail = page.req_prod - page.req_cons;

	if (avail < sizeof(last_req))
		return false;
	for (unsigned int i = 0; i < sizeof(last_req); i++)
		((char *)&last_req)[i] = page.req[(page.req_cons + i) % XENSTORE_RING_SIZE];
	if (avail < sizeof(last_req) + last_req.len)
		return false;
	page.req_cons += sizeof(last_req) + last_req.len;
	return true;
}

static void put(const void *data, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		page.rsp[(page.rsp_prod + i) % XENSTORE_RING_SIZE] = ((const char *)data)[i];
	page.rsp_prod += len;
}

static void send_reply(uint32_t type, uint32_t req_id, const char *body, unsigned int len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = req_id, .len = len };

	put(&h, sizeof(h));
	put(body, len);
}

static int setup_script(void **state)
{
	memset(&page, 0, sizeof(page));
	script_step = 0;
	act = NULL;
	xs_attach((void *)&page);
	return 0;
}

/* A stale reply and a watch event come first, then an error, then the real answer. */
static void script_noise(void)
{
	if (!take_request())
		return;
	send_reply(XS_READ, last_req.req_id - 1, "old", 3);
	send_reply(XS_WATCH_EVENT, 0, "a/b\0tok", 8);
	if (script_step++ == 0)
		send_reply(XS_ERROR, last_req.req_id, "EACCES", 7);
	else if (script_step == 2)
		send_reply(XS_ERROR, last_req.req_id, "EWHATEVER", 10);
	else
		send_reply(XS_READ, last_req.req_id, "val", 3);
}

static void test_script_noise(void **state)
{
	char buf[16], path[16];

	script = script_noise;
	assert_int_equal(xs_read(XS_NO_TX, "x", buf, sizeof(buf)), -EACCES);
	assert_int_equal(xs_read(XS_NO_TX, "x", buf, sizeof(buf)), -EIO);
	assert_int_equal(xs_read(XS_NO_TX, "x", buf, sizeof(buf)), 3);
	assert_string_equal(buf, "val");
	for (unsigned int i = 0; i < 3; i++) {
		assert_true(xs_next_event(path, sizeof(path), 0));
		assert_string_equal(path, "a/b");
	}
	assert_false(xs_next_event(path, sizeof(path), 0));
}

/* A reply of another type for our id: the stream is not to be trusted. */
static void script_wrong_type(void)
{
	if (take_request())
		send_reply(XS_DIRECTORY, last_req.req_id, "", 0);
}

static void script_oversized(void)
{
	struct xsd_sockmsg h = { .type = XS_READ, .len = 4097 };

	if (!take_request())
		return;
	h.req_id = last_req.req_id;
	put(&h, sizeof(h));
}

static void script_bad_index(void)
{
	if (take_request())
		page.rsp_prod = page.rsp_cons + XENSTORE_RING_SIZE + 1;
}

static void script_silent(void)
{
	take_request();
}

/* Half a reply, then nothing. */
static void script_half(void)
{
	struct xsd_sockmsg h = { .type = XS_READ, .len = 100 };

	if (!take_request())
		return;
	h.req_id = last_req.req_id;
	put(&h, sizeof(h));
	put("abc", 3);
}

static void broken_after(void (*s)(void), int want)
{
	char buf[16];

	setup_script(NULL);
	script = s;
	assert_int_equal(xs_read(XS_NO_TX, "x", buf, sizeof(buf)), want);
	/* Every later request fails at once, without touching the ring. */
	script = script_noise;
	assert_int_equal(xs_read(XS_NO_TX, "x", buf, sizeof(buf)), -EIO);
	assert_false(xs_next_event(buf, sizeof(buf), 1000));
}

static void test_script_broken_streams(void **state)
{
	uint64_t start = now_ns;

	broken_after(script_wrong_type, -EIO);
	broken_after(script_oversized, -EIO);
	broken_after(script_bad_index, -EIO);
	broken_after(script_silent, -EIO);
	broken_after(script_half, -EIO);
	/* Silence cost about the reply timeout, not for ever. */
	assert_true(now_ns - start >= 2 * XS_REPLY_TIMEOUT_NS);
	assert_true(now_ns - start < 6 * XS_REPLY_TIMEOUT_NS);
}

/* The daemon never takes the request: a full ring times out too. */
static void script_nothing(void)
{
}

/* Half a header arrives while the guest only looks for events: no resync on garbage later. */
static void test_script_half_header(void **state)
{
	struct xsd_sockmsg h = { .type = XS_WATCH_EVENT, .len = 4 };
	char buf[16];

	script = script_nothing;
	put(&h, 8);
	assert_false(xs_next_event(buf, sizeof(buf), 0));
	put((char *)&h + 8, 8);
	put("p\0t", 4);
	script = script_noise;
	assert_int_equal(xs_read(XS_NO_TX, "x", buf, sizeof(buf)), -EIO);
	assert_int_equal(page.req_prod, 0);	/* broken at once: nothing sent */
}

static void test_script_full_ring(void **state)
{
	static char value[2000];

	script = script_nothing;
	memset(value, 'q', sizeof(value) - 1);
	assert_int_equal(xs_write(XS_NO_TX, "a", value), -EIO);
	assert_int_equal(page.req_prod - page.req_cons, XENSTORE_RING_SIZE);
}

/* Forty events before the reply: the queue keeps what fits and says some were lost. */
static void script_flood(void)
{
	if (!take_request())
		return;
	for (unsigned int i = 0; i < 40; i++)
		send_reply(XS_WATCH_EVENT, 0, "p\0t", 4);
	send_reply(XS_WRITE, last_req.req_id, "OK", 3);
}

static void test_script_event_flood(void **state)
{
	char path[16];
	unsigned int n = 0;

	script = script_flood;
	assert_int_equal(xs_write(XS_NO_TX, "a", "1"), 0);
	assert_int_equal(xs_events_seen(), 40);
	assert_true(xs_events_lost() > 0);
	while (xs_next_event(path, sizeof(path), 0))
		n++;
	/* One "" for the overflow, after which the queue is empty. */
	assert_int_equal(n, 1);
	assert_string_equal(path, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_write, setup_real, teardown_real),
		cmocka_unit_test_setup_teardown(test_read_u64, setup_real, teardown_real),
		cmocka_unit_test_setup_teardown(test_mkdir_directory, setup_real, teardown_real),
		cmocka_unit_test_setup_teardown(test_transactions, setup_real, teardown_real),
		cmocka_unit_test_setup_teardown(test_watch_events, setup_real, teardown_real),
		cmocka_unit_test_setup_teardown(test_wait_value, setup_real, teardown_real),
		cmocka_unit_test_setup_teardown(test_wraps_the_ring, setup_real, teardown_real),
		cmocka_unit_test_setup_teardown(test_payload_too_big, setup_real, teardown_real),
		cmocka_unit_test_setup(test_script_noise, setup_script),
		cmocka_unit_test(test_script_broken_streams),
		cmocka_unit_test_setup(test_script_half_header, setup_script),
		cmocka_unit_test_setup(test_script_full_ring, setup_script),
		cmocka_unit_test_setup(test_script_event_flood, setup_script),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
