/* The block frontend's xenbus side: find the vbd, the state dance with the backend, ring setup and teardown. */
#include <keel/errno.h>
#include <keel/string.h>
#include "blkfront.h"
#include "console.h"
#include "events.h"
#include "gnttab.h"
#include "grefs.h"
#include "xenstore.h"

#define RING_PAGES (1u << BLKFRONT_MAX_ORDER)
#define TX_RETRIES 16

static u8 ring_store[BLKFRONT_MAX_DEVS][RING_PAGES * 4096] __aligned(4096);

static void key(const struct blkfront *d, const char *k, char *path, u32 size)
{
	snprintf(path, size, "%s/%s", d->fe, k);
}

static void be_key(const struct blkfront *d, const char *k, char *path, u32 size)
{
	snprintf(path, size, "%s/%s", d->be, k);
}

static int be_read_u64(const struct blkfront *d, const char *k, u64 *v)
{
	char path[192];

	be_key(d, k, path, sizeof(path));
	return xs_read_u64(XS_NO_TX, path, v);
}

/* An optional backend key: @def when missing. */
static u64 be_read_opt(const struct blkfront *d, const char *k, u64 def)
{
	u64 v;

	return be_read_u64(d, k, &v) ? def : v;
}

static int parse_u32(const char *s, u32 *out)
{
	u64 v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 0xffffffffULL)
			return -EINVAL;
		v = v * 10 + (*s - '0');
	}
	if (v > 0xffffffffULL)
		return -EINVAL;
	*out = v;
	return 0;
}

int blkfront_list(u32 *vdevs, unsigned int max)
{
	static char names[2048];
	int n = xs_directory(XS_NO_TX, "device/vbd", names, sizeof(names));
	unsigned int count = 0;
	const char *p = names;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++, p += strlen(p) + 1) {
		u32 v;

		if (parse_u32(p, &v) || count >= max)
			continue;
		/* Insertion sort: a handful of disks. */
		unsigned int j = count++;

		for (; j && vdevs[j - 1] > v; j--)
			vdevs[j] = vdevs[j - 1];
		vdevs[j] = v;
	}
	return count;
}

int blkfront_probe(struct blkfront *d, unsigned int slot, u32 vdev)
{
	char path[96], val[128];
	u64 v;
	int rc;

	if (slot >= BLKFRONT_MAX_DEVS)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->slot = slot;
	d->vdev = vdev;
	snprintf(d->fe, sizeof(d->fe), "device/vbd/%u", vdev);
	key(d, "state", path, sizeof(path));
	rc = xs_read_u64(XS_NO_TX, path, &v);
	if (rc || v != XB_INITIALISING) {
		printf("blkfront: %s: state %s, not 1\n", d->fe, rc ? "unreadable" : "set");
		return rc ? rc : -EBUSY;
	}
	key(d, "backend", path, sizeof(path));
	rc = xs_read(XS_NO_TX, path, d->be, sizeof(d->be));
	if (rc <= 0)
		return rc ? rc : -EINVAL;
	key(d, "backend-id", path, sizeof(path));
	rc = xs_read_u64(XS_NO_TX, path, &v);
	if (rc || v >= DOMID_FIRST_RESERVED)
		return rc ? rc : -EINVAL;
	d->be_id = v;
	key(d, "virtual-device", path, sizeof(path));
	rc = xs_read_u64(XS_NO_TX, path, &v);
	if (rc || v != vdev)
		return rc ? rc : -EINVAL;
	key(d, "device-type", path, sizeof(path));
	if (xs_read(XS_NO_TX, path, val, sizeof(val)) < 0 || strcmp(val, "disk"))
		return -ENODEV;
	return 0;
}

int blkfront_set_state(struct blkfront *d, int state)
{
	char path[96];

	key(d, "state", path, sizeof(path));
	return xs_printf(XS_NO_TX, path, "%d", state);
}

int blkfront_be_state(struct blkfront *d)
{
	u64 v;

	return be_read_u64(d, "state", &v) || v > 8 ? 0 : (int)v;
}

static bool state_in(const char *val, void *arg)
{
	u32 v;

	return !parse_u32(val, &v) && v < 32 && (*(u32 *)arg & BIT(v));
}

int blkfront_wait_be_state(struct blkfront *d, u32 mask, u64 timeout_ns)
{
	char path[192], val[16];
	u32 v;
	int rc;

	be_key(d, "state", path, sizeof(path));
	rc = xs_wait_value(path, state_in, &mask, timeout_ns, val, sizeof(val));
	if (rc)
		return rc;
	return parse_u32(val, &v) ? -EINVAL : (int)v;
}

/* Where "/backend/" starts in @s, or NULL. */
static const char *find_backend(const char *s)
{
	for (; *s; s++)
		if (!strncmp(s, "/backend/", 9))
			return s;
	return NULL;
}

int blkfront_be_error(struct blkfront *d, char *buf, u32 size)
{
	const char *tail = find_backend(d->be);
	char path[224];

	if (!tail)
		return -EINVAL;
	snprintf(path, sizeof(path), "%.*s/error%s/error", (int)(tail - d->be),
		 d->be, tail);
	return xs_read(XS_NO_TX, path, buf, size);
}

static int alloc_ring(struct blkfront *d, unsigned int order)
{
	u8 *pages = ring_store[d->slot];
	long rc;

	memset(pages, 0, (1u << order) * 4096);
	d->ring_order = order;
	d->sring = (volatile struct blk_sring *)pages;
	d->sring->req_event = 1;
	d->sring->rsp_event = 1;
	d->nr_ents = blk_ring_entries((1u << order) * 4096);
	d->req_prod_pvt = d->rsp_cons = 0;
	for (unsigned int i = 0; i < (1u << order); i++) {
		d->ring_refs[i] = gref_get();
		if (!d->ring_refs[i])
			return -ENOSPC;
		gnttab_grant_access(d->ring_refs[i], d->be_id,
				    (uptr)pages + i * 4096, false);
	}
	rc = evtchn_alloc_unbound(DOMID_SELF, d->be_id, &d->port);
	if (rc)
		return rc;
	return 0;
}

void blkfront_drop_ring(struct blkfront *d)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(d->ring_refs); i++) {
		if (d->ring_refs[i])
			blkfront_revoke(d, d->ring_refs[i], "ring");
		d->ring_refs[i] = 0;
	}
	blkfront_pool_revoke(d);
	if (d->port)
		evtchn_close(d->port);
	d->port = 0;
	d->sring = NULL;
	d->connected = false;
}

static int publish_ring(struct blkfront *d)
{
	char path[96];
	int rc = 0;

	for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
		xs_tx_t tx;

		rc = xs_transaction_start(&tx);
		if (rc)
			return rc;
		/* Keys of an earlier connection must not mix with these. */
		key(d, d->ring_order ? "ring-ref" : "ring-page-order", path, sizeof(path));
		xs_rm(tx, path);
		if (!d->ring_order) {
			key(d, "ring-ref", path, sizeof(path));
			rc = xs_printf(tx, path, "%u", d->ring_refs[0]);
		} else {
			key(d, "ring-page-order", path, sizeof(path));
			rc = xs_printf(tx, path, "%u", d->ring_order);
			for (unsigned int i = 0; !rc && i < (1u << d->ring_order); i++) {
				char k[24];

				snprintf(k, sizeof(k), "ring-ref%u", i);
				key(d, k, path, sizeof(path));
				rc = xs_printf(tx, path, "%u", d->ring_refs[i]);
			}
		}
		key(d, "event-channel", path, sizeof(path));
		if (!rc)
			rc = xs_printf(tx, path, "%u", d->port);
		key(d, "protocol", path, sizeof(path));
		if (!rc)
			rc = xs_write(tx, path, "x86_64-abi");
		key(d, "feature-persistent", path, sizeof(path));
		if (!rc)
			rc = xs_write(tx, path, d->want_persistent ? "1" : "0");
		if (rc) {
			xs_transaction_end(tx, false);
			return rc;
		}
		rc = xs_transaction_end(tx, true);
		if (rc != -EAGAIN)
			return rc;
	}
	return rc;
}

static int read_properties(struct blkfront *d)
{
	u64 v;
	int rc;

	rc = be_read_u64(d, "sectors", &d->sectors);
	if (!rc)
		rc = be_read_u64(d, "info", &v);
	if (!rc) {
		d->info = v;
		rc = be_read_u64(d, "sector-size", &v);
	}
	if (rc)
		return rc;
	if (v < 512 || v > 65536 || (v & (v - 1)))
		return -EINVAL;
	d->sector_size = v;
	d->flush = be_read_opt(d, "feature-flush-cache", 0) == 1;
	d->barrier = be_read_opt(d, "feature-barrier", 0) == 1;
	d->discard = be_read_opt(d, "feature-discard", 0) == 1;
	d->max_indirect = MIN(be_read_opt(d, "feature-max-indirect-segments", 0),
			      (u64)BLKFRONT_MAX_INDIRECT);
	if (d->max_indirect <= BLK_MAX_SEGS)
		d->max_indirect = 0;
	return 0;
}

int blkfront_ring_setup(struct blkfront *d, unsigned int order)
{
	int rc;

	d->max_ring_order = MIN(be_read_opt(d, "max-ring-page-order", 0),
				(u64)BLKFRONT_MAX_ORDER);
	rc = alloc_ring(d, MIN(order, d->max_ring_order));
	if (!rc)
		rc = publish_ring(d);
	if (rc)
		blkfront_drop_ring(d);
	return rc;
}

int blkfront_connect(struct blkfront *d, const struct blkfront_opts *o)
{
	int be, rc;

	/* Closed is no answer: a backend goes from 6 to 2 once it sees our 1. */
	be = blkfront_wait_be_state(d, BIT(XB_INITWAIT) | BIT(XB_CONNECTED) |
				    BIT(XB_CLOSING), BLKFRONT_XB_TIMEOUT_NS);
	if (be < 0 || be >= XB_CLOSING) {
		printf("blkfront: %s: backend %s never reached InitWait (%d)\n",
		       d->fe, d->be, be);
		return be < 0 ? be : -EIO;
	}
	d->want_persistent = o && o->pool;
	if (d->want_persistent) {
		if (o->pool_pages < BLK_MAX_SEGS || o->pool_pages > BLKFRONT_POOL_MAX ||
		    ((uptr)o->pool & 4095))
			return -EINVAL;
		d->pool = o->pool;
		d->pool_pages = o->pool_pages;
	}
	rc = blkfront_ring_setup(d, o ? o->ring_order : 0);
	if (!rc)
		rc = blkfront_set_state(d, XB_INITIALISED);
	if (rc) {
		printf("blkfront: %s: cannot publish the ring: %d\n", d->fe, rc);
		return rc;
	}
	be = blkfront_wait_be_state(d, BIT(XB_CONNECTED) | BIT(XB_CLOSING) |
				    BIT(XB_CLOSED), BLKFRONT_XB_TIMEOUT_NS);
	if (be != XB_CONNECTED) {
		printf("blkfront: %s: backend did not connect (%d)\n", d->fe, be);
		return be < 0 ? be : -EIO;
	}
	rc = read_properties(d);
	if (rc) {
		printf("blkfront: %s: bad device properties: %d\n", d->fe, rc);
		return rc;
	}
	if (o && !o->indirect)
		d->max_indirect = 0;
	if (d->want_persistent && be_read_opt(d, "feature-persistent", 0) == 1) {
		rc = blkfront_pool_grant(d);
		if (rc) {
			printf("blkfront: %s: no grant refs for the persistent pool\n", d->fe);
			return rc;
		}
		d->persistent = true;
		if (d->max_indirect > d->pool_pages)
			d->max_indirect = d->pool_pages > BLK_MAX_SEGS ? d->pool_pages : 0;
	}
	rc = blkfront_set_state(d, XB_CONNECTED);
	if (rc)
		return rc;
	d->connected = true;
	d->broken = false;
	return 0;
}

int blkfront_close(struct blkfront *d)
{
	int be;

	blkfront_set_state(d, XB_CLOSING);
	blkfront_wait_be_state(d, BIT(XB_CLOSING) | BIT(XB_CLOSED) | BIT(XB_UNKNOWN),
			       BLKFRONT_XB_TIMEOUT_NS);
	blkfront_set_state(d, XB_CLOSED);
	be = blkfront_wait_be_state(d, BIT(XB_CLOSED) | BIT(XB_UNKNOWN),
				    BLKFRONT_XB_TIMEOUT_NS);
	blkfront_drop_ring(d);
	return be == XB_CLOSED || be == XB_UNKNOWN ? 0 : -EIO;
}

int blkfront_reconnect(struct blkfront *d, const struct blkfront_opts *o)
{
	int be;

	blkfront_set_state(d, XB_CLOSED);
	be = blkfront_wait_be_state(d, BIT(XB_CLOSED), BLKFRONT_XB_TIMEOUT_NS);
	blkfront_drop_ring(d);
	if (be != XB_CLOSED) {
		printf("blkfront: %s: backend never reached Closed (%d)\n", d->fe, be);
		return be < 0 ? be : -EIO;
	}
	blkfront_set_state(d, XB_INITIALISING);
	return blkfront_connect(d, o);
}
