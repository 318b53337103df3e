/* Guest receive: TAP frames placed in their flow's queue's RX ring as netfront expects (4.3). */
#include <errno.h>
#include <string.h>
#include "nb.h"

/* One consumed RX request and what goes in its slot once the data is there. */
struct nb_rx_slotinfo {
	uint32_t idx;			/* ring index: the response goes where the request was */
	uint16_t id;
	uint16_t flags;
	uint16_t len;			/* data slots */
	int seg;			/* the slot's grant copy, -1 for none */
	bool extra;			/* a GSO extra, not data */
	uint8_t gso_type;
	uint16_t gso_size;
	bool fail;			/* the frame's copy failed: status ERROR */
	uint8_t q;			/* the queue whose ring it is in */
	unsigned int frame_first;	/* index of the frame's first slotinfo */
};

struct rx_batch {
	unsigned int nslots, nsegs;
	unsigned int queues;		/* bit mask of the queues with slots in the batch */
	size_t used;
};

_Static_assert(NB_MAX_QUEUES <= 8 * sizeof(unsigned int), "queue mask");

size_t nb_rx_slotinfo_size(void)
{
	return sizeof(struct nb_rx_slotinfo);
}

/* Copies the batch's data into the guest's buffers and writes the responses. */
static void finish(struct nb_vif *vif, struct rx_batch *b)
{
	struct nb_backend *be = vif->be;
	struct xenbe_env *env = &be->env;
	struct nb_rx_slotinfo *si = be->rxinfo;
	/* A request/response frame (one at a time in the TAP): its answer is due. */
	bool copied = true, due = vif->rx_one;
	unsigned int i;

	if (!b->nslots)
		return;
	if (b->nsegs) {
		be->stats.rx_copies++;
		if (env->ops->gnt_copy(env->priv, be->segs, b->nsegs))
			copied = false;
	}
	/* A failed copy fails its whole frame: netfront drops it on the negative status. */
	for (i = 0; i < b->nslots; i++)
		if (si[i].seg >= 0 && (!copied || be->segs[si[i].seg].status != GNTST_okay))
			si[si[i].frame_first].fail = true;
	for (i = 0; i < b->nslots; i++) {
		struct nb_queue *q = &vif->queues[si[i].q];
		union nb_rx_slot *s = &q->rx.slots[si[i].idx & (NB_RING_SIZE - 1)];

		memset(s, 0, sizeof(*s));
		if (si[i].extra) {
			s->extra.type = XEN_NETIF_EXTRA_TYPE_GSO;
			s->extra.u.gso.size = si[i].gso_size;
			s->extra.u.gso.type = si[i].gso_type;
			continue;
		}
		s->rsp.id = si[i].id;
		s->rsp.offset = 0;
		s->rsp.flags = si[i].flags;
		s->rsp.status = si[si[i].frame_first].fail ? NETIF_RSP_ERROR : (int16_t)si[i].len;
	}
	for (i = 0; i < vif->nqueues; i++) {
		struct nb_queue *q = &vif->queues[i];

		if (!(b->queues & (1u << i)))
			continue;
		q->rx.r.rsp_prod_pvt = q->rx.r.req_cons;
		if (nb_ring_push(&q->rx.r)) {
			be->stats.rx_notifies++;
			nb_vif_notify(vif, (uint32_t)q->rx_port, due);
			due = false;
		}
	}
	b->nslots = b->nsegs = b->queues = 0;
	b->used = 0;
}

/*
 * Places the frame @data (@len bytes, offloads in @m) in the ring: true, or false when the
 * frontend has not posted enough buffers (nothing consumed then).
 */
static bool place(struct nb_vif *vif, struct rx_batch *b, unsigned int qi, uint8_t *data,
		  size_t len, const struct nb_rx_meta *m)
{
	struct nb_backend *be = vif->be;
	struct nb_queue *q = &vif->queues[qi];
	unsigned int ndata = (unsigned int)((len + NB_PAGE_SIZE - 1) / NB_PAGE_SIZE);
	unsigned int need = ndata + (m->gso_type ? 1 : 0), i, first = b->nslots;
	size_t off = 0;
	int avail = nb_ring_unconsumed(&q->rx.r);

	if (avail >= 0 && (unsigned int)avail < need) {
		/* Ask for an event when the frontend posts, then look again (4.3 step 3). */
		nb_ring_want_event(&q->rx.r, nb_ring_req_prod(&q->rx.r) + 1);
		avail = nb_ring_unconsumed(&q->rx.r);
	}
	if (avail < 0 || (unsigned int)avail < need)
		return false;
	b->queues |= 1u << qi;
	for (i = 0; i < need; i++) {
		uint32_t idx = q->rx.r.req_cons++;
		struct netif_rx_request req = q->rx.slots[idx & (NB_RING_SIZE - 1)].req;
		struct nb_rx_slotinfo *s = &be->rxinfo[b->nslots++];

		memset(s, 0, sizeof(*s));
		s->idx = idx;
		s->id = req.id;
		s->seg = -1;
		s->q = (uint8_t)qi;
		s->frame_first = first;
		if (i == 1 && m->gso_type) {
			s->extra = true;
			s->gso_type = m->gso_type;
			s->gso_size = m->gso_size;
			/* The grant of the request it consumed stays unused. */
		} else {
			struct ioctl_gntdev_grant_copy_segment *g = &be->segs[b->nsegs];
			size_t chunk = len - off < NB_PAGE_SIZE ? len - off : NB_PAGE_SIZE;

			memset(g, 0, sizeof(*g));
			g->source.virt = data + off;
			g->dest.foreign.ref = req.gref;
			g->dest.foreign.offset = 0;
			g->dest.foreign.domid = vif->domid;
			g->len = (uint16_t)chunk;
			g->flags = GNTCOPY_dest_gref;
			s->seg = (int)b->nsegs++;
			s->len = (uint16_t)chunk;
			off += chunk;
			if (off < len)
				s->flags |= NETRXF_more_data;
		}
		if (i == 0) {
			s->flags |= m->flags;
			if (m->gso_type)
				s->flags |= NETRXF_extra_info;
		}
	}
	vif->rx_packets++;
	be->stats.rx_frames++;
	return true;
}

/*
 * Where in the arena the next frame goes (at or after @used): its data, after the
 * virtio_net_hdr, starts a page, so each slot's copy reads one page of dom0's (gntdev splits
 * a segment at the source's page boundaries: unaligned, a full slot costs two copy ops).
 */
static size_t frame_at(const struct nb_backend *be, size_t used)
{
	uintptr_t data = (uintptr_t)(be->arena + used) + NB_VNET_HLEN;

	data = (data + NB_PAGE_SIZE - 1) & ~(uintptr_t)(NB_PAGE_SIZE - 1);
	return data - NB_VNET_HLEN - (uintptr_t)be->arena;
}

static uint32_t mix(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;	/* FNV-1a */
	return h;
}

/*
 * The queue a frame goes to: a hash of its IPv4/IPv6 addresses and TCP/UDP ports, so one flow
 * keeps one queue and its order (xen-netback's skb_get_hash() choice); anything else queue 0.
 */
static unsigned int flow_queue(const struct nb_vif *vif, const uint8_t *f, size_t len)
{
	size_t l3 = NB_ETH_HLEN, l4;
	uint32_t h = 2166136261u;
	uint16_t type;
	uint8_t proto;

	if (vif->nqueues < 2 || len < NB_ETH_HLEN)
		return 0;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x8100 && len >= NB_ETH_HLEN + 4) {
		type = (uint16_t)(f[16] << 8 | f[17]);
		l3 += 4;
	}
	if (type == 0x0800 && len >= l3 + 20 && (f[l3] >> 4) == 4) {
		l4 = l3 + (size_t)(f[l3] & 15) * 4;
		proto = f[l3 + 9];
		h = mix(h, f + l3 + 12, 8);
		if (f[l3 + 6] & 0x3f || f[l3 + 7])
			proto = 0;	/* a fragment: its ports are not there */
	} else if (type == 0x86dd && len >= l3 + 40) {
		l4 = l3 + 40;
		proto = f[l3 + 6];
		h = mix(h, f + l3 + 8, 32);
	} else {
		return 0;
	}
	if ((proto == 6 || proto == 17) && len >= l4 + 4)
		h = mix(h, f + l4, 4);
	return h % vif->nqueues;
}

/* Checks a frame and works out its offloads: false to drop it. */
static bool prepare(struct nb_vif *vif, uint8_t *frame, size_t n, struct nb_rx_meta *m)
{
	struct virtio_net_hdr h;
	size_t len;

	if (n < NB_VNET_HLEN + NB_ETH_HLEN || n >= NB_FRAME_MAX)
		return false;
	memcpy(&h, frame, sizeof(h));
	len = n - NB_VNET_HLEN;
	if (len > NB_PAGE_SIZE && !vif->ff.sg)
		return false;	/* a frontend without feature-sg takes one slot per frame */
	return nb_rx_meta(&h, frame + NB_VNET_HLEN, len, &vif->ff, m) == 0;
}

/* Frames read from a TAP with no connected frontend (or one that stopped posting): dropped. */
static void drain(struct nb_vif *vif)
{
	struct nb_backend *be = vif->be;
	unsigned int i;

	for (i = 0; i < NB_BUDGET; i++) {
		if (be->tap.ops->read(be->tap.priv, vif->tap, be->arena, NB_FRAME_MAX) < 0)
			return;
		vif->rx_dropped++;
	}
	vif->rx_more = true;
}

static bool stalled(struct nb_vif *vif)
{
	struct nb_backend *be = vif->be;
	uint64_t now = be->now_ms();

	if (!vif->rx_stall_since)
		vif->rx_stall_since = now ? now : 1;
	if (now - vif->rx_stall_since < be->cfg.rx_drain_ms)
		return true;
	/* The guest has not posted buffers for rx_drain_ms: drop until it does (XSA-392). */
	if (!vif->rx_dropping)
		nb_log(be, "d%u/%u: rx stalled, dropping", vif->domid, vif->devid);
	vif->rx_dropping = true;
	vif->rx_pend_len = 0;
	vif->rx_dropped++;
	return false;
}

void nb_rx_run(struct nb_vif *vif)
{
	struct nb_backend *be = vif->be;
	struct rx_batch b = { 0 };
	unsigned int done, qi, reads = 0;
	/*
	 * Request/response traffic leaves one frame at a time in the TAP: after a read that found
	 * one frame and then nothing, read one and leave the read that would find the TAP empty
	 * to epoll (level-triggered: a TAP with more is ready again at the next wake-up, which
	 * then reads them all).
	 */
	bool one = vif->rx_one && vif->rx_cut_turn != be->stats.wakeups;

	vif->rx_more = false;
	if (vif->tap < 0)
		return;
	if (!vif->queues || !vif->queues[0].rx.r.sring) {
		drain(vif);
		return;
	}
	for (done = 0; done < vif->nqueues; done++)
		if (nb_ring_unconsumed(&vif->queues[done].rx.r) < 0) {
			nb_vif_fatal(vif, -EPROTO, "rx: impossible number of requests");
			return;
		}
	for (done = 0; done < NB_BUDGET; done++) {
		struct nb_rx_meta m;
		uint8_t *frame;
		ssize_t n;

		if (vif->rx_pend_len) {
			frame = vif->rx_pend;
			n = (ssize_t)vif->rx_pend_len;
			m = vif->rx_pend_meta;	/* prepared once: its checksum may be done */
		} else {
			size_t at = frame_at(be, b.used);

			if (at > NB_ARENA_SIZE - NB_FRAME_MAX ||
			    b.nslots + XEN_NETIF_NR_SLOTS_MIN > NB_RING_SIZE) {
				finish(vif, &b);
				at = frame_at(be, 0);
			}
			if (one && reads) {
				vif->rx_cut_turn = be->stats.wakeups + 1;
				break;
			}
			frame = be->arena + at;
			n = be->tap.ops->read(be->tap.priv, vif->tap, frame, NB_FRAME_MAX);
			if (n < 0) {
				vif->rx_one = reads == 1;
				break;
			}
			reads++;
			if (!prepare(vif, frame, (size_t)n, &m)) {
				vif->rx_dropped++;
				continue;
			}
			b.used = at + (size_t)n;
		}
		qi = flow_queue(vif, frame + NB_VNET_HLEN, (size_t)n - NB_VNET_HLEN);
		if (place(vif, &b, qi, frame + NB_VNET_HLEN, (size_t)n - NB_VNET_HLEN, &m)) {
			if (frame == vif->rx_pend) {
				/* Its segments point at rx_pend: copy before anything reuses it. */
				finish(vif, &b);
				vif->rx_pend_len = 0;
			}
			vif->rx_stall_since = 0;
			vif->rx_dropping = false;
			continue;
		}
		/* No room: keep the frame (the loop stops polling the TAP) or drop it. */
		if (frame != vif->rx_pend) {
			finish(vif, &b);	/* before rx_pend takes a frame the batch may point at */
			memcpy(vif->rx_pend, frame, (size_t)n);
			vif->rx_pend_len = (size_t)n;
			vif->rx_pend_meta = m;
		}
		if (stalled(vif))
			break;
	}
	if (done == NB_BUDGET) {
		vif->rx_more = true;
		vif->rx_one = false;
	}
	finish(vif, &b);
}
