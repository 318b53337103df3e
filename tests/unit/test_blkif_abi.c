/* The guest kit's blkif ABI (frontend-drivers/blkfront/blkif_abi.h) against Xen's own io/blkif.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <xen/io/blkif.h>
#include "blkif_abi.h"

#define SAME(ours, xens, field)							\
	assert_int_equal(offsetof(ours, field), offsetof(xens, field))

static void test_layouts(void **state)
{
	assert_int_equal(sizeof(struct blk_req), sizeof(struct blkif_request));
	SAME(struct blk_req, struct blkif_request, nr_segments);
	SAME(struct blk_req, struct blkif_request, handle);
	SAME(struct blk_req, struct blkif_request, id);
	SAME(struct blk_req, struct blkif_request, sector_number);
	SAME(struct blk_req, struct blkif_request, seg);
	assert_int_equal(sizeof(struct blk_seg), sizeof(struct blkif_request_segment));
	SAME(struct blk_seg, struct blkif_request_segment, first_sect);
	SAME(struct blk_seg, struct blkif_request_segment, last_sect);
	SAME(struct blk_discard, struct blkif_request_discard, flag);
	SAME(struct blk_discard, struct blkif_request_discard, id);
	SAME(struct blk_discard, struct blkif_request_discard, sector_number);
	SAME(struct blk_discard, struct blkif_request_discard, nr_sectors);
	SAME(struct blk_indirect, struct blkif_request_indirect, indirect_op);
	SAME(struct blk_indirect, struct blkif_request_indirect, nr_segments);
	SAME(struct blk_indirect, struct blkif_request_indirect, id);
	SAME(struct blk_indirect, struct blkif_request_indirect, sector_number);
	SAME(struct blk_indirect, struct blkif_request_indirect, handle);
	SAME(struct blk_indirect, struct blkif_request_indirect, indirect_grefs);
	assert_int_equal(sizeof(struct blk_rsp), sizeof(struct blkif_response));
	SAME(struct blk_rsp, struct blkif_response, operation);
	SAME(struct blk_rsp, struct blkif_response, status);
	assert_int_equal(sizeof(union blk_slot), sizeof(union blkif_sring_entry));
	SAME(struct blk_sring, struct blkif_sring, rsp_prod);
	SAME(struct blk_sring, struct blkif_sring, rsp_event);
	assert_int_equal(offsetof(struct blk_sring, ring), offsetof(struct blkif_sring, ring));
}

static void test_constants(void **state)
{
	assert_int_equal(BLK_OP_READ, BLKIF_OP_READ);
	assert_int_equal(BLK_OP_WRITE, BLKIF_OP_WRITE);
	assert_int_equal(BLK_OP_WRITE_BARRIER, BLKIF_OP_WRITE_BARRIER);
	assert_int_equal(BLK_OP_FLUSH_DISKCACHE, BLKIF_OP_FLUSH_DISKCACHE);
	assert_int_equal(BLK_OP_DISCARD, BLKIF_OP_DISCARD);
	assert_int_equal(BLK_OP_INDIRECT, BLKIF_OP_INDIRECT);
	assert_int_equal(BLK_RSP_OKAY, BLKIF_RSP_OKAY);
	assert_int_equal(BLK_RSP_ERROR, BLKIF_RSP_ERROR);
	assert_int_equal(BLK_RSP_EOPNOTSUPP, BLKIF_RSP_EOPNOTSUPP);
	assert_int_equal(BLK_MAX_SEGS, BLKIF_MAX_SEGMENTS_PER_REQUEST);
	assert_int_equal(BLK_MAX_INDIRECT_PAGES, BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
	assert_int_equal(BLK_VDISK_READONLY, VDISK_READONLY);
	assert_int_equal(BLK_VDISK_CDROM, VDISK_CDROM);
	/* The ring sizes Xen's macros give, for 1 to 16 pages. */
	for (unsigned int pages = 1; pages <= 16; pages *= 2)
		assert_int_equal(blk_ring_entries(pages * 4096),
				 __CONST_RING_SIZE(blkif, pages * 4096));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_constants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
