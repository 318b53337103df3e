/* The net frontend's receive side: buffers posted and refilled, responses read by netfront's rules. */
#include <keel/errno.h>
#include <keel/string.h>
#include "netfront_ring.h"
#include "console.h"
#include "events.h"
#include "gnttab.h"
#include "grefs.h"
#include "pvclock.h"

#define PAGE 4096u
/* Data slots of one packet netfront takes (18, +1 when the head is small: allow both). */
#define RX_MAX_SLOTS (NF_NR_SLOTS_MIN + 1)

u8 *netfront_rx_page(struct netfront *nf, u16 id)
{
	return nf->pages->rx[id % NETFRONT_IDS];
}

u32 netfront_rx_posted(struct netfront *nf)
{
	return nf->rx_prod_pvt - nf->rx_rsp_cons;
}

u32 netfront_rx_post(struct netfront *nf, u32 n)
{
	u32 done = 0;

	if (!nf->rx)
		return 0;
	while (done < n && netfront_rx_posted(nf) < NF_RING_SIZE) {
		u16 i = nf->rx_prod_pvt % NF_RING_SIZE;
		volatile union nf_rx_slot *s = &nf->rx->ring[i];
		grant_ref_t ref;

		if (nf->rx_gref[i] || !(ref = gref_get()))
			break;
		gnttab_grant_access(ref, nf->be_id, (uptr)netfront_rx_page(nf, i),
				    nf->opts.rx_readonly);
		nf->rx_gref[i] = ref;
		s->req.id = i;
		s->req.pad = 0;
		s->req.gref = ref;
		nf->rx_prod_pvt++;
		done++;
	}
	if (done) {
		nf->rx_unposted -= MIN(done, nf->rx_unposted);
		netfront_push_check(nf, &nf->rx->req_prod, &nf->rx->req_event, nf->rx_prod_pvt);
	}
	return done;
}

/*
 * Buffer @i is answered: revoke its grant so its page is ours again. A
 * grant the backend still holds is its bug: leak it and stop trusting the
 * ring.
 */
static void rx_release(struct netfront *nf, u16 i)
{
	grant_ref_t ref = nf->rx_gref[i];

	nf->rx_gref[i] = 0;
	nf->rx_unposted++;
	if (!ref)
		return;
	if (gnttab_end_access(ref)) {
		printf("netfront: %s: RX grant %u still in use by the backend\n", nf->fe, ref);
		nf->st.busy_grants++;
		nf->broken = true;
		return;
	}
	gref_put(ref);
}

int netfront_rx_get(struct netfront *nf, void *buf, u32 size, u32 *len, u16 *flags)
{
	u8 *out = buf;
	u32 rp, i, total = 0, slots = 0;
	bool more, bad = false;
	u16 first_flags;

	if (!nf->rx || nf->broken)
		return -EIO;
	rp = nf->rx->rsp_prod;
	nf_rmb();
	if (rp - nf->rx_rsp_cons > netfront_rx_posted(nf)) {
		nf->st.bad_responses++;
		nf->broken = true;
		return -EIO;
	}
	if (rp == nf->rx_rsp_cons)
		return -EAGAIN;
	i = nf->rx_rsp_cons;
	first_flags = nf->rx->ring[i % NF_RING_SIZE].rsp.flags;
	do {
		volatile union nf_rx_slot *s = &nf->rx->ring[i % NF_RING_SIZE];
		struct nf_rx_rsp rsp = {
			.offset = s->rsp.offset, .flags = s->rsp.flags, .status = s->rsp.status,
		};

		/* The response at index i answers the request at index i, whatever its id. */
		rx_release(nf, i % NF_RING_SIZE);
		i++;
		slots++;
		if (rsp.status < 0 || rsp.offset + (u32)rsp.status > PAGE ||
		    total + (u32)rsp.status > size || slots > RX_MAX_SLOTS)
			bad = true;
		if (!bad) {
			memcpy(out + total, netfront_rx_page(nf, (i - 1) % NF_RING_SIZE) +
			       rsp.offset, rsp.status);
			total += rsp.status;
		}
		/* Extras follow the first slot: each takes a request and overlays its response. */
		if (slots == 1 && (rsp.flags & NF_RXF_EXTRA_INFO)) {
			u8 eflags;

			do {
				if (i == rp) {
					bad = true;	/* missing extra info */
					break;
				}
				s = &nf->rx->ring[i % NF_RING_SIZE];
				eflags = s->extra.flags;
				if (!s->extra.type || s->extra.type > NF_EXTRA_HASH)
					bad = true;
				rx_release(nf, i % NF_RING_SIZE);
				i++;
				nf->st.rx_extras++;
			} while (eflags & NF_EXTRA_FLAG_MORE);
		}
		more = rsp.flags & NF_RXF_MORE_DATA;
		if (more && i == rp) {
			bad = true;		/* need more slots than were published */
			break;
		}
	} while (more);
	nf->rx_rsp_cons = i;
	nf->st.rx_slots += slots;
	if (!bad && total < 14)
		bad = true;
	if (!nf->opts.no_refill && nf->rx_unposted >= NETFRONT_RX_BATCH)
		netfront_rx_post(nf, nf->rx_unposted);
	if (nf->broken)
		return -EIO;
	if (bad) {
		nf->st.rx_bad++;
		return -ENODATA;
	}
	nf->st.rx_packets++;
	nf->st.rx_bytes += total;
	*len = total;
	if (flags)
		*flags = first_flags;
	return 0;
}

bool netfront_wait(struct netfront *nf, u64 timeout_ns)
{
	u64 end = pvclock_ns() + timeout_ns;

	if (!nf->tx || !nf->rx)
		return false;
	for (;;) {
		nf->tx->rsp_event = nf->tx_rsp_cons + 1;
		nf->rx->rsp_event = nf->rx_rsp_cons + 1;
		nf_mb();
		if (nf->tx->rsp_prod != nf->tx_rsp_cons || nf->rx->rsp_prod != nf->rx_rsp_cons)
			return true;
		if (pvclock_ns() >= end)
			return false;
		evtchn_poll(nf->port, end - pvclock_ns());
		evtchn_clear_pending(nf->port);
	}
}
