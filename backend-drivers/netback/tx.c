/* Guest transmit: packets from a queue's TX ring, grant-copied in batches, written to the TAP. */
#include <errno.h>
#include <string.h>
#include "nb.h"

/* The packets of one batch and where their data went. */
struct batch {
	unsigned int npkts, nsegs;
	size_t used;			/* of the arena */
	uint8_t *data[NB_BUDGET];
	unsigned int seg0[NB_BUDGET];	/* each packet's first segment */
};

static void respond(struct nb_queue *q, const struct nb_tx_pkt *pkt, int16_t status)
{
	unsigned int i;

	for (i = 0; i < pkt->nslots; i++) {
		union nb_tx_slot *s = &q->tx.slots[q->tx.r.rsp_prod_pvt++ & (NB_RING_SIZE - 1)];

		/* The whole 12-byte slot: nothing of the request is left beside the response. */
		memset(s, 0, sizeof(*s));
		s->rsp.id = pkt->rsp_id[i];
		s->rsp.status = pkt->rsp_null[i] ? NETIF_RSP_NULL : status;
	}
}

/*
 * Where in the arena (at or after @used) a packet goes: its first fragment at the offset in a
 * dom0 page that it has in its guest page. Netfront's fragments end at their page's end but
 * for the last, so each following page is then copied page to page: gntdev splits a copy
 * at dom0's page boundaries, and each split is one more copy op and page pin.
 */
static size_t packet_at(const struct nb_backend *be, size_t used, const struct nb_tx_pkt *pkt)
{
	uintptr_t at = (uintptr_t)(be->arena + used), off = 0;
	unsigned int i;

	for (i = 0; i < pkt->nfrags; i++)
		if (pkt->frag[i].len) {
			off = pkt->frag[i].offset & (NB_PAGE_SIZE - 1);
			break;
		}
	at = ((at - off + NB_PAGE_SIZE - 1) & ~(uintptr_t)(NB_PAGE_SIZE - 1)) + off;
	return at - (uintptr_t)be->arena;
}

/* Data segments of an OK packet into the arena. */
static void plan_copy(struct nb_queue *q, struct batch *b, const struct nb_tx_pkt *pkt)
{
	struct nb_backend *be = q->vif->be;
	uint8_t *dst;
	unsigned int i;

	b->used = packet_at(be, b->used, pkt);
	dst = be->arena + b->used;

	b->data[b->npkts] = dst;
	b->seg0[b->npkts] = b->nsegs;
	for (i = 0; i < pkt->nfrags; i++) {
		struct ioctl_gntdev_grant_copy_segment *s;

		if (!pkt->frag[i].len)
			continue;	/* a zero-length fragment is legal (XSA-448) */
		s = &be->segs[b->nsegs++];
		memset(s, 0, sizeof(*s));
		s->source.foreign.ref = pkt->frag[i].gref;
		s->source.foreign.offset = pkt->frag[i].offset;
		s->source.foreign.domid = q->vif->domid;
		s->dest.virt = dst;
		s->len = pkt->frag[i].len;
		s->flags = GNTCOPY_source_gref;
		dst += pkt->frag[i].len;
	}
	b->used += pkt->len;
}

/* Is the frame TCP over IPv4 or IPv6 (no VLAN, IPv6 without extension headers)? */
static bool is_tcp(const uint8_t *f, size_t len)
{
	if (len < NB_ETH_HLEN + 40)
		return false;
	if (f[12] == 0x08 && f[13] == 0x00)
		return f[NB_ETH_HLEN + 9] == 6;
	return f[12] == 0x86 && f[13] == 0xdd && f[NB_ETH_HLEN + 6] == 6;
}

/* Hands a copied packet to the TAP: the response status. */
static int16_t deliver(struct nb_queue *q, uint8_t *data, const struct nb_tx_pkt *pkt)
{
	struct nb_vif *vif = q->vif;
	struct nb_backend *be = vif->be;
	struct virtio_net_hdr h;
	struct iovec iov[2];

	if (nb_tx_vnet_hdr(data, pkt->len, pkt->flags, pkt->gso, pkt->gso_type, pkt->gso_size,
			   &h)) {
		vif->tx_dropped++;
		return NETIF_RSP_DROPPED;
	}
	iov[0].iov_base = &h;
	iov[0].iov_len = NB_VNET_HLEN;
	iov[1].iov_base = data;
	iov[1].iov_len = pkt->len;
	if (vif->tap < 0 || be->tap.ops->write(be->tap.priv, vif->tap, iov, 2)) {
		vif->tx_dropped++;	/* dom0's side is down or full: a drop on the wire */
		return NETIF_RSP_DROPPED;
	}
	vif->tx_packets++;
	be->stats.tx_frames++;
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE || is_tcp(data, pkt->len))
		vif->tx_tcp = true;
	return NETIF_RSP_OKAY;
}

/* Copies the batch's data, delivers each packet and answers every slot, in ring order. */
static void finish(struct nb_queue *q, struct batch *b)
{
	struct nb_backend *be = q->vif->be;
	struct xenbe_env *env = &be->env;
	bool copied = true;
	unsigned int p, i;

	if (b->nsegs) {
		be->stats.tx_copies++;
		if (env->ops->gnt_copy(env->priv, be->segs, b->nsegs))
			copied = false;
	}
	for (p = 0; p < b->npkts; p++) {
		const struct nb_tx_pkt *pkt = &be->pkts[p];
		int16_t st = NETIF_RSP_OKAY;

		if (pkt->verdict == NB_TX_DROP) {
			st = NETIF_RSP_ERROR;
			q->vif->tx_dropped++;
		} else if (pkt->verdict == NB_TX_OK) {
			unsigned int end = p + 1 < b->npkts ? b->seg0[p + 1] : b->nsegs;

			for (i = b->seg0[p]; i < end; i++)
				if (!copied || be->segs[i].status != GNTST_okay)
					st = NETIF_RSP_ERROR;
			if (st == NETIF_RSP_OKAY)
				st = deliver(q, b->data[p], pkt);
			else
				q->vif->tx_dropped++;
		}
		respond(q, pkt, st);
	}
	/*
	 * The notification is put off until the daemon would sleep (nb_backend_idle): netfront
	 * also takes its TX responses when it transmits (xennet_start_xmit's collection), so a
	 * guest that sends again (an answer, TCP's next segments) takes them without an event.
	 */
	if (nb_ring_push(&q->tx.r))
		q->tx_owed = true;
	b->npkts = b->nsegs = 0;
	b->used = 0;
}

/*
 * Notifies the guest. A guest woken by its data often answers at once (a UDP reply, TCP's
 * next segments): with the vif's idle TX rings' req_event taken back first, an answer made
 * before the daemon looks again goes on the ring without an event to dom0 (an interrupt, a
 * wake-up, an event-channel read and unmask write in the daemon) and is seen here instead.
 * keel runs the woken guest in the notify only when dom0 has had its ratelimit (1 ms) of
 * CPU; with @answer_due (request/response traffic) dom0's vCPU yields to it, so that on one
 * CPU the answer comes before the daemon sleeps. A TX ring found empty afterwards is armed
 * again, and checked, before the daemon can sleep; one with requests is run by the loop
 * (tx_more).
 */
void nb_vif_notify(struct nb_vif *vif, uint32_t port, bool answer_due)
{
	struct nb_backend *be = vif->be;
	struct xenbe_env *env = &be->env;
	bool answered = false;
	unsigned int i;

	for (i = 0; vif->queues && i < vif->nqueues; i++) {
		struct nb_ring *r = &vif->queues[i].tx.r;

		if (vif->queues[i].tx_port == (int)port)
			vif->queues[i].tx_owed = false;	/* one channel: this event is its too */
		if (r->sring && !vif->queues[i].tx_more && nb_ring_unconsumed(r) == 0)
			nb_ring_want_event(r, r->req_cons);	/* no event for the next one */
	}
	env->ops->evtchn_notify(env->priv, port);
	if (answer_due && be->yield) {
		be->stats.yields++;
		be->yield(be);
	}
	for (i = 0; vif->queues && i < vif->nqueues; i++) {
		struct nb_queue *q = &vif->queues[i];

		if (!q->tx.r.sring || q->tx_more)
			continue;
		if (nb_ring_unconsumed(&q->tx.r) == 0) {
			nb_ring_want_event(&q->tx.r, q->tx.r.req_cons + 1);
			if (nb_ring_unconsumed(&q->tx.r) == 0)
				continue;
		}
		q->tx_more = true;
		answered = true;
	}
	/* The answer missed the yield: it will come by event (dom0's interrupt, a wake-up). */
	if (answer_due && be->yield && !answered) {
		be->stats.yield_misses++;
		be->stats.ticks[NB_T_YIELD_MISS] += be->stats.yield_last;
	}
}

void nb_tx_run(struct nb_queue *q)
{
	struct nb_vif *vif = q->vif;
	struct nb_backend *be = vif->be;
	union nb_tx_slot win[NB_TX_WINDOW];
	struct batch b = { 0 };
	unsigned int done = 0;

	q->tx_more = false;
	if (!q->tx.r.sring)
		return;
	for (;;) {
		int avail = nb_ring_unconsumed(&q->tx.r);
		struct nb_tx_pkt *pkt;
		unsigned int i, n;

		if (avail < 0) {
			finish(q, &b);
			nb_vif_fatal(vif, -EPROTO, "tx: impossible number of requests");
			return;
		}
		if (avail == 0) {
			/* Before sleeping: ask for an event on the next request, then look again. */
			nb_ring_want_event(&q->tx.r, q->tx.r.req_cons + 1);
			if (nb_ring_unconsumed(&q->tx.r) != 0)
				continue;
			break;
		}
		if (done == NB_BUDGET) {
			q->tx_more = true;
			break;
		}
		if (b.npkts == NB_BUDGET ||
		    NB_ARENA_SIZE - b.used < XEN_NETIF_MAX_TX_SIZE + NB_PAGE_SIZE)
			finish(q, &b);
		/* Each slot copied once (XSA-155): the parser sees only these copies. */
		n = (unsigned int)avail < NB_TX_WINDOW ? (unsigned int)avail : NB_TX_WINDOW;
		for (i = 0; i < n; i++)
			win[i] = q->tx.slots[(q->tx.r.req_cons + i) & (NB_RING_SIZE - 1)];
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		pkt = &be->pkts[b.npkts];
		nb_tx_parse(win, n, pkt);
		if (pkt->verdict == NB_TX_FATAL) {
			finish(q, &b);
			nb_vif_fatal(vif, -EPROTO, "tx: %s", pkt->why);
			return;
		}
		q->tx.r.req_cons += pkt->nslots;
		b.seg0[b.npkts] = b.nsegs;
		if (pkt->verdict == NB_TX_OK)
			plan_copy(q, &b, pkt);
		b.npkts++;
		done++;
	}
	finish(q, &b);
}
