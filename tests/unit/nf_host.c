/* dom0's host on a simulated bridge: ARP for 10.0.0.1, echo replies, keel-netpeer's stream core on UDP 7000. */
#include <stdio.h>
#include <string.h>
#include "nf_host.h"
#include "peer.h"

#define MAX_FRAME 65536

const uint8_t nfh_mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0x01 };
struct nfh_stats nfh;
static struct peer peer;
static struct { uint32_t ip; uint8_t mac[6]; } arp[8];
static uint8_t frame[MAX_FRAME];
static void (*out_fn)(const uint8_t *frame, uint32_t len);
static uint64_t now;

static uint16_t be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t csum(const uint8_t *p, uint32_t len, uint32_t sum)
{
	for (; len > 1; len -= 2, p += 2)
		sum += be16(p);
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static const uint8_t *arp_lookup(uint32_t ip)
{
	for (unsigned int i = 0; i < 8; i++)
		if (arp[i].ip == ip)
			return arp[i].mac;
	return NULL;
}

static void arp_learn(uint32_t ip, const uint8_t *mac)
{
	unsigned int i;

	for (i = 0; i < 8 && arp[i].ip && arp[i].ip != ip; i++)
		;
	if (i < 8) {
		arp[i].ip = ip;
		memcpy(arp[i].mac, mac, 6);
	}
}

/* An IPv4 packet from the host to @dst (payload already at frame + 34). */
static void host_ip_send(uint32_t dst, uint8_t proto, uint32_t plen)
{
	static uint16_t id;
	const uint8_t *mac = arp_lookup(dst);
	uint8_t *ip = frame + 14;

	if (!mac)
		return;
	memcpy(frame, mac, 6);
	memcpy(frame + 6, nfh_mac, 6);
	put16(frame + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 20 + plen);
	put16(ip + 4, id++);
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, NFH_IP);
	put32(ip + 16, dst);
	put16(ip + 10, csum(ip, 20, 0));
	out_fn(frame, 14 + 20 + plen);
}

static int peer_send(void *ctx, uint32_t ip, uint16_t port, const void *data, uint32_t len)
{
	uint8_t *u = frame + 34;
	uint32_t sum;

	put16(u, PEER_PORT);
	put16(u + 2, port);
	put16(u + 4, 8 + len);
	put16(u + 6, 0);
	memcpy(u + 8, data, len);
	sum = (NFH_IP >> 16) + (NFH_IP & 0xffff) + (ip >> 16) + (ip & 0xffff) + 17 +
	      8 + len;
	put16(u + 6, csum(u, 8 + len, sum) ?: 0xffff);
	host_ip_send(ip, 17, 8 + len);
	return 0;
}

static void peer_log(void *ctx, const char *line)
{
	printf("keel-netpeer (simulated): %s\n", line);
}

void nfh_input(const uint8_t *f, uint32_t len, uint64_t now_ns)
{
	static uint8_t in[MAX_FRAME];
	const uint8_t *ip = f + 14;
	uint32_t ihl, tot, src;

	now = now_ns;
	if (len < 14 || len > MAX_FRAME)
		return;
	memcpy(in, f, len);
	f = in;
	ip = f + 14;
	if (be16(f + 12) == 0x0806 && len >= 42 && be16(ip + 6) == 1 &&
	    be32(ip + 24) == NFH_IP) {
		arp_learn(be32(ip + 14), ip + 8);
		memcpy(frame, ip + 8, 6);
		memcpy(frame + 6, nfh_mac, 6);
		put16(frame + 12, 0x0806);
		memcpy(frame + 14, ip, 8);
		put16(frame + 20, 2);
		memcpy(frame + 22, nfh_mac, 6);
		put32(frame + 28, NFH_IP);
		memcpy(frame + 32, ip + 8, 10);
		memset(frame + 42, 0, 18);
		nfh.arp++;
		out_fn(frame, 60);
		return;
	}
	if (be16(f + 12) != 0x0800 || len < 34 || (ihl = (ip[0] & 15) * 4) < 20 ||
	    (tot = be16(ip + 2)) > len - 14 || tot < ihl || be32(ip + 16) != NFH_IP)
		return;
	if (csum(ip, ihl, 0)) {
		nfh.bad_csum++;
		return;
	}
	src = be32(ip + 12);
	arp_learn(src, f + 6);
	if (ip[9] == 1 && tot - ihl >= 8 && ip[ihl] == 8) {
		if (csum(ip + ihl, tot - ihl, 0)) {
			nfh.bad_csum++;
			return;
		}
		memcpy(frame + 34, ip + ihl, tot - ihl);
		frame[34] = 0;
		put16(frame + 36, 0);
		put16(frame + 36, csum(frame + 34, tot - ihl, 0));
		nfh.echo++;
		host_ip_send(src, 1, tot - ihl);
	} else if (ip[9] == 17 && tot - ihl >= 8 && be16(ip + ihl + 2) == PEER_PORT) {
		const uint8_t *u = ip + ihl;
		uint32_t ulen = be16(u + 4);
		uint32_t sum = be16(ip + 12) + be16(ip + 14) + be16(ip + 16) + be16(ip + 18) + 17 +
			       ulen;

		if (ulen < 8 || ulen > tot - ihl || (be16(u + 6) && csum(u, ulen, sum))) {
			nfh.bad_csum++;
			return;
		}
		nfh.udp++;
		peer_input(&peer, src, be16(u), u + 8, ulen - 8, now);
	}
}

void nfh_init(void (*out)(const uint8_t *frame, uint32_t len))
{
	memset(&nfh, 0, sizeof(nfh));
	memset(arp, 0, sizeof(arp));
	peer_init(&peer);
	peer.send = peer_send;
	peer.log = peer_log;
	out_fn = out;
}

void nfh_tick(uint64_t now_ns)
{
	now = now_ns;
	peer_tick(&peer, now_ns);
}

unsigned int nfh_peer_finished(void)
{
	return peer.finished;
}

unsigned int nfh_peer_damaged(void)
{
	return peer.damaged;
}
