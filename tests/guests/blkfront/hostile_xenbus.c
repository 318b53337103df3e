/* Hostile xenbus play: flapping states, garbage ring keys, node floods, deleting the device directory. */
#include "hostile.h"
#include "grefs.h"
#include "xenstore.h"

#define GARBAGE_TIMEOUT_NS 60000000000ULL

static u8 junk[1024];

static void fe_write(struct hostile *h, const char *k, const char *v)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", h->a->dev.fe, k);
	CHECK(!xs_write(XS_NO_TX, path, v), "cannot write %s", path);
}

static void fe_rm(struct hostile *h, const char *k)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", h->a->dev.fe, k);
	xs_rm(XS_NO_TX, path);
}

/* Back to both ends Connected with a fresh ring; marks a usable or not. */
static void recover(struct hostile *h, const char *name)
{
	int rc = blkfront_reconnect(&h->a->dev, &h->opts);

	h->usable = !rc;
	CHECK(!rc, "blkfront: FAIL %s: disk a did not reconnect: %d", name, rc);
}

static void flapping(struct hostile *h)
{
	static const int seq[] = { 5, 6, 1, 3, 4, 1, 6, 5, 4, 3, 1 };
	struct blkfront *d = &h->a->dev;

	for (unsigned int round = 0; round < 8; round++)
		for (unsigned int i = 0; i < ARRAY_SIZE(seq); i++)
			blkfront_set_state(d, seq[i]);
	recover(h, "flapping-states");
	if (h->usable)
		h_pass("flapping-states", "88 state writes, then a clean reconnect");
	h_after(h, "flapping-states");

	/* Back to Initialising while Connected. */
	blkfront_set_state(d, XB_INITIALISING);
	recover(h, "back-to-1-while-connected");
	if (h->usable)
		h_pass("back-to-1-while-connected", "reconnected afterwards");
	h_after(h, "back-to-1-while-connected");
}

enum garbage {
	G_REF_WORD, G_REF_HUGE, G_REF_UNGRANTED, G_REF_READ_ONLY, G_REF_MISSING,
	G_PORT_WORD, G_PORT_NEGATIVE, G_PORT_UNBOUND, G_ORDER_17, G_ORDER_OVER_MAX,
	G_PROTOCOL, G_COUNT,
};

static const char *const garbage_names[G_COUNT] = {
	"ring-ref-not-a-number", "ring-ref-over-32-bits", "ring-ref-never-granted",
	"ring-ref-read-only-grant", "ring-ref-missing", "event-channel-not-a-number",
	"event-channel-negative", "event-channel-not-ours", "ring-page-order-17",
	"ring-page-order-over-max", "protocol-unknown",
};

static void spoil(struct hostile *h, enum garbage g, grant_ref_t spare)
{
	struct blkfront *d = &h->a->dev;
	char v[24];

	switch (g) {
	case G_REF_WORD:
		fe_write(h, "ring-ref", "banana");
		break;
	case G_REF_HUGE:
		fe_write(h, "ring-ref", "99999999999");
		break;
	case G_REF_UNGRANTED:
		snprintf(v, sizeof(v), "%u", spare);
		fe_write(h, "ring-ref", v);
		break;
	case G_REF_READ_ONLY:
		gnttab_grant_access(d->ring_refs[0], d->be_id, (uptr)d->sring, true);
		break;
	case G_REF_MISSING:
		fe_rm(h, "ring-ref");
		break;
	case G_PORT_WORD:
		fe_write(h, "event-channel", "banana");
		break;
	case G_PORT_NEGATIVE:
		fe_write(h, "event-channel", "-1");
		break;
	case G_PORT_UNBOUND:
		fe_write(h, "event-channel", "1000");
		break;
	case G_ORDER_17:
		fe_write(h, "ring-page-order", "17");
		snprintf(v, sizeof(v), "%u", d->ring_refs[0]);
		fe_write(h, "ring-ref0", v);
		break;
	case G_ORDER_OVER_MAX:
		snprintf(v, sizeof(v), "%u", d->max_ring_order + 1);
		fe_write(h, "ring-page-order", v);
		for (unsigned int i = 0; i < 32; i++) {
			char k[24];

			snprintf(k, sizeof(k), "ring-ref%u", i);
			snprintf(v, sizeof(v), "%u", d->ring_refs[0]);
			fe_write(h, k, v);
		}
		break;
	case G_PROTOCOL:
		fe_write(h, "protocol", "sparc-abi");
		break;
	default:
		break;
	}
}

/*
 * Close, come back with a valid single-page ring published, spoil one key,
 * say Initialised: the backend must fail the device (5) and not connect.
 */
static void garbage_key(struct hostile *h, enum garbage g)
{
	const char *name = garbage_names[g];
	struct blkfront *d = &h->a->dev;
	grant_ref_t spare = gref_get();
	int be, rc;

	blkfront_close(d);
	blkfront_set_state(d, XB_INITIALISING);
	be = blkfront_wait_be_state(d, BIT(XB_INITWAIT), GARBAGE_TIMEOUT_NS);
	rc = be == XB_INITWAIT ? blkfront_ring_setup(d, 0) : -EIO;
	if (!CHECK(!rc, "blkfront: FAIL %s: no InitWait or ring (%d, %d)", name, be, rc)) {
		gref_put(spare);
		recover(h, name);
		return;
	}
	spoil(h, g, spare);
	blkfront_set_state(d, XB_INITIALISED);
	be = blkfront_wait_be_state(d, BIT(XB_CONNECTED) | BIT(XB_CLOSING) | BIT(XB_CLOSED),
				    GARBAGE_TIMEOUT_NS);
	if (be == XB_CLOSING || be == XB_CLOSED) {
		char err[160];
		int e = blkfront_be_error(d, err, sizeof(err));

		if (e == -EACCES)
			snprintf(err, sizeof(err), "(not readable by the guest: dom0 checks it)");
		else if (e < 0)
			snprintf(err, sizeof(err), "(none: %d)", e);
		h_pass(name, "backend refused: state %d, error %s", be, err);
	} else {
		h_fail(name, "backend state %d after the garbage", be);
	}
	/* Our ring page's grant back to read-write before it is revoked. */
	if (g == G_REF_READ_ONLY)
		gnttab_grant_access(d->ring_refs[0], d->be_id, (uptr)d->sring, false);
	fe_rm(h, "ring-page-order");
	for (unsigned int i = 0; g >= G_ORDER_17 && i < 32; i++) {
		char k[24];

		snprintf(k, sizeof(k), "ring-ref%u", i);
		fe_rm(h, k);
	}
	gref_put(spare);
	recover(h, name);
	h_after(h, name);
}

static void node_flood(struct hostile *h)
{
	char k[32];
	int bad = 0;

	memset(junk, 'j', sizeof(junk) - 1);
	for (unsigned int i = 0; i < 200; i++) {
		snprintf(k, sizeof(k), "junk/%u", i);
		char path[96];

		snprintf(path, sizeof(path), "%s/%s", h->a->dev.fe, k);
		bad += xs_write(XS_NO_TX, path, (const char *)junk) != 0;
	}
	fe_rm(h, "junk");
	h_pass("node-flood", "200 nodes of 1 KiB in the device directory (%d refused)", bad);
	h_after(h, "node-flood");
}

void hostile_xenbus_cases(struct hostile *h)
{
	flapping(h);
	node_flood(h);
	for (unsigned int g = 0; g < G_COUNT; g++)
		garbage_key(h, g);
}

void hostile_delete_dir(struct disk *a, struct disk *b)
{
	struct blkfront *d = &a->dev;
	int rc = xs_rm(XS_NO_TX, d->fe), be;

	CHECK(!rc, "blkfront: FAIL delete-own-directory: rm %s: %d", d->fe, rc);
	be = blkfront_wait_be_state(d, BIT(XB_CLOSED) | BIT(XB_UNKNOWN), GARBAGE_TIMEOUT_NS);
	if (be == XB_CLOSED || be == XB_UNKNOWN)
		h_pass("delete-own-directory", "backend state %d afterwards", be);
	else
		h_fail("delete-own-directory", "backend state %d afterwards", be);
	blkfront_drop_ring(d);
	if (!disk_still_serves(b))
		h_fail("delete-own-directory", "disk b stopped serving correctly after it");
}
