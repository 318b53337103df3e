/* Fuzz harness: keel-blkback's blkif request validation (backend-drivers/blkback/req.c). */
/*
 * Input: a byte choosing the device (read-only, 4096-byte sectors, indirect limit, size), the
 * 112-byte ring entry, then the indirect pages' bytes. Whatever a frontend writes, an accepted
 * request must stay inside the device and every segment inside its page, in whole sectors.
 */
#include <assert.h>
#include <stdbool.h>
#include "fuzz_input.h"
#include "req.h"

static struct bb_seg segs[BB_MAX_INDIRECT_SEGS_CAP];
static uint8_t pages[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * BB_PAGE_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t sel = fi_u8(&in);
	static const uint32_t indirect[4] = { 0, 32, 256, 4096 };
	static const uint64_t sizes[4] = { 0, 8, 8192, UINT64_MAX >> 9 };
	struct bb_limits lim = {
		.readonly = sel & 1,
		.sector_size = sel & 2 ? 4096 : 512,
		.max_indirect = indirect[(sel >> 2) & 3],
		.sectors = sizes[(sel >> 4) & 3],
		.discard = sel & 0x40,
		.flush = sel & 0x80,
	};
	struct bb_req r = { .segs = segs };
	blkif_request_t req;
	uint64_t total = 0;
	uint32_t i, per = lim.sector_size >> BB_SECTOR_SHIFT;
	int rc;

	lim.sectors -= lim.sectors % per;
	fi_bytes(&in, &req, sizeof(req));
	fi_bytes(&in, pages, sizeof(pages));
	rc = bb_req_parse(&lim, &req, &r);
	assert(r.id == req.id);
	if (rc == BB_PARSE_INDIRECT) {
		assert(req.operation == BLKIF_OP_INDIRECT && lim.max_indirect);
		assert(r.nr_segs >= 1 && r.nr_segs <= lim.max_indirect);
		assert(r.nr_indirect >= 1 && r.nr_indirect <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
		assert((r.nr_indirect - 1) * BB_SEGS_PER_INDIRECT_PAGE < r.nr_segs);
		rc = bb_req_parse_indirect(&lim, pages, &r);
	}
	if (rc != BB_PARSE_OK) {
		assert(rc == BLKIF_RSP_ERROR || rc == BLKIF_RSP_EOPNOTSUPP);
		return 0;
	}
	if (lim.readonly)
		assert(r.kind == BB_OP_READ);
	if (r.kind == BB_OP_DISCARD)
		assert(lim.discard);
	if (r.kind == BB_OP_FLUSH)
		assert(lim.flush);
	assert(r.nr_segs <= BLKIF_MAX_SEGMENTS_PER_REQUEST ||
	       (req.operation == BLKIF_OP_INDIRECT && r.nr_segs <= lim.max_indirect));
	for (i = 0; i < r.nr_segs; i++) {
		assert(r.segs[i].len && r.segs[i].offset + r.segs[i].len <= BB_PAGE_SIZE);
		assert(r.segs[i].len % lim.sector_size == 0);
		assert(r.segs[i].offset % lim.sector_size == 0);
		total += r.segs[i].len >> BB_SECTOR_SHIFT;
	}
	if (r.kind != BB_OP_DISCARD)
		assert(total == r.nr_sectors);
	assert(r.sector <= lim.sectors && r.nr_sectors <= lim.sectors - r.sector);
	assert(r.sector % per == 0 && r.nr_sectors % per == 0);
	return 0;
}
