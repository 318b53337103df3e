/* Checksum and segmentation offload between netif flags/extras and virtio_net_hdr (TAP). */
#ifndef NETBACK_OFFLOAD_H
#define NETBACK_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

/* What the frontend said it can take on RX (its fe-directory feature keys). */
struct nb_fe_features {
	bool sg;
	bool gso_tcpv4;
	bool gso_tcpv6;
	bool csum;		/* !feature-no-csum-offload: IPv4 csum_blank on RX */
	bool ipv6_csum;		/* feature-ipv6-csum-offload */
};

/* Where a frame's L3 and L4 headers are, when it is IPv4/IPv6 carrying TCP or UDP. */
struct nb_l4 {
	int ipv;		/* 4 or 6; 0: neither (or unparseable) */
	uint8_t proto;		/* IPPROTO_TCP / IPPROTO_UDP; 0: other */
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t l4_hlen;	/* TCP: doff * 4; UDP: 8 */
};

/* Parses Ethernet (two VLAN tags at most), IPv4 or IPv6 (with extension headers) and TCP/UDP. */
void nb_parse_l4(const uint8_t *frame, size_t len, struct nb_l4 *l4);

/*
 * The virtio_net_hdr for a guest's frame (4.7): NETTXF_csum_blank -> NEEDS_CSUM at the L4
 * checksum, data_validated -> DATA_VALID, GSO -> TCPV4/TCPV6 with hdr_len (the pseudo-header
 * sum is filled in when a GSO frame comes without csum_blank). 0, or -EINVAL: drop the frame.
 */
int nb_tx_vnet_hdr(uint8_t *frame, size_t len, uint16_t netif_flags, bool gso,
		   uint8_t gso_type, uint16_t gso_size, struct virtio_net_hdr *h);

/* What the RX side does with a frame from the TAP. */
struct nb_rx_meta {
	uint16_t flags;		/* NETRXF_csum_blank / NETRXF_data_validated */
	uint8_t gso_type;	/* XEN_NETIF_GSO_TYPE_*: a GSO extra after the first slot */
	uint16_t gso_size;
};

/*
 * Translates the TAP's header for a frontend with @ff (checksums it cannot take are done here,
 * in @frame). 0, or -EINVAL: drop the frame.
 */
int nb_rx_meta(const struct virtio_net_hdr *h, uint8_t *frame, size_t len,
	       const struct nb_fe_features *ff, struct nb_rx_meta *m);

/* TUNSETOFFLOAD flags for what the frontend can take. */
unsigned int nb_tun_offload(const struct nb_fe_features *ff);

#endif
