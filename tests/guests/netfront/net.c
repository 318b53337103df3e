/* The netfront guest's Ethernet, ARP, IPv4, ICMP echo and UDP, every received header checked. */
#include "guest.h"
#include "net.h"

#define ARP_HLEN 28
#define IP_HLEN 20
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define PING_ID 0x6b6e		/* "kn" */

static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static u8 frame[2048];

static u16 be16(const u8 *p)
{
	return p[0] << 8 | p[1];
}

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

u16 net_csum(const void *data, u32 len, u32 sum)
{
	const u8 *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += be16(p);
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

u32 net_ip(u8 a, u8 b, u8 c, u8 d)
{
	return (u32)a << 24 | b << 16 | c << 8 | d;
}

u32 net_parse_ip(const char *s)
{
	u32 ip = 0;

	for (int i = 0; i < 4; i++) {
		u32 v = 0;
		int digits = 0;

		for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			v = v * 10 + (*s - '0');
		if (!digits || v > 255 || *s != (i == 3 ? '\0' : '.'))
			return 0;
		ip = ip << 8 | v;
		s++;
	}
	return ip;
}

void net_init(struct net *n, struct netfront *nf, const char *name, u32 ip, u32 peer_ip)
{
	memset(n, 0, sizeof(*n));
	n->nf = nf;
	n->name = name;
	n->ip = ip;
	n->peer_ip = peer_ip;
}

int net_send(struct net *n, const void *f, u32 len)
{
	u64 end = pvclock_ns() + 5000000000ULL;
	int rc;

	for (;;) {
		rc = netfront_send(n->nf, f, len, 0, n->first_off, NULL);
		if (rc != -ENOSPC || pvclock_ns() >= end)
			break;
		/* Only TX answers: RX input could send, and frame is in use. */
		netfront_wait(n->nf, 10000000ULL);
		if (netfront_tx_reap(n->nf) < 0)
			break;
	}
	if (rc)
		n->tx_fail++;
	return rc;
}

static void eth_header(struct net *n, u8 *f, const u8 *dst, u16 type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, n->nf->mac, 6);
	put16(f + 12, type);
}

static int arp_send(struct net *n, u16 op, const u8 *tha, u32 tip)
{
	u8 *a = frame + ETH_HLEN;

	eth_header(n, frame, op == 1 ? bcast : tha, ETH_P_ARP);
	put16(a, 1);			/* Ethernet */
	put16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, n->nf->mac, 6);
	put32(a + 14, n->ip);
	memcpy(a + 18, op == 1 ? (const u8 *)"\0\0\0\0\0\0" : tha, 6);
	put32(a + 24, tip);
	/* Padded to the Ethernet minimum. */
	memset(frame + ETH_HLEN + ARP_HLEN, 0, 60 - ETH_HLEN - ARP_HLEN);
	return net_send(n, frame, 60);
}

static void arp_input(struct net *n, const u8 *a, u32 len)
{
	u32 sip, tip;
	u16 op;

	if (len < ARP_HLEN || be16(a) != 1 || be16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4) {
		n->rx_ignored++;
		return;
	}
	op = be16(a + 6);
	sip = be32(a + 14);
	tip = be32(a + 24);
	if (sip == n->peer_ip && (op == 1 || op == 2)) {
		memcpy(n->peer_mac, a + 8, 6);
		n->peer_known = true;
	}
	if (op == 1 && tip == n->ip) {
		n->arp_answered++;
		arp_send(n, 2, a + 8, sip);
	}
}

/* An IPv4 header of @plen payload bytes to @dst (its MAC: the peer's). */
static u8 *ip_header(struct net *n, u8 proto, u32 dst, u32 plen)
{
	u8 *ip = frame + ETH_HLEN;

	eth_header(n, frame, n->peer_mac, ETH_P_IP);
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, IP_HLEN + plen);
	put16(ip + 4, n->ip_id++);
	put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, n->ip);
	put32(ip + 16, dst);
	put16(ip + 10, net_csum(ip, IP_HLEN, 0));
	return ip + IP_HLEN;
}

/* The echo payload: byte i of echo @seq. */
static u8 echo_byte(u16 seq, u32 i)
{
	return (u8)(seq * 31 + i * 7 + (i >> 8));
}

static void icmp_input(struct net *n, u32 src, const u8 *ic, u32 len)
{
	if (len < 8 || (!(n->rx_flags & NF_RXF_CSUM_BLANK) && net_csum(ic, len, 0))) {
		n->rx_bad_csum++;
		return;
	}
	if (ic[0] == ICMP_ECHO_REQUEST) {
		u8 *out = ip_header(n, 1, src, len);

		/* The peer's MAC is known: its request came through ARP first, or we asked. */
		memcpy(out, ic, len);
		out[0] = ICMP_ECHO_REPLY;
		put16(out + 2, 0);
		put16(out + 2, net_csum(out, len, 0));
		n->echo_answered++;
		net_send(n, frame, ETH_HLEN + IP_HLEN + len);
	} else if (ic[0] == ICMP_ECHO_REPLY && be16(ic + 4) == PING_ID) {
		u16 seq = be16(ic + 6);

		for (u32 i = 8; i < len; i++)
			if (ic[i] != echo_byte(seq, i - 8)) {
				n->rx_bad_echo++;
				return;
			}
		n->echo_replies++;
		n->last_echo_seq = seq;
	}
}

static void udp_input(struct net *n, const u8 *ip, const u8 *u, u32 len)
{
	u32 ulen, sum;

	if (len < 8 || (ulen = be16(u + 4)) < 8 || ulen > len) {
		n->rx_bad_csum++;
		return;
	}
	/* csum_blank: the L4 sum is partial (the payload's own CRC still checks the data). */
	if (be16(u + 6) && !(n->rx_flags & NF_RXF_CSUM_BLANK)) {
		/* Pseudo-header: addresses, protocol, length. */
		sum = be16(ip + 12) + be16(ip + 14) + be16(ip + 16) + be16(ip + 18) + 17 + ulen;
		if (net_csum(u, ulen, sum)) {
			n->rx_bad_csum++;
			return;
		}
	}
	if (n->udp_rx)
		n->udp_rx(n, be32(ip + 12), be16(u), be16(u + 2), u + 8, ulen - 8);
}

static void ip_input(struct net *n, const u8 *ip, u32 len)
{
	u32 ihl, tot;

	if (len < IP_HLEN || (ip[0] >> 4) != 4 || (ihl = (ip[0] & 15) * 4) < IP_HLEN ||
	    ihl > len || (tot = be16(ip + 2)) < ihl || tot > len) {
		n->rx_ignored++;
		return;
	}
	if (net_csum(ip, ihl, 0)) {
		n->rx_bad_csum++;
		return;
	}
	if (be32(ip + 16) != n->ip || (be16(ip + 6) & 0x3fff)) {
		n->rx_ignored++;	/* not ours, or a fragment */
		return;
	}
	if (ip[9] == 1)
		icmp_input(n, be32(ip + 12), ip + ihl, tot - ihl);
	else if (ip[9] == 17)
		udp_input(n, ip, ip + ihl, tot - ihl);
	else
		n->rx_ignored++;
}

void net_input(struct net *n, const u8 *f, u32 len)
{
	u16 type;

	n->rx_frames++;
	if (len < ETH_HLEN)
		return;
	if (memcmp(f, n->nf->mac, 6) && memcmp(f, bcast, 6)) {
		n->rx_ignored++;
		return;
	}
	type = be16(f + 12);
	if (type == ETH_P_ARP)
		arp_input(n, f + ETH_HLEN, len - ETH_HLEN);
	else if (type == ETH_P_IP)
		ip_input(n, f + ETH_HLEN, len - ETH_HLEN);
	else
		n->rx_ignored++;
}

void net_poll(struct net *n, u64 timeout_ns)
{
	static u8 buf[NETFRONT_MAX_FRAME];
	u32 len;
	int rc;

	if (!netfront_wait(n->nf, timeout_ns))
		return;
	netfront_tx_reap(n->nf);
	while ((rc = netfront_rx_get(n->nf, buf, sizeof(buf), &len, &n->rx_flags)) != -EAGAIN) {
		if (rc == -EIO)
			break;
		if (rc)
			n->rx_drop++;
		else
			net_input(n, buf, len);
	}
	netfront_tx_reap(n->nf);
}

bool net_resolve(struct net *n, u64 timeout_ns)
{
	u64 end = pvclock_ns() + timeout_ns;

	while (!n->peer_known && pvclock_ns() < end) {
		u64 next = pvclock_ns() + 200000000ULL;

		n->arp_asked++;
		arp_send(n, 1, bcast, n->peer_ip);
		while (!n->peer_known && pvclock_ns() < next && !n->nf->broken)
			net_poll(n, 50000000ULL);
	}
	return n->peer_known;
}

bool net_ping(struct net *n, u16 seq, u32 payload, u64 timeout_ns)
{
	u64 end = pvclock_ns() + timeout_ns;
	u32 before = n->echo_replies;
	u8 *ic;

	if (payload > NET_MTU - IP_HLEN - 8 || !net_resolve(n, timeout_ns))
		return false;
	ic = ip_header(n, 1, n->peer_ip, 8 + payload);
	ic[0] = ICMP_ECHO_REQUEST;
	ic[1] = 0;
	put16(ic + 2, 0);
	put16(ic + 4, PING_ID);
	put16(ic + 6, seq);
	for (u32 i = 0; i < payload; i++)
		ic[8 + i] = echo_byte(seq, i);
	put16(ic + 2, net_csum(ic, 8 + payload, 0));
	if (net_send(n, frame, ETH_HLEN + IP_HLEN + 8 + payload))
		return false;
	while (pvclock_ns() < end && !n->nf->broken) {
		if (n->echo_replies != before && n->last_echo_seq == seq)
			return true;
		net_poll(n, 50000000ULL);
	}
	return n->echo_replies != before && n->last_echo_seq == seq;
}

int net_udp_send(struct net *n, u16 sport, u16 dport, const void *data, u32 len)
{
	u8 *u, *ip;
	u32 sum;

	if (len > NET_UDP_MAX)
		return -EINVAL;
	u = ip_header(n, 17, n->peer_ip, 8 + len);
	ip = u - IP_HLEN;
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, 8 + len);
	put16(u + 6, 0);
	memcpy(u + 8, data, len);
	sum = be16(ip + 12) + be16(ip + 14) + be16(ip + 16) + be16(ip + 18) + 17 + 8 + len;
	put16(u + 6, net_csum(u, 8 + len, sum) ?: 0xffff);
	return net_send(n, frame, ETH_HLEN + IP_HLEN + 8 + len);
}
