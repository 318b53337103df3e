/*
 * The guest kit's net frontend (frontend-drivers/netfront) and the netfront guest's stack,
 * streams and hostile cases (tests/guests/netfront) against keel-netback's real core, in
 * process: nbw_world.c puts the frontend's grants, event channels and xenstore on nb_fake.c,
 * and bridges the backend's TAP devices to each other and to dom0's simulated host.
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
#include "nbw_world.h"
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
	nbw_setup(2);
	grefs_init(8, H_UNGRANTED_FIRST - 8);
	return 0;
}

static int teardown(void **state)
{
	nbw_teardown();
	return 0;
}

static void connect_vif(unsigned int i)
{
	assert_int_equal(netfront_probe(&vifs[i], &pages[i], i), 0);
	assert_int_equal(netfront_connect(&vifs[i], NULL), 0);
	net_init(&nets[i], &vifs[i], i ? "vif1" : "vif0", net_ip(10, 0, 0, 2 + 100 * i), NFH_IP);
}

static void test_handshake(void **state)
{
	u32 free = grefs_free();

	connect_vif(0);
	assert_string_equal(nbw_read("/local/domain/0/backend/qnic/5/0/state"), "4");
	assert_true(vifs[0].be_sg);
	assert_int_equal(nbw_maps(), 2);
	assert_int_equal(nbw_ports(), 1);
	assert_int_equal(netfront_close(&vifs[0]), 0);
	assert_string_equal(nbw_read("/local/domain/0/backend/qnic/5/0/state"), "6");
	assert_int_equal(nbw_maps(), 0);
	assert_int_equal(nbw_ports(), 0);
	assert_int_equal(grefs_free(), free);
	assert_int_equal(vifs[0].st.busy_grants, 0);
	/* And again, from Closed. */
	assert_int_equal(netfront_set_state(&vifs[0], 1), 0);
	assert_int_equal(netfront_connect(&vifs[0], NULL), 0);
	assert_int_equal(netfront_close(&vifs[0]), 0);
}

static void test_integrity(void **state)
{
	u32 count = 300;

	connect_vif(0);
	assert_true(net_resolve(&nets[0], 5 * SEC));
	for (u32 i = 0; i < 12; i++)
		assert_true(net_ping(&nets[0], i + 1, (u32[]){ 0, 1, 56, 500, 1000, 1472 }[i % 6],
				     2 * SEC));
	assert_int_equal(nets[0].rx_bad_echo, 0);
	assert_true(stream_send(&nets[0], &ends, 91, count, 60 * SEC));
	assert_int_equal(ends.tx.crc, peer_stream_crc(91, count));
	assert_int_equal(nfh_peer_damaged(), 0);
	assert_true(stream_receive(&nets[0], &ends, 92, count, 60 * SEC));
	assert_int_equal(ends.rx.bad, 0);
	assert_int_equal(ends.rx.crc, peer_stream_crc(92, count));
	assert_int_equal(nets[0].rx_bad_csum, 0);
	assert_int_equal(nfh.bad_csum, 0);
	assert_true(vifs[0].st.tx_slots > vifs[0].st.tx_packets);
	assert_int_equal(vifs[0].st.bad_responses, 0);
	assert_int_equal(vifs[0].st.busy_grants, 0);
	netfront_tx_reap(&vifs[0]);
	assert_int_equal(vifs[0].tx_nfree, NETFRONT_IDS);
	assert_int_equal(netfront_close(&vifs[0]), 0);
	assert_int_equal(test_failures, 0);
}

static void test_hostile(void **state)
{
	connect_vif(0);
	connect_vif(1);
	hostile_run(&nets[0], &nets[1]);
	assert_int_equal(test_failures, 0);
	/* vif 0 deleted its directory: only vif 1's rings are still mapped. */
	assert_int_equal(nbw_maps(), 2);
	assert_int_equal(netfront_close(&vifs[1]), 0);
	assert_int_equal(nbw_maps(), 0);
	assert_int_equal(nbw_ports(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
