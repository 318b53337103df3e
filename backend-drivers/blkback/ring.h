/* The backend's side of a blkif shared ring: index arithmetic, single copies, responses. */
#ifndef BLKBACK_RING_H
#define BLKBACK_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/blkif.h>

#define BB_RING_HDR	64u
#define BB_MAX_RING_ORDER 4u

/* The shared page(s) as the frontend laid them out (SHARED_RING_INIT). */
struct bb_sring_hdr {
	uint32_t req_prod, req_event, rsp_prod, rsp_event;
	uint8_t pad[48];
};

struct bb_ring {
	struct bb_sring_hdr *sring;	/* mapped */
	union blkif_sring_entry *entries;
	uint32_t size;			/* entries, a power of two */
	uint32_t req_cons;		/* private */
	uint32_t rsp_prod_pvt;		/* private */
	uint32_t rsp_prod_pub;		/* private: the last rsp_prod we published */
	bool broken;			/* the frontend overran it: no more processing */
};

/* Entries in a ring of @bytes (a power of two no larger than what fits), 0 if none fit. */
uint32_t bb_ring_size(uint32_t bytes);

/* Attaches to a mapped ring of @npages pages (BACK_RING_INIT). */
void bb_ring_attach(struct bb_ring *r, void *sring, unsigned int npages);

/*
 * Copies the next request into @req (once: XSA-155) and consumes it. Returns 1 with a request,
 * 0 when there is none (or no response slot would be free for it), -EPROTO when req_prod is
 * more than a ring ahead of our responses: the ring is marked broken.
 */
int bb_ring_next(struct bb_ring *r, blkif_request_t *req);

/* Writes a response in the next slot (padding zeroed). */
void bb_ring_respond(struct bb_ring *r, uint64_t id, uint8_t op, int16_t status);

/* Publishes responses; true when the frontend asked to be notified (rsp_event). */
bool bb_ring_push(struct bb_ring *r);

/* Requests waiting to be taken (as many as there are free response slots for). */
bool bb_ring_has_requests(struct bb_ring *r);

/*
 * No event for the frontend's next request (req_event at req_cons): only when the caller looks
 * at the ring again, and calls bb_ring_final_check(), before it sleeps.
 */
void bb_ring_no_event(struct bb_ring *r);

/*
 * Before sleeping: sets req_event so the frontend notifies the next request, then looks again.
 * True when there are requests after all (keep going instead of sleeping).
 */
bool bb_ring_final_check(struct bb_ring *r);

/* Requests consumed but not yet answered. */
static inline uint32_t bb_ring_outstanding(const struct bb_ring *r)
{
	return r->req_cons - r->rsp_prod_pvt;
}

#endif
