/* Hostile ring use: req_prod far ahead, fields changed after the push, a full ring, event storms, ring as data. */
#include "hostile.h"
#include "grefs.h"

#define STORM_EVENTS 20000

static u8 page[4096] __aligned(4096);

static void prod_far_ahead(struct hostile *h)
{
	struct blkfront *d = &h->a->dev;
	struct blk_rsp rsp;
	int rc;

	if (!h->usable)
		return (void)h_fail("req-prod-far-ahead", "skipped: disk a is not usable");
	blkfront_push_raw(d, d->rsp_cons + d->nr_ents * 4 + 7);
	rc = h_wait(h, &rsp, 20000000000ULL);
	if (rc == -ENODEV) {
		h_device_failed(h, "req-prod-far-ahead");
	} else if (rc == -ETIMEDOUT) {
		/* Stopped processing the ring without failing the device: allowed. */
		h_pass("req-prod-far-ahead", "the backend stopped the ring (no answers, state %d)",
		       blkfront_be_state(d));
		h->usable = !blkfront_close(d) && !blkfront_reconnect(d, &h->opts);
		CHECK(h->usable, "blkfront: FAIL req-prod-far-ahead: no reconnect after it");
	} else {
		h_fail("req-prod-far-ahead", "the backend answered garbage slots (rc %d, status %d)",
		       rc, rsp.status);
		h->usable = !blkfront_close(d) && !blkfront_reconnect(d, &h->opts);
	}
	h_after(h, "req-prod-far-ahead");
}

/*
 * A good WRITE, then while the backend works on it the slot flips between
 * that and hostile values. Whatever copy the backend took, it must answer
 * once, with OKAY or ERROR, and keep serving.
 */
static void changed_after_push(struct hostile *h)
{
	struct blkfront *d = &h->a->dev;
	volatile union blk_slot *s;
	struct blk_rsp rsp;
	grant_ref_t g;
	u64 id, sector = 64;
	int rc = -ETIMEDOUT;

	if (!h->usable)
		return (void)h_fail("fields-changed-after-push", "skipped: disk a is not usable");
	memset(page, 0x3c, sizeof(page));
	g = h_grant(h, page, true);
	s = blkfront_next_slot(d);
	s->req = (struct blk_req){ .operation = BLK_OP_WRITE, .nr_segments = 1,
				   .handle = d->vdev, .sector_number = sector,
				   .id = id = (++d->next_id | 0x6b65656c00000000ull),
				   .seg = { { .gref = g, .last_sect = 7 } } };
	blkfront_push(d);
	for (unsigned int i = 0; rc == -ETIMEDOUT && i < 200000; i++) {
		s->req.nr_segments = (i & 1) ? 255 : 1;
		s->req.sector_number = (i & 2) ? ~0ULL - 1 : sector;
		s->req.seg[0].last_sect = (i & 4) ? 200 : 7;
		s->req.operation = (i & 8) ? 0x99 : BLK_OP_WRITE;
		if (!(i & 255))
			rc = blkfront_get_response(d, &rsp, 0);
	}
	if (rc == -ETIMEDOUT)
		rc = h_wait(h, &rsp, 60000000000ULL);
	/* The 8 sectors may or may not hold the page now. */
	for (unsigned int i = 0; i < 8; i++)
		h->a->gen[sector + i] = GEN_UNKNOWN;
	if (rc) {
		h_ungrant(h, g);
		h_device_failed(h, "fields-changed-after-push");
	} else if ((rsp.id >> 16) == (id >> 16) &&
		   (rsp.status == BLK_RSP_OKAY || rsp.status == BLK_RSP_ERROR ||
		    rsp.status == BLK_RSP_EOPNOTSUPP)) {
		/*
		 * The response lands in the very slot this loop keeps scribbling on: its
		 * operation and nr_segments bytes are the response id's low two bytes, so
		 * only the rest of the id is the backend's to get right.
		 */
		h_ungrant(h, g);
		h_pass("fields-changed-after-push", "answered once, status %d", rsp.status);
	} else {
		h_ungrant(h, g);
		h_fail("fields-changed-after-push", "response id %lu status %d",
		       (unsigned long)rsp.id, rsp.status);
	}
	h_after(h, "fields-changed-after-push");
}

/* Every slot of the ring at once: all answered OKAY, each id once. */
static void full_ring(struct hostile *h)
{
	static grant_ref_t refs[512];
	static u8 seen[512];
	struct blkfront *d = &h->a->dev;
	u32 n = d->nr_ents, answered = 0, bad = 0;
	u64 base = d->next_id;

	if (!h->usable || n > ARRAY_SIZE(refs))
		return (void)h_fail("full-ring", "skipped");
	memset(seen, 0, sizeof(seen));
	for (u32 i = 0; i < n; i++) {
		union blk_slot *s = blkfront_next_slot(d);

		refs[i] = h_grant(h, page, false);
		s->req = (struct blk_req){ .operation = BLK_OP_READ, .nr_segments = 1,
					   .handle = d->vdev, .sector_number = (i * 8) % (d->sectors - 8),
					   .id = ++d->next_id,
					   .seg = { { .gref = refs[i], .last_sect = 7 } } };
	}
	CHECK(!blkfront_next_slot(d), "blkfront: FAIL full-ring: a slot past the ring's size");
	blkfront_push(d);
	while (answered < n) {
		struct blk_rsp rsp;
		int rc = h_wait(h, &rsp, 60000000000ULL);
		u64 k = rsp.id - base - 1;

		if (rc)
			break;
		answered++;
		if (k >= n || seen[k]++ || rsp.status != BLK_RSP_OKAY)
			bad++;
	}
	for (u32 i = 0; i < n; i++)
		h_ungrant(h, refs[i]);
	if (answered == n && !bad)
		h_pass("full-ring", "%u requests in flight, all answered OKAY once", n);
	else
		h_fail("full-ring", "%u of %u answered, %u bad", answered, n, bad);
	h_after(h, "full-ring");
}

static void event_storm(struct hostile *h)
{
	struct blkfront *d = &h->a->dev;

	if (!h->usable)
		return (void)h_fail("event-storm", "skipped: disk a is not usable");
	for (unsigned int i = 0; i < STORM_EVENTS; i++)
		evtchn_send(d->port);
	/* And pushes that add nothing. */
	for (unsigned int i = 0; i < 1000; i++)
		blkfront_push_raw(d, d->req_prod_pvt);
	h_pass("event-storm", "%u events and 1000 empty pushes sent", STORM_EVENTS);
	h_after(h, "event-storm");
}

/* The ring's own grant as a WRITE's data: the ring's bytes land on disk, or an error. */
static void ring_as_data(struct hostile *h)
{
	struct blkfront *d = &h->a->dev;
	union blk_slot r = { .req = { .operation = BLK_OP_WRITE, .nr_segments = 1,
				      .handle = d->vdev, .sector_number = 128 } };

	if (!h->usable)
		return (void)h_fail("ring-grant-as-data", "skipped: disk a is not usable");
	r.req.seg[0] = (struct blk_seg){ .gref = d->ring_refs[0], .last_sect = 7 };
	for (unsigned int i = 0; i < 8; i++)
		h->a->gen[128 + i] = GEN_UNKNOWN;
	h_expect_rejected(h, "ring-grant-as-data", &r, true);
	h_after(h, "ring-grant-as-data");
}

void hostile_ring_cases(struct hostile *h)
{
	full_ring(h);
	changed_after_push(h);
	event_storm(h);
	ring_as_data(h);
	prod_far_ahead(h);
}
