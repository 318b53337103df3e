/* The backend's side of a vif's TX and RX shared rings: the ring.h macros, explicit barriers. */
#include <stddef.h>
#include "ring.h"
#include "txparse.h"

_Static_assert(sizeof(struct nb_sring_hdr) == NB_RING_HDR, "ring header");
_Static_assert(offsetof(struct netif_tx_sring, ring) == NB_RING_HDR, "tx entries");
_Static_assert(offsetof(struct netif_rx_sring, ring) == NB_RING_HDR, "rx entries");
_Static_assert(sizeof(union nb_tx_slot) == sizeof(union netif_tx_sring_entry), "tx slot");
_Static_assert(sizeof(union nb_rx_slot) == sizeof(union netif_rx_sring_entry), "rx slot");
_Static_assert(sizeof(union nb_tx_slot) == 12 && sizeof(union nb_rx_slot) == 8, "slot sizes");
_Static_assert(NB_RING_HDR + NB_RING_SIZE * 12 <= 4096 && NB_RING_HDR + 512 * 12 > 4096,
	       "tx ring size");
_Static_assert(NB_RING_HDR + NB_RING_SIZE * 8 <= 4096 && NB_RING_HDR + 512 * 8 > 4096,
	       "rx ring size");

static inline uint32_t load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

void nb_ring_attach(struct nb_ring *r, void *page)
{
	r->sring = page;
	r->req_cons = 0;
	r->rsp_prod_pvt = 0;
}

uint32_t nb_ring_req_prod(const struct nb_ring *r)
{
	uint32_t rp = load32(&r->sring->req_prod);

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return rp;
}

int nb_ring_unconsumed(const struct nb_ring *r)
{
	uint32_t rp = nb_ring_req_prod(r);

	/* RING_REQUEST_PROD_OVERFLOW: more requests than slots for their responses. */
	if (rp - r->rsp_prod_pvt > NB_RING_SIZE || rp - r->req_cons > NB_RING_SIZE)
		return -1;
	return (int)(rp - r->req_cons);
}

bool nb_ring_push(struct nb_ring *r)
{
	uint32_t old = load32(&r->sring->rsp_prod), new = r->rsp_prod_pvt;

	if (old == new)
		return false;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	store32(&r->sring->rsp_prod, new);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return (uint32_t)(new - load32(&r->sring->rsp_event)) < (uint32_t)(new - old);
}

bool nb_ring_rsp_unseen(const struct nb_ring *r)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* The frontend sets rsp_event to rsp_cons + 1 after taking responses: past ours, it has them. */
	return (int32_t)(r->rsp_prod_pvt - load32(&r->sring->rsp_event)) >= 0;
}

void nb_ring_want_event(struct nb_ring *r, uint32_t at)
{
	store32(&r->sring->req_event, at);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
