/* The backend's side of a blkif shared ring: the ring.h macros' logic, with explicit barriers. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "req.h"
#include "ring.h"

_Static_assert(sizeof(struct bb_sring_hdr) == BB_RING_HDR, "ring header");
_Static_assert(offsetof(struct blkif_sring, ring) == BB_RING_HDR, "ring entries");
_Static_assert(sizeof(union blkif_sring_entry) == 112, "blkif entry");
_Static_assert(sizeof(blkif_response_t) == 16, "blkif response");

#define rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)

static inline uint32_t load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

uint32_t bb_ring_size(uint32_t bytes)
{
	uint32_t n, size = 1;

	if (bytes <= BB_RING_HDR)
		return 0;
	n = (bytes - BB_RING_HDR) / sizeof(union blkif_sring_entry);
	if (!n)
		return 0;
	while (size * 2 <= n)
		size *= 2;
	return size;
}

void bb_ring_attach(struct bb_ring *r, void *sring, unsigned int npages)
{
	r->sring = sring;
	r->entries = (union blkif_sring_entry *)((uint8_t *)sring + BB_RING_HDR);
	r->size = bb_ring_size(npages * BB_PAGE_SIZE);
	r->req_cons = 0;
	r->rsp_prod_pvt = 0;
	r->rsp_prod_pub = 0;
	r->broken = false;
}

int bb_ring_next(struct bb_ring *r, blkif_request_t *req)
{
	uint32_t rp;

	if (r->broken)
		return -EPROTO;
	rp = load32(&r->sring->req_prod);
	rmb();
	/* RING_REQUEST_PROD_OVERFLOW: more requests than slots for their responses. */
	if (rp - r->rsp_prod_pvt > r->size) {
		r->broken = true;
		return -EPROTO;
	}
	if (r->req_cons == rp)
		return 0;
	/* RING_REQUEST_CONS_OVERFLOW: every slot holds a request we have not answered. */
	if (r->req_cons - r->rsp_prod_pvt >= r->size)
		return 0;
	/* RING_COPY_REQUEST: one copy; nothing below reads the shared slot again. */
	memcpy(req, &r->entries[r->req_cons & (r->size - 1)].req, sizeof(*req));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	r->req_cons++;
	return 1;
}

void bb_ring_respond(struct bb_ring *r, uint64_t id, uint8_t op, int16_t status)
{
	union blkif_sring_entry *e = &r->entries[r->rsp_prod_pvt & (r->size - 1)];

	/* The whole 112-byte slot: no stale request bytes are left beside the response. */
	memset(e, 0, sizeof(*e));
	bb_rsp_fill(&e->rsp, id, op, status);
	r->rsp_prod_pvt++;
}

bool bb_ring_push(struct bb_ring *r)
{
	uint32_t old = r->rsp_prod_pub, new = r->rsp_prod_pvt;

	if (old == new)
		return false;
	wmb();
	store32(&r->sring->rsp_prod, new);
	r->rsp_prod_pub = new;
	mb();
	return (uint32_t)(new - load32(&r->sring->rsp_event)) < (uint32_t)(new - old);
}

bool bb_ring_has_requests(struct bb_ring *r)
{
	uint32_t rp = load32(&r->sring->req_prod);
	uint32_t req = rp - r->req_cons;
	uint32_t rsp = r->size - (r->req_cons - r->rsp_prod_pvt);

	return (req < rsp ? req : rsp) != 0;
}

bool bb_ring_final_check(struct bb_ring *r)
{
	if (r->broken)
		return false;
	if (bb_ring_has_requests(r))
		return true;
	store32(&r->sring->req_event, r->req_cons + 1);
	mb();
	return bb_ring_has_requests(r);
}

void bb_ring_no_event(struct bb_ring *r)
{
	store32(&r->sring->req_event, r->req_cons);
	mb();
}
