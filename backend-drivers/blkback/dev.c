/* One virtual disk's xenbus state machine (split-drivers.md 2.6-2.8), driven by re-reads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>
#include "alloc.h"
#include "bb.h"
#include "xenbe_xs.h"

#define FE_GONE		0	/* a missing or unreadable frontend state reads as Unknown */
#define STATE_UNKNOWN	XENBE_STATE_UNKNOWN	/* found by this instance: adopt what is there */

struct bb_dev *bb_dev_new(struct bb_backend *be, uint16_t domid, uint32_t devid)
{
	struct bb_dev *dev = xcalloc(1, sizeof(*dev));

	dev->be = be;
	dev->domid = domid;
	dev->devid = devid;
	dev->be_path = xasprintf("%s/%u/%u", be->root, domid, devid);
	dev->fe_path = xasprintf("/local/domain/%u/device/vbd/%u", domid, devid);
	dev->fe_state_path = xasprintf("%s/state", dev->fe_path);
	snprintf(dev->token, sizeof(dev->token), "fe:%u:%u", domid, devid);
	dev->state = STATE_UNKNOWN;
	dev->fd = -1;
	dev->file_fd = -1;
	return dev;
}

void bb_dev_free(struct bb_dev *dev)
{
	free(dev->be_path);
	free(dev->fe_path);
	free(dev->fe_state_path);
	free(dev);
}

unsigned int bb_dev_inflight(const struct bb_dev *dev)
{
	unsigned int i, n = 0;

	for (i = 0; dev->queues && i < dev->nqueues; i++)
		n += dev->queues[i].inflight;
	return n;
}

/* ---- xenstore helpers (backend-drivers/lib/xenbe_xs.c) ---- */

static int xs_read_at(struct bb_dev *dev, uint32_t tx, const char *dir, const char *key,
		      char **val)
{
	return xenbe_read_at(&dev->be->env, tx, dir, key, val);
}

static int read_uint(struct bb_dev *dev, const char *dir, const char *key, uint64_t max,
		     uint64_t *v)
{
	return xenbe_read_uint(&dev->be->env, dir, key, max, v);
}

static int fe_state(struct bb_dev *dev)
{
	uint64_t v;

	if (dev->dead)
		return FE_GONE;
	if (read_uint(dev, dev->fe_path, "state", XenbusStateReconfigured, &v))
		return FE_GONE;
	return (int)v;
}

#define kv xenbe_kv	/* blkback's name for it */

static int commit(struct bb_dev *dev, const struct kv *kv, unsigned int n, int state)
{
	return xenbe_commit(&dev->be->env, dev->be_path, &dev->state, &dev->gone, kv, n, state);
}

static int set_state(struct bb_dev *dev, int state)
{
	if (dev->state == state)
		return 0;
	return commit(dev, NULL, 0, state);
}

void bb_dev_fatal(struct bb_dev *dev, int err, const char *fmt, ...)
{
	struct xenbe_env *env = &dev->be->env;
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bb_log(dev->be, "d%u/%u: %s (%d)", dev->domid, dev->devid, msg, err);
	dev->failed = true;
	xenbe_error_node(env, dev->be->cfg.btype, dev->domid, dev->devid, err, msg);
	/* The rings stop now; state 6 follows once in-flight I/O is done (update()). */
	bb_dev_release_rings(dev);
	set_state(dev, XenbusStateClosing);
}

/* ---- connection ---- */

/*
 * Stops the rings (unbinds, unmaps) at once; frees the queues once no I/O is in flight.
 * True when nothing is left.
 */
bool bb_dev_release_rings(struct bb_dev *dev)
{
	struct bb_backend *be = dev->be;
	struct xenbe_env *env = &be->env;
	unsigned int i;

	if (!dev->queues)
		return true;
	for (i = 0; i < dev->nqueues; i++) {
		struct bb_queue *q = &dev->queues[i];

		if (q->port >= 0) {
			env->ops->evtchn_unbind(env->priv, q->port);
			q->port = -1;
			be->bound_ports--;
		}
		if (q->map) {
			env->ops->gnt_unmap(env->priv, q->map, q->npages);
			q->map = NULL;
			be->mapped_pages -= q->npages;
		}
	}
	if (bb_dev_inflight(dev))
		return false;
	for (i = 0; i < dev->nqueues; i++)
		bb_queue_teardown(&dev->queues[i]);
	free(dev->queues);
	dev->queues = NULL;
	dev->nqueues = 0;
	return true;
}

static int map_queue(struct bb_dev *dev, struct bb_queue *q, const char *dir,
		     unsigned int order)
{
	struct bb_backend *be = dev->be;
	struct xenbe_env *env = &be->env;
	uint32_t refs[BB_MAX_RING_PAGES];
	unsigned int i, n = 1u << order;
	uint64_t v;
	int rc;

	for (i = 0; i < n; i++) {
		char key[24];

		if (order)
			snprintf(key, sizeof(key), "ring-ref%u", i);
		else
			snprintf(key, sizeof(key), "ring-ref");
		rc = read_uint(dev, dir, key, UINT32_MAX, &v);
		if (rc) {
			bb_dev_fatal(dev, rc, "reading %s/%s", dir, key);
			return rc;
		}
		refs[i] = (uint32_t)v;
	}
	rc = read_uint(dev, dir, "event-channel", UINT32_MAX, &v);
	if (rc) {
		bb_dev_fatal(dev, rc, "reading %s/event-channel", dir);
		return rc;
	}
	q->map = env->ops->gnt_map(env->priv, dev->domid, refs, n, true);
	if (!q->map) {
		rc = -errno ? -errno : -EINVAL;
		bb_dev_fatal(dev, rc, "mapping ring %u (%u page(s))", q->idx, n);
		return rc;
	}
	q->npages = n;
	be->mapped_pages += n;
	bb_ring_attach(&q->ring, q->map, n);
	if (dev->reattach) {
		/* Our predecessor's published responses: everything after them is redone. */
		uint32_t rsp = __atomic_load_n(&q->ring.sring->rsp_prod, __ATOMIC_ACQUIRE);

		q->ring.req_cons = q->ring.rsp_prod_pvt = rsp;
	}
	rc = env->ops->evtchn_bind(env->priv, dev->domid, (uint32_t)v);
	if (rc < 0) {
		bb_dev_fatal(dev, rc, "binding event channel %llu", (unsigned long long)v);
		return rc;
	}
	q->port = rc;
	be->bound_ports++;
	rc = bb_queue_setup(q);
	if (rc) {
		bb_dev_fatal(dev, rc, "allocating queue %u", q->idx);
		return rc;
	}
	return 0;
}

/*
 * Persistent grants (each data grant mapped once and kept: Linux's blkfront then copies into
 * a fixed set of granted pages) when we offer them and the frontend says feature-persistent.
 * Taking over a predecessor's rings, the frontend decided on the key that one wrote: a
 * frontend told 0 checks that every grant is unmapped when its request completes. Not for a
 * file mmap'ed with --map (target.c): one grant copy there moves the data, where persistent
 * grants would add the frontend's copy into them (a frontend told 1 by a predecessor copies
 * for nothing).
 */
static bool negotiate_persistent(struct bb_dev *dev)
{
	uint64_t fe = 0, be = 0;

	if (dev->reattach)
		dev->persistent_told =
			!read_uint(dev, dev->be_path, "feature-persistent", UINT32_MAX, &be) && be;
	if (!dev->be->cfg.max_persistent || (dev->map && dev->map_gcopy) ||
	    read_uint(dev, dev->fe_path, "feature-persistent", UINT32_MAX, &fe) || !fe)
		return false;
	return !dev->reattach || dev->persistent_told;
}

/* Frontend Initialised/Connected: rings, ports, then the disk's properties and state 4. */
static int connect(struct bb_dev *dev)
{
	const struct bb_config *cfg = &dev->be->cfg;
	uint64_t order = 0, nq = 1;
	struct kv kv[10];
	unsigned int i, n = 0;
	char *proto;
	int rc;

	rc = xs_read_at(dev, 0, dev->fe_path, "protocol", &proto);
	if (rc == 0) {
		bool ok = !strcmp(proto, XEN_IO_PROTO_ABI_X86_64);

		free(proto);
		if (!ok) {
			bb_dev_fatal(dev, -ENOSYS, "unsupported protocol");
			return -ENOSYS;
		}
	}
	rc = read_uint(dev, dev->fe_path, "ring-page-order", cfg->max_ring_order, &order);
	if (rc && rc != -ENOENT) {
		bb_dev_fatal(dev, -EINVAL, "bad ring-page-order");
		return -EINVAL;
	}
	rc = read_uint(dev, dev->fe_path, "multi-queue-num-queues", cfg->max_queues, &nq);
	if ((rc && rc != -ENOENT) || nq == 0) {
		bb_dev_fatal(dev, -EINVAL, "bad multi-queue-num-queues");
		return -EINVAL;
	}
	dev->persistent = negotiate_persistent(dev);
	dev->queues = xcalloc(nq, sizeof(*dev->queues));
	dev->nqueues = nq;
	for (i = 0; i < nq; i++) {
		dev->queues[i].dev = dev;
		dev->queues[i].idx = i;
		dev->queues[i].port = -1;
	}
	for (i = 0; i < nq; i++) {
		char *dir = rc == -ENOENT ? xstrdup(dev->fe_path) :
			    xasprintf("%s/queue-%u", dev->fe_path, i);
		int err = map_queue(dev, &dev->queues[i], dir, order);

		free(dir);
		if (err)
			return err;
	}

#define KV(k, fmt, v) do { kv[n].key = (k); \
		snprintf(kv[n].val, sizeof(kv[n].val), fmt, v); n++; } while (0)
	KV("sectors", "%llu", (unsigned long long)dev->lim.sectors);
	KV("info", "%u", dev->lim.readonly ? VDISK_READONLY : 0);
	KV("sector-size", "%u", dev->lim.sector_size);
	KV("physical-sector-size", "%u", dev->phys_sector_size);
	KV("feature-flush-cache", "%u", 1);
	KV("feature-barrier", "%u", 0);
	/*
	 * Taking over, the key stays what the frontend read: a successor must neither take a
	 * frontend told 0 for one told 1, nor leave one told 1 without persistent grants for
	 * good because an instance between them used none.
	 */
	KV("feature-persistent", "%u", dev->reattach ? dev->persistent_told :
	   cfg->max_persistent && !(dev->map && dev->map_gcopy) ? 1 : 0);
	KV("feature-discard", "%u", dev->lim.discard ? 1 : 0);
	if (dev->lim.discard) {
		KV("discard-granularity", "%u",
		   dev->phys_sector_size > BB_PAGE_SIZE ? dev->phys_sector_size : BB_PAGE_SIZE);
		KV("discard-alignment", "%u", 0);
	}
#undef KV
	rc = commit(dev, kv, n, XenbusStateConnected);
	if (rc) {
		/*
		 * Not connected after all: drop the rings (no request was taken yet, so the
		 * queues go at once), or the next attempt would map and bind them again on top.
		 */
		bb_dev_release_rings(dev);
		return rc;
	}
	bb_log(dev->be, "d%u/%u: connected, %u queue(s) of %u page(s), %llu sectors%s, %s",
	       dev->domid, dev->devid, dev->nqueues, 1u << (unsigned int)order,
	       (unsigned long long)dev->lim.sectors, dev->lim.readonly ? ", read-only" : "",
	       dev->map ? (dev->persistent ? "persistent grants, copied to the mapped file" :
			   "grant copy to the mapped file") :
	       !dev->persistent ? "grant copy" :
	       bb_dev_zero_copy(dev) ? "persistent grants, zero-copy" : "persistent grants, copied");
	for (i = 0; i < dev->nqueues; i++)
		bb_queue_run(&dev->queues[i]);
	return 0;
}

/* Checks the toolstack's keys, opens the target, watches the frontend: 0 or fatal. */
static int prepare(struct bb_dev *dev)
{
	const struct bb_config *cfg = &dev->be->cfg;
	struct xenbe_env *env = &dev->be->env;
	char *params = NULL, *mode = NULL, *fe = NULL, *de = NULL;
	uint64_t ss = cfg->sector_size;
	bool writable;
	int rc;

	if (xs_read_at(dev, 0, dev->be_path, "frontend", &fe) || strcmp(fe, dev->fe_path)) {
		free(fe);
		bb_dev_fatal(dev, -EINVAL, "frontend is not %s", dev->fe_path);
		return -EINVAL;
	}
	free(fe);
	if (xs_read_at(dev, 0, dev->be_path, "params", &params) ||
	    xs_read_at(dev, 0, dev->be_path, "mode", &mode) ||
	    (strcmp(mode, "w") && strcmp(mode, "r"))) {
		free(params);
		free(mode);
		bb_dev_fatal(dev, -EINVAL, "missing or bad params/mode");
		return -EINVAL;
	}
	writable = !strcmp(mode, "w");
	free(mode);
	if (read_uint(dev, dev->be_path, "keel-sector-size", 4096, &ss) == -EINVAL ||
	    (ss != 0 && ss != 512 && ss != 4096)) {
		free(params);
		bb_dev_fatal(dev, -EINVAL, "bad keel-sector-size");
		return -EINVAL;
	}
	if (dev->fd < 0) {
		rc = bb_target_open(dev, params, writable, (uint32_t)ss);
		if (rc) {
			bb_dev_fatal(dev, rc, "opening %s", params);
			free(params);
			return rc;
		}
		bb_log(dev->be, "d%u/%u: %s, %s%s%s, %u-byte sectors", dev->domid, dev->devid,
		       params, writable ? "read-write" : "read-only",
		       dev->direct ? ", O_DIRECT" : "", dev->inline_io ? ", inline I/O" : "",
		       dev->lim.sector_size);
	}
	free(params);
	dev->lim.flush = true;
	dev->lim.max_indirect = cfg->max_indirect;
	dev->lim.discard = !dev->lim.readonly;
	if (xs_read_at(dev, 0, dev->be_path, "discard-enable", &de) == 0) {
		if (!strcmp(de, "0"))
			dev->lim.discard = false;
		free(de);
	}
	if (!dev->fe_watched) {
		rc = env->ops->xs_watch(env->priv, dev->fe_state_path, dev->token);
		if (rc) {
			bb_dev_fatal(dev, rc, "watching %s", dev->fe_state_path);
			return rc;
		}
		dev->fe_watched = true;
	}
	return 0;
}

/* Backend directory present with state 1 (or a reconnect): open the target, offer transport. */
static int setup(struct bb_dev *dev)
{
	const struct bb_config *cfg = &dev->be->cfg;
	struct kv kv[3];
	unsigned int n = 0;
	int rc;

	dev->resetting = false;		/* whatever came before, this is a new connection */
	rc = prepare(dev);

	if (rc)
		return rc;
	snprintf(kv[n].val, sizeof(kv[n].val), "%u", cfg->max_ring_order);
	kv[n++].key = "max-ring-page-order";
	snprintf(kv[n].val, sizeof(kv[n].val), "%u", cfg->max_queues);
	kv[n++].key = "multi-queue-max-queues";
	if (cfg->max_indirect) {
		snprintf(kv[n].val, sizeof(kv[n].val), "%u", cfg->max_indirect);
		kv[n++].key = "feature-max-indirect-segments";
	}
	return commit(dev, kv, n, XenbusStateInitWait);
}

/*
 * The guest is dead: no frontend will ever answer a Closing, so say Closed at once (what
 * Linux blkback does, 2.7d) rather than leave the toolstack waiting out its timeout.
 */
static void close_for_dead_domain(struct bb_dev *dev)
{
	uint64_t v;

	if (read_uint(dev, dev->be_path, "state", XenbusStateReconfigured, &v) == -ENOENT) {
		dev->gone = true;
		return;
	}
	dev->state = (int)v;	/* whatever the toolstack wrote last: no -EBUSY */
	set_state(dev, XenbusStateClosed);
}

void bb_dev_release(struct bb_dev *dev)
{
	struct xenbe_env *env = &dev->be->env;

	dev->release_pending = true;
	if (!bb_dev_release_rings(dev))
		return;		/* the last completion calls update() again */
	if (dev->dead && !dev->gone)
		close_for_dead_domain(dev);
	if (dev->fe_watched) {
		env->ops->xs_unwatch(env->priv, dev->fe_state_path, dev->token);
		dev->fe_watched = false;
	}
	bb_target_close(dev);
	dev->phase = BB_DEV_RELEASED;
	dev->release_pending = false;
	bb_log(dev->be, "d%u/%u: released", dev->domid, dev->devid);
}

/* be/state when this instance first sees the device: what to make of a predecessor's work. */
static void adopt(struct bb_dev *dev, int bes)
{
	switch (bes) {
	case XenbusStateInitWait:	/* features offered, not connected: offer them again */
	case XenbusStateInitialised:
		/* From the state really there (a commit checks it), so the frontend's 4 connects. */
		dev->state = bes;
		setup(dev);
		break;
	case XenbusStateInitialising:
		dev->state = XenbusStateInitialising;
		break;
	case XenbusStateConnected:
		/*
		 * A predecessor's connection: take it over when the frontend is still connected
		 * (2.7e), answering again what lies between rsp_prod and req_prod; anything
		 * wrong closes it cleanly (fatal: 5, then 6 when the frontend answers).
		 */
		dev->state = XenbusStateConnected;
		if (fe_state(dev) != XenbusStateConnected &&
		    fe_state(dev) != XenbusStateInitialised) {
			set_state(dev, XenbusStateClosing);
			break;
		}
		dev->reattach = true;
		if (prepare(dev) == 0 && connect(dev) == 0)
			bb_log(dev->be, "d%u/%u: taken over from a previous instance", dev->domid,
			       dev->devid);
		dev->reattach = false;
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
		dev->state = bes;
		break;
	default:
		dev->state = XenbusStateClosed;
		break;
	}
}

/* One step; true when something changed and another step may follow. */
static bool step(struct bb_dev *dev)
{
	uint64_t v, online = 0;
	int prev = dev->state, fe, bes;
	bool active;

	if (dev->gone || dev->dead) {
		bb_dev_release(dev);
		return false;
	}
	if (read_uint(dev, dev->be_path, "state", 8, &v) == -ENOENT) {
		dev->gone = true;
		bb_dev_release(dev);
		return false;
	}
	bes = (int)v;
	read_uint(dev, dev->be_path, "online", 1, &online);
	if (dev->state == STATE_UNKNOWN) {
		struct xenbe_env *env = &dev->be->env;

		/* Every device watches its frontend's state from the start (2.5). */
		if (env->ops->xs_watch(env->priv, dev->fe_state_path, dev->token) == 0)
			dev->fe_watched = true;
		adopt(dev, bes);
		if (bes == XenbusStateClosing && !online)
			dev->toolstack_close = true;
		return true;
	}
	if (bes != dev->state && bes == XenbusStateClosing) {
		/* The toolstack asks for a close (detach, destroy). */
		dev->toolstack_close = true;
		dev->state = XenbusStateClosing;
	}
	fe = fe_state(dev);
	active = fe >= XenbusStateInitWait && fe <= XenbusStateClosing;

	if (dev->toolstack_close || dev->state == XenbusStateClosing) {
		/* Closing: the frontend answers 5 with 6; until then it may still use the rings. */
		if (active && dev->state != XenbusStateClosed)
			return false;
		if (!bb_dev_release_rings(dev))
			return false;		/* the last completion calls update() again */
		if (dev->state != XenbusStateClosed && set_state(dev, XenbusStateClosed))
			return false;
		if (!online || dev->toolstack_close) {
			bb_dev_release(dev);
			return false;
		}
		return dev->state != prev;
	}

	switch (dev->state) {
	case XenbusStateInitialising:
		setup(dev);
		break;
	case XenbusStateInitWait:
		if (fe == XenbusStateInitialised || fe == XenbusStateConnected)
			connect(dev);
		else if (fe == XenbusStateClosing)
			set_state(dev, XenbusStateClosing);
		else if (fe == XenbusStateClosed || fe == FE_GONE)
			set_state(dev, XenbusStateClosed);
		break;
	case XenbusStateConnected:
		if ((fe == XenbusStateConnected || fe == XenbusStateInitialised) &&
		    !dev->resetting)
			break;
		if (fe == XenbusStateClosing && !dev->resetting) {
			/* Stop taking requests; state 6 once the frontend says 6. */
			bb_dev_release_rings(dev);
			set_state(dev, XenbusStateClosing);
			break;
		}
		/*
		 * Closed, gone, or back to Initialising without closing (a reset). The rings
		 * stop now; by the time the last in-flight request completes the frontend may
		 * have published new ones and be at 3 (or 4) again: those are a new connection
		 * too, offered from 2 (blkfront ignores our 2 then waits for 4, which follows).
		 */
		dev->resetting = true;
		if (!bb_dev_release_rings(dev))
			return false;
		dev->resetting = false;
		if (fe == XenbusStateInitialising || fe == XenbusStateInitialised ||
		    fe == XenbusStateConnected)
			setup(dev);
		else
			set_state(dev, XenbusStateClosed);
		break;
	case XenbusStateClosed:
		if (!online) {
			bb_dev_release(dev);
			return false;
		}
		if (fe != XenbusStateInitialising)
			dev->failed = false;	/* the frontend saw the failure */
		else if (!dev->failed)
			setup(dev);	/* the frontend comes back: offer the transport again */
		break;
	}
	return dev->state != prev;
}

void bb_dev_update(struct bb_dev *dev)
{
	int i;

	if (dev->phase == BB_DEV_RELEASED) {
		uint64_t v;

		/* Nothing held; freed (backend.c) once the toolstack removed the directory. */
		if (dev->gone)
			return;
		if (read_uint(dev, dev->be_path, "state", 8, &v) == -ENOENT) {
			dev->gone = true;
		} else if (v == XenbusStateClosing) {
			/* A close asked after the release: nothing is left to wait for. */
			dev->state = (int)v;
			set_state(dev, XenbusStateClosed);
		}
		return;
	}
	if (dev->release_pending) {
		bb_dev_release(dev);
		return;
	}
	for (i = 0; i < 8 && step(dev); i++)
		;
}
