/* The hostile-frontend cases the blkfront guest plays on disk a while disk b keeps serving. */
#ifndef BLKFRONT_GUEST_HOSTILE_H
#define BLKFRONT_GUEST_HOSTILE_H

#include "disk.h"

/* Every case, each answered with a "blkfront: PASS/FAIL <case>" line. @ro may be NULL. */
void hostile_run(struct disk *a, struct disk *b, struct disk *ro);
/* The last case, after the final checks: a deletes its own device directory. */
void hostile_delete_dir(struct disk *a, struct disk *b);

/* Shared by the case files (hostile.c). */
struct hostile {
	struct disk *a, *b, *ro;
	struct blkfront_opts opts;
	bool usable;			/* a is connected and trusted to answer */
};

/* "blkfront: PASS <name>: <why>" or a FAIL counted by test_fail(). */
void h_pass(const char *name, const char *fmt, ...) __printf(2, 3);
#define h_fail(name, fmt, ...) \
	CHECK(false, "blkfront: FAIL %s: " fmt, name, ##__VA_ARGS__)

/*
 * Put @req on a's ring and judge the answer: a response with status
 * ERROR or EOPNOTSUPP passes (and so does OKAY when @okay_too), and so
 * does the backend failing the device (state 5, error node), after which
 * a is reconnected. Returns the response's status, or 1 if the device failed.
 */
int h_expect_rejected(struct hostile *h, const char *name, const union blk_slot *req,
		      bool okay_too);
/* Wait until the backend answered or failed the device; what happened. */
int h_wait(struct hostile *h, struct blk_rsp *rsp, u64 timeout_ns);
/* The device failed: check state 5 and the error node, then reconnect a. */
void h_device_failed(struct hostile *h, const char *name);
/* After each case: b (and a, if usable) still write and read back correctly. */
void h_after(struct hostile *h, const char *name);
/* A granted page for data (read-write unless @ro), or the ref of @page. */
grant_ref_t h_grant(struct hostile *h, void *page, bool ro);
void h_ungrant(struct hostile *h, grant_ref_t ref);

void hostile_block_cases(struct hostile *h);
void hostile_ring_cases(struct hostile *h);
void hostile_xenbus_cases(struct hostile *h);

#endif
