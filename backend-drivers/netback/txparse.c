/* Validation of one guest-transmitted packet's ring slots, exactly as Linux 6.1 netback. */
#include <string.h>
#include "txparse.h"

static void fatal(struct nb_tx_pkt *pkt, const char *why)
{
	pkt->verdict = NB_TX_FATAL;
	pkt->why = why;
}

/* The response list: @n slots consumed so far, the first @nextra after the first are extras. */
static void responses(struct nb_tx_pkt *pkt, const union nb_tx_slot *slots, unsigned int n,
		      unsigned int nextra)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		pkt->rsp_null[i] = i >= 1 && i <= nextra;
		pkt->rsp_id[i] = pkt->rsp_null[i] ? 0 : slots[i].req.id;
	}
	pkt->nslots = n;
}

void nb_tx_parse(const union nb_tx_slot *slots, unsigned int avail, struct nb_tx_pkt *pkt)
{
	struct netif_tx_request first;
	struct netif_extra_info gso = { 0 };
	bool mcast = false, more;
	const char *drop = NULL;
	unsigned int i = 1, nextra = 0, follow = 0;
	uint16_t remain;

	memset(pkt, 0, sizeof(*pkt));
	if (avail > NB_TX_WINDOW)
		avail = NB_TX_WINDOW;
	if (avail == 0) {
		fatal(pkt, "no request");
		return;
	}
	first = slots[0].req;
	pkt->flags = first.flags;
	if (first.flags & NETTXF_extra_info) {
		do {
			struct netif_extra_info e;

			if (i >= avail) {
				fatal(pkt, "missing extra info");
				return;
			}
			if (nextra == NB_TX_MAX_EXTRAS) {
				fatal(pkt, "too many extra infos");
				return;
			}
			e = slots[i++].extra;
			nextra++;
			if (e.type == XEN_NETIF_EXTRA_TYPE_NONE ||
			    e.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
				fatal(pkt, "invalid extra type");
				return;
			}
			if (e.type == XEN_NETIF_EXTRA_TYPE_GSO)
				gso = e;
			else if (e.type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD ||
				 e.type == XEN_NETIF_EXTRA_TYPE_MCAST_DEL)
				mcast = true;
			more = e.flags & XEN_NETIF_EXTRA_FLAG_MORE;
		} while (more);
	}
	if (mcast) {
		/* A dummy request carrying a filter change: answered, nothing sent (Linux). */
		responses(pkt, slots, i, nextra);
		pkt->verdict = NB_TX_MCAST;
		return;
	}

	/* xenvif_count_requests(): the follow-on fragments. */
	remain = first.size;
	more = first.flags & NETTXF_more_data;
	while (more) {
		struct netif_tx_request txp;

		if (i >= avail) {
			fatal(pkt, "packet runs past req_prod");
			return;
		}
		if (follow >= NB_TX_FATAL_SLOTS) {
			fatal(pkt, "too many slots");
			return;
		}
		if (!drop && follow >= NB_TX_LEGACY_SLOTS)
			drop = "too many slots";
		txp = slots[i++].req;
		if (!drop && txp.size > remain)
			drop = "fragment larger than the packet";
		remain -= txp.size;
		follow++;
		if ((uint32_t)txp.offset + txp.size > NB_PAGE_SIZE) {
			fatal(pkt, "fragment crosses a page");
			return;
		}
		more = txp.flags & NETTXF_more_data;
		if (!drop) {
			pkt->frag[pkt->nfrags + 1].gref = txp.gref;
			pkt->frag[pkt->nfrags + 1].offset = txp.offset;
			pkt->frag[pkt->nfrags + 1].len = txp.size;
			pkt->nfrags++;
		}
	}
	responses(pkt, slots, i, nextra);
	if (drop) {
		pkt->verdict = NB_TX_DROP;
		pkt->why = drop;
		return;
	}
	/* The first slot holds what the others do not: at least the Ethernet header. */
	if (remain < NB_ETH_HLEN) {
		pkt->verdict = NB_TX_DROP;
		pkt->why = "first slot shorter than an Ethernet header";
		return;
	}
	if ((uint32_t)first.offset + remain > NB_PAGE_SIZE) {
		fatal(pkt, "first slot crosses a page");
		return;
	}
	pkt->frag[0].gref = first.gref;
	pkt->frag[0].offset = first.offset;
	pkt->frag[0].len = remain;
	pkt->nfrags++;
	pkt->len = first.size;
	if (gso.type) {
		if (gso.u.gso.size == 0) {
			fatal(pkt, "GSO size 0");
			return;
		}
		if (gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		    gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6) {
			fatal(pkt, "bad GSO type");
			return;
		}
		pkt->gso = true;
		pkt->gso_type = gso.u.gso.type;
		pkt->gso_size = gso.u.gso.size;
	}
	pkt->verdict = NB_TX_OK;
}
