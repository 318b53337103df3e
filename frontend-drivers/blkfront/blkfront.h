/* keel's guest-kit block frontend: xenbus handshake, the shared ring, grants, synchronous requests. */
#ifndef GUEST_BLKFRONT_H
#define GUEST_BLKFRONT_H

#include <keel/types.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include "blkif_abi.h"

#define BLKFRONT_MAX_DEVS 3
#define BLKFRONT_MAX_ORDER 4		/* ring of up to 16 pages */
#define BLKFRONT_MAX_INDIRECT 1024	/* segments: two indirect pages */
#define BLKFRONT_POOL_MAX 512		/* persistent pages: one indirect page's worth */
#define BLKFRONT_IO_TIMEOUT_NS 60000000000ULL
#define BLKFRONT_XB_TIMEOUT_NS 60000000000ULL

/* XenbusState */
enum {
	XB_UNKNOWN, XB_INITIALISING, XB_INITWAIT, XB_INITIALISED,
	XB_CONNECTED, XB_CLOSING, XB_CLOSED,
};

struct blkfront_opts {
	unsigned int ring_order;	/* wanted; capped by max-ring-page-order */
	bool indirect;			/* use INDIRECT when offered */
	/*
	 * feature-persistent: @pool_pages (BLK_MAX_SEGS .. BLKFRONT_POOL_MAX)
	 * page-aligned pages at @pool, granted once if the backend agrees.
	 */
	void *pool;
	u32 pool_pages;
};

struct blkfront {
	unsigned int slot;		/* which static ring storage */
	u32 vdev;
	char fe[48];			/* device/vbd/<vdev> (relative) */
	char be[128];
	domid_t be_id;

	/* From the backend once connected. */
	u64 sectors;
	u32 sector_size, info;
	bool flush, barrier, discard;
	u32 max_indirect;		/* 0: no INDIRECT */
	u32 max_ring_order;

	/* The ring. */
	unsigned int ring_order;
	grant_ref_t ring_refs[1u << BLKFRONT_MAX_ORDER];
	evtchn_port_t port;
	volatile struct blk_sring *sring;
	u32 nr_ents, req_prod_pvt, rsp_cons;
	u64 next_id;
	bool connected, broken;

	/*
	 * Persistent grants (both ends said feature-persistent): the pool's pages
	 * and an indirect page stay granted, read-write, from connect to
	 * disconnect; requests name them instead of the caller's pages.
	 */
	bool want_persistent, persistent;
	u8 *pool;
	u32 pool_pages;
	struct blk_seg *pool_indirect;
	grant_ref_t pool_refs[BLKFRONT_POOL_MAX];
	grant_ref_t pool_indirect_ref;

	/* Counters. */
	unsigned int notifies, busy_grants, bad_responses;
};

/* vbd numbers under device/vbd, ascending; returns how many (at most @max) or an error. */
int blkfront_list(u32 *vdevs, unsigned int max);

/* Read device/vbd/@vdev's keys (state must be 1); @slot < BLKFRONT_MAX_DEVS. */
int blkfront_probe(struct blkfront *d, unsigned int slot, u32 vdev);
/* The handshake up to both ends Connected. 0, or an error (printed). */
int blkfront_connect(struct blkfront *d, const struct blkfront_opts *o);
/*
 * Allocate, grant and publish a ring of 2^@order pages (capped by the
 * backend's max-ring-page-order) and its port, without a state change.
 */
int blkfront_ring_setup(struct blkfront *d, unsigned int order);
/* Orderly close: 5, backend 5/6, 6; revoke ring grants, close the port. */
int blkfront_close(struct blkfront *d);
/*
 * After a close (or the backend failing the device): Closed, wait for the
 * backend's 6, back to Initialising and connect afresh.
 */
int blkfront_reconnect(struct blkfront *d, const struct blkfront_opts *o);
/* Drop the ring without any xenbus dance (after a hostile case broke it). */
void blkfront_drop_ring(struct blkfront *d);

/* Our own state; the backend's (0 when unreadable). */
int blkfront_set_state(struct blkfront *d, int state);
int blkfront_be_state(struct blkfront *d);
/* Wait until the backend's state is one in @mask (BIT(state)); returns it or -ETIMEDOUT. */
int blkfront_wait_be_state(struct blkfront *d, u32 mask, u64 timeout_ns);
/* The backend's error node for this device into @buf; its length or an error. */
int blkfront_be_error(struct blkfront *d, char *buf, u32 size);

/* Persistent grants (blkfront_pool.c). */
/*
 * The device's pool when persistent grants are on, else NULL: I/O on a
 * buffer inside it is copied nowhere by blkfront_rw().
 */
void *blkfront_pool(struct blkfront *d);
/* Grant the pool and its indirect page to the backend (after both said persistent). */
int blkfront_pool_grant(struct blkfront *d);
/* Revoke them (disconnect): a page the backend still maps is leaked and counted. */
void blkfront_pool_revoke(struct blkfront *d);
/* Revoke one grant: true when done (the ref is free again), false when still in use. */
bool blkfront_revoke(struct blkfront *d, grant_ref_t ref, const char *what);

/* Ring level (blkfront_ring.c). */
/* The next free slot, zeroed, or NULL when the ring is full. */
union blk_slot *blkfront_next_slot(struct blkfront *d);
/* Publish the filled slots (req_prod) and notify the backend if it asked. */
void blkfront_push(struct blkfront *d);
/* Publish req_prod = @prod as is (hostile cases) and notify. */
void blkfront_push_raw(struct blkfront *d, u32 prod);
/* The next response, copied out; -ETIMEDOUT, or -EIO when rsp_prod is impossible. */
int blkfront_get_response(struct blkfront *d, struct blk_rsp *rsp, u64 timeout_ns);
/* Requests pushed and not yet answered. */
u32 blkfront_in_flight(struct blkfront *d);

/*
 * Requests (blkfront_io.c), synchronous: each returns 0 with the response's
 * status in *@status, or an error when there was no proper response
 * (-ETIMEDOUT, -EIO: a response with a wrong id or operation, -EBUSY: the
 * backend still held a grant when it answered).
 */
/*
 * READ or WRITE @nsect sectors at @sector to/from page-aligned @buf: its pages
 * granted for the request, or with persistent grants copied through the pool
 * (not at all when @buf lies in the pool).
 */
int blkfront_rw(struct blkfront *d, u8 op, u64 sector, void *buf, u32 nsect,
		int *status);
int blkfront_flush(struct blkfront *d, int *status);
int blkfront_discard(struct blkfront *d, u64 sector, u64 nsect, int *status);
/*
 * Put @req (any content) on the ring with a fresh id and wait for its
 * response; the caller granted whatever it names. *@rsp gets the response.
 */
int blkfront_submit(struct blkfront *d, const union blk_slot *req,
		    struct blk_rsp *rsp, u64 timeout_ns);

#endif
