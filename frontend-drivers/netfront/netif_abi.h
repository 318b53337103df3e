/* The netif wire ABI (x86-64 native): TX/RX requests and responses, extra info, flags, the two shared rings. */
#ifndef GUEST_NETIF_ABI_H
#define GUEST_NETIF_ABI_H

#include <keel/types.h>

/* TX request flags. */
#define NETTXF_CSUM_BLANK 1
#define NETTXF_DATA_VALIDATED 2
#define NETTXF_MORE_DATA 4
#define NETTXF_EXTRA_INFO 8

/* RX response flags. */
#define NETRXF_DATA_VALIDATED 1
#define NETRXF_CSUM_BLANK 2
#define NETRXF_MORE_DATA 4
#define NETRXF_EXTRA_INFO 8
#define NETRXF_GSO_PREFIX 16

/* Response statuses. */
#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR (-1)
#define NETIF_RSP_OKAY 0
#define NETIF_RSP_NULL 1	/* the answer to an extra-info slot */

/* Extra info. */
#define NETIF_EXTRA_NONE 0
#define NETIF_EXTRA_GSO 1
#define NETIF_EXTRA_MCAST_ADD 2
#define NETIF_EXTRA_MCAST_DEL 3
#define NETIF_EXTRA_HASH 4
#define NETIF_EXTRA_FLAG_MORE 1
#define NETIF_GSO_TCPV4 1
#define NETIF_GSO_TCPV6 2

#define NETIF_MAX_TX_SIZE 65535
#define NETIF_NR_SLOTS_MIN 18	/* follow-on slots a backend must take per packet */
#define NETIF_RING_SIZE 256	/* entries of a one-page TX or RX ring */

struct netif_tx_request {
	u32 gref;
	u16 offset;
	u16 flags;
	u16 id;
	u16 size;
};

struct netif_tx_response {
	u16 id;
	s16 status;
};

struct netif_rx_request {
	u16 id;
	u16 pad;
	u32 gref;
};

struct netif_rx_response {
	u16 id;
	u16 offset;
	u16 flags;
	s16 status;
};

struct netif_extra_info {
	u8 type;
	u8 flags;
	union {
		struct {
			u16 size;
			u8 type;
			u8 pad;
			u16 features;
		} gso;
		struct {
			u8 addr[6];
		} mcast;
		u16 pad[3];
	} u;
};

/* A TX ring entry: a request, its response, or an extra info (12 bytes). */
union netif_tx_slot {
	struct netif_tx_request req;
	struct netif_tx_response rsp;
	struct netif_extra_info extra;
};

/* An RX ring entry (8 bytes); an extra info overlays a response. */
union netif_rx_slot {
	struct netif_rx_request req;
	struct netif_rx_response rsp;
	struct netif_extra_info extra;
};

/* The shared ring header (xen/io/ring.h), then 256 entries. */
struct netif_tx_sring {
	u32 req_prod, req_event, rsp_prod, rsp_event;
	u8 pvt[4];
	u8 pad[44];
	union netif_tx_slot ring[NETIF_RING_SIZE];
};

struct netif_rx_sring {
	u32 req_prod, req_event, rsp_prod, rsp_event;
	u8 pvt[4];
	u8 pad[44];
	union netif_rx_slot ring[NETIF_RING_SIZE];
};

_Static_assert(sizeof(union netif_tx_slot) == 12, "netif TX slot");
_Static_assert(sizeof(union netif_rx_slot) == 8, "netif RX slot");
_Static_assert(sizeof(struct netif_tx_sring) <= 4096, "TX ring page");
_Static_assert(sizeof(struct netif_rx_sring) <= 4096, "RX ring page");

#endif
