/* Fuzz harness: keel-netback's TX slot validation and offload translation (txparse.c, offload.c). */
/*
 * Input: a byte choosing how many slots the frontend produced, the slots' bytes, then a frame.
 * Whatever a frontend writes, an accepted packet's fragments must stay inside their pages and
 * add up to its length, every consumed slot gets exactly one response (NULL for extras only),
 * and the virtio_net_hdr built for the frame must point inside it.
 */
#include <assert.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_input.h"
#include "offload.h"
#include "txparse.h"

static uint8_t frame[65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned int avail = fi_u8(&in) % (NB_TX_WINDOW + 4), i, nnull = 0;
	union nb_tx_slot slots[NB_TX_WINDOW + 4];
	struct nb_fe_features ff;
	struct virtio_net_hdr h;
	struct nb_rx_meta m;
	struct nb_tx_pkt pkt;
	uint32_t sum = 0;
	size_t len;

	fi_bytes(&in, slots, sizeof(slots));
	fi_bytes(&in, &h, sizeof(h));
	memset(&ff, 0, sizeof(ff));
	ff.sg = h.flags & 0x10;
	ff.gso_tcpv4 = h.flags & 0x20;
	ff.gso_tcpv6 = h.flags & 0x40;
	ff.csum = h.flags & 0x80;
	ff.ipv6_csum = h.flags & 0x08;
	len = in.left < sizeof(frame) ? in.left : sizeof(frame);
	fi_bytes(&in, frame, len);

	nb_tx_parse(slots, avail, &pkt);
	if (pkt.verdict == NB_TX_FATAL)
		goto rx;
	assert(pkt.nslots >= 1 && pkt.nslots <= avail && pkt.nslots <= NB_TX_WINDOW);
	for (i = 0; i < pkt.nslots; i++)
		nnull += pkt.rsp_null[i];
	assert(!pkt.rsp_null[0] && nnull <= NB_TX_MAX_EXTRAS);
	if (pkt.verdict != NB_TX_OK)
		goto rx;
	assert(pkt.nfrags >= 1 && pkt.nfrags <= NB_TX_MAX_FRAGS);
	assert(pkt.nslots == pkt.nfrags + nnull);
	assert(pkt.frag[0].len >= NB_ETH_HLEN);
	for (i = 0; i < pkt.nfrags; i++) {
		assert(pkt.frag[i].offset + pkt.frag[i].len <= NB_PAGE_SIZE);
		sum += pkt.frag[i].len;
	}
	assert(sum == pkt.len && pkt.len <= 0xffff);
	if (pkt.gso)
		assert(pkt.gso_size && (pkt.gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ||
					pkt.gso_type == XEN_NETIF_GSO_TYPE_TCPV6));
	if (len >= pkt.len) {
		struct virtio_net_hdr t;

		if (nb_tx_vnet_hdr(frame, pkt.len, pkt.flags, pkt.gso, pkt.gso_type,
				   pkt.gso_size, &t) == 0 && (t.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
			assert(t.csum_start + t.csum_offset + 2u <= pkt.len);
			if (t.gso_type)
				assert(t.hdr_len <= pkt.len && t.hdr_len > t.csum_start);
		}
	}
rx:
	/* The same bytes as a frame from the TAP, for a frontend with random features. */
	if (nb_rx_meta(&h, frame, len, &ff, &m) == 0) {
		if (m.flags & NETRXF_csum_blank)
			assert((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && (ff.csum || ff.ipv6_csum));
		if (m.gso_type)
			assert(ff.sg && m.gso_size);
	}
	return 0;
}
