/* The hostile cases' common ground: hostile packets on the ring, judging outcomes, reconnecting, the witness. */
#include "guest.h"
#include "hostile.h"
#include "gnttab.h"

#define SEC 1000000000ULL
#define ANSWER_TIMEOUT_NS (20 * SEC)
#define H_ETHERTYPE 0x88b5		/* IEEE local experimental: nobody in dom0 takes it */

static u16 ping_seq = 1000;

void h_pass(const char *name, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("netfront: PASS %s: %s\n", name, msg);
}

int h_wait_tx(struct hostile *h, u64 timeout_ns)
{
	struct netfront *nf = h->a->nf;
	u64 end = pvclock_ns() + timeout_ns;

	for (;;) {
		if (netfront_tx_reap(nf) < 0 || nf->broken)
			return -EIO;
		if (!netfront_tx_in_flight(nf))
			return 0;
		if (netfront_be_state(nf) != NF_XB_CONNECTED)
			return -ENODEV;
		if (pvclock_ns() >= end)
			return -ETIMEDOUT;
		net_poll(h->a, SEC / 2);
	}
}

bool h_reconnect(struct hostile *h, const char *name, const struct netfront_opts *o)
{
	struct netfront *nf = h->a->nf;
	u32 busy = nf->st.busy_grants;
	int rc;

	rc = netfront_reconnect(nf, o ? o : &h->opts);
	/* The backend reached Closed: it must have let go of every grant of ours by then. */
	CHECK(nf->st.busy_grants == busy,
	      "netfront: FAIL %s: the backend still held %u grant(s) when it reached Closed", name,
	      nf->st.busy_grants - busy);
	h->usable = !rc;
	CHECK(!rc, "netfront: FAIL %s: vif 0 did not reconnect: %d", name, rc);
	if (!rc)
		printf("netfront: vif 0 reconnected after %s\n", name);
	return !rc;
}

void h_device_failed(struct hostile *h, const char *name, bool stopped_ok)
{
	struct netfront *nf = h->a->nf;
	char err[160];
	int be, rc;

	be = netfront_wait_be_state(nf, BIT(NF_XB_CLOSING) | BIT(NF_XB_CLOSED), 10 * SEC);
	rc = netfront_be_error(nf, err, sizeof(err));
	if (rc == -EACCES)
		snprintf(err, sizeof(err), "(not readable by the guest: dom0 checks it)");
	else if (rc < 0)
		snprintf(err, sizeof(err), "(none: %d)", rc);
	if (be == NF_XB_CLOSING && rc != -ENOENT)
		h_pass(name, "device failed: backend state 5, error %s", err);
	else if (stopped_ok && be == -ETIMEDOUT && netfront_be_state(nf) == NF_XB_CONNECTED)
		h_pass(name, "the backend stopped the ring (no answers, state 4)");
	else
		h_fail(name, "backend state %d, error %s", be < 0 ? netfront_be_state(nf) : be,
		       err);
	h_reconnect(h, name, NULL);
}

/* A made-up frame in @page at @off: to dom0's MAC, an ethertype nobody takes. */
static void fill_page(struct hostile *h, u8 *page, u16 off)
{
	static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct net *n = h->a;

	memset(page, 0x5a, 4096);
	if (off > 4096 - ETH_HLEN)
		return;
	memcpy(page + off, n->peer_known ? n->peer_mac : bcast, 6);
	memcpy(page + off + 6, n->nf->mac, 6);
	page[off + 12] = H_ETHERTYPE >> 8;
	page[off + 13] = H_ETHERTYPE & 0xff;
}

void h_packet(struct hostile *h, const char *name, const struct h_slot *s, unsigned int n,
	      enum h_want want)
{
	struct netfront *nf = h->a->nf;
	u32 errors;
	int rc;

	h->cases++;
	if (!h->usable)
		return (void)h_fail(name, "skipped: vif 0 is not usable");
	netfront_tx_reap(nf);
	if (NF_RING_SIZE - netfront_tx_in_flight(nf) < n || nf->tx_nfree < n)
		return (void)h_fail(name, "no room on the ring");
	errors = nf->st.tx_errors;
	for (unsigned int i = 0; i < n; i++) {
		volatile union nf_tx_slot *slot = netfront_tx_slot(nf);
		grant_ref_t ref;
		u8 *page;
		u16 id;

		if (s[i].extra) {
			slot->extra = s[i].ex;
			continue;
		}
		if (netfront_tx_id_get(nf, true, &id, &ref, &page))
			return (void)h_fail(name, "out of grants");
		fill_page(h, page, s[i].offset);
		if (s[i].revoke)
			gnttab_end_access(ref);
		slot->req.gref = s[i].gref_override ? s[i].gref : ref;
		slot->req.offset = s[i].offset;
		slot->req.flags = s[i].flags;
		slot->req.id = id;
		slot->req.size = s[i].size;
	}
	netfront_tx_push(nf);
	rc = h_wait_tx(h, ANSWER_TIMEOUT_NS);
	if (want == H_DISABLE) {
		/* Some backends answer ERROR first, then fail the device. */
		if (!rc && netfront_wait_be_state(nf, BIT(NF_XB_CLOSING) | BIT(NF_XB_CLOSED),
						  2 * SEC) >= 0)
			rc = -ENODEV;
		if (rc == -ENODEV || rc == -ETIMEDOUT)
			return h_device_failed(h, name, true);
		h_fail(name, "the backend took it (%s, %u error responses)",
		       rc ? "the ring broke" : "answered", nf->st.tx_errors - errors);
		h_reconnect(h, name, NULL);
		return;
	}
	if (rc) {
		h_fail(name, "want it %s, got %s", want == H_DROP ? "dropped" : "answered",
		       rc == -ENODEV ? "the device failed" :
		       rc == -EIO ? "responses that broke the ring" : "no answer");
		if (rc == -ENODEV)
			h_device_failed(h, name, false);
		else
			h_reconnect(h, name, NULL);
		return;
	}
	errors = nf->st.tx_errors - errors;
	if (want == H_DROP && !errors)
		h_fail(name, "answered OKAY: not dropped");
	else if (want == H_OKAY && errors)
		h_fail(name, "%u error response(s) for a legal packet", errors);
	else
		h_pass(name, "%s (%u error response(s)), still connected",
		       want == H_DROP ? "dropped" : "answered", errors);
}

static bool ping_retry(struct net *n)
{
	for (int i = 0; i < 3; i++)
		if (net_ping(n, ping_seq++, 56, 3 * SEC))
			return true;
	return false;
}

void h_after(struct hostile *h, const char *name)
{
	if (h->w && !ping_retry(h->w))
		h_fail(name, "the witness vif 1 no longer reaches the peer after it");
	if (h->usable && !ping_retry(h->a))
		h_fail(name, "vif 0 no longer reaches the peer after it");
}

void hostile_run(struct net *a, struct net *w)
{
	struct hostile h = { .a = a, .w = w, .usable = a->nf->connected, .opts = a->nf->opts };
	unsigned int before = test_failures;

	if (!CHECK(net_resolve(a, 30 * SEC), "netfront: FAIL arp: vif 0 never reached the peer"))
		return;
	if (w && !CHECK(net_resolve(w, 30 * SEC),
			"netfront: FAIL arp: vif 1 never reached the peer"))
		h.w = NULL;
	hostile_tx_cases(&h);
	hostile_rx_cases(&h);
	hostile_xenbus_cases(&h);
	hostile_delete_dir(&h);
	printf("netfront: hostile cases done: %u, %u failure(s)\n", h.cases,
	       test_failures - before);
}
