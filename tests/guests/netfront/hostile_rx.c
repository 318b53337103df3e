/* Hostile receive rings: read-only and bad buffers, a ring never refilled, req_prod far ahead. */
#include "guest.h"
#include "hostile.h"
#include "netfront_ring.h"

#define SEC 1000000000ULL

static u16 seq = 2000;

/* Pings the peer @count times without waiting for replies; whether TX was all answered. */
static bool ping_blind(struct hostile *h, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++)
		net_ping(h->a, seq++, 56, SEC / 10);
	return !h_wait_tx(h, 10 * SEC);
}

/* Poll vif 0 for @ns, answering nothing new. */
static void settle(struct hostile *h, u64 ns)
{
	for (u64 end = pvclock_ns() + ns; pvclock_ns() < end && !h->a->nf->broken;)
		net_poll(h->a, SEC / 10);
}

static void rx_read_only(struct hostile *h)
{
	struct netfront_opts o = h->opts;
	struct netfront *nf = h->a->nf;
	u32 bad, echo;

	h->cases++;
	o.rx_readonly = true;
	if (!h_reconnect(h, "rx-read-only-grants", &o))
		return;
	bad = nf->st.rx_bad;
	echo = h->a->echo_replies;
	ping_blind(h, 5);
	settle(h, 2 * SEC);
	if (netfront_be_state(nf) != NF_XB_CONNECTED)
		h_device_failed(h, "rx-read-only-grants", false);
	else if (h->a->echo_replies != echo || nf->broken)
		h_fail("rx-read-only-grants", "replies arrived in read-only buffers (%u), "
		       "broken %d", h->a->echo_replies - echo, nf->broken);
	else if (nf->st.rx_bad == bad)
		h_fail("rx-read-only-grants", "no error response came back for the replies");
	else
		h_pass("rx-read-only-grants", "%u packet(s) answered with an error status, "
		       "still connected", nf->st.rx_bad - bad);
	h_reconnect(h, "rx-read-only-grants", NULL);
	h_after(h, "rx-read-only-grants");
}

static void rx_never_refilled(struct hostile *h)
{
	struct netfront_opts o = h->opts;
	struct netfront *nf = h->a->nf;
	bool tx_ok;

	h->cases++;
	o.rx_post = 1;
	o.no_refill = true;
	if (!h_reconnect(h, "rx-never-refilled", &o))
		return;
	/* Replies pile up with nowhere to go; transmit must not stall behind them. */
	tx_ok = ping_blind(h, 40);
	settle(h, 3 * SEC);
	if (!tx_ok || netfront_be_state(nf) != NF_XB_CONNECTED) {
		h_fail("rx-never-refilled", "transmit %s, backend state %d",
		       tx_ok ? "answered" : "stalled", netfront_be_state(nf));
	} else {
		netfront_rx_post(nf, NF_RING_SIZE);
		if (net_ping(h->a, seq++, 56, 5 * SEC) || net_ping(h->a, seq++, 56, 5 * SEC))
			h_pass("rx-never-refilled", "transmit kept going, replies flow again once "
			       "the ring is refilled (%u posted)", netfront_rx_posted(nf));
		else
			h_fail("rx-never-refilled", "no reply after refilling the ring");
	}
	h_reconnect(h, "rx-never-refilled", NULL);
	h_after(h, "rx-never-refilled");
}

static void rx_bad_grefs(struct hostile *h)
{
	struct netfront_opts o = h->opts;
	struct netfront *nf = h->a->nf;
	u32 bad;

	h->cases++;
	o.rx_post = 1;
	o.no_refill = true;
	if (!h_reconnect(h, "rx-bad-grant-refs", &o))
		return;
	/* 64 buffers the backend cannot copy into: refs we never granted. */
	for (unsigned int i = 0; i < 64; i++) {
		u16 idx = nf->rx_prod_pvt % NF_RING_SIZE;

		nf->rx->ring[idx].req.id = idx;
		nf->rx->ring[idx].req.gref = 0xfffffff0u - i;
		nf->rx_prod_pvt++;
	}
	netfront_push_check(nf, &nf->rx->req_prod, &nf->rx->req_event, nf->rx_prod_pvt);
	bad = nf->st.rx_bad;
	ping_blind(h, 5);
	settle(h, 2 * SEC);
	if (netfront_be_state(nf) != NF_XB_CONNECTED)
		h_device_failed(h, "rx-bad-grant-refs", false);
	else if (nf->st.rx_bad == bad)
		h_fail("rx-bad-grant-refs", "no error response for packets into bad refs");
	else
		h_pass("rx-bad-grant-refs", "%u packet(s) answered with an error status, still "
		       "connected", nf->st.rx_bad - bad);
	h_reconnect(h, "rx-bad-grant-refs", NULL);
	h_after(h, "rx-bad-grant-refs");
}

static void rx_prod_far_ahead(struct hostile *h)
{
	struct netfront *nf = h->a->nf;

	h->cases++;
	if (!h->usable)
		return (void)h_fail("rx-req-prod-far-ahead", "skipped: vif 0 is not usable");
	nf->rx->req_prod = nf->rx_rsp_cons + NF_RING_SIZE * 3 + 5;
	netfront_notify(nf);
	ping_blind(h, 3);
	settle(h, 2 * SEC);
	if (nf->broken)
		h_fail("rx-req-prod-far-ahead", "the backend answered slots nobody posted");
	else
		h_device_failed(h, "rx-req-prod-far-ahead", true);
	if (!h->usable)
		h_reconnect(h, "rx-req-prod-far-ahead", NULL);
	h_after(h, "rx-req-prod-far-ahead");
}

void hostile_rx_cases(struct hostile *h)
{
	rx_read_only(h);
	rx_bad_grefs(h);
	rx_never_refilled(h);
	rx_prod_far_ahead(h);
}
