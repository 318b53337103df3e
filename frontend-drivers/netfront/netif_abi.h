/* The netif wire ABI (x86-64 native): TX/RX requests and responses, extra info, flags, the two shared rings. */
#ifndef GUEST_NETIF_ABI_H
#define GUEST_NETIF_ABI_H

#include <keel/types.h>

/* TX request flags. */
#define NF_TXF_CSUM_BLANK 1
#define NF_TXF_DATA_VALIDATED 2
#define NF_TXF_MORE_DATA 4
#define NF_TXF_EXTRA_INFO 8

/* RX response flags. */
#define NF_RXF_DATA_VALIDATED 1
#define NF_RXF_CSUM_BLANK 2
#define NF_RXF_MORE_DATA 4
#define NF_RXF_EXTRA_INFO 8
#define NF_RXF_GSO_PREFIX 16

/* Response statuses. */
#define NF_RSP_DROPPED (-2)
#define NF_RSP_ERROR (-1)
#define NF_RSP_OKAY 0
#define NF_RSP_NULL 1	/* the answer to an extra-info slot */

/* Extra info. */
#define NF_EXTRA_NONE 0
#define NF_EXTRA_GSO 1
#define NF_EXTRA_MCAST_ADD 2
#define NF_EXTRA_MCAST_DEL 3
#define NF_EXTRA_HASH 4
#define NF_EXTRA_FLAG_MORE 1
#define NF_GSO_TCPV4 1
#define NF_GSO_TCPV6 2

#define NF_MAX_TX_SIZE 65535
#define NF_NR_SLOTS_MIN 18	/* follow-on slots a backend must take per packet */
#define NF_RING_SIZE 256	/* entries of a one-page TX or RX ring */

struct nf_tx_req {
	u32 gref;
	u16 offset;
	u16 flags;
	u16 id;
	u16 size;
};

struct nf_tx_rsp {
	u16 id;
	s16 status;
};

struct nf_rx_req {
	u16 id;
	u16 pad;
	u32 gref;
};

struct nf_rx_rsp {
	u16 id;
	u16 offset;
	u16 flags;
	s16 status;
};

struct nf_extra {
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
union nf_tx_slot {
	struct nf_tx_req req;
	struct nf_tx_rsp rsp;
	struct nf_extra extra;
};

/* An RX ring entry (8 bytes); an extra info overlays a response. */
union nf_rx_slot {
	struct nf_rx_req req;
	struct nf_rx_rsp rsp;
	struct nf_extra extra;
};

/* The shared ring header (xen/io/ring.h), then 256 entries. */
struct nf_tx_sring {
	u32 req_prod, req_event, rsp_prod, rsp_event;
	u8 pvt[4];
	u8 pad[44];
	union nf_tx_slot ring[NF_RING_SIZE];
};

struct nf_rx_sring {
	u32 req_prod, req_event, rsp_prod, rsp_event;
	u8 pvt[4];
	u8 pad[44];
	union nf_rx_slot ring[NF_RING_SIZE];
};

_Static_assert(sizeof(union nf_tx_slot) == 12, "netif TX slot");
_Static_assert(sizeof(union nf_rx_slot) == 8, "netif RX slot");
_Static_assert(sizeof(struct nf_tx_sring) <= 4096, "TX ring page");
_Static_assert(sizeof(struct nf_rx_sring) <= 4096, "RX ring page");

#endif
