/* The netfront guest's tiny L2/L3: Ethernet, ARP (answer and ask), IPv4, ICMP echo, UDP. */
#ifndef NETFRONT_GUEST_NET_H
#define NETFRONT_GUEST_NET_H

#include "netfront.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define NET_MTU 1500
#define NET_UDP_MAX (NET_MTU - 20 - 8)

struct net;
typedef void (*net_udp_fn)(struct net *n, u32 src_ip, u16 sport, u16 dport, const u8 *data,
			   u32 len);

struct net {
	struct netfront *nf;
	const char *name;
	u32 ip, peer_ip;		/* host byte order */
	u8 peer_mac[6];
	bool peer_known;
	u16 ip_id;
	u16 first_off;			/* where TX frames start in their first page */
	u16 rx_flags;			/* the frame in hand's first RX slot flags */
	net_udp_fn udp_rx;
	void *udp_arg;
	/* Counters. */
	u32 arp_answered, arp_asked, echo_answered, echo_replies, last_echo_seq;
	u32 rx_frames, rx_ignored, rx_bad_csum, rx_bad_echo, tx_fail;
	u32 rx_drop;			/* packets netfront's rules dropped */
};

u16 net_csum(const void *data, u32 len, u32 sum);
u32 net_ip(u8 a, u8 b, u8 c, u8 d);
/* "a.b.c.d" to an address, 0 when malformed. */
u32 net_parse_ip(const char *s);

void net_init(struct net *n, struct netfront *nf, const char *name, u32 ip, u32 peer_ip);
/* One received frame: answers ARP and echo requests, notes replies, hands UDP on. */
void net_input(struct net *n, const u8 *frame, u32 len);
/* Take everything received and every TX answer, waiting up to @timeout_ns for the first. */
void net_poll(struct net *n, u64 timeout_ns);
/* A frame out (retrying while the ring is full); 0 or an error. */
int net_send(struct net *n, const void *frame, u32 len);

/* Resolve the peer's MAC (ARP requests, up to @timeout_ns). */
bool net_resolve(struct net *n, u64 timeout_ns);
/* Echo request @seq of @payload bytes to the peer; wait for its reply. */
bool net_ping(struct net *n, u16 seq, u32 payload, u64 timeout_ns);
/* A UDP datagram to the peer. */
int net_udp_send(struct net *n, u16 sport, u16 dport, const void *data, u32 len);

#endif
