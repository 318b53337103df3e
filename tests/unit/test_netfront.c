/*
 * The guest kit's net frontend (frontend-drivers/netfront) and the netfront guest's stack,
 * stream and hostile cases (tests/guests/netfront) against a simulated backend, bridge and
 * dom0 host (nf_sim.c) that follow split-drivers.md 4.2/4.3 on Xen's own io/netif.h; the
 * host end of the stream is keel-netpeer's core (tests/netpeer/peer.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <keel/errno.h>
#include "netfront.h"
#include "grefs.h"
#include "hostile.h"
#include "net.h"
#include "stream.h"
#include "test.h"
#include "nf_world.h"
#include "nf_host.h"
#include "peer.h"

#define SEC 1000000000ULL

static struct netfront_pages pages[2] __attribute__((aligned(4096)));
static struct netfront vifs[2];
static struct net nets[2];
static struct stream_ends ends;

static int setup(void **state)
{
	test_failures = 0;
	nfw_init();
	nfs_setup(2);
	grefs_init(8, H_UNGRANTED_FIRST - 8);
	nfw_step();
	return 0;
}

static int teardown(void **state)
{
	nfs_fini();
	nfw_fini();
	return 0;
}

static void connect_vif(unsigned int i, const struct netfront_opts *o)
{
	assert_int_equal(netfront_probe(&vifs[i], &pages[i], i), 0);
	assert_int_equal(netfront_connect(&vifs[i], o), 0);
	net_init(&nets[i], &vifs[i], i ? "vif1" : "vif0", net_ip(10, 0, 0, 2 + 100 * i),
		 NFH_IP);
}

static void test_handshake(void **state)
{
	u32 handles[4];
	u32 free = grefs_free();

	assert_int_equal(netfront_list(handles, 4), 2);
	assert_int_equal(handles[0], 0);
	assert_int_equal(handles[1], 1);
	connect_vif(0, NULL);
	assert_memory_equal(vifs[0].mac, ((u8[]){ 0x00, 0x16, 0x3e, 0, 0, 0 }), 6);
	assert_string_equal(nfw_read("/local/domain/5/device/vif/0/state"), "4");
	assert_string_equal(nfw_read("/local/domain/5/device/vif/0/request-rx-copy"), "1");
	assert_string_equal(nfw_read("/local/domain/5/device/vif/0/feature-rx-notify"), "1");
	assert_string_equal(nfw_read("/local/domain/5/device/vif/0/feature-sg"), "1");
	assert_non_null(nfw_read("/local/domain/5/device/vif/0/tx-ring-ref"));
	assert_non_null(nfw_read("/local/domain/5/device/vif/0/event-channel"));
	assert_int_equal(nfs_be_state(0), 4);
	assert_int_equal(nfw_maps(), 2);
	assert_int_equal(netfront_rx_posted(&vifs[0]), 256);
	assert_true(vifs[0].be_sg);
	assert_int_equal(netfront_close(&vifs[0]), 0);
	assert_int_equal(nfs_be_state(0), 6);
	assert_int_equal(nfw_maps(), 0);
	assert_int_equal(grefs_free(), free);
	/* And again, from Closed. */
	assert_int_equal(netfront_set_state(&vifs[0], 1), 0);
	assert_int_equal(netfront_connect(&vifs[0], NULL), 0);
	assert_int_equal(nfs_be_state(0), 4);
}

static void test_probe_checks(void **state)
{
	struct netfront nf;

	assert_int_equal(netfront_parse_mac("00:16:3e:aa:BB:0f", nf.mac), 0);
	assert_int_equal(nf.mac[4], 0xbb);
	assert_int_not_equal(netfront_parse_mac("00:16:3e:aa:bb", nf.mac), 0);
	assert_int_not_equal(netfront_parse_mac("00:16:3e:aa:bb:0f:", nf.mac), 0);
	assert_int_not_equal(netfront_parse_mac("0:16:3e:aa:bb:0f", nf.mac), 0);
	assert_int_not_equal(netfront_parse_mac("00-16-3e-aa-bb-0f", nf.mac), 0);
	nfw_write("/local/domain/5/device/vif/1/mac", "00:16:3e:zz:00:01");
	assert_int_equal(netfront_probe(&nf, &pages[1], 1), -EINVAL);
	nfw_write("/local/domain/5/device/vif/1/mac", "00:16:3e:00:00:01");
	/* A backend without feature-rx-copy is unusable. */
	nfw_rm("/local/domain/0/backend/qnic/5/1/feature-rx-copy");
	assert_int_equal(netfront_probe(&nf, &pages[1], 1), 0);
	assert_int_equal(netfront_connect(&nf, NULL), -ENODEV);
}

static void test_integrity(void **state)
{
	u32 count = 400;

	connect_vif(0, NULL);
	assert_true(net_resolve(&nets[0], 5 * SEC));
	assert_true(nets[0].peer_known);
	for (u32 i = 0; i < 12; i++)
		assert_true(net_ping(&nets[0], i + 1, (u32[]){ 0, 1, 56, 500, 1000, 1472 }[i % 6],
				     2 * SEC));
	assert_int_equal(nets[0].echo_replies, 12);
	assert_int_equal(nets[0].rx_bad_echo, 0);
	assert_true(stream_send(&nets[0], &ends, 77, count, 60 * SEC));
	assert_int_equal(ends.tx.crc, peer_stream_crc(77, count));
	assert_int_equal(nfh_peer_finished(), 1);
	assert_int_equal(nfh_peer_damaged(), 0);
	assert_true(stream_receive(&nets[0], &ends, 78, count, 60 * SEC));
	assert_int_equal(ends.rx.bad, 0);
	assert_int_equal(ends.rx.crc, peer_stream_crc(78, count));
	assert_int_equal(nets[0].rx_bad_csum, 0);
	assert_int_equal(nfh.bad_csum, 0);
	/* A frame whose first page could not hold its Ethernet header starts a page instead. */
	{
		u32 before = nfs.tx_dropped, slots = vifs[0].st.tx_slots;
		u8 f[100] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

		assert_int_equal(netfront_send(&vifs[0], f, sizeof(f), 0, 4090, NULL), 0);
		assert_int_equal(vifs[0].st.tx_slots, slots + 1);
		assert_int_equal(nfs.tx_dropped, before);
		assert_int_equal(netfront_send(&vifs[0], f, sizeof(f), 0, 4000, NULL), 0);
		assert_int_equal(vifs[0].st.tx_slots, slots + 3);
		assert_int_equal(nfs.tx_dropped, before);
	}
	/* Frames starting late in a page took two slots. */
	assert_true(vifs[0].st.tx_slots > vifs[0].st.tx_packets);
	assert_int_equal(vifs[0].st.bad_responses, 0);
	assert_int_equal(vifs[0].st.busy_grants, 0);
	/* Every TX id came back. */
	netfront_tx_reap(&vifs[0]);
	assert_int_equal(netfront_tx_in_flight(&vifs[0]), 0);
	assert_int_equal(vifs[0].tx_nfree, NETFRONT_IDS);
	assert_int_equal(test_failures, 0);
}

static void test_stream_pattern_agrees(void **state)
{
	u8 buf[1472];

	for (u32 id = 1; id < 2000; id += 97)
		for (u32 seq = 0; seq < 300; seq += 7) {
			u32 len = stream_len(id, seq);

			assert_int_equal(len, peer_stream_len(id, seq));
			assert_true(len >= 1 && len <= NET_UDP_MAX - STREAM_HDR);
			for (u32 i = 0; i < len; i++) {
				buf[i] = stream_byte(id, seq, i);
				assert_int_equal(buf[i], peer_stream_byte(id, seq, i));
			}
			assert_int_equal(crc32_update(0, buf, len), peer_crc32(0, buf, len));
		}
	assert_int_equal(crc32_update(0, "123456789", 9), 0xcbf43926);
}

/* The frontend's own defences against a backend that answers wrong. */
static void test_bad_backend(void **state)
{
	struct netfront *nf = &vifs[0];
	volatile union nf_tx_slot *s;
	u8 buf[2048];
	u32 len;

	connect_vif(0, NULL);
	/* A TX response for an id never sent. */
	nf->tx->ring[0].rsp.id = 77;
	nf->tx->ring[0].rsp.status = 0;
	nf->tx_prod_pvt++;	/* pretend one slot is in flight */
	nf->tx->rsp_prod = 1;
	assert_int_equal(netfront_tx_reap(nf), -EIO);
	assert_true(nf->broken);
	assert_int_equal(netfront_send(nf, buf, 60, 0, 0, NULL), -EIO);
	netfront_drop_rings(nf);
	/* More RX responses than buffers posted. */
	assert_int_equal(netfront_set_state(nf, 6), 0);
	assert_int_equal(netfront_wait_be_state(nf, 1u << 6, 5 * SEC), 6);
	netfront_drop_rings(nf);
	assert_int_equal(netfront_set_state(nf, 1), 0);
	struct netfront_opts o = { .rx_post = 4, .no_refill = true };
	assert_int_equal(netfront_connect(nf, &o), 0);
	nf->rx->rsp_prod = nf->rx_rsp_cons + 5;
	assert_int_equal(netfront_rx_get(nf, buf, sizeof(buf), &len, NULL), -EIO);
	assert_true(nf->broken);
	/* An RX response whose offset + size leaves the page is dropped, not copied. */
	assert_int_equal(netfront_reconnect(nf, &o), 0);
	nf->rx->ring[0].rsp = (struct nf_rx_rsp){ .offset = 4000, .status = 200 };
	nf->rx->rsp_prod = nf->rx_rsp_cons + 1;
	assert_int_equal(netfront_rx_get(nf, buf, sizeof(buf), &len, NULL), -ENODATA);
	assert_false(nf->broken);
	assert_int_equal(nf->st.rx_bad, 1);
	/* more_data on the last published slot: dropped. */
	nf->rx->ring[1].rsp = (struct nf_rx_rsp){ .flags = NF_RXF_MORE_DATA,
							  .status = 100 };
	nf->rx->rsp_prod = nf->rx_rsp_cons + 1;
	assert_int_equal(netfront_rx_get(nf, buf, sizeof(buf), &len, NULL), -ENODATA);
	/* A NULL TX response is skipped without touching any id. */
	assert_int_equal(netfront_reconnect(nf, NULL), 0);
	s = netfront_tx_slot(nf);
	(void)s;
	nf->tx->ring[0].rsp.status = NF_RSP_NULL;
	nf->tx->ring[0].rsp.id = 999;
	nf->tx->rsp_prod = 1;
	assert_int_equal(netfront_tx_reap(nf), 1);
	assert_false(nf->broken);
	assert_int_equal(nf->st.tx_null, 1);
}

static void test_hostile(void **state)
{
	unsigned int fatal;

	connect_vif(0, NULL);
	connect_vif(1, NULL);
	hostile_run(&nets[0], &nets[1]);
	assert_int_equal(test_failures, 0);
	fatal = nfs.fatal;
	/* 13 TX/RX cases and 9 xenbus ones fail the device in the simulated backend. */
	assert_true(fatal >= 20);
	printf("hostile: %u device failures, %u drops, %u NULL responses\n", fatal,
	       nfs.tx_dropped, nfs.tx_null);
	/* vif 0 deleted its directory: only vif 1's rings are still mapped. */
	assert_int_equal(nfw_maps(), 2);
	assert_int_equal(netfront_close(&vifs[1]), 0);
	assert_int_equal(nfw_maps(), 0);
	assert_int_equal(nfs_be_state(0), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_pattern_agrees),
		cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_backend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
