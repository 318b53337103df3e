/* The block frontend's side of the shared ring: take slots, publish requests, consume checked responses. */
#include <keel/errno.h>
#include <keel/string.h>
#include "blkfront.h"
#include "events.h"
#include "pvclock.h"

#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)

u32 blkfront_in_flight(struct blkfront *d)
{
	return d->req_prod_pvt - d->rsp_cons;
}

union blk_slot *blkfront_next_slot(struct blkfront *d)
{
	union blk_slot *s;

	if (!d->sring || blkfront_in_flight(d) >= d->nr_ents)
		return NULL;
	s = (union blk_slot *)&d->sring->ring[d->req_prod_pvt & (d->nr_ents - 1)];
	memset(s, 0, sizeof(*s));
	d->req_prod_pvt++;
	return s;
}

void blkfront_push(struct blkfront *d)
{
	u32 old = d->sring->req_prod, new = d->req_prod_pvt;

	wmb();
	d->sring->req_prod = new;
	mb();
	/* RING_PUSH_REQUESTS_AND_CHECK_NOTIFY */
	if ((u32)(new - d->sring->req_event) < (u32)(new - old)) {
		d->notifies++;
		evtchn_send(d->port);
	}
}

void blkfront_push_raw(struct blkfront *d, u32 prod)
{
	wmb();
	d->sring->req_prod = prod;
	mb();
	d->notifies++;
	evtchn_send(d->port);
}

int blkfront_get_response(struct blkfront *d, struct blk_rsp *rsp, u64 timeout_ns)
{
	u64 end = pvclock_ns() + timeout_ns;

	if (!d->sring)
		return -EIO;
	for (;;) {
		u32 rp = d->sring->rsp_prod;

		rmb();
		if (rp - d->rsp_cons > d->nr_ents) {
			/* A backend we cannot trust any more: stop using the ring. */
			d->broken = true;
			d->bad_responses++;
			return -EIO;
		}
		if (rp != d->rsp_cons) {
			const volatile union blk_slot *s =
				&d->sring->ring[d->rsp_cons & (d->nr_ents - 1)];

			rsp->id = s->rsp.id;
			rsp->operation = s->rsp.operation;
			rsp->status = s->rsp.status;
			d->rsp_cons++;
			return 0;
		}
		/* RING_FINAL_CHECK_FOR_RESPONSES, then sleep on the port. */
		d->sring->rsp_event = d->rsp_cons + 1;
		mb();
		if (d->sring->rsp_prod != d->rsp_cons)
			continue;
		if (pvclock_ns() >= end)
			return -ETIMEDOUT;
		evtchn_poll(d->port, end - pvclock_ns());
		evtchn_clear_pending(d->port);
	}
}
