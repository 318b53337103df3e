/* The net frontend's transmit side: frames into granted page pieces, extras, checked responses. */
#include <keel/errno.h>
#include <keel/string.h>
#include "netfront_ring.h"
#include "console.h"
#include "events.h"
#include "gnttab.h"
#include "grefs.h"

#define PAGE 4096u
#define ETH_HEADER 14u

u8 *netfront_tx_page(struct netfront *nf, u16 id)
{
	return nf->pages->tx[id % NETFRONT_IDS];
}

void netfront_push_check(struct netfront *nf, volatile u32 *req_prod,
			 volatile u32 *req_event, u32 new_prod)
{
	u32 old = *req_prod;

	nf_wmb();
	*req_prod = new_prod;
	nf_mb();
	if ((u32)(new_prod - *req_event) < (u32)(new_prod - old))
		netfront_notify(nf);
}

void netfront_notify(struct netfront *nf)
{
	nf->st.notifies++;
	evtchn_send(nf->port);
}

u32 netfront_tx_in_flight(struct netfront *nf)
{
	return nf->tx_prod_pvt - nf->tx_rsp_cons;
}

volatile union nf_tx_slot *netfront_tx_slot(struct netfront *nf)
{
	volatile union nf_tx_slot *s;

	if (!nf->tx || netfront_tx_in_flight(nf) >= NF_RING_SIZE)
		return NULL;
	s = &nf->tx->ring[nf->tx_prod_pvt % NF_RING_SIZE];
	memset((void *)s, 0, sizeof(*s));
	nf->tx_prod_pvt++;
	return s;
}

void netfront_tx_push(struct netfront *nf)
{
	netfront_push_check(nf, &nf->tx->req_prod, &nf->tx->req_event, nf->tx_prod_pvt);
}

void netfront_tx_push_raw(struct netfront *nf, u32 prod)
{
	nf_wmb();
	nf->tx->req_prod = prod;
	nf_mb();
	netfront_notify(nf);
}

int netfront_tx_id_get(struct netfront *nf, bool readonly, u16 *id, grant_ref_t *gref,
		       u8 **page)
{
	grant_ref_t ref;
	u16 i;

	if (!nf->tx_nfree || !(ref = gref_get()))
		return -ENOSPC;
	i = nf->tx_free[--nf->tx_nfree];
	gnttab_grant_access(ref, nf->be_id, (uptr)netfront_tx_page(nf, i), readonly);
	nf->tx_gref[i] = ref;
	*id = i;
	*gref = ref;
	if (page)
		*page = netfront_tx_page(nf, i);
	return 0;
}

int netfront_send(struct netfront *nf, const void *frame, u32 len, u16 flags,
		  u16 first_off, const struct nf_extra *extra)
{
	const u8 *src = frame;
	u32 first, pieces, done = 0;
	volatile union nf_tx_slot *s;

	if (!nf->connected || nf->broken || !nf->tx)
		return -EIO;
	if (len < ETH_HEADER || len > NETFRONT_MAX_FRAME || first_off >= PAGE)
		return -EINVAL;
	/* Backends drop a packet whose first slot cannot hold the Ethernet header (as netfront). */
	if (PAGE - first_off < ETH_HEADER)
		first_off = 0;
	first = MIN(len, PAGE - first_off);
	pieces = 1 + (len - first + PAGE - 1) / PAGE;
	if (pieces > 1 && !nf->be_sg)
		return -EOPNOTSUPP;
	if (pieces > NF_NR_SLOTS_MIN)
		return -EINVAL;
	if (nf->tx_nfree < pieces || grefs_free() < pieces ||
	    NF_RING_SIZE - netfront_tx_in_flight(nf) < pieces + !!extra)
		return -ENOSPC;
	for (u32 p = 0; p < pieces; p++) {
		u32 off = p ? 0 : first_off, n = p ? MIN(len - done, PAGE) : first;
		grant_ref_t ref;
		u8 *page;
		u16 id, f = 0;

		/* Checked above: neither can fail. */
		netfront_tx_id_get(nf, true, &id, &ref, &page);
		memcpy(page + off, src + done, n);
		done += n;
		if (!p)
			f = flags | (extra ? NF_TXF_EXTRA_INFO : 0);
		if (p + 1 < pieces)
			f |= NF_TXF_MORE_DATA;
		s = netfront_tx_slot(nf);
		s->req.gref = ref;
		s->req.offset = off;
		s->req.flags = f;
		s->req.id = id;
		s->req.size = p ? n : len;
		nf->st.tx_slots++;
		if (!p && extra) {
			s = netfront_tx_slot(nf);
			s->extra = *extra;
			s->extra.flags &= ~NF_EXTRA_FLAG_MORE;
			nf->st.tx_extras++;
		}
	}
	nf->st.tx_packets++;
	nf->st.tx_bytes += len;
	netfront_tx_push(nf);
	return 0;
}

int netfront_tx_reap(struct netfront *nf)
{
	u32 rp, n = 0;

	if (!nf->tx)
		return -EIO;
	rp = nf->tx->rsp_prod;
	nf_rmb();
	if (rp - nf->tx_rsp_cons > netfront_tx_in_flight(nf)) {
		/* More answers than questions: a backend we cannot trust. */
		nf->st.bad_responses++;
		nf->broken = true;
		return -EIO;
	}
	while (nf->tx_rsp_cons != rp) {
		volatile union nf_tx_slot *s = &nf->tx->ring[nf->tx_rsp_cons % NF_RING_SIZE];
		struct nf_tx_rsp rsp = { .id = s->rsp.id, .status = s->rsp.status };

		nf->tx_rsp_cons++;
		n++;
		if (rsp.status == NF_RSP_NULL) {
			nf->st.tx_null++;
			continue;
		}
		if (rsp.id >= NETFRONT_IDS || !nf->tx_gref[rsp.id]) {
			printf("netfront: %s: TX response for id %u not pending\n", nf->fe, rsp.id);
			nf->st.bad_responses++;
			nf->broken = true;
			return -EIO;
		}
		if (rsp.status != NF_RSP_OKAY)
			nf->st.tx_errors++;
		if (gnttab_end_access(nf->tx_gref[rsp.id])) {
			printf("netfront: %s: TX grant %u still in use by the backend\n", nf->fe,
			       nf->tx_gref[rsp.id]);
			nf->st.busy_grants++;
			nf->broken = true;
			nf->tx_gref[rsp.id] = 0;	/* leaked on purpose */
			return -EIO;
		}
		gref_put(nf->tx_gref[rsp.id]);
		nf->tx_gref[rsp.id] = 0;
		nf->tx_free[nf->tx_nfree++] = rsp.id;
	}
	return n;
}
