/*
 * Host tests of xenstored's ring transport: the index arithmetic on an in-memory ring (wrap-
 * around, partial transfers, hostile indices), and whole connections over it driven in process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conn.h"
#include "domain.h"
#include "host.h"
#include "path.h"
#include "protocol.h"
#include "quota.h"
#include "ring.h"
#include "tree.h"
#include "watch.h"
#include "xs_client.h"

static struct xenstore_domain_interface page;

static void fill_pattern(char *buf, unsigned int len, unsigned int seed)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed + i * 7);
}

/* ---- the index arithmetic ---- */

static int reset_page(void **state)
{
	memset(&page, 0, sizeof(page));
	return 0;
}

static void test_read_basic(void **state)
{
	char in[10] = "abcdefghi", out[100];

	assert_int_equal(guest_ring_write(&page, in, 10), 10);
	assert_int_equal(xs_ring_read(&page, out, sizeof(out)), 10);
	assert_memory_equal(out, in, 10);
	assert_int_equal(page.req_cons, 10);
	assert_int_equal(xs_ring_read(&page, out, sizeof(out)), 0);
}

static void test_read_partial(void **state)
{
	char in[50], out[100];

	fill_pattern(in, 50, 1);
	assert_int_equal(guest_ring_write(&page, in, 50), 50);
	assert_int_equal(xs_ring_read(&page, out, 20), 20);
	assert_int_equal(xs_ring_read(&page, out + 20, 100), 30);
	assert_memory_equal(out, in, 50);
	assert_int_equal(xs_ring_read(&page, out, 100), 0);
}

static void test_wraparound(void **state)
{
	char in[200], out[200];

	/* Across the end of the ring... */
	page.req_cons = page.req_prod = 1000;
	fill_pattern(in, 200, 3);
	assert_int_equal(guest_ring_write(&page, in, 200), 200);
	assert_int_equal(xs_ring_read(&page, out, 200), 200);
	assert_memory_equal(out, in, 200);
	/* ...and across the 32-bit index overflow. */
	page.req_cons = page.req_prod = 0xffffff80u;
	page.rsp_cons = page.rsp_prod = 0xffffff80u;
	assert_int_equal(guest_ring_write(&page, in, 200), 200);
	assert_int_equal(xs_ring_read(&page, out, 200), 200);
	assert_memory_equal(out, in, 200);
	assert_int_equal(page.req_cons, 0x48);
	assert_int_equal(xs_ring_write(&page, in, 200), 200);
	memset(out, 0, sizeof(out));
	assert_int_equal(guest_ring_read(&page, out, 200), 200);
	assert_memory_equal(out, in, 200);
}

static void test_write_until_full(void **state)
{
	static char in[1200], out[1200];

	fill_pattern(in, sizeof(in), 5);
	page.rsp_cons = page.rsp_prod = 700;
	assert_int_equal(xs_ring_write(&page, in, 1000), 1000);
	assert_int_equal(xs_ring_write(&page, in + 1000, 100), 24);
	assert_int_equal(xs_ring_write(&page, in + 1024, 100), 0);
	assert_int_equal(guest_ring_read(&page, out, 500), 500);
	assert_int_equal(xs_ring_write(&page, in + 1024, 176), 176);
	assert_int_equal(guest_ring_read(&page, out + 500, 1200), 700);
	assert_memory_equal(out, in, 1200);
	/* A full request ring is read whole. */
	assert_int_equal(guest_ring_write(&page, in, 1200), XENSTORE_RING_SIZE);
	assert_int_equal(xs_ring_read(&page, out, sizeof(out)), XENSTORE_RING_SIZE);
}

static void test_hostile_indices(void **state)
{
	char buf[64];

	/* More requests than the ring can hold. */
	page.req_cons = 100;
	page.req_prod = 100 + XENSTORE_RING_SIZE + 1;
	assert_int_equal(xs_ring_read(&page, buf, sizeof(buf)), -EIO);
	assert_int_equal(page.req_cons, 100);
	/* The producer behind the consumer. */
	page.req_prod = 99;
	assert_int_equal(xs_ring_read(&page, buf, sizeof(buf)), -EIO);
	assert_int_equal(page.req_cons, 100);
	/* The guest claims to have consumed replies never produced. */
	page.rsp_prod = 10;
	page.rsp_cons = 15;
	assert_int_equal(xs_ring_write(&page, buf, sizeof(buf)), -EIO);
	assert_int_equal(page.rsp_prod, 10);
	page.rsp_cons = 10 - XENSTORE_RING_SIZE - 1;
	assert_int_equal(xs_ring_write(&page, buf, sizeof(buf)), -EIO);
}

/* ---- connections over a ring, driven in process ---- */

struct fake_port {
	struct ring_port port;
	struct xenstore_domain_interface *own_page;	/* allocated by fake_open */
};

static unsigned int notifies, closes;

static void fake_notify(struct ring_port *port)
{
	notifies++;
}

static void fake_close(struct ring_port *port)
{
	struct fake_port *fp = (struct fake_port *)port;

	closes++;
	free(fp->own_page);
	free(fp);
}

static struct ring_port *fake_open(unsigned int domid, uint64_t mfn, unsigned int evtchn);

static const struct ring_backend fake_backend = {
	.name = "fake",
	.open = fake_open,
	.notify = fake_notify,
	.close = fake_close,
	.event_fd = -1,
};

static struct fake_port *new_port(unsigned int domid, struct xenstore_domain_interface *intf)
{
	struct fake_port *fp = calloc(1, sizeof(*fp));

	fp->port.intf = intf;
	fp->port.backend = &fake_backend;
	fp->port.domid = domid;
	return fp;
}

static struct ring_port *fake_open(unsigned int domid, uint64_t mfn, unsigned int evtchn)
{
	struct xenstore_domain_interface *intf;
	struct fake_port *fp;

	if (mfn == 666) {	/* a page that cannot be mapped */
		errno = EFAULT;
		return NULL;
	}
	intf = calloc(1, sizeof(*intf));
	fp = new_port(domid, intf);
	fp->own_page = intf;
	return &fp->port;
}

static struct conn *dom5;
static struct xs_client guest;

/* What the main loop does for rings: process each, and send what others queued. */
static void pump(void *arg)
{
	struct conn *c;

	TAILQ_FOREACH(c, &conns, link)
		protocol_process(c);
}

static void fire(const char *path, bool recursive, const struct perms *perms, void *arg)
{
	watch_fire(path, recursive, perms);
}

/* dom0 writes through the live store, firing watches as a request would. */
static void dom0_write(const char *path, const char *value, unsigned int len)
{
	struct store_ctx ctx = { .domid = 0, .changed = fire };

	assert_int_equal(tree_write(&ctx, path, value, len), 0);
}

static int setup_conn(void **state)
{
	struct store_ctx ctx = { .domid = 0 };
	const char *owner[] = { "n5" };
	struct perms perms;

	quota_reset();
	tree_init();
	memset(&page, 0, sizeof(page));
	notifies = closes = 0;
	assert_int_equal(tree_mkdir(&ctx, "/local/domain/5"), 0);
	assert_int_equal(perms_parse(owner, 1, &perms), 0);
	assert_int_equal(tree_set_perms(&ctx, "/local/domain/5", &perms), 0);
	perms_free(&perms);
	dom5 = ring_conn_new(&new_port(5, &page)->port);
	xs_client_ring(&guest, &page, pump, NULL);
	domain_set_backend(&fake_backend);
	return 0;
}

static int teardown_conn(void **state)
{
	struct conn *c;

	domain_fini();
	TAILQ_FOREACH(c, &conns, link)
		conn_kill(c, 0);
	conn_reap();
	tree_fini();
	return 0;
}

static void test_conn_request_reply(void **state)
{
	struct xs_msg reply;

	assert_int_equal(page.server_features, XENSTORE_SERVER_FEATURE_ERROR);
	assert_true(notifies > 0);	/* the guest was told the daemon is there */
	assert_int_equal(xs_write_node(&guest, 0, "data/x", "hello", 5, &reply), 0);
	assert_true(xs_is_ok(&reply));
	assert_int_equal(xs_callv(&guest, XS_READ, 0, &reply, 1, "data/x"), 0);
	assert_int_equal(reply.hdr.type, XS_READ);
	assert_int_equal(reply.hdr.len, 5);
	assert_memory_equal(reply.body, "hello", 5);
	assert_int_equal(xs_callv(&guest, XS_READ, 0, &reply, 1, "/local/domain/5/data/x"), 0);
	assert_memory_equal(reply.body, "hello", 5);
	assert_false(dom5->dead);
}

static void test_conn_unprivileged(void **state)
{
	struct xs_msg reply;

	assert_int_equal(xs_callv(&guest, XS_READ, 0, &reply, 1, "/"), 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_callv(&guest, XS_INTRODUCE, 0, &reply, 3, "9", "1", "1"), 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_callv(&guest, XS_RELEASE, 0, &reply, 1, "5"), 0);
	assert_true(xs_is_error(&reply, "EACCES"));
	assert_int_equal(xs_callv(&guest, XS_GET_DOMAIN_PATH, 0, &reply, 1, "5"), 0);
	assert_string_equal(reply.body, "/local/domain/5");
}

/* A request arriving in pieces, across the end of the ring, is answered once whole. */
static void test_conn_message_in_pieces(void **state)
{
	struct xsd_sockmsg hdr = { .type = XS_GET_DOMAIN_PATH, .req_id = 77, .len = 2 };
	char msg[sizeof(hdr) + 2];
	struct xs_msg reply;

	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), "5", 2);
	page.req_cons = page.req_prod = XENSTORE_RING_SIZE - 7;
	assert_int_equal(guest_ring_write(&page, msg, 10), 10);
	pump(NULL);
	assert_int_equal(page.req_cons, page.req_prod);
	assert_int_equal(page.rsp_prod, 0);
	assert_int_equal(guest_ring_write(&page, msg + 10, 7), 7);
	pump(NULL);
	assert_int_equal(page.rsp_prod, 0);
	assert_int_equal(guest_ring_write(&page, msg + 17, 1), 1);
	pump(NULL);
	assert_int_equal(xs_recv(&guest, &reply, 0), 0);
	assert_int_equal(reply.hdr.req_id, 77);
	assert_string_equal(reply.body, "/local/domain/5");
}

static void test_conn_hostile_request_index(void **state)
{
	page.req_prod = page.req_cons + 2000;
	pump(NULL);
	assert_true(dom5->dead);
	conn_reap();
	assert_int_equal(closes, 1);
	assert_int_equal(page.error, XENSTORE_ERROR_RINGIDX);
	assert_null(conn_find_domain(5));
}

static void test_conn_hostile_reply_index(void **state)
{
	struct xsd_sockmsg hdr = { .type = XS_GET_DOMAIN_PATH, .req_id = 1, .len = 2 };
	char msg[sizeof(hdr) + 2];

	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), "5", 2);
	page.rsp_cons = page.rsp_prod + 4096;
	guest_ring_write(&page, msg, sizeof(msg));
	pump(NULL);
	assert_true(dom5->dead);
	conn_reap();
	assert_int_equal(page.error, XENSTORE_ERROR_RINGIDX);
	assert_int_equal(closes, 1);
}

static void test_conn_oversized_payload(void **state)
{
	struct xsd_sockmsg hdr = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1 };

	guest_ring_write(&page, &hdr, sizeof(hdr));
	pump(NULL);
	assert_true(dom5->dead);
	conn_reap();
	assert_int_equal(page.error, XENSTORE_ERROR_PROTO);
}

/* A guest that does not take its replies stops being read once quota.outstanding wait. */
static void test_conn_outstanding_quota(void **state)
{
	char big[501], payload[32];
	struct xs_msg reply;
	unsigned int i;
	uint32_t ids[5];

	quota.outstanding = 2;
	big[500] = '\0';
	for (i = 0; i < 500; i++)
		big[i] = (char)('a' + i % 26);
	dom0_write("/local/domain/5/big", big, 500);
	strcpy(payload, "big");
	guest.pump = NULL;	/* send all five before the daemon runs */
	for (i = 0; i < 5; i++)
		ids[i] = xs_send(&guest, XS_READ, 0, payload, 4);
	pump(NULL);
	/* One reply fits the ring, the second only in part: it and the third wait. */
	assert_int_equal(page.rsp_prod - page.rsp_cons, XENSTORE_RING_SIZE);
	assert_int_equal(dom5->out_replies, 2);
	assert_int_equal(page.req_prod - page.req_cons, 2 * (sizeof(struct xsd_sockmsg) + 4));
	guest.pump = pump;
	for (i = 0; i < 5; i++) {
		assert_int_equal(xs_recv(&guest, &reply, 0), 0);
		assert_int_equal(reply.hdr.req_id, ids[i]);
		assert_int_equal(reply.hdr.len, 500);
		assert_memory_equal(reply.body, big, 500);
	}
	assert_int_equal(dom5->out_replies, 0);
}

static void test_conn_watches(void **state)
{
	struct xs_msg reply, event;

	assert_int_equal(xs_callv(&guest, XS_WATCH, 0, &reply, 2, "data", "rel"), 0);
	assert_true(xs_is_ok(&reply));
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);
	assert_int_equal(event.hdr.len, 9);
	assert_memory_equal(event.body, "data\0rel\0", 9);
	assert_int_equal(xs_callv(&guest, XS_WATCH, 0, &reply, 2, "/local/domain/5/data", "abs"), 0);
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);
	assert_string_equal(event.body, "/local/domain/5/data");

	dom0_write("/local/domain/5/data/y", "1", 1);
	/* In the order the watches were set. */
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);
	assert_string_equal(event.body, "data/y");
	assert_string_equal(event.body + strlen(event.body) + 1, "rel");
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);
	assert_string_equal(event.body, "/local/domain/5/data/y");
	assert_string_equal(event.body + strlen(event.body) + 1, "abs");
	assert_int_equal(xs_next_event(&guest, &event, 0), -ETIMEDOUT);
	/* A node the guest cannot read fires nothing for it. */
	dom0_write("/secret", "x", 1);
	assert_int_equal(xs_next_event(&guest, &event, 0), -ETIMEDOUT);
}

/* An event that would not fit in a payload is dropped, and the connection goes on. */
static void test_conn_event_too_long(void **state)
{
	char token[4001], path[256];
	struct xs_msg reply, event;

	memset(token, 't', 4000);
	token[4000] = '\0';
	assert_int_equal(xs_callv(&guest, XS_WATCH, 0, &reply, 2, "data", token), 0);
	assert_true(xs_is_ok(&reply));
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);
	assert_int_equal(event.hdr.len, 4006);
	snprintf(path, sizeof(path), "/local/domain/5/data/%0100d", 0);
	dom0_write(path, "1", 1);
	assert_int_equal(xs_next_event(&guest, &event, 0), -ETIMEDOUT);
	dom0_write("/local/domain/5/data/a", "1", 1);
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);
	assert_string_equal(event.body, "data/a");
	assert_false(dom5->dead);
}

static void test_domain_introduce_release(void **state)
{
	struct xs_msg reply, event;
	struct conn *dom7;

	assert_int_equal(xs_callv(&guest, XS_WATCH, 0, &reply, 2, "@introduceDomain", "in"), 0);
	assert_int_equal(xs_callv(&guest, XS_WATCH, 0, &reply, 2, "@releaseDomain", "out"), 0);
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);

	assert_false(domain_is_introduced(7));
	assert_int_equal(domain_introduce(7, 1234, 3), 0);
	assert_true(domain_is_introduced(7));
	dom7 = conn_find_domain(7);
	assert_non_null(dom7);
	assert_true(dom7->is_domain);
	pump(NULL);
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);
	assert_string_equal(event.body, "@introduceDomain");
	/* Again: nothing changes, no event. */
	assert_int_equal(domain_introduce(7, 1234, 3), 0);
	assert_ptr_equal(conn_find_domain(7), dom7);
	assert_int_equal(xs_next_event(&guest, &event, 0), -ETIMEDOUT);

	assert_int_equal(domain_release(7), 0);
	assert_true(dom7->dead);
	assert_false(domain_is_introduced(7));
	conn_reap();
	assert_int_equal(closes, 1);
	assert_int_equal(xs_next_event(&guest, &event, 0), 0);
	assert_string_equal(event.body, "@releaseDomain");
	assert_int_equal(domain_release(7), -ENOENT);

	assert_int_equal(domain_introduce(0, 1, 1), -EINVAL);
	assert_int_equal(domain_introduce(DOMID_FIRST_RESERVED, 1, 1), -EINVAL);
	assert_int_equal(domain_introduce(8, 666, 1), -EIO);
	assert_false(domain_is_introduced(8));
	assert_true(domain_is_introduced(0));
}

/* ---- the audit of f21af78: findings 11 and 19 ---- */

/* A client that always has its next request ready: XS_READ "data", up to @limit. */
struct flood {
	unsigned long served, limit;
	char req[64];
	unsigned int len, off;
};

static int flood_read(struct conn *c, void *buf, unsigned int len)
{
	struct flood *f = c->transport;

	if (f->off == f->len) {
		struct xsd_sockmsg h = { .type = XS_READ, .req_id = (uint32_t)f->served, .len = 5 };

		if (f->served == f->limit)
			return 0;
		f->served++;
		memcpy(f->req, &h, sizeof(h));
		memcpy(f->req + sizeof(h), "data", 5);
		f->len = sizeof(h) + 5;
		f->off = 0;
	}
	if (len > f->len - f->off)
		len = f->len - f->off;
	memcpy(buf, f->req + f->off, len);
	f->off += len;
	return (int)len;
}

/* It takes every reply at once. */
static int sink_write(struct conn *c, const void *buf, unsigned int len)
{
	return (int)len;
}

static void nothing_destroy(struct conn *c)
{
}

static const struct conn_ops flood_ops = { "flood", flood_read, sink_write, nothing_destroy };

static struct conn *flood_conn(struct flood *f, unsigned int domid)
{
	struct conn *c = conn_new(&flood_ops, f, -1, domid);

	memset(f, 0, sizeof(*f));
	f->limit = 100000;
	c->is_domain = true;
	return c;
}

/*
 * Finding 11: a guest that keeps its request ring non-empty and takes its replies kept
 * xenstored inside one protocol_process() for good. One call serves a bounded number.
 */
static void test_flooding_connection_yields(void **state)
{
	struct flood f;
	struct conn *c = flood_conn(&f, 5);

	protocol_process(c);
	if (f.served > 64)
		fail_msg("one protocol_process() call served %lu requests", f.served);
	assert_false(c->dead);
}

/*
 * Finding 11: one turn of the main loop serves every connection its share, in order: two
 * guests flooding ahead of another do not keep it (or dom0) waiting.
 */
static void test_turns_are_fair(void **state)
{
	static struct xenstore_domain_interface page7;
	struct flood f1, f2;
	struct xs_client guest7;
	struct xs_msg reply;
	unsigned int turns;
	bool busy;

	flood_conn(&f1, 6);
	flood_conn(&f2, 8);
	memset(&page7, 0, sizeof(page7));
	ring_conn_new(&new_port(7, &page7)->port);
	xs_client_ring(&guest7, &page7, NULL, NULL);
	guest.pump = NULL;	/* only protocol_turn() serves, here */
	xs_send(&guest7, XS_GET_DOMAIN_PATH, 0, "7", 2);
	xs_send(&guest, XS_GET_DOMAIN_PATH, 0, "5", 2);
	busy = protocol_turn();
	assert_true(busy);
	assert_int_equal(xs_recv(&guest7, &reply, 0), 0);
	assert_string_equal(reply.body, "/local/domain/7");
	assert_int_equal(xs_recv(&guest, &reply, 0), 0);
	assert_string_equal(reply.body, "/local/domain/5");
	assert_true(f1.served <= PROTOCOL_TURN_READS && f1.served > 0);
	assert_true(f2.served <= PROTOCOL_TURN_READS && f2.served > 0);
	/* Each turn gives each flooder its share again, until their clients stop. */
	for (turns = 1; protocol_turn(); turns++)
		assert_true(f1.served <= (turns + 1) * PROTOCOL_TURN_READS);
	assert_int_equal(f1.served, f1.limit);
	assert_int_equal(f2.served, f2.limit);
	assert_true(turns >= f1.limit / PROTOCOL_TURN_READS);
}

/* A connection whose client takes nothing: its output stays queued. */
static int stuck_write(struct conn *c, const void *buf, unsigned int len)
{
	return 0;
}

static int no_read(struct conn *c, void *buf, unsigned int len)
{
	return 0;
}

static const struct conn_ops stuck_ops = { "stuck", no_read, stuck_write, nothing_destroy };

/*
 * Finding 19: the events quota (1024 queued) drops watch events on guests' connections
 * only: dom0's own (its kernel's ring, the tools' sockets) lose none.
 */
static void test_events_quota_spares_dom0(void **state)
{
	struct conn *tool = conn_new(&stuck_ops, NULL, -1, 0);
	struct conn *guest5 = conn_new(&stuck_ops, NULL, -1, 5);
	struct conn *dom0_ring = conn_new(&stuck_ops, NULL, -1, 0);
	unsigned int i, kept0 = 0, kept5 = 0;

	dom0_ring->is_domain = true;
	guest5->is_domain = true;
	for (i = 0; i < 3000; i++) {
		kept0 += conn_send_event(tool, "/x\0t", 5);
		kept5 += conn_send_event(guest5, "/x\0t", 5);
	}
	assert_int_equal(kept0, 3000);
	assert_int_equal(tool->out_events, 3000);
	assert_int_equal(kept5, quota.events);
	assert_int_equal(guest5->out_events, quota.events);
	/* dom0's kernel's ring: none lost, however many. */
	for (i = 0; i < TOOL_EVENTS_MAX + 10; i++)
		assert_true(conn_send_event(dom0_ring, "/x\0t", 5));
	/* A local tool that stopped reading is disconnected, not silently short of events. */
	while (tool->out_events < TOOL_EVENTS_MAX)
		assert_true(conn_send_event(tool, "/x\0t", 5));
	assert_false(conn_send_event(tool, "/x\0t", 5));
	assert_true(tool->dead);
	assert_false(dom0_ring->dead);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_read_basic, reset_page),
		cmocka_unit_test_setup(test_read_partial, reset_page),
		cmocka_unit_test_setup(test_wraparound, reset_page),
		cmocka_unit_test_setup(test_write_until_full, reset_page),
		cmocka_unit_test_setup(test_hostile_indices, reset_page),
		cmocka_unit_test_setup_teardown(test_conn_request_reply, setup_conn, teardown_conn),
		cmocka_unit_test_setup_teardown(test_conn_unprivileged, setup_conn, teardown_conn),
		cmocka_unit_test_setup_teardown(test_conn_message_in_pieces, setup_conn,
						teardown_conn),
		cmocka_unit_test_setup_teardown(test_conn_hostile_request_index, setup_conn,
						teardown_conn),
		cmocka_unit_test_setup_teardown(test_conn_hostile_reply_index, setup_conn,
						teardown_conn),
		cmocka_unit_test_setup_teardown(test_conn_oversized_payload, setup_conn,
						teardown_conn),
		cmocka_unit_test_setup_teardown(test_conn_outstanding_quota, setup_conn,
						teardown_conn),
		cmocka_unit_test_setup_teardown(test_conn_watches, setup_conn, teardown_conn),
		cmocka_unit_test_setup_teardown(test_conn_event_too_long, setup_conn,
						teardown_conn),
		cmocka_unit_test_setup_teardown(test_domain_introduce_release, setup_conn,
						teardown_conn),
		cmocka_unit_test_setup_teardown(test_flooding_connection_yields, setup_conn,
						teardown_conn),
		cmocka_unit_test_setup_teardown(test_turns_are_fair, setup_conn, teardown_conn),
		cmocka_unit_test_setup_teardown(test_events_quota_spares_dom0, setup_conn,
						teardown_conn),
	};

	/* XS_TEST=<pattern>: only the matching tests. */
	if (getenv("XS_TEST"))
		cmocka_set_test_filter(getenv("XS_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
