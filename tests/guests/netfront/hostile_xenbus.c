/* Hostile xenbus: garbage and missing keys, read-only or foreign ring grants, state games, junk nodes, a deleted directory. */
#include "guest.h"
#include "hostile.h"
#include "grefs.h"
#include "xenstore.h"

#define SEC 1000000000ULL

static u8 ring_pages[2][4096] __aligned(4096);
static char huge[2048];

/* A ring pair and port of our own for keys the driver would never write. */
struct fake_rings {
	grant_ref_t tx, rx;
	evtchn_port_t port;
};

static void path_of(struct hostile *h, const char *k, char *p, u32 size)
{
	snprintf(p, size, "%s/%s", h->a->nf->fe, k);
}

static void put(struct hostile *h, const char *k, const char *v)
{
	char p[96];

	path_of(h, k, p, sizeof(p));
	if (v)
		xs_write(XS_NO_TX, p, v);
	else
		xs_rm(XS_NO_TX, p);
}

/* vif 0 back to state 1 with the backend in 2: ready for a handshake of our own. */
static bool to_initialising(struct hostile *h, const char *name)
{
	struct netfront *nf = h->a->nf;
	int be;

	netfront_set_state(nf, NF_XB_CLOSED);
	be = netfront_wait_be_state(nf, BIT(NF_XB_CLOSED), 10 * SEC);
	netfront_drop_rings(nf);
	h->usable = false;
	netfront_set_state(nf, NF_XB_INITIALISING);
	if (be == NF_XB_CLOSED)
		be = netfront_wait_be_state(nf, BIT(NF_XB_INITWAIT), 10 * SEC);
	return CHECK(be == NF_XB_INITWAIT, "netfront: FAIL %s: backend %d, not back in InitWait",
		     name, be);
}

static void fake_rings_make(struct hostile *h, struct fake_rings *r, bool tx_ro)
{
	domid_t be = h->a->nf->be_id;

	memset(ring_pages, 0, sizeof(ring_pages));
	r->tx = gref_get();
	r->rx = gref_get();
	gnttab_grant_access(r->tx, be, (uptr)ring_pages[0], tx_ro);
	gnttab_grant_access(r->rx, be, (uptr)ring_pages[1], false);
	evtchn_alloc_unbound(DOMID_SELF, be, &r->port);
}

static void fake_rings_drop(struct hostile *h, const char *name, struct fake_rings *r)
{
	grant_ref_t refs[] = { r->tx, r->rx };

	for (unsigned int i = 0; i < 2; i++) {
		if (gnttab_end_access(refs[i]))
			h_fail(name, "the backend failed the device but still maps ring grant %u",
			       refs[i]);
		else
			gref_put(refs[i]);
	}
	evtchn_close(r->port);
}

/*
 * A handshake whose keys are right but for @k, which gets @v (NULL:
 * removed): the backend must fail the device (state 5, error node).
 */
static void bad_key(struct hostile *h, const char *name, const char *k, const char *v,
		    bool tx_ro)
{
	struct fake_rings r;
	char num[16];

	h->cases++;
	if (!to_initialising(h, name))
		return (void)h_reconnect(h, name, NULL);
	fake_rings_make(h, &r, tx_ro);
	snprintf(num, sizeof(num), "%u", r.tx);
	put(h, "tx-ring-ref", num);
	snprintf(num, sizeof(num), "%u", r.rx);
	put(h, "rx-ring-ref", num);
	snprintf(num, sizeof(num), "%u", r.port);
	put(h, "event-channel", num);
	put(h, "request-rx-copy", "1");
	put(h, "feature-rx-notify", "1");
	if (k)
		put(h, k, v);
	netfront_set_state(h->a->nf, NF_XB_CONNECTED);
	h_device_failed(h, name, false);	/* reconnects vif 0 with good keys */
	fake_rings_drop(h, name, &r);
	h_after(h, name);
}

static void state_4_1_4(struct hostile *h)
{
	struct netfront *nf = h->a->nf;
	int be;

	h->cases++;
	netfront_set_state(nf, NF_XB_INITIALISING);
	netfront_wait_be_state(nf, BIT(NF_XB_INITWAIT) | BIT(NF_XB_CLOSING), 2 * SEC);
	netfront_set_state(nf, NF_XB_CONNECTED);
	be = netfront_wait_be_state(nf, BIT(NF_XB_CONNECTED) | BIT(NF_XB_CLOSING) |
				    BIT(NF_XB_CLOSED), 5 * SEC);
	/* Any sane answer will do; the backend must live and the vif come back. */
	if (h_reconnect(h, "state-4-1-4", NULL))
		h_pass("state-4-1-4", "backend went to %d, vif 0 reconnected", be);
	h_after(h, "state-4-1-4");
}

static void state_flapping(struct hostile *h)
{
	static const int states[] = { 4, 5, 6, 1, 4, 5, 6, 1, 4, 6, 1, 5, 4, 3, 2, 7, 8, 0, 4 };
	struct netfront *nf = h->a->nf;

	h->cases++;
	for (unsigned int i = 0; i < ARRAY_SIZE(states); i++)
		netfront_set_state(nf, states[i]);
	if (h_reconnect(h, "state-flapping", NULL))
		h_pass("state-flapping", "%u state writes, then a clean reconnect",
		       (unsigned int)ARRAY_SIZE(states));
	h_after(h, "state-flapping");
}

/* Queue a burst, then close at once: the backend must drop it all and let go of every grant. */
static void close_mid_transfer(struct hostile *h)
{
	static u8 frame[1514];
	struct netfront *nf = h->a->nf;
	u32 busy = nf->st.busy_grants, queued = 0;
	int be;

	h->cases++;
	memset(frame, 0x77, sizeof(frame));
	memcpy(frame, h->a->peer_mac, 6);
	memcpy(frame + 6, nf->mac, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	while (!netfront_send(nf, frame, sizeof(frame), 0, 3000, NULL))
		queued++;
	netfront_set_state(nf, NF_XB_CLOSING);
	netfront_set_state(nf, NF_XB_CLOSED);
	be = netfront_wait_be_state(nf, BIT(NF_XB_CLOSED) | BIT(NF_XB_UNKNOWN), 10 * SEC);
	netfront_drop_rings(nf);
	h->usable = false;
	if (be != NF_XB_CLOSED)
		h_fail("close-mid-transfer", "backend state %d, not Closed", be);
	else if (nf->st.busy_grants != busy)
		h_fail("close-mid-transfer", "Closed, but %u grant(s) still mapped",
		       nf->st.busy_grants - busy);
	else
		h_pass("close-mid-transfer", "%u frames queued, Closed with every grant released",
		       queued);
	netfront_set_state(nf, NF_XB_INITIALISING);
	h->usable = !netfront_connect(nf, &h->opts);
	CHECK(h->usable, "netfront: FAIL close-mid-transfer: no reconnect");
	h_after(h, "close-mid-transfer");
}

static void skip_to_closed(struct hostile *h)
{
	struct netfront *nf = h->a->nf;
	u32 busy = nf->st.busy_grants;
	int be;

	h->cases++;
	netfront_set_state(nf, NF_XB_CLOSED);
	be = netfront_wait_be_state(nf, BIT(NF_XB_CLOSED), 10 * SEC);
	netfront_drop_rings(nf);
	if (be == NF_XB_CLOSED && nf->st.busy_grants == busy)
		h_pass("skip-to-closed", "4 -> 6: the backend closed and released the rings");
	else
		h_fail("skip-to-closed", "backend state %d, %u grant(s) still mapped", be,
		       nf->st.busy_grants - busy);
	netfront_set_state(nf, NF_XB_INITIALISING);
	h->usable = !netfront_connect(nf, &h->opts);
	CHECK(h->usable, "netfront: FAIL skip-to-closed: no reconnect");
	h_after(h, "skip-to-closed");
}

/* Junk nodes and a huge value in our own directory: not the backend's business. */
static void junk_nodes(struct hostile *h)
{
	char k[64];

	h->cases++;
	memset(huge, '7', sizeof(huge) - 1);
	snprintf(k, sizeof(k), "%s/junk", h->a->nf->fe);
	for (unsigned int i = 0; i < 100; i++) {
		char p[96];

		snprintf(p, sizeof(p), "%s/%u", k, i);
		xs_write(XS_NO_TX, p, i ? "x" : huge);
	}
	put(h, "tx-ring-ref", huge);	/* after connecting: must be ignored */
	if (netfront_be_state(h->a->nf) == NF_XB_CONNECTED)
		h_pass("junk-nodes", "100 nodes and 2047-byte values in our directory, still "
		       "connected");
	else
		h_fail("junk-nodes", "backend state %d", netfront_be_state(h->a->nf));
	xs_rm(XS_NO_TX, k);
	h_after(h, "junk-nodes");
}

void hostile_xenbus_cases(struct hostile *h)
{
	struct netfront_opts o = h->opts;
	int rc;

	/* The driver's own handshake without request-rx-copy. */
	h->cases++;
	o.no_rx_copy = true;
	if (to_initialising(h, "no-request-rx-copy")) {
		rc = netfront_connect(h->a->nf, &o);
		if (!rc)
			h_fail("no-request-rx-copy", "the backend connected without it");
		h_device_failed(h, "no-request-rx-copy", false);
	}
	h_after(h, "no-request-rx-copy");

	memset(huge, '1', sizeof(huge) - 1);
	bad_key(h, "request-rx-copy-0", "request-rx-copy", "0", false);
	bad_key(h, "tx-ring-ref-garbage", "tx-ring-ref", "12abc", false);
	bad_key(h, "tx-ring-ref-huge", "tx-ring-ref", huge, false);
	bad_key(h, "rx-ring-ref-missing", "rx-ring-ref", NULL, false);
	bad_key(h, "rx-ring-ref-not-granted", "rx-ring-ref", H_UNGRANTED_REF_STR, false);
	bad_key(h, "event-channel-garbage", "event-channel", "99999999999", false);
	bad_key(h, "event-channel-not-ours", "event-channel", "1000", false);
	bad_key(h, "tx-ring-ref-read-only", NULL, NULL, true);

	state_4_1_4(h);
	state_flapping(h);
	skip_to_closed(h);
	close_mid_transfer(h);
	junk_nodes(h);
}

void hostile_delete_dir(struct hostile *h)
{
	struct netfront *nf = h->a->nf;
	u32 busy = nf->st.busy_grants;
	int be;

	h->cases++;
	if (!h->usable)
		return (void)h_fail("delete-own-directory", "skipped: vif 0 is not usable");
	xs_rm(XS_NO_TX, nf->fe);
	be = netfront_wait_be_state(nf, BIT(NF_XB_CLOSING) | BIT(NF_XB_CLOSED) |
				    BIT(NF_XB_UNKNOWN), 10 * SEC);
	/* Give it a moment to unmap, then every grant must come back. */
	for (u64 end = pvclock_ns() + 2 * SEC; pvclock_ns() < end;)
		netfront_wait(nf, SEC / 10);
	netfront_drop_rings(nf);
	h->usable = false;
	if (be < 0)
		h_fail("delete-own-directory", "the backend stayed Connected");
	else if (nf->st.busy_grants != busy)
		h_fail("delete-own-directory", "backend state %d but %u grant(s) still mapped", be,
		       nf->st.busy_grants - busy);
	else
		h_pass("delete-own-directory", "backend state %d, every grant released", be);
	h_after(h, "delete-own-directory");
}
