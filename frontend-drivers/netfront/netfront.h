/* keel's guest-kit net frontend: xenbus handshake, TX and RX rings, grants, frames in and out. */
#ifndef GUEST_NETFRONT_H
#define GUEST_NETFRONT_H

#include <keel/types.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include "netif_abi.h"

#define NETFRONT_IDS NF_RING_SIZE	/* TX ids and RX buffers per device */
#define NETFRONT_MAX_FRAME NF_MAX_TX_SIZE
#define NETFRONT_XB_TIMEOUT_NS 60000000000ULL
#define NETFRONT_RX_BATCH 19		/* push refills in batches, as netfront */

/* XenbusState (the same numbers as blkfront's). */
enum {
	NF_XB_UNKNOWN, NF_XB_INITIALISING, NF_XB_INITWAIT, NF_XB_INITIALISED,
	NF_XB_CONNECTED, NF_XB_CLOSING, NF_XB_CLOSED,
};

struct netfront_opts {
	bool no_sg;			/* do not write feature-sg=1 */
	bool no_rx_notify;		/* do not write feature-rx-notify=1 */
	bool no_rx_copy;		/* do not write request-rx-copy=1 (hostile) */
	u32 rx_post;			/* RX buffers posted at connect (0: all 256) */
	bool no_refill;			/* never repost consumed RX buffers */
	bool rx_readonly;		/* grant RX buffers read-only (hostile) */
};

/* A device's memory, page aligned, from its user (a guest's .bss): rings, TX pages, RX buffers. */
struct netfront_pages {
	u8 tx_ring[4096];
	u8 rx_ring[4096];
	u8 tx[NETFRONT_IDS][4096];	/* TX id i carries tx[i] */
	u8 rx[NETFRONT_IDS][4096];	/* RX ring index i posts rx[i % 256] */
} __aligned(4096);

struct netfront_stats {
	u32 tx_packets, tx_slots, tx_extras, tx_null, tx_errors;
	u32 rx_packets, rx_slots, rx_extras, rx_errors, rx_bad;
	u64 tx_bytes, rx_bytes;
	u32 notifies, busy_grants, bad_responses;
};

struct netfront {
	struct netfront_pages *pages;
	u32 handle;
	char fe[48];			/* device/vif/<handle> (relative) */
	char be[128];
	domid_t be_id;
	u8 mac[6];
	struct netfront_opts opts;

	/* Backend features. */
	bool be_sg, be_gso4, be_gso6, be_split, be_ipv6_csum;

	/* The rings and their port. */
	grant_ref_t tx_ring_ref, rx_ring_ref;
	evtchn_port_t port;
	volatile struct nf_tx_sring *tx;
	volatile struct nf_rx_sring *rx;
	u32 tx_prod_pvt, tx_rsp_cons;
	u32 rx_prod_pvt, rx_rsp_cons;
	/* TX id i always carries page i; gref while the backend may read it. */
	grant_ref_t tx_gref[NETFRONT_IDS];
	u16 tx_free[NETFRONT_IDS];
	u32 tx_nfree;
	/* RX: the request at ring index i has id i % 256 and page i % 256. */
	grant_ref_t rx_gref[NETFRONT_IDS];
	u32 rx_unposted;		/* consumed, not posted again yet */
	bool connected, broken;

	struct netfront_stats st;
};

/* Handles under device/vif, ascending; how many (at most @max) or an error. */
int netfront_list(u32 *handles, unsigned int max);
/* Read device/vif/@handle's keys (state 1, backend, backend-id, mac); @pages is its memory. */
int netfront_probe(struct netfront *nf, struct netfront_pages *pages, u32 handle);
/* The handshake up to both ends Connected (@o may be NULL). 0, or an error (printed). */
int netfront_connect(struct netfront *nf, const struct netfront_opts *o);
/* Orderly close: 5, backend 5/6, 6, backend 6; then the rings are dropped. */
int netfront_close(struct netfront *nf);
/* After a close or a failed device: Closed, wait for 6, Initialising, connect afresh. */
int netfront_reconnect(struct netfront *nf, const struct netfront_opts *o);
/* Revoke every grant, close the port, forget the rings (no xenbus dance). */
void netfront_drop_rings(struct netfront *nf);

int netfront_set_state(struct netfront *nf, int state);
/* The backend's state (0 when unreadable). */
int netfront_be_state(struct netfront *nf);
/* Wait until the backend's state is in @mask (BIT(state)); returns it or -ETIMEDOUT. */
int netfront_wait_be_state(struct netfront *nf, u32 mask, u64 timeout_ns);
/* The backend's error node for this device into @buf; its length or an error. */
int netfront_be_error(struct netfront *nf, char *buf, u32 size);
/* Parse "aa:bb:cc:dd:ee:ff" strictly (lowercase or uppercase hex): 0 or -EINVAL. */
int netfront_parse_mac(const char *s, u8 mac[6]);

/* ---- TX (netfront_tx.c) ---- */
/*
 * Queue one frame of @len bytes (14..65535): copied into TX pages from
 * @first_off in the first one (so small frames can be made to span two
 * slots; 0 when the first page would not hold the Ethernet header), one
 * slot per page piece, @flags on the first slot, @extra (if
 * not NULL) after it. Pushed and notified. 0, -ENOSPC (no ids or slots:
 * reap first), -EINVAL, or -EIO when the device is broken.
 */
int netfront_send(struct netfront *nf, const void *frame, u32 len, u16 flags,
		  u16 first_off, const struct nf_extra *extra);
/* Take the answered TX slots: revoke and free each id. How many responses, or -EIO. */
int netfront_tx_reap(struct netfront *nf);
/* TX slots pushed and not answered. */
u32 netfront_tx_in_flight(struct netfront *nf);

/* Raw TX for hostile cases: an id with its page granted (read-only or not); -ENOSPC. */
int netfront_tx_id_get(struct netfront *nf, bool readonly, u16 *id, grant_ref_t *gref,
		       u8 **page);
/* The next TX ring slot, zeroed (NULL when full), counted as pushed by the next push. */
volatile union nf_tx_slot *netfront_tx_slot(struct netfront *nf);
/* Publish req_prod (and notify if asked); push_raw publishes @prod as is and notifies. */
void netfront_tx_push(struct netfront *nf);
void netfront_tx_push_raw(struct netfront *nf, u32 prod);

/* ---- RX (netfront_rx.c) ---- */
/* Post up to @n more RX buffers (ring room permitting); how many were posted. */
u32 netfront_rx_post(struct netfront *nf, u32 n);
/*
 * The next received frame into @buf (@size bytes), its length in *@len and
 * the first slot's flags in *@flags. 0, -EAGAIN when none is there,
 * -ENODATA for a packet the rules drop (error status, bad offset, too many
 * slots; its slots are consumed and counted), -EIO once the ring is
 * beyond trust.
 */
int netfront_rx_get(struct netfront *nf, void *buf, u32 size, u32 *len, u16 *flags);
/* RX slots posted and not answered. */
u32 netfront_rx_posted(struct netfront *nf);

/*
 * Sleep until the backend answered something on either ring or @timeout_ns
 * passed (asks for events on both rings first). True if there is work.
 */
bool netfront_wait(struct netfront *nf, u64 timeout_ns);
void netfront_notify(struct netfront *nf);

#endif
