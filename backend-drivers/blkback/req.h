/* blkif request validation: a copied ring entry (and its indirect pages) to a checked request. */
#ifndef BLKBACK_REQ_H
#define BLKBACK_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/blkif.h>

#define BB_PAGE_SIZE		4096u
#define BB_SECTOR_SHIFT		9
#define BB_SEGS_PER_INDIRECT_PAGE (BB_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* What the protocol allows at most: 8 indirect pages of 512 descriptors. */
#define BB_MAX_INDIRECT_SEGS_CAP 4096u

/* The device a request is checked against. */
struct bb_limits {
	uint64_t sectors;		/* size in 512-byte units */
	uint32_t sector_size;		/* logical: 512 or 4096 */
	bool readonly;
	bool discard;			/* feature-discard offered */
	bool flush;			/* feature-flush-cache offered */
	uint32_t max_indirect;		/* feature-max-indirect-segments offered (0: none) */
};

enum bb_kind {
	BB_OP_READ,
	BB_OP_WRITE,
	BB_OP_FLUSH,		/* pure flush, or write then flush when nr_segs > 0 */
	BB_OP_DISCARD,
};

struct bb_seg {
	uint32_t gref;
	uint16_t offset;	/* bytes into the granted page */
	uint16_t len;		/* bytes, a multiple of 512, at most 4096 - offset */
};

/* A checked request. segs[] has room for the device's maximum. */
struct bb_req {
	uint64_t id;		/* the frontend's, returned verbatim */
	uint8_t rsp_op;		/* the operation the response carries */
	enum bb_kind kind;
	uint64_t sector;	/* start, 512-byte units */
	uint64_t nr_sectors;	/* length, 512-byte units */
	uint32_t nr_segs;
	uint32_t nr_indirect;	/* indirect pages still to fetch (parse_indirect) */
	uint32_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	struct bb_seg *segs;
};

/* Results of parsing. */
#define BB_PARSE_OK		0
#define BB_PARSE_INDIRECT	1	/* fetch nr_indirect pages, then bb_req_parse_indirect() */

/*
 * Checks the private copy @src of one ring entry. Returns BB_PARSE_OK, BB_PARSE_INDIRECT, or
 * the (negative) BLKIF_RSP_* status to answer with; @out's id and rsp_op are always set.
 */
int bb_req_parse(const struct bb_limits *lim, const blkif_request_t *src, struct bb_req *out);

/*
 * Reads the segment descriptors of an INDIRECT request from the private copy @pages of its
 * nr_indirect indirect pages and finishes the checks: BB_PARSE_OK or a BLKIF_RSP_* status.
 */
int bb_req_parse_indirect(const struct bb_limits *lim, const void *pages, struct bb_req *req);

/* The response to @id, padding zeroed (XSA-216). */
void bb_rsp_fill(blkif_response_t *rsp, uint64_t id, uint8_t op, int16_t status);

#endif
