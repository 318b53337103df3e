/* The blkif wire ABI (x86-64 native): request, discard, indirect and response layouts, ops, statuses, the shared ring. */
#ifndef GUEST_BLKIF_ABI_H
#define GUEST_BLKIF_ABI_H

#include <keel/types.h>

#define BLK_OP_READ 0
#define BLK_OP_WRITE 1
#define BLK_OP_WRITE_BARRIER 2
#define BLK_OP_FLUSH_DISKCACHE 3
#define BLK_OP_RESERVED_1 4
#define BLK_OP_DISCARD 5
#define BLK_OP_INDIRECT 6

#define BLK_RSP_EOPNOTSUPP (-2)
#define BLK_RSP_ERROR (-1)
#define BLK_RSP_OKAY 0

#define BLK_MAX_SEGS 11			/* per direct request */
#define BLK_MAX_INDIRECT_PAGES 8	/* indirect_grefs[] */
#define BLK_SEGS_PER_INDIRECT_PAGE 512	/* 4096 / 8 */
#define BLK_SECTOR_SHIFT 9		/* every wire sector count is in 512 bytes */

#define BLK_VDISK_CDROM 1
#define BLK_VDISK_REMOVABLE 2
#define BLK_VDISK_READONLY 4

struct blk_seg {
	u32 gref;
	u8 first_sect, last_sect;
	u16 pad;
};

struct blk_req {
	u8 operation;
	u8 nr_segments;
	u16 handle;
	u32 pad;
	u64 id;
	u64 sector_number;
	struct blk_seg seg[BLK_MAX_SEGS];
};

struct blk_discard {
	u8 operation;
	u8 flag;		/* 1: secure */
	u16 handle;
	u32 pad;
	u64 id;
	u64 sector_number;
	u64 nr_sectors;
};

struct blk_indirect {
	u8 operation;		/* BLK_OP_INDIRECT */
	u8 indirect_op;
	u16 nr_segments;
	u32 pad;
	u64 id;
	u64 sector_number;
	u16 handle;
	u16 pad2;
	u32 indirect_grefs[BLK_MAX_INDIRECT_PAGES];
	u32 pad3;
};

struct blk_rsp {
	u64 id;
	u8 operation;
	u8 pad;
	s16 status;
	u32 pad2;
};

/* One ring slot: a request of any kind, or the response that replaces it. */
union blk_slot {
	struct blk_req req;
	struct blk_discard discard;
	struct blk_indirect ind;
	struct blk_rsp rsp;
};

/* The shared ring: a 64-byte header, then 2^k slots. Indices are free-running. */
struct blk_sring {
	u32 req_prod, req_event;
	u32 rsp_prod, rsp_event;
	u8 pad[48];
	union blk_slot ring[];
};

BUILD_BUG_ON(sizeof(struct blk_seg) != 8);
BUILD_BUG_ON(sizeof(struct blk_req) != 112);
BUILD_BUG_ON(offsetof(struct blk_req, seg) != 24);
BUILD_BUG_ON(sizeof(struct blk_discard) != 32);
BUILD_BUG_ON(sizeof(struct blk_indirect) != 64);
BUILD_BUG_ON(offsetof(struct blk_indirect, indirect_grefs) != 28);
BUILD_BUG_ON(sizeof(struct blk_rsp) != 16);
BUILD_BUG_ON(sizeof(union blk_slot) != 112);
BUILD_BUG_ON(sizeof(struct blk_sring) != 64);

/* Slots in a ring of @bytes: (bytes - 64) / 112 rounded down to a power of two. */
static inline u32 blk_ring_entries(u32 bytes)
{
	u32 n = (bytes - sizeof(struct blk_sring)) / sizeof(union blk_slot);

	while (n & (n - 1))
		n &= n - 1;
	return n;
}

#endif
