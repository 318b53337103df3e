/* The hostile cases' common ground: judging an answer, noticing a failed device, reconnecting, the witness disk. */
#include "hostile.h"
#include "grefs.h"
#include "xenstore.h"

#define ANSWER_TIMEOUT_NS 60000000000ULL
#define SLICE_NS 500000000ULL

void h_pass(const char *name, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("blkfront: PASS %s: %s\n", name, msg);
}

grant_ref_t h_grant(struct hostile *h, void *page, bool ro)
{
	grant_ref_t ref = gref_get();

	if (ref)
		gnttab_grant_access(ref, h->a->dev.be_id, (uptr)page, ro);
	return ref;
}

void h_ungrant(struct hostile *h, grant_ref_t ref)
{
	if (!ref)
		return;
	if (gnttab_end_access(ref)) {
		h_fail("grants", "backend still holds grant %u after answering", ref);
		return;		/* leaked on purpose */
	}
	gref_put(ref);
}

int h_wait(struct hostile *h, struct blk_rsp *rsp, u64 timeout_ns)
{
	struct blkfront *d = &h->a->dev;
	u64 end = pvclock_ns() + timeout_ns;

	for (;;) {
		int rc = blkfront_get_response(d, rsp, SLICE_NS), be;

		if (rc != -ETIMEDOUT)
			return rc;
		be = blkfront_be_state(d);
		if (be != XB_CONNECTED)
			return -ENODEV;
		if (pvclock_ns() >= end)
			return -ETIMEDOUT;
	}
}

void h_device_failed(struct hostile *h, const char *name)
{
	struct blkfront *d = &h->a->dev;
	char err[160];
	int be, rc;

	be = blkfront_wait_be_state(d, BIT(XB_CLOSING) | BIT(XB_CLOSED), 10000000000ULL);
	rc = blkfront_be_error(d, err, sizeof(err));
	if (rc == -EACCES)
		snprintf(err, sizeof(err), "(not readable by the guest: dom0 checks it)");
	else if (rc < 0)
		snprintf(err, sizeof(err), "(none: %d)", rc);
	if (be == XB_CLOSING && rc != -ENOENT)
		h_pass(name, "device failed: backend state 5, error %s", err);
	else
		h_fail(name, "no answer, and the backend is in state %d (error %s)", be, err);
	rc = blkfront_reconnect(d, &h->opts);
	h->usable = !rc;
	if (!CHECK(!rc, "blkfront: FAIL %s: disk a did not reconnect after the failure: %d",
		   name, rc))
		return;
	printf("blkfront: disk a reconnected after %s\n", name);
}

int h_expect_rejected(struct hostile *h, const char *name, const union blk_slot *req,
		      bool okay_too)
{
	struct blkfront *d = &h->a->dev;
	union blk_slot *s;
	struct blk_rsp rsp;
	u64 id;
	int rc;

	if (!h->usable) {
		h_fail(name, "skipped: disk a is not usable");
		return 1;
	}
	s = blkfront_next_slot(d);
	if (!CHECK(s, "blkfront: FAIL %s: ring full", name))
		return 1;
	*s = *req;
	id = s->req.id = ++d->next_id;
	blkfront_push(d);
	rc = h_wait(h, &rsp, ANSWER_TIMEOUT_NS);
	if (rc) {
		h_device_failed(h, name);
		return 1;
	}
	if (rsp.id != id) {
		h_fail(name, "response id %lu, want %lu", (unsigned long)rsp.id,
		       (unsigned long)id);
		return rsp.status;
	}
	if (rsp.status == BLK_RSP_ERROR || rsp.status == BLK_RSP_EOPNOTSUPP ||
	    (okay_too && rsp.status == BLK_RSP_OKAY))
		h_pass(name, "answered status %d (op %u)", rsp.status, rsp.operation);
	else
		h_fail(name, "answered status %d (op %u)", rsp.status, rsp.operation);
	return rsp.status;
}

void h_after(struct hostile *h, const char *name)
{
	if (!disk_still_serves(h->b))
		h_fail(name, "disk b stopped serving correctly after it");
	if (h->usable && !disk_still_serves(h->a))
		h_fail(name, "disk a no longer serves correctly after it");
}

void hostile_run(struct disk *a, struct disk *b, struct disk *ro)
{
	struct hostile h = {
		.a = a, .b = b, .ro = ro, .usable = a->dev.connected,
		.opts = { .ring_order = a->dev.ring_order,
			  .indirect = a->dev.max_indirect != 0 },
	};
	unsigned int before = test_failures;

	hostile_block_cases(&h);
	hostile_ring_cases(&h);
	hostile_xenbus_cases(&h);
	printf("blkfront: hostile cases done, %u failure(s)\n", test_failures - before);
}
