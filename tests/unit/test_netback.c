/* keel-netback (backend-drivers/netback) driven by a simulated netfront and TAP: handshake, TX
 * and RX slot rules, offloads, the hostile-frontend checklist (split-drivers.md 7.2), teardown. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_tun.h>
#include "hcopy.h"
#include "host.h"
#include "nb_fake.h"

struct t {
	struct nfake f;
	struct nb_backend be;
	struct nb_config cfg;
	struct nfe fe[2];
};

static struct t *start(struct nb_config *cfg)
{
	struct t *t = calloc(1, sizeof(*t));

	nf_init(&t->f);
	if (cfg)
		t->cfg = *cfg;
	else
		nb_config_defaults(&t->cfg);
	assert_int_equal(nb_backend_init(&t->be, &t->f.env, &t->f.tap, &t->cfg, NULL), 0);
	t->be.now_ms = nf_clock();
	t->f.be = &t->be;
	assert_int_equal(nb_backend_start(&t->be), 0);
	nf_pump(&t->f);
	return t;
}

static void stop(struct t *t)
{
	nb_backend_fini(&t->be);
	/* Nothing held after the backend is gone: maps, ports, TAPs. */
	assert_int_equal(t->f.maps, 0);
	assert_int_equal(t->f.bound, 0);
	for (unsigned int i = 0; i < NF_TAPS; i++)
		assert_false(t->f.taps[i].open);
	nf_fini(&t->f);
	free(t);
}

/* A connected vif: @nq queues, split channels. */
static struct nfe *vif(struct t *t, unsigned int i, uint16_t domid, unsigned int nq)
{
	struct nfe *fe = &t->fe[i];

	nfe_create(&t->f, fe, domid, i);
	assert_int_equal(nfe_be_state(fe), 2);
	nfe_connect(fe, nq, true);
	assert_int_equal(nfe_be_state(fe), 4);
	return fe;
}

static const char *be_key(struct nfe *fe, const char *key)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", fe->be_path, key);
	return nf_xs_read(fe->f, path);
}

static bool has_error(struct nfe *fe)
{
	char path[160];

	snprintf(path, sizeof(path), "/local/domain/0/error/backend/qnic/%u/%u/error", fe->domid,
		 fe->devid);
	return nf_xs_read(fe->f, path) != NULL;
}

/* ---- frames ---- */

/* An Ethernet + IPv4 (or IPv6) + TCP (or UDP) frame of @len bytes; L4 payload patterned. */
static size_t mkframe(uint8_t *b, size_t len, int ipv, bool tcp)
{
	size_t l3 = 14, l4 = ipv == 4 ? 34 : 54, i;

	memset(b, 0, len);
	memset(b, 0x02, 6);
	memset(b + 6, 0x04, 6);
	b[12] = ipv == 4 ? 0x08 : 0x86;
	b[13] = ipv == 4 ? 0x00 : 0xdd;
	if (ipv == 4) {
		b[l3] = 0x45;
		b[l3 + 2] = (uint8_t)((len - l3) >> 8);
		b[l3 + 3] = (uint8_t)(len - l3);
		b[l3 + 8] = 64;
		b[l3 + 9] = tcp ? 6 : 17;
		b[l3 + 12] = 10, b[l3 + 15] = 2;
		b[l3 + 16] = 10, b[l3 + 19] = 1;
	} else {
		b[l3] = 0x60;
		b[l3 + 4] = (uint8_t)((len - l4) >> 8);
		b[l3 + 5] = (uint8_t)(len - l4);
		b[l3 + 6] = tcp ? 6 : 17;
		b[l3 + 7] = 64;
		b[l3 + 23] = 2;
		b[l3 + 39] = 1;
	}
	if (tcp)
		b[l4 + 12] = 0x50;	/* doff 5 */
	for (i = l4 + (tcp ? 20 : 8); i < len; i++)
		b[i] = (uint8_t)(i * 13);
	return len;
}

/* One's complement sum over @b, as a checksum check: 0xffff when the checksum is right. */
static uint16_t csum_check(const uint8_t *b, size_t len, int ipv)
{
	size_t l4 = ipv == 4 ? 34 : 54, i;
	uint32_t s = 0, l4len = (uint32_t)(len - l4);

	if (ipv == 4)
		for (i = 26; i < 34; i += 2)
			s += (uint32_t)(b[i] << 8 | b[i + 1]);
	else
		for (i = 22; i < 54; i += 2)
			s += (uint32_t)(b[i] << 8 | b[i + 1]);
	s += b[ipv == 4 ? 23 : 20] + l4len;
	for (i = l4; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Puts a frame in the TX data page(s) and sends it as one or more slots. */
static void tx_frame(struct nfe *fe, const uint8_t *frame, size_t len, uint16_t flags,
		     const struct netif_extra_info *extra)
{
	union nb_tx_slot s[20];
	unsigned int n = 0, i, nd = (unsigned int)((len + 4095) / 4096);

	memset(s, 0, sizeof(s));
	for (i = 0; i < nd; i++) {
		size_t off = (size_t)i * 4096, c = len - off < 4096 ? len - off : 4096;

		memcpy(nf_page(fe->f, fe->data_page + i), frame + off, c);
		if (i == 0) {
			s[n].req.gref = fe->data_gref[0];
			s[n].req.size = (uint16_t)len;
			s[n].req.id = 100;
			s[n].req.flags = flags | (nd > 1 ? NETTXF_more_data : 0) |
					 (extra ? NETTXF_extra_info : 0);
			n++;
			if (extra)
				s[n++].extra = *extra;
		} else {
			s[n].req.gref = fe->data_gref[i];
			s[n].req.size = (uint16_t)c;
			s[n].req.id = (uint16_t)(100 + i);
			s[n].req.flags = i + 1 < nd ? NETTXF_more_data : 0;
			n++;
		}
	}
	nfe_tx_slots(fe, 0, s, n);
}

/* ---- handshake ---- */

static void test_handshake(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = &t->fe[0];
	struct nf_tap *tap;

	nfe_create(&t->f, fe, 1, 0);
	/* Features and InitWait before the frontend does anything (2.6 net step 2). */
	assert_int_equal(nfe_be_state(fe), 2);
	assert_string_equal(be_key(fe, "feature-rx-copy"), "1");
	assert_string_equal(be_key(fe, "feature-sg"), "1");
	assert_string_equal(be_key(fe, "feature-gso-tcpv4"), "1");
	assert_string_equal(be_key(fe, "feature-gso-tcpv6"), "1");
	assert_string_equal(be_key(fe, "feature-ipv6-csum-offload"), "1");
	assert_string_equal(be_key(fe, "feature-split-event-channels"), "1");
	assert_string_equal(be_key(fe, "multi-queue-max-queues"), "2");
	assert_string_equal(be_key(fe, "feature-xdp-headroom"), "0");
	assert_string_equal(be_key(fe, "hotplug-status"), "connected");
	tap = nfe_tap(fe);
	assert_non_null(tap);
	assert_string_equal(tap->name, "vif1.0");
	assert_string_equal(tap->bridge, "xenbr0");
	assert_int_equal(tap->mtu, 1500);
	assert_int_equal(tap->offload, 0);
	/* netfront never writes 3: state 4 directly. */
	nfe_connect(fe, 1, true);
	assert_int_equal(nfe_be_state(fe), 4);
	assert_int_equal(t->f.maps, 2);
	assert_int_equal(t->f.bound, 2);
	assert_int_equal(tap->offload, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
	assert_false(has_error(fe));
	stop(t);
}

static void test_handshake_flat_channel_and_mtu(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = &t->fe[0];
	char path[160];

	nfe_create(&t->f, fe, 2, 0);
	/* A configured mtu and bridge, set before the backend looks (a fresh device). */
	nf_xs_rm(&t->f, fe->be_path);
	nf_pump(&t->f);
	nfe_create(&t->f, fe, 2, 0);
	snprintf(path, sizeof(path), "%s/feature-no-csum-offload", fe->fe_path);
	nf_xs_write(&t->f, path, "1");
	nfe_connect(fe, 1, false);
	assert_int_equal(nfe_be_state(fe), 4);
	assert_int_equal(t->f.bound, 1);	/* one channel for both rings */
	assert_int_equal(nfe_tap(fe)->offload, 0);	/* no csum_blank on RX: nothing offloaded */
	stop(t);
}

/* ---- TX ---- */

static void test_tx_simple(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct netif_tx_response r;
	uint8_t want[1500];
	struct virtio_net_hdr h;

	nfe_tx_packet(fe, 0, 1500, 1, 0, 3);
	assert_int_equal(tap->nout, 1);
	assert_int_equal(tap->out[0].len, NB_VNET_HLEN + 1500);
	memcpy(&h, tap->out[0].data, sizeof(h));
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.gso_type, 0);
	nf_pattern(want, 1500, 3);
	assert_memory_equal(tap->out[0].data + NB_VNET_HLEN, want, 1500);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	assert_int_equal(r.id, 0);
	assert_int_equal(r.status, NETIF_RSP_OKAY);
	assert_false(nfe_tx_rsp(fe, 0, &r));
	/* A multi-slot packet (feature-sg): five slots, five responses, one frame. */
	nfe_tx_packet(fe, 0, 9000, 5, NETTXF_data_validated, 9);
	assert_int_equal(tap->nout, 2);
	assert_int_equal(tap->out[1].len, NB_VNET_HLEN + 9000);
	memcpy(&h, tap->out[1].data, sizeof(h));
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	{
		uint8_t w[9000];

		nf_pattern(w, 9000, 9);
		assert_memory_equal(tap->out[1].data + NB_VNET_HLEN, w, 9000);
	}
	for (unsigned int i = 0; i < 5; i++) {
		assert_true(nfe_tx_rsp(fe, 0, &r));
		assert_int_equal(r.id, 1 + i);
		assert_int_equal(r.status, NETIF_RSP_OKAY);
	}
	assert_false(nfe_tx_rsp(fe, 0, &r));
	stop(t);
}

static void test_tx_batch_one_copy(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	union nb_tx_slot s[40];
	struct netif_tx_response r;
	unsigned int i, copies;

	/* 40 one-slot packets produced at once: one grant copy for all of them. */
	memset(s, 0, sizeof(s));
	nf_pattern(nf_page(&t->f, fe->data_page), 4096, 1);
	for (i = 0; i < 40; i++) {
		s[i].req.gref = fe->data_gref[0];
		s[i].req.size = 60 + i;
		s[i].req.id = (uint16_t)i;
	}
	copies = t->f.copies;
	nfe_tx_slots(fe, 0, s, 40);
	assert_int_equal(t->f.copies - copies, 1);
	assert_int_equal(nfe_tap(fe)->nout, 40);
	for (i = 0; i < 40; i++) {
		assert_true(nfe_tx_rsp(fe, 0, &r));
		assert_int_equal(r.id, i);
		assert_int_equal(nfe_tap(fe)->out[i].len, NB_VNET_HLEN + 60 + i);
	}
	stop(t);
}

static void test_tx_offloads(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct netif_extra_info gso = { 0 };
	struct netif_tx_response r;
	struct virtio_net_hdr h;
	uint8_t b[9000];

	/* csum_blank on IPv4/TCP: NEEDS_CSUM at the TCP checksum. */
	tx_frame(fe, b, mkframe(b, 200, 4, true), NETTXF_csum_blank, NULL);
	memcpy(&h, tap->out[0].data, sizeof(h));
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	/* IPv6/UDP. */
	tx_frame(fe, b, mkframe(b, 200, 6, false), NETTXF_csum_blank, NULL);
	memcpy(&h, tap->out[1].data, sizeof(h));
	assert_int_equal(h.csum_start, 54);
	assert_int_equal(h.csum_offset, 6);
	/* TSO: the GSO extra's slot is answered NULL, between the data slots' responses. */
	gso.type = XEN_NETIF_EXTRA_TYPE_GSO;
	gso.u.gso.size = 1448;
	gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	while (nfe_tx_rsp(fe, 0, &r))
		;
	tx_frame(fe, b, mkframe(b, 9000, 4, true), NETTXF_csum_blank, &gso);
	assert_int_equal(tap->nout, 3);
	memcpy(&h, tap->out[2].data, sizeof(h));
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(h.gso_size, 1448);
	assert_int_equal(h.hdr_len, 54);
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	assert_int_equal(r.id, 100);
	assert_int_equal(r.status, NETIF_RSP_OKAY);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	assert_int_equal(r.status, NETIF_RSP_NULL);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	assert_int_equal(r.id, 101);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	assert_int_equal(r.id, 102);
	assert_false(nfe_tx_rsp(fe, 0, &r));
	/* GSO without csum_blank (a buggy frontend): the pseudo-header sum is filled in. */
	mkframe(b, 3000, 6, true);
	gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV6;
	tx_frame(fe, b, 3000, 0, &gso);
	assert_int_equal(tap->nout, 4);
	memcpy(&h, tap->out[3].data, sizeof(h));
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	assert_int_equal(h.hdr_len, 74);
	assert_int_not_equal(tap->out[3].data[NB_VNET_HLEN + 54 + 16] |
			     tap->out[3].data[NB_VNET_HLEN + 54 + 17], 0);
	/* csum_blank on ARP (no L4): dropped, answered, not written. */
	while (nfe_tx_rsp(fe, 0, &r))
		;
	memset(b, 0, 60);
	b[12] = 0x08, b[13] = 0x06;
	tx_frame(fe, b, 60, NETTXF_csum_blank, NULL);
	assert_int_equal(tap->nout, 4);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	assert_int_equal(r.status, NETIF_RSP_DROPPED);
	/* GSO TCPV4 on an IPv6 frame: dropped. */
	gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	tx_frame(fe, b, mkframe(b, 3000, 6, true), NETTXF_csum_blank, &gso);
	assert_int_equal(tap->nout, 4);
	assert_int_equal(nfe_be_state(fe), 4);
	stop(t);
}

/* Hostile TX slot sequences: which ones drop the packet and which ones disable the vif. */
static void tx_case(const union nb_tx_slot *s, unsigned int n, bool fatal, int written,
		    unsigned int responses)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nfe *other = vif(t, 1, 2, 1);
	struct netif_tx_response r;
	unsigned int got = 0;

	nf_pattern(nf_page(&t->f, fe->data_page), 4096, 5);
	nfe_tx_slots(fe, 0, s, n);
	if (fatal) {
		assert_int_equal(nfe_be_state(fe), 5);
		assert_true(has_error(fe));
		assert_int_equal(t->f.maps, 2);		/* only the other vif's rings */
	} else {
		assert_int_equal(nfe_be_state(fe), 4);
		assert_false(has_error(fe));
		while (nfe_tx_rsp(fe, 0, &r))
			got++;
		assert_int_equal(got, responses);
		assert_int_equal(nfe_tap(fe)->nout, written);
	}
	/* The other vif goes on. */
	nfe_tx_packet(other, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(other)->nout, 1);
	if (fatal) {
		/* The frontend answers 5 with 6: the backend closes, the TAP stays (online). */
		nfe_set_state(fe, 6);
		assert_int_equal(nfe_be_state(fe), 6);
		assert_non_null(nfe_tap(fe));
	}
	stop(t);
}

static void chain(union nb_tx_slot *s, unsigned int nslots, unsigned int total, unsigned int each)
{
	unsigned int i;

	memset(s, 0, sizeof(*s) * nslots);
	for (i = 0; i < nslots; i++) {
		s[i].req.gref = 8;	/* the first data grant */
		s[i].req.id = (uint16_t)i;
		s[i].req.size = (uint16_t)(i == 0 ? total : each);
		s[i].req.flags = i + 1 < nslots ? NETTXF_more_data : 0;
	}
}

static void test_tx_slot_limits(void **state)
{
	union nb_tx_slot s[32];

	/* 1 + 18 follow-on slots: legal (XEN_NETIF_NR_SLOTS_MIN). */
	chain(s, 19, 18 * 10 + 100, 10);
	tx_case(s, 19, false, 1, 19);
	/* 1 + 19: consumed, answered with errors, dropped. */
	chain(s, 20, 19 * 10 + 100, 10);
	tx_case(s, 20, false, 0, 20);
	/* 1 + 20: still a drop (Linux's fatal_skb_slots is 20 follow-ons read). */
	chain(s, 21, 20 * 10 + 100, 10);
	tx_case(s, 21, false, 0, 21);
	/* 1 + 21: malicious, the vif is disabled. */
	chain(s, 22, 21 * 10 + 100, 10);
	tx_case(s, 22, true, 0, 0);
	/* A packet that runs past req_prod (more_data on the last produced slot). */
	chain(s, 3, 200, 10);
	s[2].req.flags = NETTXF_more_data;
	tx_case(s, 3, true, 0, 0);
}

static void test_tx_bad_sizes(void **state)
{
	union nb_tx_slot s[4];

	/* Zero-length fragments are legal (XSA-448). */
	chain(s, 3, 100, 0);
	tx_case(s, 3, false, 1, 3);
	/* A fragment larger than what the first size leaves: drop. */
	chain(s, 2, 100, 200);
	tx_case(s, 2, false, 0, 2);
	/* The first slot would hold fewer than 14 bytes: drop. */
	chain(s, 2, 100, 90);
	tx_case(s, 2, false, 0, 2);
	chain(s, 1, 13, 0);
	tx_case(s, 1, false, 0, 1);
	/* A fragment crossing its page: fatal. */
	chain(s, 2, 200, 100);
	s[1].req.offset = 4000;
	tx_case(s, 2, true, 0, 0);
	/* So is a first slot crossing its page. */
	chain(s, 1, 200, 0);
	s[0].req.offset = 3900;
	tx_case(s, 1, true, 0, 0);
	/* A grant the guest does not have: the packet fails, the vif goes on. */
	chain(s, 1, 200, 0);
	s[0].req.gref = 1999;
	tx_case(s, 1, false, 0, 1);
}

static void test_tx_bad_extras(void **state)
{
	union nb_tx_slot s[8];

	/* Missing extra (nothing after the first slot). */
	chain(s, 1, 100, 0);
	s[0].req.flags |= NETTXF_extra_info;
	tx_case(s, 1, true, 0, 0);
	/* Extra of type 0, and of an unknown type. */
	chain(s, 2, 100, 0);
	s[0].req.flags = NETTXF_extra_info;
	memset(&s[1], 0, sizeof(s[1]));
	tx_case(s, 2, true, 0, 0);
	s[1].extra.type = 5;
	tx_case(s, 2, true, 0, 0);
	/* GSO size 0; GSO type 7. */
	s[1].extra.type = XEN_NETIF_EXTRA_TYPE_GSO;
	s[1].extra.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	tx_case(s, 2, true, 0, 0);
	s[1].extra.u.gso.size = 1000;
	s[1].extra.u.gso.type = 7;
	tx_case(s, 2, true, 0, 0);
	/* An endless chain of extras (FLAG_MORE on each). */
	chain(s, 8, 100, 0);
	s[0].req.flags = NETTXF_extra_info;
	for (int i = 1; i < 8; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].extra.type = XEN_NETIF_EXTRA_TYPE_HASH;
		s[i].extra.flags = XEN_NETIF_EXTRA_FLAG_MORE;
	}
	tx_case(s, 8, true, 0, 0);
	/* A multicast filter request on a dummy slot: answered OKAY + NULL, nothing sent. */
	chain(s, 2, 0, 0);
	s[0].req.flags = NETTXF_extra_info;
	memset(&s[1], 0, sizeof(s[1]));
	s[1].extra.type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
	tx_case(s, 2, false, 0, 2);
}

static void test_tx_ring_overrun(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);

	/* req_prod more than a ring ahead: the vif is disabled, nothing read. */
	fe->q[0].tx_prod = 999;
	nfe_tx_packet(fe, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_be_state(fe), 5);
	assert_true(has_error(fe));
	assert_int_equal(t->f.maps, 0);
	assert_int_equal(t->f.bound, 0);
	stop(t);
}

static void test_tx_budget_fair(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	union nb_tx_slot s[200];
	unsigned int i;

	memset(s, 0, sizeof(s));
	for (i = 0; i < 200; i++) {
		s[i].req.gref = fe->data_gref[0];
		s[i].req.size = 64;
		s[i].req.id = (uint16_t)i;
	}
	nfe_tx_slots(fe, 0, s, 200);
	/* One event: one budget's worth; the rest on the loop's next turns. */
	assert_int_equal(nfe_tap(fe)->nout, NB_BUDGET);
	assert_true(nb_backend_work(&t->be));
	nf_tap_clear(nfe_tap(fe));
	while (nb_backend_work(&t->be))
		;
	assert_int_equal(fe->q[0].txs->rsp_prod, 200);
	/* Then the backend asks for an event on the next request. */
	assert_int_equal(fe->q[0].txs->req_event, 201);
	stop(t);
}

/* ---- RX ---- */

static void test_rx_placement(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct virtio_net_hdr h = { 0 };
	union nb_rx_slot r;
	uint8_t b[9000];
	uint32_t idx;

	nfe_rx_post(fe, 0, 64);
	/* Skip the first 3 posted buffers' responses by consuming out of id order: ids stay. */
	nf_pattern(b, 1000, 1);
	nf_tap_inject(&t->f, tap, &h, b, 1000);
	assert_true(nfe_rx_rsp(fe, 0, &r, &idx));
	assert_int_equal(idx, 0);
	assert_int_equal(r.rsp.id, 0);
	assert_int_equal(r.rsp.status, 1000);
	assert_int_equal(r.rsp.offset, 0);
	assert_int_equal(r.rsp.flags, 0);
	assert_memory_equal(nfe_rx_buf(fe, 0), b, 1000);
	/* 9000 bytes: three slots, more_data on all but the last. */
	nf_pattern(b, 9000, 2);
	h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	nf_tap_inject(&t->f, tap, &h, b, 9000);
	for (unsigned int i = 0; i < 3; i++) {
		assert_true(nfe_rx_rsp(fe, 0, &r, &idx));
		assert_int_equal(idx, 1 + i);
		assert_int_equal(r.rsp.id, 1 + i);
		assert_int_equal(r.rsp.status, i < 2 ? 4096 : 9000 - 8192);
		assert_int_equal(r.rsp.flags, (i < 2 ? NETRXF_more_data : 0) |
				 (i == 0 ? NETRXF_data_validated : 0));
		assert_memory_equal(nfe_rx_buf(fe, 1 + i), b + 4096 * i, i < 2 ? 4096 : 808);
	}
	/* GSO: the extra takes the second slot; csum_blank on the first. */
	mkframe(b, 9000, 4, true);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 1448;
	h.csum_start = 34;
	h.csum_offset = 16;
	nf_tap_inject(&t->f, tap, &h, b, 9000);
	assert_true(nfe_rx_rsp(fe, 0, &r, &idx));
	assert_int_equal(idx, 4);
	assert_int_equal(r.rsp.status, 4096);
	assert_int_equal(r.rsp.flags, NETRXF_more_data | NETRXF_extra_info | NETRXF_csum_blank |
			 NETRXF_data_validated);
	assert_true(nfe_rx_rsp(fe, 0, &r, &idx));
	assert_int_equal(r.extra.type, XEN_NETIF_EXTRA_TYPE_GSO);
	assert_int_equal(r.extra.flags, 0);
	assert_int_equal(r.extra.u.gso.size, 1448);
	assert_int_equal(r.extra.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	assert_true(nfe_rx_rsp(fe, 0, &r, &idx));
	assert_int_equal(r.rsp.id, 6);
	assert_int_equal(r.rsp.status, 4096);
	assert_memory_equal(nfe_rx_buf(fe, 6), b + 4096, 4096);
	assert_true(nfe_rx_rsp(fe, 0, &r, &idx));
	assert_int_equal(r.rsp.status, 808);
	assert_false(nfe_rx_rsp(fe, 0, &r, &idx));
	/* Frames a frontend cannot take: GSO UDP, ECN; shorter than Ethernet. */
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	nf_tap_inject(&t->f, tap, &h, b, 9000);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	nf_tap_inject(&t->f, tap, &h, b, 9000);
	memset(&h, 0, sizeof(h));
	nf_tap_inject(&t->f, tap, &h, b, 10);
	assert_false(nfe_rx_rsp(fe, 0, &r, &idx));
	assert_int_equal(tap->nin, 0);
	stop(t);
}

static void test_rx_software_csum(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = &t->fe[0];
	struct virtio_net_hdr h = { 0 };
	union nb_rx_slot r;
	char path[160];
	uint8_t b[1200];

	/* A frontend without csum offload and without SG. */
	nfe_create(&t->f, fe, 1, 0);
	nfe_publish(fe, 1, true);
	snprintf(path, sizeof(path), "%s/feature-no-csum-offload", fe->fe_path);
	nf_xs_write(&t->f, path, "1");
	snprintf(path, sizeof(path), "%s/feature-sg", fe->fe_path);
	nf_xs_write(&t->f, path, "0");
	nfe_set_state(fe, 4);
	assert_int_equal(nfe_be_state(fe), 4);
	nfe_rx_post(fe, 0, 16);
	mkframe(b, 1200, 4, true);
	/* What a CHECKSUM_PARTIAL frame holds: the pseudo-header sum in the TCP checksum. */
	{
		uint8_t c[1200];
		uint16_t ps;

		memcpy(c, b, sizeof(c));
		memset(c + 34, 0, 20);
		c[34 + 12] = 0x50;
		memcpy(c + 54, b + 54, 1200 - 54);
		ps = (uint16_t)~csum_check(c, 1200, 4);
		(void)ps;
	}
	b[34 + 16] = 0, b[34 + 17] = 0;
	{
		/* Pseudo-header sum only: the checksum of the pseudo-header alone. */
		uint32_t s = (10 << 8) + 2 + (10 << 8) + 1 + 6 + (1200 - 34);

		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		b[34 + 16] = (uint8_t)(s >> 8), b[34 + 17] = (uint8_t)s;
	}
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 16;
	nf_tap_inject(&t->f, nfe_tap(fe), &h, b, 1200);
	assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_int_equal(r.rsp.status, 1200);
	assert_int_equal(r.rsp.flags, NETRXF_data_validated);
	assert_int_equal(csum_check(nfe_rx_buf(fe, 0), 1200, 4), 0xffff);
	/* Without SG a frame needing two slots is dropped. */
	memset(&h, 0, sizeof(h));
	nf_tap_inject(&t->f, nfe_tap(fe), &h, b, 1200);
	assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	{
		uint8_t big[5000];

		memset(big, 1, sizeof(big));
		nf_tap_inject(&t->f, nfe_tap(fe), &h, big, 5000);
		assert_false(nfe_rx_rsp(fe, 0, &r, NULL));
	}
	stop(t);
}

static void test_rx_stall_and_drain(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct virtio_net_hdr h = { 0 };
	union nb_rx_slot r;
	uint8_t b[9000];
	unsigned int i;

	nf_pattern(b, sizeof(b), 4);
	/* No buffers posted: the frame waits, the TAP is not polled, an RX event is asked for. */
	nf_tap_inject(&t->f, tap, &h, b, 100);
	nf_tap_inject(&t->f, tap, &h, b, 200);
	assert_false(nb_vif_wants_tap(t->be.vifs));
	assert_int_equal(tap->nin, 1);
	assert_int_equal(fe->q[0].rxs->req_event, 1);
	assert_int_equal(nb_backend_timeout(&t->be), 10000);
	/* Posting buffers brings it (and the one behind it) in. */
	nfe_rx_post(fe, 0, 2);
	assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_int_equal(r.rsp.status, 100);
	assert_true(nb_vif_wants_tap(t->be.vifs));
	nf_tap_inject(&t->f, tap, &h, b, 200);
	assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_int_equal(r.rsp.status, 200);
	/* The third frame waited for the next buffers; then one slot is left, not three. */
	assert_false(nb_vif_wants_tap(t->be.vifs));
	nfe_rx_post(fe, 0, 2);
	assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_int_equal(r.rsp.status, 200);
	nf_tap_inject(&t->f, tap, &h, b, 9000);
	assert_false(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_false(nb_vif_wants_tap(t->be.vifs));
	assert_int_equal(fe->q[0].rxs->req_event, 5);
	/* A guest that never posts: after the drain time frames are dropped, never held. */
	nf_clock_set(1000 + 10000);
	assert_int_equal(nb_backend_timeout(&t->be), 0);
	nb_backend_work(&t->be);
	assert_true(nb_vif_wants_tap(t->be.vifs));
	for (i = 0; i < 40; i++)
		nf_tap_inject(&t->f, tap, &h, b, 9000);
	assert_int_equal(tap->nin, 0);
	assert_true(t->be.vifs->rx_dropped >= 41);
	assert_int_equal(nb_backend_timeout(&t->be), -1);
	/* It posts again: small frames flow. */
	nfe_rx_post(fe, 0, 8);
	nf_tap_inject(&t->f, tap, &h, b, 300);
	assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_int_equal(r.rsp.status, 300);
	stop(t);
}

static void test_rx_ring_overrun_and_bad_grant(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct virtio_net_hdr h = { 0 };
	union nb_rx_slot r;
	uint8_t b[100] = { 0 };

	/* A buffer whose grant is read-only: the copy fails, the frame gets an error status. */
	nfe_rx_post(fe, 0, 4);
	fe->q[0].rx[0].req.gref = fe->data_gref[0];
	nf_tap_inject(&t->f, nfe_tap(fe), &h, b, 100);
	assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_int_equal(r.rsp.status, NETIF_RSP_ERROR);
	nf_tap_inject(&t->f, nfe_tap(fe), &h, b, 100);
	assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_int_equal(r.rsp.status, 100);
	/* RX req_prod beyond a ring: disabled. */
	__atomic_store_n(&fe->q[0].rxs->req_prod, 5000, __ATOMIC_RELEASE);
	nf_tap_inject(&t->f, nfe_tap(fe), &h, b, 100);
	assert_int_equal(nfe_be_state(fe), 5);
	assert_true(has_error(fe));
	stop(t);
}

/* ---- multi-queue ---- */

static void test_multiqueue(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 2);
	struct netif_tx_response r;

	assert_int_equal(t->f.maps, 4);
	assert_int_equal(t->f.bound, 4);
	nfe_tx_packet(fe, 1, 300, 2, 0, 7);
	assert_int_equal(nfe_tap(fe)->nout, 1);
	assert_true(nfe_tx_rsp(fe, 1, &r));
	assert_true(nfe_tx_rsp(fe, 1, &r));
	assert_false(nfe_tx_rsp(fe, 0, &r));
	stop(t);
}

/* Frames the TAP held at one wake-up: one grant copy, one event, each slot one source page. */
static void test_rx_batch(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	int rxp = t->fe[0].q[0].port_rx;
	unsigned int copies, notified = 0, i, p;
	union nb_rx_slot r;
	uint8_t b[9000];

	for (p = 0; p < NF_PORTS; p++)
		if (t->f.ports[p].bound && t->f.ports[p].remote == (uint32_t)rxp)
			break;
	assert_true(p < NF_PORTS);
	nfe_rx_post(fe, 0, 64);
	copies = t->f.copies;
	memset(&t->be.stats, 0, sizeof(t->be.stats));
	t->f.be = NULL;			/* queued while the daemon sleeps */
	for (i = 0; i < 5; i++) {
		nf_pattern(b, 9000, (uint8_t)i);
		nf_tap_inject(&t->f, tap, &h, b, 1000 + 2000 * i);
	}
	t->f.be = &t->be;
	notified = t->f.ports[p].notified;
	nb_backend_tap(&t->be, (int)(tap - t->f.taps));
	assert_int_equal(t->f.copies - copies, 1);
	assert_int_equal(t->f.ports[p].notified - notified, 1);
	assert_int_equal(t->be.stats.rx_frames, 5);
	assert_int_equal(t->be.stats.rx_copies, 1);
	assert_int_equal(t->be.stats.rx_notifies, 1);
	/* 1000, 3000, 5000, 7000, 9000 bytes: 1 + 1 + 2 + 2 + 3 slots, each from a page's start. */
	for (i = 0; i < 9; i++)
		assert_int_equal((uintptr_t)t->be.segs[i].source.virt % 4096, 0);
	for (i = 0; i < 9; i++)
		assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_false(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_memory_equal(nfe_rx_buf(fe, 7), b + 4096, 4096);
	stop(t);
}

/*
 * TX lands page to page (each fragment's copy within one dom0 page when the guest's fragments
 * end their pages), and a TCP packet's TX reads what dom0 answered into the TAP at once; a
 * UDP packet's does not (the answer comes later, from a task).
 */
static void test_tx_aligned_and_tcp_answer(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	struct netif_tx_response r;
	union nb_rx_slot rr;
	union nb_tx_slot s[3];
	static uint8_t b[8592], a[200];
	unsigned int i;

	mkframe(b, sizeof(b), 4, true);
	memcpy(nf_page(&t->f, fe->data_page) + 100, b, 3996);
	memcpy(nf_page(&t->f, fe->data_page + 1), b + 3996, 4096);
	memcpy(nf_page(&t->f, fe->data_page + 2), b + 8092, 500);
	memset(s, 0, sizeof(s));
	for (i = 0; i < 3; i++) {
		s[i].req.gref = fe->data_gref[i];
		s[i].req.id = (uint16_t)i;
		s[i].req.flags = i < 2 ? NETTXF_more_data : 0;
	}
	s[0].req.offset = 100;
	s[0].req.size = sizeof(b);
	s[1].req.size = 4096;
	s[2].req.size = 500;
	nfe_tx_slots(fe, 0, s, 3);
	assert_int_equal(tap->nout, 1);
	assert_memory_equal(tap->out[0].data + NB_VNET_HLEN, b, sizeof(b));
	assert_int_equal((uintptr_t)t->be.segs[0].dest.virt % 4096, 100);
	for (i = 0; i < 3; i++) {
		uintptr_t v = (uintptr_t)t->be.segs[i].dest.virt;

		assert_true(v % 4096 + t->be.segs[i].len <= 4096);
		assert_true(nfe_tx_rsp(fe, 0, &r));
		assert_int_equal(r.status, NETIF_RSP_OKAY);
	}

	/* TCP: dom0's answer, queued while the daemon was busy, goes out in the same wake-up. */
	nfe_rx_post(fe, 0, 8);
	t->f.be = NULL;
	mkframe(a, sizeof(a), 4, true);
	nf_tap_inject(&t->f, tap, &h, a, sizeof(a));
	t->f.be = &t->be;
	nfe_tx_slots(fe, 0, s, 3);
	assert_int_equal(tap->nout, 2);
	assert_int_equal(tap->nin, 0);
	assert_true(nfe_rx_rsp(fe, 0, &rr, NULL));
	assert_int_equal(rr.rsp.status, sizeof(a));

	/* UDP: the TAP is left for the loop's next wake-up. */
	t->f.be = NULL;
	nf_tap_inject(&t->f, tap, &h, a, sizeof(a));
	t->f.be = &t->be;
	mkframe(b, 200, 4, false);
	memcpy(nf_page(&t->f, fe->data_page), b, 200);
	s[0].req.offset = 0;
	s[0].req.size = 200;
	s[0].req.flags = 0;
	nfe_tx_slots(fe, 0, s, 1);
	assert_int_equal(tap->nout, 3);
	assert_int_equal(tap->nin, 1);
	nb_backend_tap(&t->be, (int)(tap - t->f.taps));
	assert_int_equal(tap->nin, 0);
	assert_true(nfe_rx_rsp(fe, 0, &rr, NULL));
	stop(t);
}

/*
 * One frame at a time in the TAP (request/response): after a read found one frame and then
 * nothing, one read per frame; a TAP still ready at the next wake-up is read to the end.
 */
static void test_rx_one_at_a_time(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	union nb_rx_slot r;
	uint8_t b[200];
	unsigned int reads, i;

	nfe_rx_post(fe, 0, 16);
	nf_pattern(b, sizeof(b), 1);
	reads = tap->reads;
	nf_tap_inject(&t->f, tap, &h, b, sizeof(b));
	assert_int_equal(tap->reads - reads, 2);	/* the frame, then the empty read */
	for (i = 0; i < 3; i++) {
		t->be.stats.wakeups += 2;	/* the guest's answer woke the daemon between */
		reads = tap->reads;
		nf_tap_inject(&t->f, tap, &h, b, sizeof(b));
		assert_int_equal(tap->reads - reads, 1);
	}
	/* Three queued at once: one read now, the rest at the next wake-up, which finds them. */
	t->be.stats.wakeups += 2;
	t->f.be = NULL;
	for (i = 0; i < 3; i++)
		nf_tap_inject(&t->f, tap, &h, b, sizeof(b));
	t->f.be = &t->be;
	reads = tap->reads;
	nb_backend_tap(&t->be, (int)(tap - t->f.taps));
	assert_int_equal(tap->reads - reads, 1);
	assert_int_equal(tap->nin, 2);
	t->be.stats.wakeups++;
	nb_backend_tap(&t->be, (int)(tap - t->f.taps));
	assert_int_equal(tap->reads - reads, 4);
	assert_int_equal(tap->nin, 0);
	for (i = 0; i < 7; i++)
		assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	assert_false(nfe_rx_rsp(fe, 0, &r, NULL));
	stop(t);
}

/* A guest that answers a frame at once, in the notification's hypercall (one CPU). */
static struct {
	struct nfe *fe;
	bool answer, answered, would_notify;
	unsigned int yields;
} quiet;

static void answer_in_notify(struct nfake *f, uint32_t port)
{
	struct nfe *fe = quiet.fe;
	union nb_tx_slot s = { 0 };
	uint32_t old = fe->q[0].tx_prod, ev;

	if (!quiet.answer || quiet.answered)
		return;
	quiet.answered = true;
	s.req.gref = fe->data_gref[0];
	s.req.size = 200;
	s.req.id = 7;
	fe->q[0].tx[fe->q[0].tx_prod++ % NB_RING_SIZE] = s;
	__atomic_store_n(&fe->q[0].txs->req_prod, fe->q[0].tx_prod, __ATOMIC_SEQ_CST);
	/* RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: what netfront would do now. */
	ev = __atomic_load_n(&fe->q[0].txs->req_event, __ATOMIC_SEQ_CST);
	quiet.would_notify = fe->q[0].tx_prod - ev < fe->q[0].tx_prod - old;
}

/*
 * A guest woken by its data answers in the notification (keel runs it in the hypercall on one
 * CPU): its idle TX ring does not ask for an event then, and the backend takes the answer
 * itself; a guest that does not answer finds its TX ring armed again.
 */
static void test_tx_answer_without_event(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	struct netif_tx_response r;
	union nb_rx_slot rr;
	uint8_t b[200];

	nfe_rx_post(fe, 0, 16);
	mkframe(b, sizeof(b), 4, false);
	memcpy(nf_page(&t->f, fe->data_page), b, sizeof(b));
	memset(&quiet, 0, sizeof(quiet));
	quiet.fe = fe;
	quiet.answer = true;
	t->f.on_notify = answer_in_notify;
	nf_tap_inject(&t->f, tap, &h, b, sizeof(b));
	assert_true(quiet.answered);
	assert_false(quiet.would_notify);
	assert_true(nfe_rx_rsp(fe, 0, &rr, NULL));
	assert_int_equal(tap->nout, 0);
	assert_true(t->be.vifs->queues[0].tx_more);
	assert_false(nb_backend_work(&t->be));
	assert_int_equal(tap->nout, 1);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	assert_int_equal(r.id, 7);
	assert_int_equal(r.status, NETIF_RSP_OKAY);
	/* Taken and answered: the ring asks for an event for the next request again. */
	assert_int_equal(fe->q[0].txs->req_event, fe->q[0].tx_prod + 1);

	/* No answer: armed again before the daemon can sleep. */
	quiet.answer = false;
	nf_tap_inject(&t->f, tap, &h, b, sizeof(b));
	assert_true(nfe_rx_rsp(fe, 0, &rr, NULL));
	assert_false(t->be.vifs->queues[0].tx_more);
	assert_int_equal(fe->q[0].txs->req_event, fe->q[0].tx_prod + 1);
	t->f.on_notify = NULL;
	stop(t);
}

/* The guest runs while dom0's vCPU yields (SCHEDOP_yield) and answers then. */
static void answer_in_yield(struct nb_backend *be)
{
	quiet.yields++;
	answer_in_notify(NULL, 0);
}

/*
 * Request/response traffic (one frame at a time in the TAP): after the RX notification dom0
 * yields to the guest, which answers before the daemon looks at its TX ring again, without
 * an event. Several frames at once (bulk) and TX completions give no yield.
 */
static void test_yield_for_answer(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	struct netif_tx_response r;
	union nb_rx_slot rr;
	unsigned int i;
	uint8_t b[200];

	nfe_rx_post(fe, 0, 16);
	mkframe(b, sizeof(b), 4, false);
	memcpy(nf_page(&t->f, fe->data_page), b, sizeof(b));
	memset(&quiet, 0, sizeof(quiet));
	quiet.fe = fe;
	quiet.answer = true;
	t->be.yield = answer_in_yield;

	/* Three frames found at once: no answer is waited for. */
	t->f.be = NULL;
	for (i = 0; i < 3; i++)
		nf_tap_inject(&t->f, tap, &h, b, sizeof(b));
	t->f.be = &t->be;
	nb_backend_tap(&t->be, (int)(tap - t->f.taps));
	for (i = 0; i < 3; i++)
		assert_true(nfe_rx_rsp(fe, 0, &rr, NULL));
	assert_int_equal(quiet.yields, 0);
	assert_false(quiet.answered);

	/* One frame, then nothing: the guest gets the CPU and answers in it. */
	fe->q[0].rxs->rsp_event = fe->q[0].rx_cons + 1;	/* netfront's final check */
	t->be.stats.wakeups += 2;
	nf_tap_inject(&t->f, tap, &h, b, sizeof(b));
	assert_true(nfe_rx_rsp(fe, 0, &rr, NULL));
	assert_int_equal(quiet.yields, 1);
	assert_int_equal(t->be.stats.yields, 1);
	assert_int_equal(t->be.stats.yield_misses, 0);
	assert_true(quiet.answered);
	assert_false(quiet.would_notify);
	assert_true(t->be.vifs->queues[0].tx_more);
	assert_false(nb_backend_work(&t->be));
	assert_int_equal(tap->nout, 1);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	assert_int_equal(r.id, 7);
	assert_int_equal(r.status, NETIF_RSP_OKAY);
	assert_int_equal(quiet.yields, 1);	/* not for the TX response's notification */
	assert_int_equal(fe->q[0].txs->req_event, fe->q[0].tx_prod + 1);

	/* A guest that does not answer in it finds its TX ring armed again. */
	quiet.answer = false;
	fe->q[0].rxs->rsp_event = fe->q[0].rx_cons + 1;
	t->be.stats.wakeups += 2;
	nf_tap_inject(&t->f, tap, &h, b, sizeof(b));
	assert_true(nfe_rx_rsp(fe, 0, &rr, NULL));
	assert_int_equal(quiet.yields, 2);
	assert_int_equal(t->be.stats.yield_misses, 1);	/* counted: the answer comes by event */
	assert_false(t->be.vifs->queues[0].tx_more);
	assert_int_equal(fe->q[0].txs->req_event, fe->q[0].tx_prod + 1);
	t->be.yield = NULL;
	stop(t);
}

/* The daemon's port bound to the guest's @remote. */
static unsigned int local_port(struct t *t, uint32_t remote)
{
	unsigned int p;

	for (p = 0; p < NF_PORTS; p++)
		if (t->f.ports[p].bound && t->f.ports[p].remote == remote)
			return p;
	fail();
	return 0;
}

/*
 * A TX completion's notification is put off until the daemon would sleep, and not sent at
 * all when the guest took the responses itself meanwhile (netfront does when it transmits);
 * on one channel for both rings an RX notification carries it.
 */
static void test_tx_notify_put_off(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	struct nf_tap *tap = nfe_tap(fe);
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	unsigned int txp = local_port(t, fe->q[0].port_tx), n;
	struct nb_queue *q = &t->be.vifs->queues[0];
	struct netif_tx_response r;
	union nb_rx_slot rr;
	uint8_t b[200];

	/* Sent when the daemon would sleep, the guest not having looked. */
	n = t->f.ports[txp].notified;
	nfe_tx_packet(fe, 0, 200, 1, 0, 1);
	assert_int_equal(tap->nout, 1);
	assert_true(q->tx_owed);
	assert_int_equal(t->f.ports[txp].notified, n);
	assert_true(nb_backend_owed(&t->be));
	assert_false(nb_backend_idle(&t->be));
	assert_int_equal(t->f.ports[txp].notified, n + 1);
	assert_false(nb_backend_owed(&t->be));
	assert_true(nfe_tx_rsp(fe, 0, &r));
	assert_int_equal(r.status, NETIF_RSP_OKAY);

	/* The guest took the response itself (rsp_event past it): no event. */
	fe->q[0].txs->rsp_event = fe->q[0].tx_cons + 1;
	nfe_tx_packet(fe, 0, 200, 1, 0, 2);
	assert_true(q->tx_owed);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	fe->q[0].txs->rsp_event = fe->q[0].tx_cons + 1;
	assert_false(nb_backend_idle(&t->be));
	assert_int_equal(t->f.ports[txp].notified, n + 1);
	assert_false(q->tx_owed);

	/* Not yet taken: owed, and sent. */
	nfe_tx_packet(fe, 0, 200, 1, 0, 3);
	assert_false(nb_backend_idle(&t->be));
	assert_int_equal(t->f.ports[txp].notified, n + 2);
	assert_true(nfe_tx_rsp(fe, 0, &r));
	stop(t);

	/* One channel for both rings: the RX notification is the TX one too. */
	t = start(NULL);
	fe = &t->fe[0];
	nfe_create(&t->f, fe, 1, 0);
	nfe_connect(fe, 1, false);
	assert_int_equal(nfe_be_state(fe), 4);
	q = &t->be.vifs->queues[0];
	txp = local_port(t, fe->q[0].port_tx);
	nfe_rx_post(fe, 0, 16);
	fe->q[0].txs->rsp_event = fe->q[0].tx_cons + 1;
	nfe_tx_packet(fe, 0, 200, 1, 0, 4);
	assert_true(q->tx_owed);
	n = t->f.ports[txp].notified;
	fe->q[0].rxs->rsp_event = fe->q[0].rx_cons + 1;
	mkframe(b, sizeof(b), 4, false);
	nf_tap_inject(&t->f, nfe_tap(fe), &h, b, sizeof(b));
	assert_true(nfe_rx_rsp(fe, 0, &rr, NULL));
	assert_int_equal(t->f.ports[txp].notified, n + 1);
	assert_false(q->tx_owed);
	assert_false(nb_backend_idle(&t->be));
	assert_int_equal(t->f.ports[txp].notified, n + 1);
	stop(t);
}

/* UDP frame from port @sport to 5201 (IPv4). */
static size_t flow_frame(uint8_t *b, unsigned int sport)
{
	size_t n = mkframe(b, 200, 4, false);

	b[34] = (uint8_t)(sport >> 8);
	b[35] = (uint8_t)sport;
	b[36] = 5201 >> 8;
	b[37] = 5201 & 255;
	return n;
}

/* RX on every queue: a flow's frames stay on one queue, the flows spread over both. */
static void test_multiqueue_rx(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 2);
	struct nf_tap *tap = nfe_tap(fe);
	struct virtio_net_hdr h = { 0 };
	unsigned int seen[2] = { 0 }, i, round, q, where[8];
	union nb_rx_slot r;
	uint8_t b[256];

	nfe_rx_post(fe, 0, 64);
	nfe_rx_post(fe, 1, 64);
	for (round = 0; round < 3; round++)
		for (i = 0; i < 8; i++) {
			size_t n = flow_frame(b, 40000 + i);

			b[100] = (uint8_t)(round * 8 + i);
			nf_tap_inject(&t->f, tap, &h, b, n);
			for (q = 0; q < 2; q++)
				if (nfe_rx_rsp(fe, q, &r, NULL))
					break;
			assert_true(q < 2);
			assert_int_equal(r.rsp.status, 200);
			assert_memory_equal(nfe_rx_buf(fe, r.rsp.id), b, n);
			assert_false(nfe_rx_rsp(fe, 0, &r, NULL) || nfe_rx_rsp(fe, 1, &r, NULL));
			if (round)
				assert_int_equal(where[i], q);
			where[i] = q;
			seen[q]++;
		}
	assert_true(seen[0] && seen[1]);
	/* A frame that is not IP goes to queue 0. */
	memset(b, 0, 64);
	b[12] = 0x08, b[13] = 0x06;
	nf_tap_inject(&t->f, tap, &h, b, 64);
	assert_true(nfe_rx_rsp(fe, 0, &r, NULL));
	stop(t);
}

/* ---- hostile xenstore keys ---- */

static void key_case(const char *key, const char *val, bool rm)
{
	struct t *t = start(NULL);
	struct nfe *fe = &t->fe[0], *other;
	char path[160];

	nfe_create(&t->f, fe, 1, 0);
	nfe_publish(fe, 1, true);
	snprintf(path, sizeof(path), "%s/%s", fe->fe_path, key);
	if (rm)
		nf_xs_rm(&t->f, path);
	else
		nf_xs_write(&t->f, path, "%s", val);
	nfe_set_state(fe, 4);
	assert_int_equal(nfe_be_state(fe), 5);
	assert_true(has_error(fe));
	assert_int_equal(t->f.maps, 0);
	assert_int_equal(t->f.bound, 0);
	other = vif(t, 1, 2, 1);
	nfe_tx_packet(other, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(other)->nout, 1);
	/* The frontend resets: closed, then back to 2 for a clean attempt. */
	nfe_set_state(fe, 6);
	assert_int_equal(nfe_be_state(fe), 6);
	nfe_set_state(fe, 1);
	assert_int_equal(nfe_be_state(fe), 2);
	stop(t);
}

static void test_bad_keys(void **state)
{
	key_case("request-rx-copy", NULL, true);
	key_case("request-rx-copy", "0", false);
	key_case("feature-rx-notify", NULL, true);
	key_case("multi-queue-num-queues", "3", false);
	key_case("multi-queue-num-queues", "0", false);
	key_case("tx-ring-ref", "x", false);
	key_case("rx-ring-ref", "1999", false);
	key_case("event-channel-tx", "01", false);
	key_case("event-channel-rx", "99999", false);
	key_case("feature-sg", "2", false);
}

static void test_bad_backend_keys(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = &t->fe[0];
	char path[160];

	/* A bridge name that is not an interface name: no TAP, the vif fails alone. */
	nfe_create(&t->f, fe, 1, 0);
	nf_xs_rm(&t->f, fe->be_path);
	nf_pump(&t->f);
	snprintf(path, sizeof(path), "%s/bridge", fe->be_path);
	nf_xs_write(&t->f, path, "../../x");
	snprintf(path, sizeof(path), "%s/frontend", fe->be_path);
	nf_xs_write(&t->f, path, "%s", fe->fe_path);
	snprintf(path, sizeof(path), "%s/online", fe->be_path);
	nf_xs_write(&t->f, path, "1");
	snprintf(path, sizeof(path), "%s/state", fe->be_path);
	nf_xs_write(&t->f, path, "1");
	nf_pump(&t->f);
	assert_null(nfe_tap(fe));
	assert_true(has_error(fe));
	/* Nobody answers (the frontend is at 1): Closed at once. */
	assert_int_equal(nfe_be_state(fe), 6);
	/* xl's vifname= names dom0's side; a name that is no interface name fails the vif. */
	snprintf(path, sizeof(path), "%s/vifname", t->fe[0].be_path);
	nf_xs_rm(&t->f, t->fe[0].be_path);
	nf_pump(&t->f);
	nf_xs_write(&t->f, path, "web0");
	nfe_create(&t->f, &t->fe[0], 1, 0);
	assert_non_null(nf_tap(&t->f, "web0"));
	assert_int_equal(nfe_be_state(&t->fe[0]), 2);
	nf_xs_rm(&t->f, t->fe[0].be_path);
	nf_pump(&t->f);
	assert_null(nf_tap(&t->f, "web0"));
	nf_xs_write(&t->f, path, "a/b");
	nfe_create(&t->f, &t->fe[0], 1, 0);
	assert_int_equal(nfe_be_state(&t->fe[0]), 6);
	/* The TAP cannot be created (no bridge, no tun): the same. */
	t->f.tap_fail = -ENODEV;
	nfe_create(&t->f, &t->fe[1], 2, 0);
	assert_int_equal(nfe_be_state(&t->fe[1]), 6);
	assert_true(has_error(&t->fe[1]));
	t->f.tap_fail = 0;
	stop(t);
}

/* ---- teardown ---- */

static void test_frontend_close_and_reconnect(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);

	nfe_set_state(fe, 5);
	assert_int_equal(nfe_be_state(fe), 5);
	assert_int_equal(t->f.maps, 0);
	nfe_set_state(fe, 6);
	assert_int_equal(nfe_be_state(fe), 6);
	assert_non_null(nfe_tap(fe));		/* online: the vif stays for a reconnect */
	nfe_set_state(fe, 1);
	assert_int_equal(nfe_be_state(fe), 2);
	nfe_connect(fe, 1, true);
	assert_int_equal(nfe_be_state(fe), 4);
	nfe_tx_packet(fe, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(fe)->nout, 1);
	/* A reset without closing (back to 1 while connected). */
	nfe_set_state(fe, 1);
	assert_int_equal(nfe_be_state(fe), 2);
	assert_int_equal(t->f.maps, 0);
	stop(t);
}

static void test_toolstack_detach(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);
	char path[160];

	/* network-detach: online=0 and state 5 in one go; the frontend answers 6. */
	snprintf(path, sizeof(path), "%s/online", fe->be_path);
	nf_xs_write(&t->f, path, "0");
	snprintf(path, sizeof(path), "%s/state", fe->be_path);
	nf_xs_write(&t->f, path, "5");
	nf_pump(&t->f);
	assert_non_null(nfe_tap(fe));
	nfe_set_state(fe, 6);
	assert_int_equal(nfe_be_state(fe), 6);
	assert_null(nfe_tap(fe));		/* the TAP is gone */
	assert_int_equal(t->f.maps, 0);
	assert_int_equal(t->f.bound, 0);
	nf_xs_rm(&t->f, fe->be_path);
	nf_xs_rm(&t->f, fe->fe_path);
	nf_pump(&t->f);
	assert_null(t->be.vifs);
	stop(t);
}

static void test_domain_death(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 3, 2);
	struct nfe *other = vif(t, 1, 2, 1);
	struct virtio_net_hdr h = { 0 };
	uint8_t b[100] = { 0 };

	/* Mid-transfer: a frame waits for RX buffers when the guest dies. */
	nf_tap_inject(&t->f, nfe_tap(fe), &h, b, 100);
	t->f.alive[3] = false;
	nf_xs_write(&t->f, "@releaseDomain", "%s", "");
	nf_pump(&t->f);
	assert_null(nfe_tap(fe));
	assert_int_equal(nfe_be_state(fe), 6);
	assert_int_equal(t->f.maps, 2);		/* the other vif's */
	assert_int_equal(t->f.bound, 2);
	nfe_tx_packet(other, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(other)->nout, 1);
	stop(t);
}

static void test_backend_dir_removed(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);

	/* Force removal (fe dir first, then be dir), no state dance. */
	nf_xs_rm(&t->f, fe->fe_path);
	nf_pump(&t->f);
	assert_int_equal(nfe_be_state(fe), 6);
	assert_int_equal(t->f.maps, 0);
	nf_xs_rm(&t->f, fe->be_path);
	nf_pump(&t->f);
	assert_null(nfe_tap(fe));
	assert_null(t->be.vifs);
	stop(t);
}

static void test_restart_closes_connected(void **state)
{
	struct t *t = start(NULL);
	struct nfe *fe = vif(t, 0, 1, 1);

	/* A new instance finds a connected vif: it asks the frontend to close. */
	nb_backend_fini(&t->be);
	assert_int_equal(nfe_be_state(fe), 4);
	assert_int_equal(nb_backend_init(&t->be, &t->f.env, &t->f.tap, &t->cfg, NULL), 0);
	t->be.now_ms = nf_clock();
	assert_int_equal(nb_backend_start(&t->be), 0);
	nf_pump(&t->f);
	assert_int_equal(nfe_be_state(fe), 5);
	nfe_set_state(fe, 6);
	assert_int_equal(nfe_be_state(fe), 6);
	nfe_set_state(fe, 1);
	assert_int_equal(nfe_be_state(fe), 2);
	stop(t);
}

/*
 * The daemon's own grant copies (hcopy.c): gntdev segments into GNTTABOP_copy ops, the arena's
 * side by frame number, split at its pages; statuses folded back; what gntdev refuses.
 */
#define HC_GFN0 0x4000u
static struct nb_hcopy hc;
static const struct xenbe_env_ops *hc_real;
static unsigned int hc_calls, hc_ops;

static void hc_setup(void)
{
	unsigned int i;

	memset(&hc, 0, sizeof(hc));
	hc.arena = aligned_alloc(4096, NB_ARENA_SIZE);
	hc.size = NB_ARENA_SIZE;
	hc.gfn = calloc(NB_ARENA_SIZE / 4096, sizeof(*hc.gfn));
	for (i = 0; i < NB_ARENA_SIZE / 4096; i++)
		hc.gfn[i] = HC_GFN0 + i;
	hc.max_ops = 2 * NB_BATCH_SEGS;
	hc.ops = calloc(hc.max_ops, sizeof(*hc.ops));
	hc.seg_of = calloc(hc.max_ops, sizeof(*hc.seg_of));
	hc.privcmd = -1;
	hc_calls = hc_ops = 0;
}

static void hc_teardown(void)
{
	free(hc.arena);
	free(hc.gfn);
	free(hc.ops);
	free(hc.seg_of);
}

/* One op's side as a gntdev segment's: the arena's page by frame number, or the grant. */
static void hc_side(const struct gnttab_copy_ptr *p, bool gref, void **virt,
		    uint32_t *ref, uint16_t *off, uint16_t *domid)
{
	if (gref) {
		*ref = p->u.ref;
		*off = p->offset;
		*domid = p->domid;
		return;
	}
	assert_int_equal(p->domid, DOMID_SELF);
	assert_true(p->u.gmfn >= HC_GFN0 && p->u.gmfn < HC_GFN0 + NB_ARENA_SIZE / 4096);
	*virt = hc.arena + (p->u.gmfn - HC_GFN0) * 4096 + p->offset;
}

/* keel's side of the hypercall: each op (within one page on both sides) by the fake. */
static int hc_copy(void *priv, struct ioctl_gntdev_grant_copy_segment *segs, unsigned int n)
{
	int nops = nb_hcopy_ops(&hc, segs, n), i;

	if (nops <= 0)
		return nops < 0 ? nops : hc_real->gnt_copy(priv, segs, n);
	hc_calls++;
	hc_ops += (unsigned int)nops;
	for (i = 0; i < nops; i++) {
		struct gnttab_copy *op = &hc.ops[i];
		struct ioctl_gntdev_grant_copy_segment g = { .len = op->len, .flags = op->flags };

		assert_true(op->len > 0);
		hc_side(&op->source, op->flags & GNTCOPY_source_gref, &g.source.virt,
			&g.source.foreign.ref, &g.source.foreign.offset, &g.source.foreign.domid);
		hc_side(&op->dest, op->flags & GNTCOPY_dest_gref, &g.dest.virt,
			&g.dest.foreign.ref, &g.dest.foreign.offset, &g.dest.foreign.domid);
		assert_true(op->source.offset + op->len <= 4096);
		assert_true(op->dest.offset + op->len <= 4096);
		op->status = hc_real->gnt_copy(priv, &g, 1) ? GNTST_general_error : g.status;
	}
	nb_hcopy_status(&hc, segs, n, (unsigned int)nops);
	return 0;
}

static void test_hcopy_ops(void **state)
{
	struct ioctl_gntdev_grant_copy_segment s[4];

	hc_setup();
	memset(s, 0, sizeof(s));
	/* RX: one arena page to a guest grant. */
	s[0].source.virt = hc.arena + 4096;
	s[0].dest.foreign.ref = 7;
	s[0].dest.foreign.domid = 5;
	s[0].len = 4096;
	s[0].flags = GNTCOPY_dest_gref;
	/* TX: a guest grant to an arena span across two pages. */
	s[1].source.foreign.ref = 9;
	s[1].source.foreign.offset = 100;
	s[1].source.foreign.domid = 5;
	s[1].dest.virt = hc.arena + 2 * 4096 - 300;
	s[1].len = 1000;
	s[1].flags = GNTCOPY_source_gref;
	/* A zero-length fragment: no op, status OK. */
	s[2] = s[1];
	s[2].len = 0;
	assert_int_equal(nb_hcopy_ops(&hc, s, 3), 3);
	assert_int_equal(hc.ops[0].source.u.gmfn, HC_GFN0 + 1);
	assert_int_equal(hc.ops[0].source.domid, DOMID_SELF);
	assert_int_equal(hc.ops[0].source.offset, 0);
	assert_int_equal(hc.ops[0].dest.u.ref, 7);
	assert_int_equal(hc.ops[0].dest.domid, 5);
	assert_int_equal(hc.ops[0].len, 4096);
	assert_int_equal(hc.ops[0].flags, GNTCOPY_dest_gref);
	assert_int_equal(hc.ops[1].source.u.ref, 9);
	assert_int_equal(hc.ops[1].source.offset, 100);
	assert_int_equal(hc.ops[1].dest.u.gmfn, HC_GFN0 + 1);
	assert_int_equal(hc.ops[1].dest.offset, 4096 - 300);
	assert_int_equal(hc.ops[1].len, 300);
	assert_int_equal(hc.ops[2].source.offset, 400);
	assert_int_equal(hc.ops[2].dest.u.gmfn, HC_GFN0 + 2);
	assert_int_equal(hc.ops[2].dest.offset, 0);
	assert_int_equal(hc.ops[2].len, 700);
	assert_int_equal(hc.ops[2].flags, GNTCOPY_source_gref);
	assert_int_equal(hc.seg_of[0], 0);
	assert_int_equal(hc.seg_of[1], 1);
	assert_int_equal(hc.seg_of[2], 1);
	/* Statuses: each segment's first failure, as gntdev reports them. */
	hc.ops[0].status = GNTST_okay;
	hc.ops[1].status = GNTST_okay;
	hc.ops[2].status = GNTST_bad_gntref;
	s[0].status = s[1].status = s[2].status = 99;
	nb_hcopy_status(&hc, s, 3, 3);
	assert_int_equal(s[0].status, GNTST_okay);
	assert_int_equal(s[1].status, GNTST_bad_gntref);
	assert_int_equal(s[2].status, GNTST_okay);
	hc.ops[1].status = GNTST_permission_denied;
	nb_hcopy_status(&hc, s, 3, 3);
	assert_int_equal(s[1].status, GNTST_permission_denied);
	/* Too many ops for the room: gntdev copies (0), nothing half done. */
	hc.max_ops = 2;
	assert_int_equal(nb_hcopy_ops(&hc, s, 2), 0);
	hc.max_ops = 2 * NB_BATCH_SEGS;
	/* A local side off the arena (a frame kept for RX): gntdev copies it. */
	s[3] = s[0];
	s[3].source.virt = hc.arena + NB_ARENA_SIZE;
	assert_int_equal(nb_hcopy_ops(&hc, s, 4), 0);
	s[3].source.virt = hc.arena - 1;
	assert_int_equal(nb_hcopy_ops(&hc, &s[3], 1), 0);
	/* What gntdev refuses is refused: both sides local, past a page, a grant past its page. */
	s[3] = s[0];
	s[3].flags = 0;
	s[3].dest.virt = hc.arena;
	assert_int_equal(nb_hcopy_ops(&hc, &s[3], 1), -EINVAL);
	s[3] = s[0];
	s[3].len = 4097;
	assert_int_equal(nb_hcopy_ops(&hc, &s[3], 1), -EINVAL);
	s[3] = s[1];
	s[3].source.foreign.offset = 4000;
	s[3].len = 200;
	assert_int_equal(nb_hcopy_ops(&hc, &s[3], 1), -EINVAL);
	s[3] = s[0];
	s[3].dest.foreign.offset = 1;
	assert_int_equal(nb_hcopy_ops(&hc, &s[3], 1), -EINVAL);
	hc_teardown();
}

/*
 * The backend on an arena it was given, its copies made as hypercall ops: frames both ways
 * arrive intact (TX fragments that cross the arena's pages split in two ops), and the
 * backend leaves the arena to its owner.
 */
static void test_hcopy_data_path(void **state)
{
	static struct xenbe_env_ops ops;
	struct nb_config cfg;
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	struct netif_tx_response r;
	union nb_rx_slot rr;
	uint8_t b[9000];
	struct nf_tap *tap;
	struct nfe *fe;
	struct t *t;
	unsigned int i;

	hc_setup();
	nb_config_defaults(&cfg);
	cfg.arena = hc.arena;
	t = start(&cfg);
	assert_ptr_equal(t->be.arena, hc.arena);
	hc_real = t->be.env.ops;
	ops = *hc_real;
	ops.gnt_copy = hc_copy;
	t->be.env.ops = &ops;
	fe = vif(t, 0, 1, 1);
	tap = nfe_tap(fe);
	/* TX: 9000 bytes in five 1800-byte fragments (the third and fifth cross pages). */
	nfe_tx_packet(fe, 0, 9000, 5, 0, 4);
	assert_int_equal(tap->nout, 1);
	nf_pattern(b, 9000, 4);
	assert_memory_equal(tap->out[0].data + NB_VNET_HLEN, b, 9000);
	for (i = 0; i < 5; i++) {
		assert_true(nfe_tx_rsp(fe, 0, &r));
		assert_int_equal(r.status, NETIF_RSP_OKAY);
	}
	assert_int_equal(hc_calls, 1);
	assert_int_equal(hc_ops, 7);
	/* RX: 1000 and 9000 bytes, one batch: 1 + 3 slots, each a page copied by frame. */
	nfe_rx_post(fe, 0, 64);
	t->f.be = NULL;
	nf_pattern(b, 1000, 1);
	nf_tap_inject(&t->f, tap, &h, b, 1000);
	nf_pattern(b, 9000, 2);
	nf_tap_inject(&t->f, tap, &h, b, 9000);
	t->f.be = &t->be;
	nb_backend_tap(&t->be, (int)(tap - t->f.taps));
	assert_int_equal(hc_calls, 2);
	assert_int_equal(hc_ops, 7 + 4);
	for (i = 0; i < 4; i++) {
		assert_true(nfe_rx_rsp(fe, 0, &rr, NULL));
		assert_int_equal(rr.rsp.status, i == 0 ? 1000 : i < 3 ? 4096 : 9000 - 8192);
	}
	assert_false(nfe_rx_rsp(fe, 0, &rr, NULL));
	nf_pattern(b, 1000, 1);
	assert_memory_equal(nfe_rx_buf(fe, 0), b, 1000);
	nf_pattern(b, 9000, 2);
	assert_memory_equal(nfe_rx_buf(fe, 1), b, 4096);
	assert_memory_equal(nfe_rx_buf(fe, 2), b + 4096, 4096);
	assert_memory_equal(nfe_rx_buf(fe, 3), b + 8192, 9000 - 8192);
	stop(t);			/* frees its own things, not the arena */
	hc_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_handshake_flat_channel_and_mtu),
		cmocka_unit_test(test_tx_simple),
		cmocka_unit_test(test_tx_batch_one_copy),
		cmocka_unit_test(test_tx_offloads),
		cmocka_unit_test(test_tx_slot_limits),
		cmocka_unit_test(test_tx_bad_sizes),
		cmocka_unit_test(test_tx_bad_extras),
		cmocka_unit_test(test_tx_ring_overrun),
		cmocka_unit_test(test_tx_budget_fair),
		cmocka_unit_test(test_rx_placement),
		cmocka_unit_test(test_rx_software_csum),
		cmocka_unit_test(test_rx_stall_and_drain),
		cmocka_unit_test(test_rx_ring_overrun_and_bad_grant),
		cmocka_unit_test(test_multiqueue),
		cmocka_unit_test(test_rx_batch),
		cmocka_unit_test(test_tx_aligned_and_tcp_answer),
		cmocka_unit_test(test_rx_one_at_a_time),
		cmocka_unit_test(test_tx_answer_without_event),
		cmocka_unit_test(test_yield_for_answer),
		cmocka_unit_test(test_tx_notify_put_off),
		cmocka_unit_test(test_multiqueue_rx),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_bad_backend_keys),
		cmocka_unit_test(test_frontend_close_and_reconnect),
		cmocka_unit_test(test_toolstack_detach),
		cmocka_unit_test(test_domain_death),
		cmocka_unit_test(test_backend_dir_removed),
		cmocka_unit_test(test_restart_closes_connected),
		cmocka_unit_test(test_hcopy_ops),
		cmocka_unit_test(test_hcopy_data_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
