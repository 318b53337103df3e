/* keel-blkback: dom0's user-space block backend daemon (docs/block.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bb.h"
#include "privcmd.h"
#include "xenbe_linux.h"
#include <xen/sys/evtchn.h>
#include "util.h"
#include "xs.h"

#define DEFAULT_LOG "/var/log/keel-blkback.log"

/* keelctl's xs.c reports through kc_err() on kc_errf (dom0-tools/keelctl/util.c). */

static volatile sig_atomic_t stop, want_stats;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_stats = 1;
	else
		stop = 1;
}

/*
 * The data path's system calls, counted (SIGUSR1 logs a "stats:" line, make bench's
 * per-request figures): the grant and event channel ops are wrapped, the AIO calls count
 * themselves (bb_aio.syscalls), the loop's own here.
 */
static uint64_t n_calls, n_wakeups;
static const struct xenbe_env_ops *env_real;

static int c_gnt_copy(void *priv, struct ioctl_gntdev_grant_copy_segment *segs, unsigned int n)
{
	n_calls++;
	return env_real->gnt_copy(priv, segs, n);
}

static void *c_gnt_map(void *priv, uint16_t domid, const uint32_t *refs, unsigned int n,
		       bool writable)
{
	n_calls += 2;	/* the map ioctl and its mmap */
	return env_real->gnt_map(priv, domid, refs, n, writable);
}

static void c_gnt_unmap(void *priv, void *addr, unsigned int n)
{
	n_calls++;
	env_real->gnt_unmap(priv, addr, n);
}

static void c_evtchn_notify(void *priv, uint32_t port)
{
	n_calls++;
	env_real->evtchn_notify(priv, port);
}

static void c_evtchn_unmask(void *priv, uint32_t port)
{
	n_calls++;
	env_real->evtchn_unmask(priv, port);
}

static void count_syscalls(struct xenbe_env *env)
{
	static struct xenbe_env_ops e;

	env_real = env->ops;
	e = *env->ops;
	e.gnt_copy = c_gnt_copy;
	e.gnt_map = c_gnt_map;
	e.gnt_unmap = c_gnt_unmap;
	e.evtchn_notify = c_evtchn_notify;
	e.evtchn_unmask = c_evtchn_unmask;
	env->ops = &e;
}

static void log_stats(struct bb_backend *be)
{
	bb_log(be, "stats: requests %llu wakeups %llu syscalls %llu",
	       (unsigned long long)be->stat_requests,
	       (unsigned long long)n_wakeups,
	       (unsigned long long)(n_calls + be->aio.syscalls));
}

static void usage(void)
{
	fprintf(stderr,
		"usage: keel-blkback [--foreground] [--log FILE] [--xenstore SOCKET]\n"
		"         [--type NAME] [--max-ring-order N] [--max-queues N]\n"
		"         [--max-indirect N] [--pool N] [--sector-size 512|4096] [--no-direct]\n"
		"         [--max-persistent N] [--no-zero-copy] [--no-loop]\n"
		"         [--no-map]\n");
	exit(2);
}

static uint32_t num_arg(const char *s, uint32_t max)
{
	uint64_t v;

	if (!xenbe_parse_uint(s, max, &v)) {
		fprintf(stderr, "keel-blkback: bad number '%s'\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

/*
 * Watch events, at most a batch per turn of the loop. Handling one takes xenstore round trips
 * during which more arrive (the client queues them), so a guest rewriting its frontend's
 * state without pause could otherwise keep us here for ever, away from the rings and the AIO
 * completions of every other guest. True when events are left (poll without waiting then:
 * they are in the client's queue, not on the socket).
 */
#define XS_BATCH 64

static bool handle_xs(struct bb_backend *be, struct xenbe_linux *l)
{
	char *path, *token;
	unsigned int n;

	for (n = 0; n < XS_BATCH; n++) {
		int rc = xs_read_watch(l->xs, &path, &token, 0);

		if (rc == -ENOBUFS) {
			/* Events were dropped: look at every device and domain again. */
			bb_backend_resync(be);
			continue;
		}
		if (rc)
			return false;
		bb_backend_watch(be, path, token);
		free(path);
		free(token);
	}
	return true;
}

/*
 * One read per wake-up, not a loop until the device is empty: a guest sending events without
 * pause (EVTCHNOP_send in a loop on another vCPU) re-raises its port as soon as it is
 * re-enabled, so such a loop never ends and the AIO completions and xenstore are never served
 * again (every other guest's disk hangs). poll() reports the port again at once; whatever the
 * guest sent meanwhile is coalesced into that one wake-up.
 */
static void handle_evtchn(struct bb_backend *be, struct xenbe_linux *l)
{
	uint32_t ports[256];
	ssize_t n;

	n_calls++;
	n = read(l->evtchn, ports, sizeof(ports));
	if (n > 0) {
		ssize_t i;

		for (i = 0; i < n / 4; i++) {
			bb_backend_event(be, ports[i]);
			be->env.ops->evtchn_unmask(be->env.priv, ports[i]);
		}
		return;
	}
	if (n < 0 && errno == EFBIG) {
		/* The per-fd buffer overflowed: reset, then look at every ring. */
		struct bb_dev *dev;
		unsigned int q;

		ioctl(l->evtchn, IOCTL_EVTCHN_RESET, NULL);
		for (dev = be->devs; dev; dev = dev->next)
			for (q = 0; dev->queues && q < dev->nqueues; q++) {
				bb_queue_run(&dev->queues[q]);
				/* A broken ring fails its device: the queues may be gone now. */
				if (dev->queues && dev->queues[q].port >= 0)
					be->env.ops->evtchn_unmask(be->env.priv,
								   dev->queues[q].port);
			}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "log", required_argument, NULL, 'l' },
		{ "xenstore", required_argument, NULL, 'x' },
		{ "type", required_argument, NULL, 't' },
		{ "max-ring-order", required_argument, NULL, 'o' },
		{ "max-queues", required_argument, NULL, 'q' },
		{ "max-indirect", required_argument, NULL, 'i' },
		{ "pool", required_argument, NULL, 'p' },
		{ "sector-size", required_argument, NULL, 's' },
		{ "no-direct", no_argument, NULL, 'D' },
		{ "max-persistent", required_argument, NULL, 'P' },
		{ "no-zero-copy", no_argument, NULL, 'Z' },
		{ "no-loop", no_argument, NULL, 'L' },
		{ "no-map", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	const char *log_path = DEFAULT_LOG, *xs_path = NULL;
	bool foreground = false, zero_copy = true;
	struct keel_domctl phys = { .cmd = KEEL_DOMCTL_physinfo };
	struct bb_config cfg;
	struct bb_backend be;
	struct xenbe_linux l;
	struct xenbe_env env;
	int c, rc, phys_rc, ready[2] = { -1, -1 };
	bool xs_more = false;
	FILE *log;

	bb_config_defaults(&cfg);
	cfg.loop = true;
	cfg.map = true;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': foreground = true; break;
		case 'l': log_path = optarg; break;
		case 'x': xs_path = optarg; break;
		case 't': cfg.btype = optarg; break;
		case 'o': cfg.max_ring_order = num_arg(optarg, BB_MAX_RING_ORDER); break;
		case 'q': cfg.max_queues = num_arg(optarg, BB_MAX_QUEUES); break;
		case 'i': cfg.max_indirect = num_arg(optarg, BB_MAX_INDIRECT_SEGS_CAP); break;
		case 'p': cfg.pool = num_arg(optarg, 512); break;
		case 's':
			cfg.sector_size = num_arg(optarg, 4096);
			if (cfg.sector_size != 512 && cfg.sector_size != 4096)
				usage();
			break;
		case 'D': cfg.direct = false; break;
		case 'L': cfg.loop = false; break;
		case 'M': cfg.map = false; break;
		case 'P': cfg.max_persistent = num_arg(optarg, 4096); break;
		case 'Z': zero_copy = false; break;
		default: usage();
		}
	}
	if (optind != argc || strchr(cfg.btype, '/'))
		usage();
	log = fopen(log_path, "a");
	if (!log) {
		fprintf(stderr, "keel-blkback: %s: %s\n", log_path, strerror(errno));
		return 1;
	}
	kc_errf = log;
	if (!foreground) {
		pid_t pid;
		char b;

		if (pipe(ready) < 0)
			return 1;
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid > 0) {
			close(ready[1]);
			/* The child says when it serves (or exits with why in the log). */
			return read(ready[0], &b, 1) == 1 ? 0 : 1;
		}
		close(ready[0]);
		setsid();
		c = open("/dev/null", O_RDWR);
		if (c >= 0) {
			dup2(c, 0);
			dup2(c, 1);
			dup2(c, 2);
			if (c > 2)
				close(c);
		}
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);

	rc = xenbe_linux_open(&l, xs_path, &env);
	if (rc) {
		fprintf(log, "keel-blkback: opening xenstore/gntdev/evtchn: %s\n", strerror(-rc));
		return 1;
	}
	count_syscalls(&env);
	/* keel says whether a device could DMA to a grant-mapped page: else copy. */
	phys_rc = keel_domctl(&phys);
	cfg.zero_copy = zero_copy && !phys_rc && bb_io_zero_copy(phys.u.physinfo.flags);
	rc = bb_backend_init(&be, &env, &cfg, log);
	if (rc || bb_backend_start(&be)) {
		fprintf(log, "keel-blkback: cannot start\n");
		return 1;
	}
	bb_log(&be, "keel-blkback serving %s: ring order <= %u, <= %u queues, %u indirect segments",
	       be.root, be.cfg.max_ring_order, be.cfg.max_queues, be.cfg.max_indirect);
	bb_log(&be, "persistent grants: %u per queue; data %s (keel physinfo flags %#x%s)",
	       be.cfg.max_persistent,
	       be.cfg.zero_copy ? "zero-copy to/from the mapped grants" :
				  "copied between the mapped grants and private buffers",
	       phys_rc ? 0 : phys.u.physinfo.flags, phys_rc ? ", physinfo failed" : "");
	if (ready[1] >= 0) {
		(void)!write(ready[1], "", 1);
		close(ready[1]);
	}

	while (!stop) {
		struct pollfd pfd[3] = {
			{ .fd = xs_fileno(l.xs), .events = POLLIN },
			{ .fd = l.evtchn, .events = POLLIN },
			{ .fd = be.aio.efd, .events = POLLIN },
		};

		if (want_stats) {
			want_stats = 0;
			log_stats(&be);
		}
		n_calls++;
		/* Watch events the client queued while waiting for a reply: no sleep then. */
		if (poll(pfd, 3, xs_more || xs_has_events(l.xs) ? 0 : -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n_wakeups++;
		if (pfd[0].revents & (POLLHUP | POLLERR)) {
			bb_log(&be, "xenstored went away");
			break;
		}
		if (pfd[1].revents & POLLIN)
			handle_evtchn(&be, &l);
		/*
		 * Buffered I/O (no O_DIRECT) completed inside io_submit: reap it now, not after
		 * another trip through poll(). Direct I/O's completions come by the eventfd.
		 */
		if ((pfd[2].revents & POLLIN) || be.aio_sync)
			bb_backend_aio(&be);
		xs_more = false;
		if ((pfd[0].revents & POLLIN) || xs_has_events(l.xs))
			xs_more = handle_xs(&be, &l);
	}
	bb_log(&be, "stopping");
	bb_backend_fini(&be);
	xenbe_linux_close(&l);
	return 0;
}
