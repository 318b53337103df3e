/*
 * netfront: keel's guest-kit net frontend against dom0's net backend. It runs as a domU that
 * keelctl creates with one or two vifs on xenbr0 (dom0 is 10.0.0.1 there).
 * mode=integrity (the default): vif 0 answers ARP and pings from dom0, pings dom0 with every
 * payload size class, sends a verified UDP stream up to dom0's keel-netpeer and receives one
 * down from it, every datagram checked (stream.c); then "netfront: PASS ..." lines and the
 * stream CRC-32s for dom0 to compare with keel-netpeer's.
 * mode=hostile: every case of the net checklist on vif 0 (hostile*.c), each judged (dropped,
 * device failed with state 5 and an error node, or still serving), with vif 1 (if any) pinging
 * dom0 after each one as the witness; vif 0 must serve again after each reconnect.
 * Command line: ip=10.0.0.N (vif 0; vif 1 gets N+100), peer=10.0.0.1, seed=N, count=N
 * (datagrams per stream, default 2000), pings=N (default 20), linger=N seconds to keep
 * answering dom0's pings at the end (default 0).
 * Lines: "netfront: PASS <case>: ...", "netfront: FAIL ...", and the one
 * "guest: PASS netfront" or "guest: FAIL netfront (N failures)".
 */
#include "guest.h"
#include "grefs.h"
#include "hostile.h"
#include "net.h"
#include "stream.h"
#include "xenstore.h"

#define GNT_FRAMES 4	/* 2048 refs */
#define SEC 1000000000ULL

static u8 gnt_pages[GNT_FRAMES][4096] __aligned(4096);
static struct netfront_pages pages[2];
static struct netfront vifs[2];
static struct net nets[2];
static struct stream_ends ends;

static void report(struct net *n)
{
	struct netfront_stats *s = &n->nf->st;

	printf("netfront: %s: tx %u packets %lu bytes (%u slots, %u errors), rx %u packets "
	       "%lu bytes (%u slots, %u dropped), notifies %u, bad responses %u, busy grants %u; "
	       "arp answered %u, echo answered %u, bad checksums %u\n",
	       n->name, s->tx_packets, (unsigned long)s->tx_bytes, s->tx_slots, s->tx_errors,
	       s->rx_packets, (unsigned long)s->rx_bytes, s->rx_slots, s->rx_bad, s->notifies,
	       s->bad_responses, s->busy_grants, n->arp_answered, n->echo_answered,
	       n->rx_bad_csum);
}

static bool connect_vif(unsigned int i, u32 handle, u32 ip, u32 peer)
{
	struct netfront *nf = &vifs[i];
	int rc;

	rc = netfront_probe(nf, &pages[i], handle);
	if (!CHECK(!rc, "vif %u: probe: %d", handle, rc))
		return false;
	rc = netfront_connect(nf, NULL);
	if (!CHECK(!rc, "vif %u: connect: %d", handle, rc))
		return false;
	net_init(&nets[i], nf, i ? "vif1" : "vif0", ip, peer);
	printf("netfront: vif %u: mac %02x:%02x:%02x:%02x:%02x:%02x, backend %s (d%u), sg %d, "
	       "ip %u.%u.%u.%u\n", handle, nf->mac[0], nf->mac[1], nf->mac[2], nf->mac[3],
	       nf->mac[4], nf->mac[5], nf->be, nf->be_id, nf->be_sg, ip >> 24, (ip >> 16) & 255,
	       (ip >> 8) & 255, ip & 255);
	return true;
}

static void pings(struct net *n, u32 count)
{
	static const u32 sizes[] = { 0, 1, 56, 500, 1000, 1472 };
	u32 ok = 0;

	for (u32 i = 0; i < count; i++)
		ok += net_ping(n, i + 1, sizes[i % ARRAY_SIZE(sizes)], 2 * SEC);
	/* The bridge may lose one: most must come back, every reply intact. */
	if (CHECK(ok * 10 >= count * 9 && !n->rx_bad_echo,
		  "netfront: FAIL ping: %u of %u replies, %u damaged", ok, count, n->rx_bad_echo))
		printf("netfront: PASS ping: %u of %u echo replies from the peer, payloads "
		       "0..1472 bytes, all intact\n", ok, count);
}

static void integrity(u32 seed, u32 count, u32 npings)
{
	struct net *n = &nets[0];
	bool ok;

	if (!CHECK(net_resolve(n, 30 * SEC), "netfront: FAIL arp: the peer never answered"))
		return;
	printf("netfront: PASS arp: peer %02x:%02x:%02x:%02x:%02x:%02x\n", n->peer_mac[0],
	       n->peer_mac[1], n->peer_mac[2], n->peer_mac[3], n->peer_mac[4], n->peer_mac[5]);
	pings(n, npings);
	ok = stream_send(n, &ends, seed, count, 300 * SEC);
	if (CHECK(ok && !ends.tx.bad_acks, "netfront: FAIL stream-up: %u of %u acked, %u bad acks",
		  ends.tx.acked, count, ends.tx.bad_acks))
		printf("netfront: PASS stream-up: stream %u, %u datagrams acked (%u resent), "
		       "crc32 %08x\n", seed, count, ends.tx.resent, ends.tx.crc);
	ok = stream_receive(n, &ends, seed + 1, count, 300 * SEC);
	if (CHECK(ok && !ends.rx.bad, "netfront: FAIL stream-down: %u of %u, %u damaged",
		  ends.rx.next, count, ends.rx.bad))
		printf("netfront: PASS stream-down: stream %u, %u datagrams %u bytes, every one "
		       "verified, crc32 %08x\n", seed + 1, count, ends.rx.bytes, ends.rx.crc);
	CHECK(!n->rx_bad_csum, "netfront: FAIL checksums: %u bad IP/UDP/ICMP checksums",
	      n->rx_bad_csum);
	CHECK(!n->nf->st.bad_responses && !n->nf->st.busy_grants,
	      "netfront: FAIL responses: %u bad, %u busy grants", n->nf->st.bad_responses,
	      n->nf->st.busy_grants);
}

int guest_main(const char *cmdline)
{
	u32 seed = 1, count = 2000, npings = 20, linger = 0, handles[4];
	u32 ip = net_ip(10, 0, 0, 2), peer = net_ip(10, 0, 0, 1);
	bool hostile = false;
	char val[32];
	int n;

	cmdline_uint(cmdline, "seed", &seed);
	cmdline_uint(cmdline, "count", &count);
	cmdline_uint(cmdline, "pings", &npings);
	cmdline_uint(cmdline, "linger", &linger);
	if (cmdline_param(cmdline, "ip", val, sizeof(val)))
		ip = net_parse_ip(val);
	if (cmdline_param(cmdline, "peer", val, sizeof(val)))
		peer = net_parse_ip(val);
	if (cmdline_param(cmdline, "mode", val, sizeof(val)))
		hostile = !strcmp(val, "hostile");
	if (!CHECK(ip && peer, "bad ip= or peer=") ||
	    !CHECK(!events_init(), "no events") ||
	    !CHECK(!gnttab_init((uptr)gnt_pages, GNT_FRAMES), "no grant table") ||
	    !CHECK(!xs_init(), "no xenstore ring"))
		return test_result("netfront");
	/* Refs 0..7 are the toolstack's, as in Xen; the hostile cases keep the top ones back. */
	grefs_init(8, H_UNGRANTED_FIRST - 8);

	n = netfront_list(handles, ARRAY_SIZE(handles));
	printf("netfront: %d vif(s) under device/vif, mode %s\n", n,
	       hostile ? "hostile" : "integrity");
	if (!CHECK(n >= 1, "want a vif, found %d", n) || !connect_vif(0, handles[0], ip, peer))
		return test_result("netfront");
	if (n >= 2)
		connect_vif(1, handles[1], ip + 100, peer);

	if (hostile)
		hostile_run(&nets[0], n >= 2 ? &nets[1] : NULL);
	else
		integrity(seed, count, npings);

	/* Keep answering dom0 (its pings, a lost last ack) for a while. */
	for (u64 end = pvclock_ns() + linger * SEC; pvclock_ns() < end;)
		net_poll(&nets[0], 100000000ULL);
	for (int i = 0; i < MIN(n, 2); i++) {
		if (!vifs[i].connected)
			continue;
		report(&nets[i]);
		CHECK(!netfront_close(&vifs[i]), "vif %u: close failed", vifs[i].handle);
	}
	printf("netfront: xenstore watch events %u (%u dropped), grants free %u\n",
	       xs_events_seen(), xs_events_lost(), grefs_free());
	return test_result("netfront");
}
