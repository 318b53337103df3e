/* The verified UDP stream: pattern payloads with CRC-32, go-back-N sending, cumulative acks. */
#include "guest.h"
#include "stream.h"

#define RESEND_NS 200000000ULL

static u8 dgram[NET_UDP_MAX];

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* zlib's CRC-32 (reflected 0xedb88320, complemented). */
u32 crc32_update(u32 crc, const void *buf, u32 len)
{
	const u8 *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

u32 stream_len(u32 id, u32 seq)
{
	/* 1 .. NET_UDP_MAX - STREAM_HDR bytes: small, odd and full-sized datagrams. */
	u32 max = NET_UDP_MAX - STREAM_HDR;
	u32 x = (seq * 2654435761u) ^ (id * 40503u);

	switch (seq % 4) {
	case 0:
		return max;
	case 1:
		return 1 + x % 64;
	default:
		return 1 + x % max;
	}
}

u8 stream_byte(u32 id, u32 seq, u32 i)
{
	u32 x = id * 0x9e3779b9u ^ seq * 0x85ebca6bu ^ i * 0xc2b2ae35u;

	return (u8)(x ^ x >> 13 ^ x >> 24);
}

static void send_ack(struct net *n, struct stream_rx *rx)
{
	u8 a[16];

	put32(a, STREAM_ACK);
	put32(a + 4, rx->id);
	put32(a + 8, rx->next);
	put32(a + 12, rx->bad);
	net_udp_send(n, STREAM_PORT_GUEST, STREAM_PORT_PEER, a, sizeof(a));
}

static void data_input(struct net *n, struct stream_rx *rx, const u8 *d, u32 len)
{
	u32 id = be32(d + 4), seq = be32(d + 8), count = be32(d + 12);
	u32 plen = be32(d + 16) >> 16, crc = be32(d + 20);

	if (id != rx->id || count != rx->count)
		return;
	if (seq >= count || plen != len - STREAM_HDR || plen != stream_len(id, seq) ||
	    crc32_update(0, d + STREAM_HDR, plen) != crc) {
		rx->bad++;
		printf("netfront: stream %u: datagram %u damaged (%u bytes)\n", id, seq, len);
		return;
	}
	for (u32 i = 0; i < plen; i++)
		if (d[STREAM_HDR + i] != stream_byte(id, seq, i)) {
			rx->bad++;
			printf("netfront: stream %u: datagram %u byte %u wrong\n", id, seq, i);
			return;
		}
	if (seq == rx->next) {
		rx->next++;
		rx->bytes += plen;
		rx->crc = crc32_update(rx->crc, d + STREAM_HDR, plen);
		if (rx->next == rx->count)
			rx->done = true;
		if (rx->done || !(rx->next % 8))
			send_ack(n, rx);
	} else {
		/* A gap (a drop before it) or a resent one: tell the sender where we are. */
		rx->dup++;
		send_ack(n, rx);
	}
}

void stream_udp(struct net *n, u32 src_ip, u16 sport, u16 dport, const u8 *d, u32 len)
{
	struct stream_ends *e = n->udp_arg;

	if (!e || src_ip != n->peer_ip || dport != STREAM_PORT_GUEST || len < 16)
		return;
	if (be32(d) == STREAM_DATA && len >= STREAM_HDR) {
		data_input(n, &e->rx, d, len);
	} else if (be32(d) == STREAM_ACK && be32(d + 4) == e->tx.id) {
		u32 next = be32(d + 8);

		e->tx.acks++;
		if (next > e->tx.count || next > e->tx.sent)
			e->tx.bad_acks++;
		else if (next > e->tx.acked)
			e->tx.acked = next;
	}
}

static int send_one(struct net *n, struct stream_tx *tx, u32 seq)
{
	u32 len = stream_len(tx->id, seq);

	put32(dgram, STREAM_DATA);
	put32(dgram + 4, tx->id);
	put32(dgram + 8, seq);
	put32(dgram + 12, tx->count);
	put32(dgram + 16, len << 16);
	for (u32 i = 0; i < len; i++)
		dgram[STREAM_HDR + i] = stream_byte(tx->id, seq, i);
	put32(dgram + 20, crc32_update(0, dgram + STREAM_HDR, len));
	/* Vary where frames start so that some span two TX pages (two slots). */
	n->first_off = n->nf->be_sg ? (seq * 1031) % 4096 : 0;
	return net_udp_send(n, STREAM_PORT_GUEST, STREAM_PORT_PEER, dgram, STREAM_HDR + len);
}

bool stream_send(struct net *n, struct stream_ends *e, u32 id, u32 count, u64 timeout_ns)
{
	struct stream_tx *tx = &e->tx;
	u64 end = pvclock_ns() + timeout_ns, progress = pvclock_ns();
	u32 next = 0, last_acked = 0;

	memset(tx, 0, sizeof(*tx));
	tx->id = id;
	tx->count = count;
	n->udp_arg = e;
	n->udp_rx = stream_udp;
	if (!net_resolve(n, timeout_ns))
		return false;
	while (tx->acked < count && pvclock_ns() < end && !n->nf->broken) {
		while (next < count && next < tx->acked + STREAM_WINDOW) {
			if (send_one(n, tx, next))
				break;
			if (next < tx->sent)
				tx->resent++;
			next++;
			tx->sent = MAX(tx->sent, next);
		}
		net_poll(n, 20000000ULL);
		if (tx->acked != last_acked) {
			last_acked = tx->acked;
			progress = pvclock_ns();
		} else if (pvclock_ns() - progress > RESEND_NS) {
			next = tx->acked;	/* go back */
			progress = pvclock_ns();
		}
	}
	n->first_off = 0;
	if (tx->acked != count)
		return false;
	for (u32 seq = 0; seq < count; seq++) {
		u32 len = stream_len(id, seq);

		for (u32 i = 0; i < len; i++)
			dgram[i] = stream_byte(id, seq, i);
		tx->crc = crc32_update(tx->crc, dgram, len);
	}
	return true;
}

bool stream_receive(struct net *n, struct stream_ends *e, u32 id, u32 count, u64 timeout_ns)
{
	struct stream_rx *rx = &e->rx;
	u64 end = pvclock_ns() + timeout_ns, asked = 0;
	bool first = true;
	u32 last = 0;
	u8 req[16];

	memset(rx, 0, sizeof(*rx));
	rx->id = id;
	rx->count = count;
	n->udp_arg = e;
	n->udp_rx = stream_udp;
	if (!net_resolve(n, timeout_ns))
		return false;
	put32(req, STREAM_REQ);
	put32(req + 4, id);
	put32(req + 8, count);
	put32(req + 12, 0);
	while (!rx->done && pvclock_ns() < end && !n->nf->broken) {
		/* Ask again while nothing arrives (the request itself may be lost). */
		if (!rx->next && (first || pvclock_ns() - asked > 1000000000ULL)) {
			first = false;
			net_udp_send(n, STREAM_PORT_GUEST, STREAM_PORT_PEER, req, sizeof(req));
			asked = pvclock_ns();
		}
		net_poll(n, 50000000ULL);
		if (rx->next != last) {
			last = rx->next;
		} else if (rx->next && pvclock_ns() - asked > RESEND_NS) {
			send_ack(n, rx);	/* the sender may be waiting for one */
			asked = pvclock_ns();
		}
	}
	return rx->done;
}
