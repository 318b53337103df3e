/* Hostile block requests: bad ops, segment counts and ranges, sectors, indirect, read-only disks and grants. */
#include "hostile.h"
#include "grefs.h"

static u8 page[4096] __aligned(4096);

/* A request of @op on @nsegs whole-page segments all naming @gref. */
static union blk_slot rw_req(struct hostile *h, u8 op, u8 nsegs, u64 sector, grant_ref_t gref)
{
	union blk_slot r = { .req = { .operation = op, .nr_segments = nsegs,
				      .handle = h->a->dev.vdev, .sector_number = sector } };

	for (unsigned int i = 0; i < BLK_MAX_SEGS; i++)
		r.req.seg[i] = (struct blk_seg){ .gref = gref, .first_sect = 0, .last_sect = 7 };
	return r;
}

static void bad_ops(struct hostile *h, grant_ref_t g)
{
	static const u8 ops[] = { BLK_OP_RESERVED_1, 7, 0x80, 0xff };

	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		char name[32];
		union blk_slot r = rw_req(h, ops[i], 1, 0, g);

		snprintf(name, sizeof(name), "bad-op-%u", ops[i]);
		h_expect_rejected(h, name, &r, false);
	}
	h_after(h, "bad-op");
}

static void bad_segments(struct hostile *h, grant_ref_t g)
{
	union blk_slot r;

	r = rw_req(h, BLK_OP_READ, 0, 0, g);
	h_expect_rejected(h, "read-nr-segments-0", &r, false);
	r = rw_req(h, BLK_OP_WRITE, 0, 0, g);
	h_expect_rejected(h, "write-nr-segments-0", &r, false);
	r = rw_req(h, BLK_OP_READ, 12, 0, g);
	h_expect_rejected(h, "read-nr-segments-12", &r, false);
	r = rw_req(h, BLK_OP_WRITE, 255, 0, g);
	h_expect_rejected(h, "write-nr-segments-255", &r, false);
	r = rw_req(h, BLK_OP_READ, 1, 0, g);
	r.req.seg[0].first_sect = 5;
	r.req.seg[0].last_sect = 2;
	h_expect_rejected(h, "first-sect-after-last", &r, false);
	r.req.seg[0].first_sect = 0;
	r.req.seg[0].last_sect = 8;
	h_expect_rejected(h, "last-sect-8", &r, false);
	r.req.seg[0].first_sect = 200;
	r.req.seg[0].last_sect = 255;
	h_expect_rejected(h, "sects-200-255", &r, false);
	h_after(h, "bad-segments");
}

static void bad_sectors(struct hostile *h, grant_ref_t g)
{
	u64 n = h->a->dev.sectors;
	union blk_slot r;

	r = rw_req(h, BLK_OP_READ, 1, ~0ULL - 3, g);
	h_expect_rejected(h, "read-sector-overflow", &r, false);
	r = rw_req(h, BLK_OP_WRITE, 1, ~0ULL - 3, g);
	h_expect_rejected(h, "write-sector-overflow", &r, false);
	r = rw_req(h, BLK_OP_READ, 1, n, g);
	h_expect_rejected(h, "read-at-end", &r, false);
	r = rw_req(h, BLK_OP_WRITE, 1, n - 4, g);
	h_expect_rejected(h, "write-across-end", &r, false);
	r = rw_req(h, BLK_OP_WRITE, 11, n - 80, g);
	h_expect_rejected(h, "write-11-segments-across-end", &r, false);
	r = (union blk_slot){ .discard = { .operation = BLK_OP_DISCARD,
					   .handle = h->a->dev.vdev,
					   .sector_number = 0, .nr_sectors = ~0ULL } };
	h_expect_rejected(h, "discard-2^64-sectors", &r, false);
	r.discard.sector_number = ~0ULL - 1;
	r.discard.nr_sectors = 8;
	h_expect_rejected(h, "discard-sector-overflow", &r, false);
	r.discard.sector_number = n;
	r.discard.nr_sectors = 1;
	h_expect_rejected(h, "discard-at-end", &r, false);
	h_after(h, "bad-sectors");
}

static void bad_indirect(struct hostile *h, grant_ref_t g)
{
	struct blkfront *d = &h->a->dev;
	static struct blk_seg ind[512] __aligned(4096);
	grant_ref_t ig;
	union blk_slot r = { .ind = { .operation = BLK_OP_INDIRECT,
				      .indirect_op = BLK_OP_READ, .handle = d->vdev } };

	for (unsigned int i = 0; i < 512; i++)
		ind[i] = (struct blk_seg){ .gref = g, .first_sect = 0, .last_sect = 7 };
	ig = h_grant(h, ind, true);
	for (unsigned int i = 0; i < BLK_MAX_INDIRECT_PAGES; i++)
		r.ind.indirect_grefs[i] = ig;
	if (!d->max_indirect) {
		r.ind.nr_segments = 1;
		h_expect_rejected(h, "indirect-not-offered", &r, false);
		h_ungrant(h, ig);
		h_after(h, "indirect");
		return;
	}
	r.ind.nr_segments = 0;
	h_expect_rejected(h, "indirect-nr-segments-0", &r, false);
	r.ind.nr_segments = d->max_indirect + 1;
	h_expect_rejected(h, "indirect-over-advertised", &r, false);
	r.ind.nr_segments = 4097;
	h_expect_rejected(h, "indirect-over-8-pages", &r, false);
	r.ind.nr_segments = 0xffff;
	h_expect_rejected(h, "indirect-nr-segments-65535", &r, false);
	r.ind.nr_segments = 4;
	r.ind.indirect_op = BLK_OP_FLUSH_DISKCACHE;
	h_expect_rejected(h, "indirect-op-flush", &r, false);
	r.ind.indirect_op = BLK_OP_INDIRECT;
	h_expect_rejected(h, "indirect-op-indirect", &r, false);
	r.ind.indirect_op = BLK_OP_READ;
	r.ind.indirect_grefs[0] = 0xfffffff0u;
	h_expect_rejected(h, "indirect-bad-page-gref", &r, false);
	r.ind.indirect_grefs[0] = ig;
	ind[3].last_sect = 9;
	h_expect_rejected(h, "indirect-segment-last-sect-9", &r, false);
	ind[3].last_sect = 7;
	ind[2].gref = 0xfffffff0u;
	h_expect_rejected(h, "indirect-segment-bad-gref", &r, false);
	ind[2].gref = g;
	r.ind.sector_number = d->sectors - 8;
	h_expect_rejected(h, "indirect-across-end", &r, false);
	h_ungrant(h, ig);
	h_after(h, "indirect");
}

static void bad_grants(struct hostile *h, grant_ref_t g)
{
	grant_ref_t spare = gref_get(), other;
	union blk_slot r;
	bool same = true;

	/* Beyond the table, never granted, revoked, granted to someone else. */
	r = rw_req(h, BLK_OP_WRITE, 1, 8, 0xfffffff0u);
	h_expect_rejected(h, "write-gref-beyond-table", &r, false);
	r = rw_req(h, BLK_OP_READ, 1, 8, spare);
	h_expect_rejected(h, "read-gref-never-granted", &r, false);
	gnttab_grant_access(spare, h->a->dev.be_id, (uptr)page, false);
	CHECK(!gnttab_end_access(spare), "revoking an unused grant failed");
	r = rw_req(h, BLK_OP_WRITE, 1, 8, spare);
	h_expect_rejected(h, "write-gref-revoked", &r, false);
	gnttab_grant_access(spare, h->a->dev.be_id + 100, (uptr)page, false);
	r = rw_req(h, BLK_OP_READ, 1, 8, spare);
	h_expect_rejected(h, "read-gref-other-domain", &r, false);
	h_ungrant(h, spare);

	/* A read-only grant as the destination of a READ: page untouched. */
	memset(page, 0x5a, sizeof(page));
	other = h_grant(h, page, true);
	r = rw_req(h, BLK_OP_READ, 1, 8, other);
	h_expect_rejected(h, "read-into-read-only-grant", &r, false);
	h_ungrant(h, other);
	for (unsigned int i = 0; i < sizeof(page); i++)
		same &= page[i] == 0x5a;
	CHECK(same, "blkfront: FAIL read-into-read-only-grant: the page was written");
	/* A good segment and a bad one: all or nothing, but an error. */
	r = rw_req(h, BLK_OP_READ, 2, 8, g);
	r.req.seg[1].gref = 0xfffffff0u;
	h_expect_rejected(h, "read-second-segment-bad", &r, false);
	h_after(h, "bad-grants");
}

static void read_only_disk(struct hostile *h)
{
	struct disk *c = h->ro;
	grant_ref_t g;
	union blk_slot r;
	struct blk_rsp rsp;
	int rc;

	if (!c) {
		printf("blkfront: no read-only disk c: its cases skipped\n");
		return;
	}
	memset(page, 0x77, sizeof(page));
	g = h_grant(h, page, true);
	r = (union blk_slot){ .req = { .operation = BLK_OP_WRITE, .nr_segments = 1,
				       .handle = c->dev.vdev, .sector_number = 0,
				       .seg = { { .gref = g, .last_sect = 7 } } } };
	rc = blkfront_submit(&c->dev, &r, &rsp, BLKFRONT_IO_TIMEOUT_NS);
	if (!rc && rsp.status == BLK_RSP_ERROR)
		h_pass("write-read-only-disk", "answered status %d", rsp.status);
	else
		h_fail("write-read-only-disk", "rc %d status %d", rc, rc ? 0 : rsp.status);
	r = (union blk_slot){ .discard = { .operation = BLK_OP_DISCARD,
					   .handle = c->dev.vdev,
					   .sector_number = 0, .nr_sectors = 8 } };
	rc = blkfront_submit(&c->dev, &r, &rsp, BLKFRONT_IO_TIMEOUT_NS);
	if (!rc && (rsp.status == BLK_RSP_ERROR || rsp.status == BLK_RSP_EOPNOTSUPP))
		h_pass("discard-read-only-disk", "answered status %d", rsp.status);
	else
		h_fail("discard-read-only-disk", "rc %d status %d", rc, rc ? 0 : rsp.status);
	h_ungrant(h, g);
	/* Still as created (zeros): nothing landed. */
	if (disk_read(c, 0, 16))
		h_pass("read-only-disk-unchanged", "sectors 0..15 still zero");
	h_after(h, "read-only-disk");
}

void hostile_block_cases(struct hostile *h)
{
	grant_ref_t g = h_grant(h, page, false);

	memset(page, 0, sizeof(page));
	bad_ops(h, g);
	bad_segments(h, g);
	bad_sectors(h, g);
	bad_indirect(h, g);
	bad_grants(h, g);
	h_ungrant(h, g);
	read_only_disk(h);
}
