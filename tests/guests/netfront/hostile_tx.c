/* Hostile transmit traffic: indices, slot sizes and offsets, slot counts, extras, grants, ids, events. */
#include "guest.h"
#include "hostile.h"
#include "grefs.h"

#define SEC 1000000000ULL
#define STORM_EVENTS 20000

#define DATA(f, off, sz) { .flags = (f), .offset = (off), .size = (sz) }
#define EXTRA(t, fl) { .extra = true, .ex = { .type = (t), .flags = (fl) } }
#define MORE NF_TXF_MORE_DATA

/* A packet of 1 + @follow slots of @each bytes: first.size is the total. */
static unsigned int chain(struct h_slot *s, unsigned int follow, u16 each)
{
	s[0] = (struct h_slot)DATA(MORE, 0, (follow + 1) * each);
	for (unsigned int i = 1; i <= follow; i++)
		s[i] = (struct h_slot)DATA(i < follow ? MORE : 0, 0, each);
	return follow + 1;
}

static void req_prod_far_ahead(struct hostile *h)
{
	struct netfront *nf = h->a->nf;
	int rc;

	h->cases++;
	if (!h->usable)
		return (void)h_fail("req-prod-far-ahead", "skipped: vif 0 is not usable");
	netfront_tx_push_raw(nf, nf->tx_rsp_cons + NF_RING_SIZE * 4 + 7);
	/* Nothing was really queued: any answer is an answer to garbage. */
	rc = -ETIMEDOUT;
	for (u64 end = pvclock_ns() + 10 * SEC; pvclock_ns() < end;) {
		if (nf->tx->rsp_prod != nf->tx_rsp_cons) {
			rc = 0;
			break;
		}
		if (netfront_be_state(nf) != NF_XB_CONNECTED) {
			rc = -ENODEV;
			break;
		}
		net_poll(h->a, SEC / 2);
	}
	if (rc)
		h_device_failed(h, "req-prod-far-ahead", true);
	else {
		h_fail("req-prod-far-ahead", "the backend answered slots nobody filled");
		h_reconnect(h, "req-prod-far-ahead", NULL);
	}
	h_after(h, "req-prod-far-ahead");
}

/* XSA-155: a good packet whose slot keeps changing after the push. */
static void changed_after_push(struct hostile *h)
{
	struct netfront *nf = h->a->nf;
	volatile union nf_tx_slot *s;
	grant_ref_t ref;
	u8 *page;
	u16 id;
	int rc = -ETIMEDOUT;

	h->cases++;
	if (!h->usable || netfront_tx_id_get(nf, true, &id, &ref, &page))
		return (void)h_fail("fields-changed-after-push", "skipped: vif 0 is not usable");
	memset(page, 0xa5, 4096);
	memcpy(page, h->a->nf->mac, 6);		/* to ourselves: the bridge drops it */
	memcpy(page + 6, h->a->nf->mac, 6);
	s = netfront_tx_slot(nf);
	s->req = (struct nf_tx_req){ .gref = ref, .offset = 0, .flags = 0, .id = id,
					    .size = 600 };
	netfront_tx_push(nf);
	for (unsigned int i = 0; i < 200000 && nf->tx->rsp_prod == nf->tx_rsp_cons; i++) {
		s->req.size = (i & 1) ? 60000 : 600;
		s->req.offset = (i & 2) ? 4000 : 0;
		s->req.flags = (i & 4) ? MORE | NF_TXF_EXTRA_INFO : 0;
	}
	s->req.size = 600;
	s->req.offset = 0;
	s->req.flags = 0;
	rc = h_wait_tx(h, 20 * SEC);
	if (!rc)
		h_pass("fields-changed-after-push", "answered once, still connected");
	else if (rc == -ENODEV)
		h_device_failed(h, "fields-changed-after-push", false);
	else {
		h_fail("fields-changed-after-push", "no answer (%d)", rc);
		h_reconnect(h, "fields-changed-after-push", NULL);
	}
	h_after(h, "fields-changed-after-push");
}

/* The same id twice: the frontend's own problem, but both must be answered. */
static void duplicate_ids(struct hostile *h)
{
	struct netfront *nf = h->a->nf;
	volatile union nf_tx_slot *s;
	grant_ref_t ref;
	u8 *page;
	u16 id;
	u64 end = pvclock_ns() + 20 * SEC;

	h->cases++;
	if (!h->usable || netfront_tx_id_get(nf, true, &id, &ref, &page))
		return (void)h_fail("duplicate-ids", "skipped: vif 0 is not usable");
	memset(page, 0, 4096);
	memcpy(page + 6, nf->mac, 6);
	for (int i = 0; i < 2; i++) {
		s = netfront_tx_slot(nf);
		s->req = (struct nf_tx_req){ .gref = ref, .id = id, .size = 60 };
	}
	netfront_tx_push(nf);
	while (nf->tx->rsp_prod - nf->tx_rsp_cons < 2 && pvclock_ns() < end &&
	       netfront_be_state(nf) == NF_XB_CONNECTED)
		netfront_wait(nf, SEC / 2);
	if (nf->tx->rsp_prod - nf->tx_rsp_cons == 2) {
		/* Consume them by hand: the first frees the id, the second would break us. */
		nf->tx_rsp_cons += 2;
		if (gnttab_end_access(ref))
			h_fail("duplicate-ids", "grant %u still mapped after both answers", ref);
		else
			gref_put(ref);
		nf->tx_gref[id] = 0;
		nf->tx_free[nf->tx_nfree++] = id;
		h_pass("duplicate-ids", "both slots answered, still connected");
	} else {
		h_fail("duplicate-ids", "%u of 2 answers, backend state %d",
		       nf->tx->rsp_prod - nf->tx_rsp_cons, netfront_be_state(nf));
		h_reconnect(h, "duplicate-ids", NULL);
	}
	h_after(h, "duplicate-ids");
}

static void event_storm(struct hostile *h)
{
	struct netfront *nf = h->a->nf;

	h->cases++;
	if (!h->usable)
		return (void)h_fail("event-storm", "skipped: vif 0 is not usable");
	for (unsigned int i = 0; i < STORM_EVENTS; i++)
		evtchn_send(nf->port);
	if (netfront_be_state(nf) == NF_XB_CONNECTED)
		h_pass("event-storm", "%u events with nothing queued, still connected",
		       STORM_EVENTS);
	else
		h_fail("event-storm", "backend state %d", netfront_be_state(nf));
	h_after(h, "event-storm");
}

void hostile_tx_cases(struct hostile *h)
{
	struct h_slot s[32];
	unsigned int n;

	/* Single-slot packets. */
	s[0] = (struct h_slot)DATA(0, 0, 10);
	h_packet(h, "runt-frame", s, 1, H_DROP);
	h_after(h, "runt-frame");
	s[0] = (struct h_slot)DATA(0, 4000, 200);
	h_packet(h, "page-crossing-slot", s, 1, H_DISABLE);
	h_after(h, "page-crossing-slot");
	s[0] = (struct h_slot)DATA(0, 0, 60);
	s[0].gref_override = true;
	s[0].gref = 0xfffffff0u;
	h_packet(h, "grant-ref-out-of-range", s, 1, H_DROP);
	h_after(h, "grant-ref-out-of-range");
	s[0] = (struct h_slot)DATA(0, 0, 60);
	s[0].gref_override = true;
	s[0].gref = H_UNGRANTED_FIRST;
	h_packet(h, "bad-grant-ref", s, 1, H_DROP);
	h_after(h, "bad-grant-ref");
	s[0] = (struct h_slot)DATA(0, 0, 60);
	s[0].revoke = true;
	h_packet(h, "revoked-grant", s, 1, H_DROP);
	h_after(h, "revoked-grant");
	s[0] = (struct h_slot)DATA(0, 0, 60);
	s[0].gref_override = true;
	s[0].gref = h->a->nf->tx_ring_ref;
	h_packet(h, "ring-page-as-data", s, 1, H_ANSWER);
	h_after(h, "ring-page-as-data");
	s[0] = (struct h_slot)DATA(NF_TXF_CSUM_BLANK, 0, 60);
	h_packet(h, "csum-blank-not-ip", s, 1, H_ANSWER);
	h_after(h, "csum-blank-not-ip");

	/* Multi-slot packets. */
	n = chain(s, 3, 100);
	s[2].size = 0;
	s[0].size = 300;
	h_packet(h, "zero-length-fragment", s, n, H_OKAY);
	h_after(h, "zero-length-fragment");
	n = chain(s, 2, 100);
	s[2].size = 500;
	h_packet(h, "fragment-beyond-total", s, n, H_DROP);
	h_after(h, "fragment-beyond-total");
	n = chain(s, 2, 100);
	s[2].offset = 0;
	s[2].size = 4097;
	s[0].size = 5000;
	h_packet(h, "oversized-slot", s, n, H_DISABLE);
	h_after(h, "oversized-slot");
	n = chain(s, 2, 100);
	s[2].offset = 4050;
	h_packet(h, "page-crossing-fragment", s, n, H_DISABLE);
	h_after(h, "page-crossing-fragment");
	n = chain(s, NF_NR_SLOTS_MIN + 1, 64);
	h_packet(h, "too-many-slots-dropped", s, n, H_DROP);
	h_after(h, "too-many-slots-dropped");
	n = chain(s, 24, 64);
	h_packet(h, "too-many-slots-fatal", s, n, H_DISABLE);
	h_after(h, "too-many-slots-fatal");
	n = chain(s, 2, 100);
	s[2].flags = MORE;		/* the last slot says more follows, and nothing does */
	h_packet(h, "more-data-never-ends", s, n, H_DISABLE);
	h_after(h, "more-data-never-ends");

	/* Extras. */
	s[0] = (struct h_slot)DATA(NF_TXF_EXTRA_INFO, 0, 60);
	h_packet(h, "missing-extra", s, 1, H_DISABLE);
	h_after(h, "missing-extra");
	s[0] = (struct h_slot)DATA(NF_TXF_EXTRA_INFO, 0, 60);
	s[1] = (struct h_slot)EXTRA(NF_EXTRA_NONE, 0);
	h_packet(h, "extra-type-0", s, 2, H_DISABLE);
	h_after(h, "extra-type-0");
	s[1] = (struct h_slot)EXTRA(9, 0);
	h_packet(h, "extra-type-unknown", s, 2, H_DISABLE);
	h_after(h, "extra-type-unknown");
	s[1] = (struct h_slot)EXTRA(NF_EXTRA_GSO, 0);
	s[1].ex.u.gso.size = 0;
	s[1].ex.u.gso.type = NF_GSO_TCPV4;
	h_packet(h, "gso-size-0", s, 2, H_DISABLE);
	h_after(h, "gso-size-0");
	s[1] = (struct h_slot)EXTRA(NF_EXTRA_GSO, 0);
	s[1].ex.u.gso.size = 1400;
	s[1].ex.u.gso.type = 7;
	h_packet(h, "gso-type-unknown", s, 2, H_DISABLE);
	h_after(h, "gso-type-unknown");
	s[1] = (struct h_slot)EXTRA(NF_EXTRA_GSO, NF_EXTRA_FLAG_MORE);
	s[1].ex.u.gso.size = 1400;
	s[1].ex.u.gso.type = NF_GSO_TCPV4;
	h_packet(h, "extra-chain-never-ends", s, 2, H_DISABLE);
	h_after(h, "extra-chain-never-ends");
	s[0] = (struct h_slot)DATA(NF_TXF_EXTRA_INFO, 0, 0);
	s[1] = (struct h_slot)EXTRA(NF_EXTRA_MCAST_ADD, 0);
	memcpy(s[1].ex.u.mcast.addr, "\x01\x00\x5e\x00\x00\x01", 6);
	h_packet(h, "mcast-without-control", s, 2, H_ANSWER);
	h_after(h, "mcast-without-control");

	changed_after_push(h);
	duplicate_ids(h);
	event_storm(h);
	req_prod_far_ahead(h);
}
