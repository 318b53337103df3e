/* The backend's side of a vif's TX and RX shared rings: single copies, in-place responses. */
#ifndef NETBACK_RING_H
#define NETBACK_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/netif.h>

#define NB_RING_HDR	64u
#define NB_RING_SIZE	256u	/* both rings of one page: __CONST_RING_SIZE(netif_tx/rx, 4096) */

/* A shared page as the frontend laid it out (SHARED_RING_INIT). */
struct nb_sring_hdr {
	uint32_t req_prod, req_event, rsp_prod, rsp_event;
	uint8_t pad[48];
};

struct nb_ring {
	struct nb_sring_hdr *sring;	/* mapped, NULL when not */
	uint32_t req_cons;		/* private */
	uint32_t rsp_prod_pvt;		/* private */
};

struct nb_tx_ring {
	struct nb_ring r;
	union nb_tx_slot *slots;
};

union nb_rx_slot {
	struct netif_rx_request req;
	struct netif_rx_response rsp;
	struct netif_extra_info extra;
};

struct nb_rx_ring {
	struct nb_ring r;
	union nb_rx_slot *slots;
};

void nb_ring_attach(struct nb_ring *r, void *page);

/* req_prod (read once, then a read barrier). */
uint32_t nb_ring_req_prod(const struct nb_ring *r);

/* Requests produced but not consumed; -1 when req_prod is more than a ring ahead (hostile). */
int nb_ring_unconsumed(const struct nb_ring *r);

/* Publishes responses up to rsp_prod_pvt; true when the frontend asked to be notified. */
bool nb_ring_push(struct nb_ring *r);

/* After a full barrier: has the frontend not yet seen every response (rsp_event <= rsp_prod)? */
bool nb_ring_rsp_unseen(const struct nb_ring *r);

/* Asks for an event when req_prod passes @cons_plus (req_event), then a full barrier. */
void nb_ring_want_event(struct nb_ring *r, uint32_t at);

#endif
