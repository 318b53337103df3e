/* The guest kit's netif ABI (frontend-drivers/netfront/netif_abi.h) against Xen's own io/netif.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <xen/io/netif.h>
#include "netif_abi.h"

#define SAME(ours, xens, field) assert_int_equal(offsetof(ours, field), offsetof(xens, field))

static void test_layouts(void **state)
{
	assert_int_equal(sizeof(struct nf_tx_req), sizeof(netif_tx_request_t));
	SAME(struct nf_tx_req, netif_tx_request_t, gref);
	SAME(struct nf_tx_req, netif_tx_request_t, offset);
	SAME(struct nf_tx_req, netif_tx_request_t, flags);
	SAME(struct nf_tx_req, netif_tx_request_t, id);
	SAME(struct nf_tx_req, netif_tx_request_t, size);
	SAME(struct nf_tx_rsp, netif_tx_response_t, status);
	assert_int_equal(sizeof(struct nf_rx_req), sizeof(netif_rx_request_t));
	SAME(struct nf_rx_req, netif_rx_request_t, gref);
	assert_int_equal(sizeof(struct nf_rx_rsp), sizeof(netif_rx_response_t));
	SAME(struct nf_rx_rsp, netif_rx_response_t, offset);
	SAME(struct nf_rx_rsp, netif_rx_response_t, flags);
	SAME(struct nf_rx_rsp, netif_rx_response_t, status);
	assert_int_equal(sizeof(struct nf_extra), sizeof(struct netif_extra_info));
	SAME(struct nf_extra, struct netif_extra_info, flags);
	SAME(struct nf_extra, struct netif_extra_info, u.gso.size);
	SAME(struct nf_extra, struct netif_extra_info, u.gso.type);
	SAME(struct nf_extra, struct netif_extra_info, u.gso.features);
	SAME(struct nf_extra, struct netif_extra_info, u.mcast.addr);
	SAME(struct nf_tx_sring, struct netif_tx_sring, rsp_prod);
	SAME(struct nf_tx_sring, struct netif_tx_sring, rsp_event);
	SAME(struct nf_tx_sring, struct netif_tx_sring, ring);
	SAME(struct nf_rx_sring, struct netif_rx_sring, ring);
	assert_int_equal(sizeof(union nf_tx_slot), sizeof(union netif_tx_sring_entry));
	assert_int_equal(sizeof(union nf_rx_slot), sizeof(union netif_rx_sring_entry));
	assert_int_equal(NF_RING_SIZE, __CONST_RING_SIZE(netif_tx, 4096));
	assert_int_equal(NF_RING_SIZE, __CONST_RING_SIZE(netif_rx, 4096));
	assert_int_equal(NF_TXF_MORE_DATA, NETTXF_more_data);
	assert_int_equal(NF_TXF_EXTRA_INFO, NETTXF_extra_info);
	assert_int_equal(NF_TXF_CSUM_BLANK, NETTXF_csum_blank);
	assert_int_equal(NF_RXF_MORE_DATA, NETRXF_more_data);
	assert_int_equal(NF_RXF_EXTRA_INFO, NETRXF_extra_info);
	assert_int_equal(NF_EXTRA_GSO, XEN_NETIF_EXTRA_TYPE_GSO);
	assert_int_equal(NF_EXTRA_MCAST_ADD, XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
	assert_int_equal(NF_NR_SLOTS_MIN, XEN_NETIF_NR_SLOTS_MIN);
	assert_int_equal(NF_RSP_NULL, NETIF_RSP_NULL);
	assert_int_equal(NF_RSP_ERROR, NETIF_RSP_ERROR);
	assert_int_equal(NF_RSP_DROPPED, NETIF_RSP_DROPPED);
	assert_int_equal(NF_MAX_TX_SIZE, XEN_NETIF_MAX_TX_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
