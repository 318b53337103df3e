/* The set of virtual disks keel-blkback serves, and the events that reach them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "alloc.h"
#include "bb.h"
#include "mapcopy.h"
#include "xenbe_scan.h"

#define TOKEN_BACKEND	"be"
#define TOKEN_RELEASE	"rel"
#define BB_LOG_MAX	(4 << 20)
#define DOMID_FIRST_RESERVED_ 0x7ff0

void bb_config_defaults(struct bb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->btype = "qdisk";
	cfg->max_ring_order = BB_MAX_RING_ORDER;
	cfg->max_queues = 4;
	cfg->max_indirect = 32;
	cfg->pool = 32;
	cfg->direct = true;
	cfg->map_copy = true;
	cfg->max_devices = 256;
	cfg->aio_depth = 1024;
	cfg->discard_chunk = 1u << 21;	/* 1 GiB */
	cfg->max_persistent = 1056;	/* Linux blkback's max_persistent_grants */
	cfg->max_persistent_total = 4096;
}

void bb_log(struct bb_backend *be, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;
	int n;

	if (!be->log)
		return;
	/* dom0's /var/log is RAM: a guest that keeps failing must not fill it. */
	if (be->log_bytes > BB_LOG_MAX) {
		fflush(be->log);
		if (ftruncate(fileno(be->log), 0) == 0 && fseek(be->log, 0, SEEK_SET) == 0)
			fprintf(be->log, "(log truncated at %d bytes)\n", BB_LOG_MAX);
		be->log_bytes = 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = fprintf(be->log, "[%5lld.%03ld] ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	n += vfprintf(be->log, fmt, ap);
	va_end(ap);
	fputc('\n', be->log);
	fflush(be->log);
	if (n > 0)
		be->log_bytes += n + 1;
}

int bb_backend_init(struct bb_backend *be, const struct xenbe_env *env, const struct bb_config *cfg,
		    FILE *log)
{
	int rc;

	memset(be, 0, sizeof(*be));
	be->env = *env;
	be->cfg = *cfg;
	be->log = log;
	if (be->cfg.max_ring_order > BB_MAX_RING_ORDER)
		be->cfg.max_ring_order = BB_MAX_RING_ORDER;
	if (be->cfg.max_queues < 1)
		be->cfg.max_queues = 1;
	if (be->cfg.max_queues > BB_MAX_QUEUES)
		be->cfg.max_queues = BB_MAX_QUEUES;
	if (be->cfg.max_indirect > BB_MAX_INDIRECT_SEGS_CAP)
		be->cfg.max_indirect = BB_MAX_INDIRECT_SEGS_CAP;
	if (be->cfg.max_indirect && be->cfg.max_indirect <= BLKIF_MAX_SEGMENTS_PER_REQUEST)
		be->cfg.max_indirect = 0;	/* blkfront ignores such a value: do not offer */
	if (be->cfg.pool < 1)
		be->cfg.pool = 1;
	if (be->cfg.discard_chunk < 8)
		be->cfg.discard_chunk = 8;
	be->pgnt.max = be->cfg.max_persistent_total;
	/* A mapped file truncated under a copy of ours: that copy fails (mapcopy.c). */
	if (be->cfg.map_copy && bb_mapcopy_init() < 0)
		be->cfg.map_copy = false;
	be->discards_tail = &be->discards;
	be->root = xasprintf(BB_BACKEND_ROOT_FMT, be->cfg.btype);
	be->copy_max = be->cfg.max_indirect > BLKIF_MAX_SEGMENTS_PER_REQUEST ?
		       be->cfg.max_indirect : BLKIF_MAX_SEGMENTS_PER_REQUEST;
	be->copy = xcalloc(be->copy_max, sizeof(*be->copy));
	be->grefs = xcalloc(be->copy_max, sizeof(*be->grefs));
	be->indirect = aligned_alloc(BB_PAGE_SIZE,
				     BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * BB_PAGE_SIZE);
	if (!be->indirect)
		return -ENOMEM;
	rc = bb_aio_init(&be->aio, be->cfg.aio_depth);
	if (rc)
		bb_log(be, "io_setup(%u): %s", be->cfg.aio_depth, strerror(-rc));
	return rc;
}

struct bb_dev *bb_backend_find(struct bb_backend *be, uint16_t domid, uint32_t devid)
{
	struct bb_dev *dev;

	for (dev = be->devs; dev; dev = dev->next)
		if (dev->domid == domid && dev->devid == devid)
			return dev;
	return NULL;
}

static struct bb_dev *add(struct bb_backend *be, uint16_t domid, uint32_t devid)
{
	struct bb_dev *dev;

	if (be->ndevs >= be->cfg.max_devices) {
		bb_log(be, "d%u/%u: ignored, already %u devices", domid, devid, be->ndevs);
		return NULL;
	}
	dev = bb_dev_new(be, domid, devid);
	dev->next = be->devs;
	be->devs = dev;
	be->ndevs++;
	bb_log(be, "d%u/%u: new device", domid, devid);
	return dev;
}

/* Frees devices whose directory is gone and which hold nothing any more. */
static void reap(struct bb_backend *be)
{
	struct bb_dev **pp = &be->devs;

	while (*pp) {
		struct bb_dev *dev = *pp;

		if (dev->gone && dev->phase == BB_DEV_RELEASED) {
			*pp = dev->next;
			be->ndevs--;
			bb_dev_free(dev);
		} else {
			pp = &dev->next;
		}
	}
}

/* A device directory found by the scan: known or new, it is still there. */
static void seen(void *arg, uint16_t domid, uint32_t devid)
{
	struct bb_backend *be = arg;
	struct bb_dev *dev = bb_backend_find(be, domid, devid);

	if (!dev)
		dev = add(be, domid, devid);
	if (dev)
		dev->seen = true;
}

void bb_backend_scan(struct bb_backend *be)
{
	struct bb_dev *dev;

	for (dev = be->devs; dev; dev = dev->next)
		dev->seen = false;
	xenbe_scan(&be->env, be->root, DOMID_FIRST_RESERVED_ - 1, UINT32_MAX, seen, be);
	for (dev = be->devs; dev; dev = dev->next) {
		if (!dev->seen)
			dev->gone = true;
		bb_dev_update(dev);
	}
	reap(be);
}

int bb_backend_start(struct bb_backend *be)
{
	struct xenbe_env *env = &be->env;
	int rc;

	rc = env->ops->xs_watch(env->priv, be->root, TOKEN_BACKEND);
	if (rc) {
		bb_log(be, "watch %s: %s", be->root, strerror(-rc));
		return rc;
	}
	rc = env->ops->xs_watch(env->priv, "@releaseDomain", TOKEN_RELEASE);
	if (rc) {
		bb_log(be, "watch @releaseDomain: %s", strerror(-rc));
		return rc;
	}
	bb_backend_scan(be);
	return 0;
}

/* A path under the backend root: the device it names, or NULL (scan instead). */
static bool parse_be_path(struct bb_backend *be, const char *path, uint16_t *domid,
			  uint32_t *devid)
{
	size_t n = strlen(be->root);
	char buf[64], *slash, *rest;
	uint64_t d, v;

	if (strncmp(path, be->root, n) || path[n] != '/')
		return false;
	snprintf(buf, sizeof(buf), "%s", path + n + 1);
	slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash = 0;
	rest = slash + 1;
	slash = strchr(rest, '/');
	if (slash)
		*slash = 0;
	if (!xenbe_parse_uint(buf, DOMID_FIRST_RESERVED_ - 1, &d) ||
	    !xenbe_parse_uint(rest, UINT32_MAX, &v))
		return false;
	*domid = d;
	*devid = v;
	return true;
}

void bb_backend_watch(struct bb_backend *be, const char *path, const char *token)
{
	struct bb_dev *dev;
	uint16_t domid;
	uint32_t devid;

	if (!strcmp(token, TOKEN_RELEASE)) {
		for (dev = be->devs; dev; dev = dev->next) {
			if (dev->dead || be->env.ops->domain_alive(be->env.priv, dev->domid))
				continue;
			bb_log(be, "d%u/%u: domain gone", dev->domid, dev->devid);
			dev->dead = true;
			bb_dev_update(dev);
		}
	} else if (!strcmp(token, TOKEN_BACKEND)) {
		if (!parse_be_path(be, path, &domid, &devid)) {
			bb_backend_scan(be);
			return;
		}
		dev = bb_backend_find(be, domid, devid);
		if (!dev) {
			bb_backend_scan(be);
			return;
		}
		bb_dev_update(dev);
	} else if (sscanf(token, "fe:%hu:%u", &domid, &devid) == 2) {
		dev = bb_backend_find(be, domid, devid);
		if (dev)
			bb_dev_update(dev);
	}
	reap(be);
}

void bb_backend_resync(struct bb_backend *be)
{
	bb_log(be, "watch events were lost: looking at every device again");
	bb_backend_watch(be, "@releaseDomain", TOKEN_RELEASE);
	bb_backend_scan(be);
}

void bb_backend_event(struct bb_backend *be, uint32_t port)
{
	struct bb_dev *dev;
	unsigned int i;

	for (dev = be->devs; dev; dev = dev->next)
		for (i = 0; dev->queues && i < dev->nqueues; i++)
			if (dev->queues[i].port == (int)port) {
				bb_queue_run(&dev->queues[i]);
				return;
			}
}

/* Batches of completions per call: the loop must get back to xenstore and the other rings. */
#define BB_AIO_ROUNDS	4

void bb_backend_aio(struct bb_backend *be)
{
	struct io_event ev[64];
	struct bb_dev *dev;
	int n, rounds = 0;
	unsigned int q;

	/*
	 * Completions start new requests, and buffered I/O completes at submission: a frontend
	 * that answers each response with a new request at once would keep this loop going for
	 * ever. Stop after a few batches and make the eventfd readable again, so poll() comes
	 * back here after the other descriptors had their turn.
	 */
	be->aio_sync = false;
	do {
		n = bb_aio_reap(&be->aio, ev, 64);
		if (n > 0)
			bb_io_complete(be, ev, n);
	} while (n == 64 && ++rounds < BB_AIO_ROUNDS);
	if (n == 64)
		bb_aio_kick(&be->aio);
	/* One chunk of discard per turn: the eventfd says when one is left. */
	if (be->discards && bb_io_discard_step(be))
		bb_aio_kick(&be->aio);
	/* Flushes that found no room first, then the queues that did not. */
	bb_io_flush_retry(be);
	for (dev = be->devs; dev; dev = dev->next)
		for (q = 0; dev->queues && q < dev->nqueues; q++)
			if (dev->queues[q].starved)
				bb_queue_run(&dev->queues[q]);
	reap(be);
}

void bb_backend_fini(struct bb_backend *be)
{
	struct bb_dev *dev;

	for (dev = be->devs; dev; dev = dev->next) {
		dev->gone = true;	/* no xenstore writes from here on */
		bb_dev_release(dev);
	}
	while (be->aio.inflight || be->discards) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
		bb_backend_aio(be);
	}
	reap(be);
	bb_aio_fini(&be->aio);
	free(be->copy);
	free(be->grefs);
	free(be->indirect);
	free(be->root);
}
