/* The set of vifs keel-netback serves, and the events that reach them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "alloc.h"
#include "nb.h"
#include "xenbe_scan.h"

#define TOKEN_BACKEND	"be"
#define TOKEN_RELEASE	"rel"
#define NB_LOG_MAX	(4 << 20)
#define DOMID_MAX_	0x7fef	/* DOMID_FIRST_RESERVED - 1 */
#define DEVID_MAX	65535	/* vif32751.65535 still fits IFNAMSIZ */

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void nb_config_defaults(struct nb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->btype = "qnic";
	cfg->max_queues = 2;
	cfg->split = true;
	cfg->max_devices = 256;
	cfg->rx_drain_ms = 10000;	/* Linux netback's rx_drain_timeout_msecs */
}

void nb_log(struct nb_backend *be, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;
	int n;

	if (!be->log)
		return;
	/* dom0's /var/log is RAM: a guest that keeps failing must not fill it. */
	if (be->log_bytes > NB_LOG_MAX) {
		fflush(be->log);
		if (ftruncate(fileno(be->log), 0) == 0 && fseek(be->log, 0, SEEK_SET) == 0)
			fprintf(be->log, "(log truncated at %d bytes)\n", NB_LOG_MAX);
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

int nb_backend_init(struct nb_backend *be, const struct xenbe_env *env, const struct nb_tap *tap,
		    const struct nb_config *cfg, FILE *log)
{
	memset(be, 0, sizeof(*be));
	be->env = *env;
	be->tap = *tap;
	be->cfg = *cfg;
	be->log = log;
	be->now_ms = monotonic_ms;
	if (be->cfg.max_queues < 1)
		be->cfg.max_queues = 1;
	if (be->cfg.max_queues > NB_MAX_QUEUES)
		be->cfg.max_queues = NB_MAX_QUEUES;
	be->root = xasprintf(NB_BACKEND_ROOT_FMT, be->cfg.btype);
	be->arena = cfg->arena;
	be->arena_own = !be->arena;
	if (be->arena_own)
		be->arena = xcalloc(1, NB_ARENA_SIZE);
	be->segs = xcalloc(NB_BATCH_SEGS > NB_RING_SIZE ? NB_BATCH_SEGS : NB_RING_SIZE,
			   sizeof(*be->segs));
	be->pkts = xcalloc(NB_BUDGET, sizeof(*be->pkts));
	be->rxinfo = xcalloc(NB_RING_SIZE, nb_rx_slotinfo_size());
	return 0;
}

struct nb_vif *nb_backend_find(struct nb_backend *be, uint16_t domid, uint32_t devid)
{
	struct nb_vif *vif;

	for (vif = be->vifs; vif; vif = vif->next)
		if (vif->domid == domid && vif->devid == devid)
			return vif;
	return NULL;
}

static struct nb_vif *add(struct nb_backend *be, uint16_t domid, uint32_t devid)
{
	struct nb_vif *vif;

	if (be->nvifs >= be->cfg.max_devices) {
		nb_log(be, "d%u/%u: ignored, already %u vifs", domid, devid, be->nvifs);
		return NULL;
	}
	vif = nb_vif_new(be, domid, devid);
	vif->next = be->vifs;
	be->vifs = vif;
	be->nvifs++;
	nb_log(be, "d%u/%u: new vif", domid, devid);
	return vif;
}

/* Frees vifs whose directory is gone and which hold nothing any more. */
static void reap(struct nb_backend *be)
{
	struct nb_vif **pp = &be->vifs;

	while (*pp) {
		struct nb_vif *vif = *pp;

		if (vif->gone && vif->phase == NB_VIF_RELEASED) {
			*pp = vif->next;
			be->nvifs--;
			nb_vif_free(vif);
		} else {
			pp = &vif->next;
		}
	}
}

/* A device directory found by the scan: known or new, it is still there. */
static void seen(void *arg, uint16_t domid, uint32_t devid)
{
	struct nb_backend *be = arg;
	struct nb_vif *vif = nb_backend_find(be, domid, devid);

	if (!vif)
		vif = add(be, domid, devid);
	if (vif)
		vif->seen = true;
}

void nb_backend_scan(struct nb_backend *be)
{
	struct nb_vif *vif;

	for (vif = be->vifs; vif; vif = vif->next)
		vif->seen = false;
	xenbe_scan(&be->env, be->root, DOMID_MAX_, DEVID_MAX, seen, be);
	for (vif = be->vifs; vif; vif = vif->next) {
		if (!vif->seen)
			vif->gone = true;
		nb_vif_update(vif);
	}
	reap(be);
}

int nb_backend_start(struct nb_backend *be)
{
	struct xenbe_env *env = &be->env;
	int rc;

	rc = env->ops->xs_watch(env->priv, be->root, TOKEN_BACKEND);
	if (rc) {
		nb_log(be, "watch %s: %s", be->root, strerror(-rc));
		return rc;
	}
	rc = env->ops->xs_watch(env->priv, "@releaseDomain", TOKEN_RELEASE);
	if (rc) {
		nb_log(be, "watch @releaseDomain: %s", strerror(-rc));
		return rc;
	}
	nb_backend_scan(be);
	return 0;
}

/* A path under the backend root: the vif it names, or false (scan instead). */
static bool parse_be_path(struct nb_backend *be, const char *path, uint16_t *domid,
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
	if (!xenbe_parse_uint(buf, DOMID_MAX_, &d) || !xenbe_parse_uint(rest, DEVID_MAX, &v))
		return false;
	*domid = d;
	*devid = v;
	return true;
}

/*
 * Watch events only mark what to look at: a vif's update re-reads everything, so a thousand
 * events of one vif cost one update. A guest rewriting its state in a loop (or making nodes
 * under it) must not queue work, and the client's memory, faster than the daemon serves it.
 */
void nb_backend_watch_note(struct nb_backend *be, const char *path, const char *token)
{
	struct nb_vif *vif;
	uint16_t domid;
	uint32_t devid;

	if (!strcmp(token, TOKEN_RELEASE)) {
		be->release_pending = true;
	} else if (!strcmp(token, TOKEN_BACKEND)) {
		if (!parse_be_path(be, path, &domid, &devid) ||
		    !(vif = nb_backend_find(be, domid, devid)))
			be->scan_pending = true;
		else
			vif->xs_dirty = true;
	} else if (sscanf(token, "fe:%hu:%u", &domid, &devid) == 2) {
		vif = nb_backend_find(be, domid, devid);
		if (vif)
			vif->xs_dirty = true;
	}
}

void nb_backend_watch_flush(struct nb_backend *be)
{
	struct nb_vif *vif;
	int i;

	if (be->release_pending) {
		be->release_pending = false;
		for (vif = be->vifs; vif; vif = vif->next) {
			if (vif->dead || be->env.ops->domain_alive(be->env.priv, vif->domid))
				continue;
			nb_log(be, "d%u/%u: domain gone", vif->domid, vif->devid);
			vif->dead = true;
			vif->xs_dirty = true;
		}
	}
	if (!be->scan_pending) {
		for (vif = be->vifs; vif; vif = vif->next) {
			if (!vif->xs_dirty)
				continue;
			vif->xs_dirty = false;
			nb_vif_update(vif);
		}
		reap(be);
	}
	/* A scan updates every vif; again when it retired a vif the toolstack wrote anew. */
	for (i = 0; i < 3 && be->scan_pending; i++) {
		be->scan_pending = false;
		for (vif = be->vifs; vif; vif = vif->next)
			vif->xs_dirty = false;
		nb_backend_scan(be);
	}
}

void nb_backend_watch(struct nb_backend *be, const char *path, const char *token)
{
	nb_backend_watch_note(be, path, token);
	nb_backend_watch_flush(be);
}

/*
 * A TX queue's run. dom0's stack takes the TCP frames in the TAP's write and answers at once
 * (ACKs, the sender's next segments): those are read now rather than in another wake-up. A
 * UDP or ICMP frame's answer comes from a task that has not run yet: no read that would find
 * the TAP empty.
 */
static void run_tx(struct nb_vif *vif, unsigned int i)
{
	vif->tx_tcp = false;
	nb_tx_run(&vif->queues[i]);
	if (vif->tx_tcp && nb_vif_wants_tap(vif))
		nb_rx_run(vif);
}

void nb_backend_event(struct nb_backend *be, uint32_t port)
{
	struct nb_vif *vif;
	unsigned int i;

	for (vif = be->vifs; vif; vif = vif->next)
		for (i = 0; vif->queues && i < vif->nqueues; i++) {
			struct nb_queue *q = &vif->queues[i];
			bool rx = q->rx_port == (int)port, tx = q->tx_port == (int)port;

			if (!rx && !tx)
				continue;
			/* RX first: the frontend posted buffers (a pending frame may fit now). */
			if (rx)
				nb_rx_run(vif);
			if (tx && vif->queues)
				run_tx(vif, i);
			return;
		}
}

void nb_backend_tap(struct nb_backend *be, int tap)
{
	struct nb_vif *vif;

	for (vif = be->vifs; vif; vif = vif->next)
		if (vif->tap == tap) {
			nb_rx_run(vif);
			return;
		}
}

/* The clock, read once per call and only when a stalled vif needs it (a system call). */
static uint64_t now_once(struct nb_backend *be, uint64_t *now)
{
	if (!*now)
		*now = be->now_ms();
	return *now;
}

bool nb_backend_work(struct nb_backend *be)
{
	struct nb_vif *vif;
	bool more = false;
	unsigned int i;
	uint64_t now = 0;

	for (vif = be->vifs; vif; vif = vif->next) {
		bool due = vif->rx_pend_len && vif->rx_stall_since &&
			   now_once(be, &now) - vif->rx_stall_since >= be->cfg.rx_drain_ms;

		if (vif->rx_more || due)
			nb_rx_run(vif);
		more |= vif->rx_more;
		for (i = 0; vif->queues && i < vif->nqueues; i++) {
			if (vif->queues[i].tx_more)
				run_tx(vif, i);
			more |= vif->queues && vif->queues[i].tx_more;
		}
	}
	return more;
}

bool nb_backend_busy(const struct nb_backend *be)
{
	const struct nb_vif *vif;
	unsigned int i;

	for (vif = be->vifs; vif; vif = vif->next) {
		if (vif->rx_more)
			return true;
		for (i = 0; vif->queues && i < vif->nqueues; i++)
			if (vif->queues[i].tx_more)
				return true;
	}
	return false;
}

bool nb_backend_owed(const struct nb_backend *be)
{
	const struct nb_vif *vif;
	unsigned int i;

	for (vif = be->vifs; vif; vif = vif->next)
		for (i = 0; vif->queues && i < vif->nqueues; i++)
			if (vif->queues[i].tx_owed)
				return true;
	return false;
}

/*
 * TX completions' notifications put off (tx.c) go out before the daemon sleeps, but for a
 * frontend that took every response meanwhile (its rsp_event is past them).
 */
bool nb_backend_idle(struct nb_backend *be)
{
	struct nb_vif *vif;
	bool more = false;
	unsigned int i;

	for (vif = be->vifs; vif; vif = vif->next)
		for (i = 0; vif->queues && i < vif->nqueues; i++) {
			struct nb_queue *q = &vif->queues[i];

			if (!q->tx_owed)
				continue;
			q->tx_owed = false;
			if (!q->tx.r.sring || !nb_ring_rsp_unseen(&q->tx.r))
				continue;
			be->stats.tx_notifies++;
			nb_vif_notify(vif, (uint32_t)q->tx_port, false);
			more |= q->tx_more;
		}
	return more;
}

int nb_backend_timeout(struct nb_backend *be)
{
	struct nb_vif *vif;
	uint64_t now = 0;
	int best = -1;

	for (vif = be->vifs; vif; vif = vif->next) {
		uint64_t end;
		int left;

		if (!vif->rx_pend_len || !vif->rx_stall_since)
			continue;
		end = vif->rx_stall_since + be->cfg.rx_drain_ms;
		left = end > now_once(be, &now) ? (int)(end - now) : 0;
		if (best < 0 || left < best)
			best = left;
	}
	return best;
}

void nb_backend_log_stats(struct nb_backend *be)
{
	const struct nb_stats *s = &be->stats;
	double rxf = s->rx_frames ? (double)s->rx_frames : 1, txf = s->tx_frames ? s->tx_frames : 1;
	double all = s->rx_frames + s->tx_frames ? (double)(s->rx_frames + s->tx_frames) : 1;

	struct rusage ru = { 0 };

	/* Context switches: voluntary (the daemon slept), involuntary (it was preempted). */
	getrusage(RUSAGE_SELF, &ru);
	nb_log(be, "stats: rx %llu frames %llu copies %llu notifies, tx %llu frames %llu copies "
	       "%llu notifies, %llu wakeups %llu syscalls; per frame: rx copies %.3f notifies %.3f, "
	       "tx copies %.3f notifies %.3f, syscalls %.2f; switches %ld voluntary %ld involuntary; "
	       "ticks copy %llu notify %llu unmask %llu tapw %llu tapr %llu taprempty %llu "
	       "evread %llu awake %llu yield %llu; yields %llu, missed %llu in %llu ticks; "
	       "segs %llu, by hypercall %llu in %llu ops",
	       (unsigned long long)s->rx_frames, (unsigned long long)s->rx_copies,
	       (unsigned long long)s->rx_notifies, (unsigned long long)s->tx_frames,
	       (unsigned long long)s->tx_copies, (unsigned long long)s->tx_notifies,
	       (unsigned long long)s->wakeups, (unsigned long long)s->syscalls,
	       s->rx_copies / rxf, s->rx_notifies / rxf, s->tx_copies / txf, s->tx_notifies / txf,
	       s->syscalls / all, ru.ru_nvcsw, ru.ru_nivcsw,
	       (unsigned long long)s->ticks[NB_T_COPY], (unsigned long long)s->ticks[NB_T_NOTIFY],
	       (unsigned long long)s->ticks[NB_T_UNMASK], (unsigned long long)s->ticks[NB_T_TAPW],
	       (unsigned long long)s->ticks[NB_T_TAPR],
	       (unsigned long long)s->ticks[NB_T_TAPR_EMPTY],
	       (unsigned long long)s->ticks[NB_T_EVREAD], (unsigned long long)s->ticks[NB_T_AWAKE],
	       (unsigned long long)s->ticks[NB_T_YIELD], (unsigned long long)s->yields,
	       (unsigned long long)s->yield_misses,
	       (unsigned long long)s->ticks[NB_T_YIELD_MISS],
	       (unsigned long long)s->segs, (unsigned long long)s->hsegs,
	       (unsigned long long)s->hops);
}

void nb_backend_fini(struct nb_backend *be)
{
	struct nb_vif *vif;

	for (vif = be->vifs; vif; vif = vif->next) {
		vif->gone = true;	/* no xenstore writes from here on */
		nb_vif_release(vif);
	}
	reap(be);
	if (be->arena_own)
		free(be->arena);
	free(be->segs);
	free(be->pkts);
	free(be->rxinfo);
	free(be->root);
}
