/* What the net frontend's TX and RX files share: barriers and the pages behind each id. */
#ifndef GUEST_NETFRONT_RING_H
#define GUEST_NETFRONT_RING_H

#include "netfront.h"

#define nf_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define nf_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define nf_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)

/* The page TX id @id of device @nf carries, and RX buffer @id's. */
u8 *netfront_tx_page(struct netfront *nf, u16 id);
u8 *netfront_rx_page(struct netfront *nf, u16 id);

/* RING_PUSH_REQUESTS_AND_CHECK_NOTIFY on either ring's header. */
void netfront_push_check(struct netfront *nf, volatile u32 *req_prod,
			 volatile u32 *req_event, u32 new_prod);

#endif
