/* keel-netback under attack: a hostile netfront, a racing toolstack, a restarted daemon. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#include "nb_fake.h"

struct t {
	struct nfake f;
	struct nb_backend be;
	struct nb_config cfg;
	struct nfe fe[2];
};

static struct t *start(void)
{
	struct t *t = calloc(1, sizeof(*t));

	nf_init(&t->f);
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
	assert_int_equal(t->f.maps, 0);
	assert_int_equal(t->f.bound, 0);
	for (unsigned int i = 0; i < NF_TAPS; i++)
		assert_false(t->f.taps[i].open);
	nf_fini(&t->f);
	free(t);
}

/* The daemon stops and a new instance starts on the same xenstore. */
static void restart(struct t *t)
{
	nb_backend_fini(&t->be);
	assert_int_equal(nb_backend_init(&t->be, &t->f.env, &t->f.tap, &t->cfg, NULL), 0);
	t->be.now_ms = nf_clock();
	assert_int_equal(nb_backend_start(&t->be), 0);
	nf_pump(&t->f);
}

/* A connected vif: one queue, split channels. */
static struct nfe *vif(struct t *t, unsigned int i, uint16_t domid)
{
	struct nfe *fe = &t->fe[i];

	nfe_create(&t->f, fe, domid, i);
	assert_int_equal(nfe_be_state(fe), 2);
	nfe_connect(fe, 1, true);
	assert_int_equal(nfe_be_state(fe), 4);
	return fe;
}

/* Hands every queued watch event to the backend as the daemon's loop does: notes, one flush. */
static unsigned int take_events(struct t *t)
{
	unsigned int n = t->f.nr_events, i;

	for (i = 0; i < n; i++) {
		nb_backend_watch_note(&t->be, t->f.events[i].path, t->f.events[i].token);
		free(t->f.events[i].path);
		free(t->f.events[i].token);
	}
	t->f.nr_events = 0;
	return n;
}

/*
 * A daemon restarted while a vif waits at InitWait (the previous instance wrote 2, the guest
 * has not connected yet) must serve it: a new TAP, and the frontend's 4 connects it.
 */
static void test_restart_at_initwait(void **state)
{
	struct t *t = start();
	struct nfe *fe = &t->fe[0];

	nfe_create(&t->f, fe, 1, 0);
	assert_int_equal(nfe_be_state(fe), 2);
	restart(t);
	assert_non_null(nfe_tap(fe));
	assert_int_equal(nfe_be_state(fe), 2);
	nfe_connect(fe, 1, true);
	assert_int_equal(nfe_be_state(fe), 4);
	nfe_tx_packet(fe, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(fe)->nout, 1);
	stop(t);
}

/*
 * XSA-349's attack on a backend: the guest rewrites its frontend state in a loop. Each write
 * is a watch event; an update per event (several xenstore round trips each) falls behind the
 * guest, and the events pile up in the daemon's xenstore client without bound. Events are
 * coalesced per vif: hundreds of them cost what one does, noting them costs no xenstore call.
 */
static void test_watch_flood_coalesced(void **state)
{
	struct t *t = start();
	struct nfe *fe = vif(t, 0, 1), *other = vif(t, 1, 2);
	char path[160];
	unsigned int reads, one, i;

	snprintf(path, sizeof(path), "%s/state", fe->fe_path);
	reads = t->f.xs_reads;
	nf_xs_write(&t->f, path, "4");
	assert_int_equal(take_events(t), 1);
	nb_backend_watch_flush(&t->be);
	one = t->f.xs_reads - reads;
	assert_true(one > 0);

	for (i = 0; i < 400; i++)
		nf_xs_write(&t->f, path, "4");
	nf_xs_write(&t->f, "@releaseDomain", "%s", "");
	reads = t->f.xs_reads;
	assert_int_equal(take_events(t), 401);
	assert_int_equal(t->f.xs_reads, reads);		/* noting reads nothing */
	nb_backend_watch_flush(&t->be);
	assert_true(t->f.xs_reads - reads <= one);
	/* Both vifs still work. */
	assert_int_equal(nfe_be_state(fe), 4);
	nfe_tx_packet(fe, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(fe)->nout, 1);
	nfe_tx_packet(other, 0, 100, 1, 0, 2);
	assert_int_equal(nfe_tap(other)->nout, 1);

	/* A state change among the flood is still seen: the last word counts. */
	for (i = 0; i < 100; i++)
		nf_xs_write(&t->f, path, "4");
	nf_xs_write(&t->f, path, "5");
	take_events(t);
	nb_backend_watch_flush(&t->be);
	assert_int_equal(nfe_be_state(fe), 5);
	assert_int_equal(t->f.maps, 2);			/* only the other vif's rings */
	stop(t);
}

/*
 * The toolstack's be/state is not a number (or out of range): the vif goes on as it was, and
 * nothing is decided on an unread value; a released vif and a dead domain's vif the same.
 */
static void test_unreadable_backend_state(void **state)
{
	struct t *t = start();
	struct nfe *fe = vif(t, 0, 1), *other = vif(t, 1, 2);
	char path[160];

	snprintf(path, sizeof(path), "%s/state", fe->be_path);
	nf_xs_write(&t->f, path, "junk");
	nf_pump(&t->f);
	nfe_set_state(fe, 4);
	nfe_tx_packet(fe, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(fe)->nout, 1);
	nf_xs_write(&t->f, path, "9");
	nf_pump(&t->f);
	nfe_tx_packet(fe, 0, 100, 1, 0, 2);
	assert_int_equal(nfe_tap(fe)->nout, 2);
	assert_int_equal(t->f.maps, 4);
	/* The guest dies while its be/state is unreadable: everything is let go all the same. */
	t->f.alive[1] = false;
	nf_xs_write(&t->f, "@releaseDomain", "%s", "");
	nf_pump(&t->f);
	assert_null(nfe_tap(fe));
	assert_int_equal(t->f.maps, 2);
	nfe_tx_packet(other, 0, 100, 1, 0, 3);
	assert_int_equal(nfe_tap(other)->nout, 1);
	stop(t);
}

/*
 * keel gives a new domain the lowest free id: a guest that died (its vif released) and a new
 * one with the same id, whose toolstack removed and wrote the directories again before the
 * daemon looked. The released vif must not hide the new one: it is served from 1.
 */
static void test_domid_reused(void **state)
{
	struct t *t = start();
	struct nfe *fe = vif(t, 0, 1);

	t->f.alive[1] = false;
	nf_xs_write(&t->f, "@releaseDomain", "%s", "");
	nf_pump(&t->f);
	assert_null(nfe_tap(fe));
	assert_int_equal(t->f.maps, 0);
	/* The toolstack's rm and the next domain's create, all before the daemon's turn. */
	t->f.alive[1] = true;
	nf_xs_rm(&t->f, fe->be_path);
	nf_xs_rm(&t->f, fe->fe_path);
	nfe_create(&t->f, fe, 1, 0);
	assert_int_equal(nfe_be_state(fe), 2);
	assert_non_null(nfe_tap(fe));
	nfe_connect(fe, 1, true);
	assert_int_equal(nfe_be_state(fe), 4);
	nfe_tx_packet(fe, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(fe)->nout, 1);
	stop(t);
}

/*
 * The same race when the dead guest never connected (no mapping held its id, so the id came
 * back before @releaseDomain was seen): the vif still believes it is at 2.
 */
static void test_domid_reused_before_release(void **state)
{
	struct t *t = start();
	struct nfe *fe = &t->fe[0];

	nfe_create(&t->f, fe, 1, 0);
	assert_int_equal(nfe_be_state(fe), 2);
	nf_xs_rm(&t->f, fe->be_path);
	nf_xs_rm(&t->f, fe->fe_path);
	nfe_create(&t->f, fe, 1, 0);
	assert_int_equal(nfe_be_state(fe), 2);
	assert_non_null(nfe_tap(fe));
	nfe_connect(fe, 1, true);
	assert_int_equal(nfe_be_state(fe), 4);
	nfe_tx_packet(fe, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(fe)->nout, 1);
	stop(t);
}

/*
 * One page for both rings (the RX responses land on TX requests) and the same remote port for
 * two queues: the backend stays inside the page and fails only this vif; nothing leaks.
 */
static void test_shared_ring_page_and_port(void **state)
{
	struct t *t = start();
	struct nfe *fe = &t->fe[0], *other = vif(t, 1, 2);
	struct virtio_net_hdr h = { 0 };
	uint8_t frame[60] = { 0 };
	char path[160];
	const char *ref;

	nfe_create(&t->f, fe, 1, 0);
	nfe_publish(fe, 1, false);
	snprintf(path, sizeof(path), "%s/tx-ring-ref", fe->fe_path);
	ref = nf_xs_read(&t->f, path);
	snprintf(path, sizeof(path), "%s/rx-ring-ref", fe->fe_path);
	nf_xs_write(&t->f, path, "%s", ref);
	fe->q[0].rxs = fe->q[0].txs;
	fe->q[0].rx = (union nb_rx_slot *)fe->q[0].tx;
	nfe_set_state(fe, 4);
	assert_int_equal(nfe_be_state(fe), 4);
	for (int i = 0; i < 50; i++) {
		nfe_tx_packet(fe, 0, 60 + i, 1, 0, (uint8_t)i);
		if (nfe_be_state(fe) != 4)
			break;
		nfe_rx_post(fe, 0, 1);
		if (nfe_tap(fe))
			nf_tap_inject(&t->f, nfe_tap(fe), &h, frame, sizeof(frame));
	}
	assert_true(nfe_be_state(fe) == 4 || nfe_be_state(fe) == 5);
	nfe_tx_packet(other, 0, 100, 1, 0, 1);
	assert_int_equal(nfe_tap(other)->nout, 1);

	/* Two queues on one remote port: the second bind fails, the vif alone. */
	nfe_set_state(fe, 6);
	nfe_set_state(fe, 1);
	assert_int_equal(nfe_be_state(fe), 2);
	nfe_publish(fe, 2, false);
	snprintf(path, sizeof(path), "%s/queue-1/event-channel", fe->fe_path);
	nf_xs_write(&t->f, path, "%u", fe->q[0].port_tx);
	nfe_set_state(fe, 4);
	assert_int_equal(nfe_be_state(fe), 5);
	assert_int_equal(t->f.maps, 2);			/* the other vif's */
	assert_int_equal(t->f.bound, 2);
	nfe_tx_packet(other, 0, 100, 1, 0, 2);
	assert_int_equal(nfe_tap(other)->nout, 2);
	stop(t);
}

/*
 * A queue left with work by its budget says so without running it (the loop must not sleep
 * on it, even when the work came from a connect during its last xenstore round).
 */
static void test_busy_reports_budget_left(void **state)
{
	struct t *t = start();
	struct nfe *fe = vif(t, 0, 1);
	union nb_tx_slot s[100];

	memset(s, 0, sizeof(s));
	memset(nf_page(&t->f, fe->data_page), 0x5a, 4096);
	for (int i = 0; i < 100; i++) {
		s[i].req.gref = fe->data_gref[0];
		s[i].req.size = 60;
		s[i].req.id = (uint16_t)i;
	}
	assert_false(nb_backend_busy(&t->be));
	nfe_tx_slots(fe, 0, s, 100);
	assert_int_equal(nfe_tap(fe)->nout, NB_BUDGET);
	assert_true(nb_backend_busy(&t->be));
	assert_int_equal(nfe_tap(fe)->nout, NB_BUDGET);	/* asking ran nothing */
	nf_tap_clear(nfe_tap(fe));
	nb_backend_work(&t->be);
	assert_int_equal(nfe_tap(fe)->nout, 100 - NB_BUDGET);
	assert_false(nb_backend_busy(&t->be));
	stop(t);
}

/*
 * A frontend that failed at 4 answers the backend's 5 with 6 and writes 1 at once, before the
 * backend has read its 6: it reset, and must get the features again (2), not a vif latched
 * Closed for as long as the guest lives. One that fails while still at 1 (a setup that cannot
 * work) stays Closed until it moves, or each retry would fail again at once.
 */
static void test_fail_then_quick_reset(void **state)
{
	struct t *t = start();
	struct nfe *fe = &t->fe[0];
	char path[160];

	nfe_create(&t->f, fe, 1, 0);
	assert_int_equal(nfe_be_state(fe), 2);
	nfe_publish(fe, 1, true);
	snprintf(path, sizeof(path), "%s/request-rx-copy", fe->fe_path);
	nf_xs_write(&t->f, path, "0");
	nfe_set_state(fe, 4);
	assert_int_equal(nfe_be_state(fe), 5);
	/* 6 and 1 both land before the backend's next look. */
	snprintf(path, sizeof(path), "%s/state", fe->fe_path);
	nf_xs_write(&t->f, path, "6");
	nf_xs_write(&t->f, path, "1");
	nf_pump(&t->f);
	assert_int_equal(nfe_be_state(fe), 2);
	/* Fixed keys: it connects. */
	nfe_connect(fe, 1, true);
	assert_int_equal(nfe_be_state(fe), 4);
	stop(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restart_at_initwait),
		cmocka_unit_test(test_fail_then_quick_reset),
		cmocka_unit_test(test_watch_flood_coalesced),
		cmocka_unit_test(test_unreadable_backend_state),
		cmocka_unit_test(test_domid_reused),
		cmocka_unit_test(test_domid_reused_before_release),
		cmocka_unit_test(test_shared_ring_page_and_port),
		cmocka_unit_test(test_busy_reports_budget_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
