/* blkif request validation: every field of a copied request checked before use. */
#include <string.h>
#include "req.h"

/* Segment @seg (already copied) into @out; the sectors it covers added to @sectors. */
static int seg_check(const struct bb_limits *lim, const struct blkif_request_segment *seg,
		     struct bb_seg *out, uint64_t *sectors)
{
	uint8_t first = seg->first_sect, last = seg->last_sect;
	uint32_t per_lblk = lim->sector_size >> BB_SECTOR_SHIFT;
	uint32_t n;

	if (first > last || last >= BB_PAGE_SIZE >> BB_SECTOR_SHIFT)
		return BLKIF_RSP_ERROR;
	n = last - first + 1;
	if (first % per_lblk || n % per_lblk)
		return BLKIF_RSP_ERROR;
	out->gref = seg->gref;
	out->offset = first << BB_SECTOR_SHIFT;
	out->len = n << BB_SECTOR_SHIFT;
	*sectors += n;
	return BLKIF_RSP_OKAY;
}

/* The extent [sector, sector + n) lies in the device and is aligned to its logical blocks. */
static int range_check(const struct bb_limits *lim, uint64_t sector, uint64_t n)
{
	uint32_t per_lblk = lim->sector_size >> BB_SECTOR_SHIFT;

	if (sector > lim->sectors || n > lim->sectors - sector)
		return BLKIF_RSP_ERROR;
	if (sector % per_lblk || n % per_lblk)
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

static int parse_rw(const struct bb_limits *lim, const blkif_request_t *src, struct bb_req *out)
{
	uint8_t nr = src->nr_segments;
	uint64_t sectors = 0;
	unsigned int i;

	out->sector = src->sector_number;
	if (nr > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return BLKIF_RSP_ERROR;
	if (nr == 0 && out->kind != BB_OP_FLUSH)
		return BLKIF_RSP_ERROR;
	if (out->kind != BB_OP_READ && lim->readonly)
		return BLKIF_RSP_ERROR;
	for (i = 0; i < nr; i++) {
		int rc = seg_check(lim, &src->seg[i], &out->segs[i], &sectors);

		if (rc)
			return rc;
	}
	out->nr_segs = nr;
	out->nr_sectors = sectors;
	if (nr == 0) {
		out->sector = 0;	/* a pure flush: its sector_number means nothing */
		return BLKIF_RSP_OKAY;
	}
	return range_check(lim, out->sector, sectors);
}

static int parse_discard(const struct bb_limits *lim, const blkif_request_t *src,
			 struct bb_req *out)
{
	const struct blkif_request_discard *d = (const void *)src;

	out->sector = d->sector_number;
	out->nr_sectors = d->nr_sectors;
	if (!lim->discard)
		return BLKIF_RSP_EOPNOTSUPP;
	if (d->flag & BLKIF_DISCARD_SECURE)
		return BLKIF_RSP_EOPNOTSUPP;	/* discard-secure is never offered */
	if (lim->readonly)
		return BLKIF_RSP_ERROR;
	return range_check(lim, out->sector, out->nr_sectors);
}

static int parse_indirect(const struct bb_limits *lim, const blkif_request_t *src,
			  struct bb_req *out)
{
	const struct blkif_request_indirect *ind = (const void *)src;
	uint16_t nr = ind->nr_segments;
	unsigned int i;

	switch (ind->indirect_op) {
	case BLKIF_OP_READ:
		out->kind = BB_OP_READ;
		break;
	case BLKIF_OP_WRITE:
		out->kind = BB_OP_WRITE;
		break;
	default:
		return BLKIF_RSP_ERROR;
	}
	out->rsp_op = ind->indirect_op;
	out->sector = ind->sector_number;
	if (!lim->max_indirect)
		return BLKIF_RSP_EOPNOTSUPP;
	if (nr == 0 || nr > lim->max_indirect || nr > BB_MAX_INDIRECT_SEGS_CAP)
		return BLKIF_RSP_ERROR;
	if (out->kind == BB_OP_WRITE && lim->readonly)
		return BLKIF_RSP_ERROR;
	out->nr_segs = nr;
	out->nr_indirect = (nr + BB_SEGS_PER_INDIRECT_PAGE - 1) / BB_SEGS_PER_INDIRECT_PAGE;
	for (i = 0; i < out->nr_indirect; i++)
		out->indirect_grefs[i] = ind->indirect_grefs[i];
	return BB_PARSE_INDIRECT;
}

int bb_req_parse(const struct bb_limits *lim, const blkif_request_t *src, struct bb_req *out)
{
	out->id = src->id;
	out->rsp_op = src->operation;
	out->nr_segs = 0;
	out->nr_indirect = 0;
	out->sector = 0;
	out->nr_sectors = 0;

	switch (src->operation) {
	case BLKIF_OP_READ:
		out->kind = BB_OP_READ;
		return parse_rw(lim, src, out);
	case BLKIF_OP_WRITE:
		out->kind = BB_OP_WRITE;
		return parse_rw(lim, src, out);
	case BLKIF_OP_FLUSH_DISKCACHE:
		out->kind = BB_OP_FLUSH;
		if (!lim->flush)
			return BLKIF_RSP_EOPNOTSUPP;
		return parse_rw(lim, src, out);
	case BLKIF_OP_DISCARD:
		out->kind = BB_OP_DISCARD;
		return parse_discard(lim, src, out);
	case BLKIF_OP_INDIRECT:
		return parse_indirect(lim, src, out);
	default:	/* WRITE_BARRIER (not offered), RESERVED_1, anything else */
		return BLKIF_RSP_EOPNOTSUPP;
	}
}

int bb_req_parse_indirect(const struct bb_limits *lim, const void *pages, struct bb_req *req)
{
	const struct blkif_request_segment *segs = pages;
	uint64_t sectors = 0;
	unsigned int i;

	for (i = 0; i < req->nr_segs; i++) {
		struct blkif_request_segment seg;
		int rc;

		memcpy(&seg, &segs[i], sizeof(seg));
		rc = seg_check(lim, &seg, &req->segs[i], &sectors);
		if (rc)
			return rc;
	}
	req->nr_sectors = sectors;
	req->nr_indirect = 0;
	return range_check(lim, req->sector, sectors);
}

void bb_rsp_fill(blkif_response_t *rsp, uint64_t id, uint8_t op, int16_t status)
{
	blkif_response_t r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.operation = op;
	r.status = status;
	memcpy(rsp, &r, sizeof(r));
}
