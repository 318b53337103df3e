/* Persistent grants for the block frontend: a pool of pages granted once per connection. */
#include <keel/errno.h>
#include "blkfront.h"
#include "console.h"
#include "gnttab.h"
#include "grefs.h"

#define PAGE 4096u

/* A request on the pool needs one indirect page. */
BUILD_BUG_ON(BLKFRONT_POOL_MAX > BLK_SEGS_PER_INDIRECT_PAGE);

static struct blk_seg pool_indirect_store[BLKFRONT_MAX_DEVS][BLK_SEGS_PER_INDIRECT_PAGE]
	__aligned(4096);

void *blkfront_pool(struct blkfront *d)
{
	return d->persistent ? d->pool : NULL;
}

bool blkfront_revoke(struct blkfront *d, grant_ref_t ref, const char *what)
{
	if (gnttab_end_access(ref)) {
		/* Still mapped or copied: the backend's bug; leak the ref, never reuse it. */
		printf("blkfront: %s: backend still holds %s grant %u\n", d->fe, what, ref);
		d->busy_grants++;
		return false;
	}
	gref_put(ref);
	return true;
}

static grant_ref_t grant_rw(struct blkfront *d, const void *page)
{
	grant_ref_t ref = gref_get();

	if (ref)
		gnttab_grant_access(ref, d->be_id, (uptr)page, false);
	return ref;
}

int blkfront_pool_grant(struct blkfront *d)
{
	d->pool_indirect = pool_indirect_store[d->slot];
	d->pool_indirect_ref = grant_rw(d, d->pool_indirect);
	for (u32 i = 0; d->pool_indirect_ref && i < d->pool_pages; i++) {
		d->pool_refs[i] = grant_rw(d, d->pool + i * PAGE);
		if (!d->pool_refs[i])
			break;
	}
	if (!d->pool_indirect_ref || !d->pool_refs[d->pool_pages - 1]) {
		blkfront_pool_revoke(d);
		return -ENOSPC;
	}
	return 0;
}

void blkfront_pool_revoke(struct blkfront *d)
{
	for (u32 i = 0; i < ARRAY_SIZE(d->pool_refs); i++) {
		if (d->pool_refs[i])
			blkfront_revoke(d, d->pool_refs[i], "persistent");
		d->pool_refs[i] = 0;
	}
	if (d->pool_indirect_ref)
		blkfront_revoke(d, d->pool_indirect_ref, "persistent indirect");
	d->pool_indirect_ref = 0;
	d->persistent = false;
}
