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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restart_at_initwait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
