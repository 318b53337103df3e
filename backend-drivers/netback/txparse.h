/* Validation of one guest-transmitted packet's ring slots (split-drivers.md 4.2), pure. */
#ifndef NETBACK_TXPARSE_H
#define NETBACK_TXPARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/netif.h>

#define NB_PAGE_SIZE		4096u
#define NB_ETH_HLEN		14u
/* Follow-on slots Linux netback accepts (XEN_NETBK_LEGACY_SLOTS_MAX) and calls malicious. */
#define NB_TX_LEGACY_SLOTS	XEN_NETIF_NR_SLOTS_MIN
#define NB_TX_FATAL_SLOTS	20u
/* Extra-info slots per packet: one of each type at most. */
#define NB_TX_MAX_EXTRAS	(XEN_NETIF_EXTRA_TYPE_MAX - 1)
/* The most slots one packet can consume (first, extras, follow-ons): what the parser sees. */
#define NB_TX_WINDOW		(1u + NB_TX_MAX_EXTRAS + NB_TX_FATAL_SLOTS)
#define NB_TX_MAX_FRAGS		(1u + NB_TX_LEGACY_SLOTS)

/* A TX ring slot: a request, an extra info (in a request's slot) or a response. */
union nb_tx_slot {
	struct netif_tx_request req;
	struct netif_extra_info extra;
	struct netif_tx_response rsp;
};

enum nb_tx_verdict {
	NB_TX_OK,	/* a frame to deliver: frags, flags, GSO */
	NB_TX_DROP,	/* answered with errors, the vif goes on */
	NB_TX_MCAST,	/* a multicast filter request on a dummy slot: answered OKAY */
	NB_TX_FATAL,	/* the frontend is broken or hostile: disable the vif */
};

struct nb_tx_frag {
	uint32_t gref;
	uint16_t offset;
	uint16_t len;
};

struct nb_tx_pkt {
	enum nb_tx_verdict verdict;
	const char *why;		/* for DROP and FATAL */
	unsigned int nslots;		/* consumed from the ring (not for FATAL) */
	/* One response per consumed slot, in order: the slot's id, or a NULL response. */
	uint16_t rsp_id[NB_TX_WINDOW];
	bool rsp_null[NB_TX_WINDOW];
	unsigned int nfrags;
	struct nb_tx_frag frag[NB_TX_MAX_FRAGS];
	uint16_t flags;			/* the first request's NETTXF_* */
	uint32_t len;			/* the frame's length: the sum of the fragments' */
	bool gso;
	uint8_t gso_type;		/* XEN_NETIF_GSO_TYPE_TCPV4/6 */
	uint16_t gso_size;
};

/*
 * Parses the packet starting at @slots[0]: @slots are private copies (each slot read once from
 * the ring) of the next @avail slots, @avail being everything the frontend produced when that
 * is less than NB_TX_WINDOW: a packet that needs more slots than @avail is FATAL, as in Linux.
 */
void nb_tx_parse(const union nb_tx_slot *slots, unsigned int avail, struct nb_tx_pkt *pkt);

#endif
