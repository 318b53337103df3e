/* Synchronous block requests: grant the pages, fill the request (direct or indirect), wait, check, revoke. */
#include <keel/errno.h>
#include <keel/string.h>
#include "blkfront.h"
#include "console.h"
#include "gnttab.h"
#include "grefs.h"

#define PAGE 4096u
#define SECTORS_PER_PAGE (PAGE >> BLK_SECTOR_SHIFT)
#define INDIRECT_PAGES (BLKFRONT_MAX_INDIRECT / BLK_SEGS_PER_INDIRECT_PAGE)

static struct blk_seg indirect_store[BLKFRONT_MAX_DEVS][INDIRECT_PAGES]
				    [BLK_SEGS_PER_INDIRECT_PAGE] __aligned(4096);

/* Revoke each of @n refs; a ref the backend still holds is leaked and counted. */
static int end_grants(struct blkfront *d, grant_ref_t *refs, u32 n)
{
	int rc = 0;

	for (u32 i = 0; i < n; i++) {
		if (refs[i] && !blkfront_revoke(d, refs[i], "request"))
			rc = -EBUSY;
		refs[i] = 0;
	}
	return rc;
}

static grant_ref_t grant(struct blkfront *d, const void *page, bool readonly)
{
	grant_ref_t ref = gref_get();

	if (ref)
		gnttab_grant_access(ref, d->be_id, (uptr)page, readonly);
	return ref;
}

int blkfront_submit(struct blkfront *d, const union blk_slot *req,
		    struct blk_rsp *rsp, u64 timeout_ns)
{
	union blk_slot *s;
	u64 id;
	int rc;

	if (!d->connected || d->broken)
		return -EIO;
	s = blkfront_next_slot(d);
	if (!s)
		return -ENOSPC;
	id = ++d->next_id;
	*s = *req;
	s->req.id = id;
	blkfront_push(d);
	rc = blkfront_get_response(d, rsp, timeout_ns);
	if (rc)
		return rc;
	if (rsp->id != id) {
		d->bad_responses++;
		printf("blkfront: %s: response id %lu, want %lu\n", d->fe,
		       (unsigned long)rsp->id, (unsigned long)id);
		return -EIO;
	}
	return 0;
}

/*
 * Fill @segs for @nsect sectors from page-aligned @buf: each page granted
 * (its ref kept in @refs for the revoke), or with @pool_refs the pool's
 * persistent grants named.
 */
static int fill_segs(struct blkfront *d, struct blk_seg *segs, grant_ref_t *refs,
		     const grant_ref_t *pool_refs, u8 *buf, u32 nsect, bool readonly)
{
	u32 nsegs = (nsect + SECTORS_PER_PAGE - 1) / SECTORS_PER_PAGE;

	for (u32 i = 0; i < nsegs; i++) {
		u32 left = nsect - i * SECTORS_PER_PAGE;

		if (pool_refs) {
			segs[i].gref = pool_refs[i];
		} else {
			refs[i] = grant(d, buf + i * PAGE, readonly);
			if (!refs[i])
				return -ENOSPC;
			segs[i].gref = refs[i];
		}
		segs[i].first_sect = 0;
		segs[i].last_sect = MIN(left, SECTORS_PER_PAGE) - 1;
	}
	return 0;
}

/*
 * With persistent grants, *@refs = the pool refs a request of @bytes on @buf
 * names: @buf's own when it lies in the pool, else the pool's first pages,
 * which a write's data is copied into now (*@copy: a read's is copied out
 * later). Without, *@refs = NULL. -EINVAL for a buffer half in the pool.
 */
static int pool_refs_for(struct blkfront *d, u8 *buf, u32 bytes, bool write,
			 const grant_ref_t **refs, bool *copy)
{
	u8 *pool = d->pool, *end = pool + d->pool_pages * PAGE;

	*refs = NULL;
	*copy = false;
	if (!d->persistent)
		return 0;
	if (buf >= pool && buf + bytes <= end) {
		*refs = &d->pool_refs[(buf - pool) / PAGE];
		return 0;
	}
	if (buf < end && buf + bytes > pool)
		return -EINVAL;
	*refs = d->pool_refs;
	*copy = true;
	if (write)
		memcpy(pool, buf, bytes);
	return 0;
}

int blkfront_rw(struct blkfront *d, u8 op, u64 sector, void *buf, u32 nsect,
		int *status)
{
	static grant_ref_t refs[BLKFRONT_MAX_INDIRECT + INDIRECT_PAGES];
	u32 nsegs = (MIN(nsect, BLKFRONT_MAX_INDIRECT * SECTORS_PER_PAGE + 1) +
		     SECTORS_PER_PAGE - 1) / SECTORS_PER_PAGE;	/* no wrap: > max is E2BIG */
	bool readonly = op == BLK_OP_WRITE, copy = false;
	const grant_ref_t *pool_refs;
	union blk_slot req = { 0 };
	struct blk_rsp rsp;
	int rc, rc2;

	if ((op != BLK_OP_READ && op != BLK_OP_WRITE) || !nsect ||
	    ((uptr)buf & (PAGE - 1)))
		return -EINVAL;
	if ((nsegs > BLK_MAX_SEGS && nsegs > d->max_indirect) ||
	    (d->persistent && nsegs > d->pool_pages))
		return -E2BIG;
	memset(refs, 0, sizeof(refs));
	rc = pool_refs_for(d, buf, nsect << BLK_SECTOR_SHIFT, op == BLK_OP_WRITE, &pool_refs,
			   &copy);
	if (rc)
		return rc;
	if (nsegs <= BLK_MAX_SEGS) {
		req.req.operation = op;
		req.req.nr_segments = nsegs;
		req.req.handle = d->vdev;
		req.req.sector_number = sector;
		rc = fill_segs(d, req.req.seg, refs, pool_refs, buf, nsect, readonly);
	} else {
		struct blk_seg *segs = pool_refs ? d->pool_indirect
						 : &indirect_store[d->slot][0][0];
		u32 npages = (nsegs + BLK_SEGS_PER_INDIRECT_PAGE - 1) /
			     BLK_SEGS_PER_INDIRECT_PAGE;

		req.ind.operation = BLK_OP_INDIRECT;
		req.ind.indirect_op = op;
		req.ind.nr_segments = nsegs;
		req.ind.handle = d->vdev;
		req.ind.sector_number = sector;
		memset(segs, 0, npages * PAGE);
		rc = fill_segs(d, segs, refs, pool_refs, buf, nsect, readonly);
		if (pool_refs)		/* nsegs <= the pool's pages: one indirect page */
			req.ind.indirect_grefs[0] = d->pool_indirect_ref;
		for (u32 i = 0; !rc && !pool_refs && i < npages; i++) {
			refs[nsegs + i] = grant(d, indirect_store[d->slot][i], true);
			req.ind.indirect_grefs[i] = refs[nsegs + i];
			if (!refs[nsegs + i])
				rc = -ENOSPC;
		}
	}
	if (!rc)
		rc = blkfront_submit(d, &req, &rsp, BLKFRONT_IO_TIMEOUT_NS);
	rc2 = end_grants(d, refs, ARRAY_SIZE(refs));
	if (rc)
		return rc;
	if (rsp.operation != op) {
		d->bad_responses++;
		printf("blkfront: %s: response operation %u, want %u\n", d->fe,
		       rsp.operation, op);
		return -EIO;
	}
	*status = rsp.status;
	if (copy && op == BLK_OP_READ && rsp.status == BLK_RSP_OKAY)
		memcpy(buf, d->pool, nsect << BLK_SECTOR_SHIFT);
	return rc2;
}

static int simple(struct blkfront *d, const union blk_slot *req, int *status)
{
	struct blk_rsp rsp;
	int rc = blkfront_submit(d, req, &rsp, BLKFRONT_IO_TIMEOUT_NS);

	if (rc)
		return rc;
	if (rsp.operation != req->req.operation) {
		d->bad_responses++;
		return -EIO;
	}
	*status = rsp.status;
	return 0;
}

int blkfront_flush(struct blkfront *d, int *status)
{
	union blk_slot req = { .req = { .operation = BLK_OP_FLUSH_DISKCACHE,
					.handle = d->vdev } };

	return simple(d, &req, status);
}

int blkfront_discard(struct blkfront *d, u64 sector, u64 nsect, int *status)
{
	union blk_slot req = { .discard = { .operation = BLK_OP_DISCARD,
					    .handle = d->vdev,
					    .sector_number = sector,
					    .nr_sectors = nsect } };

	return simple(d, &req, status);
}
