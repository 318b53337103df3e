/* Checksum and segmentation offload between netif flags/extras and virtio_net_hdr (TAP). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <xen/xen.h>
#include <xen/io/netif.h>
#include "offload.h"

#define ETH_P_IPV4	ETH_P_IP
#define PROTO_TCP	6
#define PROTO_UDP	17
#define IPV6_HLEN	40u
#define IPV6_MAX_EXT	8	/* extension headers walked before giving up */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void nb_parse_l4(const uint8_t *frame, size_t len, struct nb_l4 *l4)
{
	size_t off = 12, l4off;
	uint16_t type;
	uint8_t proto;
	int i;

	memset(l4, 0, sizeof(*l4));
	if (len < 14)
		return;
	type = be16(frame + off);
	for (i = 0; i < 2 && (type == ETH_P_8021Q || type == ETH_P_8021AD); i++) {
		off += 4;
		if (off + 2 > len)
			return;
		type = be16(frame + off);
	}
	off += 2;
	if (type == ETH_P_IPV4) {
		size_t ihl;

		if (off + 20 > len || (frame[off] >> 4) != 4)
			return;
		ihl = (size_t)(frame[off] & 0xf) * 4;
		if (ihl < 20 || off + ihl > len)
			return;
		/* A fragment's L4 header is not where one would look for it. */
		if (be16(frame + off + 6) & 0x3fff)
			return;
		proto = frame[off + 9];
		l4->ipv = 4;
		l4off = off + ihl;
	} else if (type == ETH_P_IPV6) {
		if (off + IPV6_HLEN > len || (frame[off] >> 4) != 6)
			return;
		proto = frame[off + 6];
		l4off = off + IPV6_HLEN;
		for (i = 0; i < IPV6_MAX_EXT; i++) {
			/* Hop-by-hop, routing, destination options; a fragment header stops us. */
			if (proto != 0 && proto != 43 && proto != 60)
				break;
			if (l4off + 8 > len)
				return;
			proto = frame[l4off];
			l4off += ((size_t)frame[l4off + 1] + 1) * 8;
		}
		if (i == IPV6_MAX_EXT)
			return;
		l4->ipv = 6;
	} else {
		return;
	}
	l4->l3_off = (uint16_t)off;
	if (proto == PROTO_TCP) {
		size_t doff;

		if (l4off + 20 > len)
			return;
		doff = (size_t)(frame[l4off + 12] >> 4) * 4;
		if (doff < 20 || l4off + doff > len)
			return;
		l4->l4_hlen = (uint16_t)doff;
	} else if (proto == PROTO_UDP) {
		if (l4off + 8 > len)
			return;
		l4->l4_hlen = 8;
	} else {
		return;
	}
	l4->proto = proto;
	l4->l4_off = (uint16_t)l4off;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += be16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The TCP pseudo-header sum (not complemented) a CHECKSUM_PARTIAL frame carries. */
static void pseudo_header(uint8_t *frame, size_t len, const struct nb_l4 *l4)
{
	uint32_t sum = 0, l4len = (uint32_t)(len - l4->l4_off);
	uint16_t s;
	uint8_t *l3 = frame + l4->l3_off;

	if (l4->ipv == 4)
		sum = sum16(l3 + 12, 8, 0);
	else
		sum = sum16(l3 + 8, 32, 0);
	sum += l4->proto + (l4len & 0xffff) + (l4len >> 16);
	s = fold(sum);
	frame[l4->l4_off + 16] = (uint8_t)(s >> 8);
	frame[l4->l4_off + 17] = (uint8_t)s;
}

int nb_tx_vnet_hdr(uint8_t *frame, size_t len, uint16_t netif_flags, bool gso,
		   uint8_t gso_type, uint16_t gso_size, struct virtio_net_hdr *h)
{
	struct nb_l4 l4;

	memset(h, 0, sizeof(*h));
	if (!(netif_flags & NETTXF_csum_blank) && !gso) {
		if (netif_flags & NETTXF_data_validated)
			h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return 0;
	}
	nb_parse_l4(frame, len, &l4);
	if (!l4.proto)
		return -EINVAL;		/* csum_blank on something we cannot find the L4 of */
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = l4.l4_off;
	h->csum_offset = l4.proto == PROTO_TCP ? 16 : 6;
	if (!gso)
		return 0;
	if (l4.proto != PROTO_TCP || (gso_type == XEN_NETIF_GSO_TYPE_TCPV4 && l4.ipv != 4) ||
	    (gso_type == XEN_NETIF_GSO_TYPE_TCPV6 && l4.ipv != 6))
		return -EINVAL;
	/* Linux netback recomputes the pseudo-header sum when a frontend forgot csum_blank. */
	if (!(netif_flags & NETTXF_csum_blank))
		pseudo_header(frame, len, &l4);
	h->gso_type = gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
			 VIRTIO_NET_HDR_GSO_TCPV6;
	h->gso_size = gso_size;
	h->hdr_len = l4.l4_off + l4.l4_hlen;
	return 0;
}

/* Completes a NEEDS_CSUM frame's checksum: one's complement from csum_start to the end. */
static int software_csum(const struct virtio_net_hdr *h, uint8_t *frame, size_t len)
{
	size_t at = (size_t)h->csum_start + h->csum_offset;
	uint16_t s;

	if (h->csum_start >= len || at + 2 > len)
		return -EINVAL;
	s = (uint16_t)~fold(sum16(frame + h->csum_start, len - h->csum_start, 0));
	frame[at] = (uint8_t)(s >> 8);
	frame[at + 1] = (uint8_t)s;
	return 0;
}

int nb_rx_meta(const struct virtio_net_hdr *h, uint8_t *frame, size_t len,
	       const struct nb_fe_features *ff, struct nb_rx_meta *m)
{
	memset(m, 0, sizeof(*m));
	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		if (h->gso_size == 0 || !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !ff->sg)
			return -EINVAL;
		if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && ff->gso_tcpv4 && ff->csum)
			m->gso_type = XEN_NETIF_GSO_TYPE_TCPV4;
		else if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV6 && ff->gso_tcpv6 && ff->ipv6_csum)
			m->gso_type = XEN_NETIF_GSO_TYPE_TCPV6;
		else
			return -EINVAL;	/* ECN, UDP, or what the frontend did not ask for */
		m->gso_size = h->gso_size;
	}
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		struct nb_l4 l4;
		bool partial_ok;

		nb_parse_l4(frame, len, &l4);
		partial_ok = (l4.ipv == 4 && ff->csum) || (l4.ipv == 6 && ff->ipv6_csum);
		if (partial_ok && l4.proto && l4.l4_off == h->csum_start) {
			m->flags = NETRXF_csum_blank | NETRXF_data_validated;
			return 0;
		}
		if (m->gso_type)
			return -EINVAL;
		if (software_csum(h, frame, len))
			return -EINVAL;
		m->flags = NETRXF_data_validated;
		return 0;
	}
	if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		m->flags = NETRXF_data_validated;
	return 0;
}

unsigned int nb_tun_offload(const struct nb_fe_features *ff)
{
	unsigned int f = 0;

	if (!ff->csum)
		return 0;	/* TUN_F_CSUM covers both IP versions: IPv6 is done here */
	f = TUN_F_CSUM;
	if (ff->sg && ff->gso_tcpv4)
		f |= TUN_F_TSO4;
	if (ff->sg && ff->gso_tcpv6 && ff->ipv6_csum)
		f |= TUN_F_TSO6;
	return f;
}
