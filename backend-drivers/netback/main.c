/* keel-netback: dom0's user-space network backend daemon (docs/network.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "alloc.h"
#include "hcopy.h"
#include "nb.h"
#include <xen/sys/evtchn.h>
#include "privcmd.h"
#include "tap.h"
#include "util.h"
#include "xenbe_linux.h"
#include "xs.h"

#define DEFAULT_LOG "/var/log/keel-netback.log"
/*
 * Watch events taken per turn of the loop. Taking one costs no xenstore call (it only marks
 * its vif); each marked vif is then updated once, so a guest rewriting its state in a loop
 * neither starves the rings nor piles events up in the client's queue.
 */
#define XS_BATCH 4096
#define XS_ROUNDS 4

static volatile sig_atomic_t stop, want_stats, gntdev_only;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_stats = 1;
	else if (sig == SIGUSR2)
		gntdev_only = !gntdev_only;	/* make bench compares the two copies */
	else
		stop = 1;
}

/*
 * The data path's system calls, counted (an strace in the daemon: "stats:" lines): the ops
 * a packet costs are wrapped, main's own calls count themselves.
 */
static struct nb_stats *counts;
static const struct xenbe_env_ops *env_real;
static const struct nb_tap_ops *tap_real;

/* The TSC (not trapped: the emulated machine's instruction time under Bochs). */
static inline uint64_t tsc(void)
{
	return __builtin_ia32_rdtsc();
}

/*
 * The arena in hypercall-buffer pages: grant copies are the daemon's own GNTTABOP_copy
 * (hcopy.h); gntdev makes those it cannot (a segment off the arena: a frame kept for RX).
 */
static struct nb_hcopy hcopy = { .privcmd = -1 };
static struct nb_backend *backend;

static int c_gnt_copy(void *priv, struct ioctl_gntdev_grant_copy_segment *segs, unsigned int n)
{
	uint64_t t = tsc();
	int rc;

	counts->syscalls++;
	counts->segs += n;
	rc = gntdev_only ? 0 : nb_hcopy_run(&hcopy, segs, n);
	if (rc < 0 && rc != -EINVAL) {
		/* keel refused the call itself: gntdev from now on (it copies the same ops). */
		nb_log(backend, "grant copy by hypercall: %s: gntdev copies from now on",
		       strerror(-rc));
		hcopy.privcmd = -1;
		rc = 0;
	}
	if (rc > 0) {
		counts->hsegs += n;
		counts->hops += (unsigned int)rc;
		rc = 0;
	} else if (rc == 0) {
		rc = env_real->gnt_copy(priv, segs, n);
	}	/* -EINVAL: a segment gntdev refuses too */
	counts->ticks[NB_T_COPY] += tsc() - t;
	return rc;
}

static void c_evtchn_notify(void *priv, uint32_t port)
{
	uint64_t t = tsc();

	counts->syscalls++;
	env_real->evtchn_notify(priv, port);
	counts->ticks[NB_T_NOTIFY] += tsc() - t;
}

static void c_evtchn_unmask(void *priv, uint32_t port)
{
	uint64_t t = tsc();

	counts->syscalls++;
	env_real->evtchn_unmask(priv, port);
	counts->ticks[NB_T_UNMASK] += tsc() - t;
}

static int c_tap_write(void *priv, int tap, const struct iovec *iov, int iovcnt)
{
	uint64_t t = tsc();
	int rc;

	counts->syscalls++;
	rc = tap_real->write(priv, tap, iov, iovcnt);
	counts->ticks[NB_T_TAPW] += tsc() - t;
	return rc;
}

static ssize_t c_tap_read(void *priv, int tap, void *buf, size_t len)
{
	uint64_t t = tsc();
	ssize_t n;

	counts->syscalls++;
	n = tap_real->read(priv, tap, buf, len);
	counts->ticks[n < 0 ? NB_T_TAPR_EMPTY : NB_T_TAPR] += tsc() - t;
	return n;
}

/* SCHEDOP_yield through privcmd: dom0's vCPU lets the guest it just notified run. */
static int privcmd = -1;

static void c_yield(struct nb_backend *be)
{
	uint64_t t = tsc();

	counts->syscalls++;
	(void)privcmd_sched_yield(privcmd);
	counts->yield_last = tsc() - t;
	counts->ticks[NB_T_YIELD] += counts->yield_last;
}

/*
 * The TAPs in the epoll set, by file descriptor: a closed fd leaves the set by itself, and its
 * number may come back as another vif's TAP, so close forgets it here.
 */
static int epfd = -1;
static bool *in_ep;
static unsigned int in_ep_max;

static void c_tap_close(void *priv, int tap)
{
	if (tap >= 0 && (unsigned int)tap < in_ep_max && in_ep[tap]) {
		counts->syscalls++;
		epoll_ctl(epfd, EPOLL_CTL_DEL, tap, NULL);
		in_ep[tap] = false;
	}
	tap_real->close(priv, tap);
}

static void count_syscalls(struct nb_backend *be, struct xenbe_env *env, struct nb_tap *tap)
{
	static struct xenbe_env_ops e;
	static struct nb_tap_ops t;

	counts = &be->stats;
	backend = be;
	env_real = env->ops;
	tap_real = tap->ops;
	e = *env->ops;
	e.gnt_copy = c_gnt_copy;
	e.evtchn_notify = c_evtchn_notify;
	e.evtchn_unmask = c_evtchn_unmask;
	env->ops = &e;
	t = *tap->ops;
	t.write = c_tap_write;
	t.read = c_tap_read;
	t.close = c_tap_close;
	tap->ops = &t;
}

static int ep_add(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * One epoll set for the daemon's life (poll() set up and tore down a wait on every fd at every
 * wake-up): the TAPs that want reading are in it, a TAP whose frame waits for RX buffers is
 * not (its frames stay in the kernel's bounded queue). Changes only on those transitions.
 */
static void sync_taps(struct nb_backend *be)
{
	struct nb_vif *vif;

	for (vif = be->vifs; vif; vif = vif->next) {
		bool want = nb_vif_wants_tap(vif);

		if (vif->tap < 0)
			continue;
		if ((unsigned int)vif->tap >= in_ep_max) {
			unsigned int n = (unsigned int)vif->tap + 64;

			in_ep = xrealloc(in_ep, n * sizeof(*in_ep));
			memset(in_ep + in_ep_max, 0, (n - in_ep_max) * sizeof(*in_ep));
			in_ep_max = n;
		}
		if (want == in_ep[vif->tap])
			continue;
		counts->syscalls++;
		if (want ? ep_add(vif->tap) : epoll_ctl(epfd, EPOLL_CTL_DEL, vif->tap, NULL))
			nb_log(be, "d%u/%u: epoll: %s", vif->domid, vif->devid, strerror(errno));
		else
			in_ep[vif->tap] = want;
	}
}

/*
 * epoll_wait, with the TX notifications put off (tx.c) sent before it can sleep: first a
 * look that does not sleep, which often finds the next frame or event (and the guest takes
 * its responses itself meanwhile), then the notifications, then the wait. 0 with nothing
 * ready when the notifications found work.
 */
static int wait_events(struct nb_backend *be, struct epoll_event *evs, int max, int timeout)
{
	int n;

	if (timeout && nb_backend_owed(be)) {
		be->stats.syscalls++;
		n = epoll_wait(epfd, evs, max, 0);
		if (n)
			return n;
		if (nb_backend_idle(be))
			return 0;
	}
	be->stats.syscalls++;
	return epoll_wait(epfd, evs, max, timeout);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: keel-netback [--foreground] [--log FILE] [--xenstore SOCKET]\n"
		"         [--type NAME] [--max-queues N] [--no-split] [--rx-drain-ms N]\n"
		"         [--no-yield] [--gntdev-copy]\n");
	exit(2);
}

static uint32_t num_arg(const char *s, uint32_t max)
{
	uint64_t v;

	if (!xenbe_parse_uint(s, max, &v)) {
		fprintf(stderr, "keel-netback: bad number '%s'\n", s);
		exit(2);
	}
	return (uint32_t)v;
}

/*
 * SCHED_BATCH: the daemon's wake-ups (a frame on a TAP, an event) do not preempt the task that
 * caused them, so a sender in dom0 queues several frames before the daemon takes them all in
 * one batch (one grant copy, one notification); the daemon still runs as soon as that task
 * sleeps or its slice ends.
 */
static void set_batch_policy(FILE *log)
{
	struct sched_param sp = { .sched_priority = 0 };

	if (sched_setscheduler(0, SCHED_BATCH, &sp))
		fprintf(log, "keel-netback: SCHED_BATCH: %s\n", strerror(errno));
}

/*
 * True when watch events may be left (poll without waiting then). The updates' own xenstore
 * calls queue the events they meet in the client, where poll() does not see them: they are
 * taken in the next round, until a round finds none.
 */
static bool handle_xs(struct nb_backend *be, struct xenbe_linux *l)
{
	char *path, *token;
	unsigned int n, round;

	for (round = 0; round < XS_ROUNDS; round++) {
		for (n = 0; n < XS_BATCH; n++) {
			if (!xs_has_events(l->xs))
				counts->syscalls++;	/* its poll() of the socket */
			if (xs_read_watch(l->xs, &path, &token, 0))
				break;
			nb_backend_watch_note(be, path, token);
			free(path);
			free(token);
		}
		if (!n)
			return false;
		nb_backend_watch_flush(be);
	}
	return true;
}

/*
 * One read per wake-up (an event storm must not keep us here); the ports are re-enabled
 * after their rings were served, all in one write.
 */
static void handle_evtchn(struct nb_backend *be, struct xenbe_linux *l)
{
	uint32_t ports[256];
	uint64_t t = tsc();
	ssize_t n = read(l->evtchn, ports, sizeof(ports));

	counts->ticks[NB_T_EVREAD] += tsc() - t;
	counts->syscalls++;
	if (n > 0) {
		ssize_t i;

		n -= n % 4;
		for (i = 0; i < n / 4; i++)
			nb_backend_event(be, ports[i]);
		/* Ports unbound meanwhile are skipped by the device. */
		counts->syscalls++;
		t = tsc();
		(void)!write(l->evtchn, ports, (size_t)n);
		counts->ticks[NB_T_UNMASK] += tsc() - t;
		return;
	}
	if (n < 0 && errno == EFBIG) {
		/* The per-fd buffer overflowed: reset, then look at every ring. */
		struct nb_vif *vif;
		unsigned int q;

		ioctl(l->evtchn, IOCTL_EVTCHN_RESET, NULL);
		for (vif = be->vifs; vif; vif = vif->next) {
			for (q = 0; vif->queues && q < vif->nqueues; q++)
				vif->queues[q].tx_more = true;
			vif->rx_more = true;
		}
		nb_backend_work(be);
		for (vif = be->vifs; vif; vif = vif->next)
			for (q = 0; vif->queues && q < vif->nqueues; q++) {
				be->env.ops->evtchn_unmask(be->env.priv, vif->queues[q].tx_port);
				if (vif->queues[q].rx_port != vif->queues[q].tx_port)
					be->env.ops->evtchn_unmask(be->env.priv,
								   vif->queues[q].rx_port);
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
		{ "max-queues", required_argument, NULL, 'q' },
		{ "no-split", no_argument, NULL, 'S' },
		{ "rx-drain-ms", required_argument, NULL, 'r' },
		{ "no-yield", no_argument, NULL, 'Y' },
		{ "gntdev-copy", no_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	const char *log_path = DEFAULT_LOG, *xs_path = NULL;
	struct nb_tap tap = { &nb_linux_tap_ops, NULL };
	bool foreground = false, yield = true, own_copy = true;
	struct nb_config cfg;
	struct nb_backend be;
	struct xenbe_linux l;
	struct xenbe_env env;
	struct epoll_event evs[64];
	int xs_fd;
	uint64_t awake = tsc();
	int c, rc, ready[2] = { -1, -1 };
	FILE *log;

	nb_config_defaults(&cfg);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': foreground = true; break;
		case 'l': log_path = optarg; break;
		case 'x': xs_path = optarg; break;
		case 't': cfg.btype = optarg; break;
		case 'q': cfg.max_queues = num_arg(optarg, NB_MAX_QUEUES); break;
		case 'S': cfg.split = false; break;
		case 'r': cfg.rx_drain_ms = num_arg(optarg, 3600000); break;
		case 'Y': yield = false; break;
		case 'G': own_copy = false; break;
		default: usage();
		}
	}
	if (optind != argc || strchr(cfg.btype, '/') || cfg.max_queues == 0)
		usage();
	log = fopen(log_path, "a");
	if (!log) {
		fprintf(stderr, "keel-netback: %s: %s\n", log_path, strerror(errno));
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
	signal(SIGUSR2, on_signal);
	set_batch_policy(log);

	rc = xenbe_linux_open(&l, xs_path, &env);
	if (rc) {
		fprintf(log, "keel-netback: opening xenstore/gntdev/evtchn: %s\n", strerror(-rc));
		return 1;
	}
	count_syscalls(&be, &env, &tap);
	xs_fd = xs_fileno(l.xs);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || ep_add(xs_fd) || ep_add(l.evtchn)) {
		fprintf(log, "keel-netback: epoll: %s\n", strerror(errno));
		return 1;
	}
	/* privcmd: SCHEDOP_yield, and grant copies in the daemon's own hypercalls. */
	privcmd = yield || own_copy ? open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC) : -1;
	c = privcmd < 0 ? errno : 0;
	rc = own_copy && privcmd >= 0 ?
	     nb_hcopy_open(&hcopy, NB_ARENA_SIZE, NB_BATCH_SEGS > NB_RING_SIZE ?
			   NB_BATCH_SEGS : NB_RING_SIZE, privcmd) : 0;
	cfg.arena = hcopy.arena;
	if (nb_backend_init(&be, &env, &tap, &cfg, log) || nb_backend_start(&be)) {
		fprintf(log, "keel-netback: cannot start\n");
		return 1;
	}
	if (c)
		nb_log(&be, "/dev/xen/privcmd: %s: no yield to guests, gntdev copies",
		       strerror(c));
	else if (yield)
		be.yield = c_yield;
	if (rc)
		nb_log(&be, "arena in hypercall pages: %s: gntdev copies", strerror(-rc));
	else if (hcopy.privcmd >= 0)
		nb_log(&be, "grant copies by hypercall, arena in hypercall pages");
	nb_log(&be, "keel-netback serving %s: <= %u queues, split event channels %s", be.root,
	       be.cfg.max_queues, be.cfg.split ? "offered" : "not offered");
	if (ready[1] >= 0) {
		(void)!write(ready[1], "", 1);
		close(ready[1]);
	}

	while (!stop) {
		bool more = xs_has_events(l.xs) && handle_xs(&be, &l);
		int n, i, timeout;

		if (want_stats) {
			want_stats = 0;
			nb_backend_log_stats(&be);
		}
		/* TX notifications put off last turn: its events gave the guest time to take them. */
		nb_backend_idle(&be);
		more |= nb_backend_work(&be);
		/*
		 * Work's own xenstore calls (a failing vif's error node and commit) queue the
		 * events they meet in the client, where poll() cannot see them: take them now,
		 * and do not sleep on the budgets that taking them may leave (a connect's TX).
		 * What is not queued there is on the socket, for poll() to see.
		 */
		if (xs_has_events(l.xs))
			more |= handle_xs(&be, &l);
		more |= nb_backend_busy(&be);
		sync_taps(&be);
		timeout = more ? 0 : nb_backend_timeout(&be);
		be.stats.ticks[NB_T_AWAKE] += tsc() - awake;
		n = wait_events(&be, evs, ARRAY_SIZE(evs), timeout);
		awake = tsc();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		be.stats.wakeups++;
		/*
		 * TAPs first (each once per turn: one vif's flood waits for the others' turn),
		 * then the rings: a guest's TX then finds the frames it provoked (TCP's ACKs,
		 * the sender's next segments) in its TAP in the same wake-up (backend.c).
		 */
		for (i = 0; i < n; i++)
			if (evs[i].data.fd != xs_fd && evs[i].data.fd != l.evtchn)
				nb_backend_tap(&be, evs[i].data.fd);
		for (i = 0; i < n; i++)
			if (evs[i].data.fd == l.evtchn)
				handle_evtchn(&be, &l);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd != xs_fd)
				continue;
			if (evs[i].events & (EPOLLHUP | EPOLLERR)) {
				nb_log(&be, "xenstored went away");
				stop = 1;
			} else {
				handle_xs(&be, &l);
			}
		}
	}
	nb_backend_log_stats(&be);
	nb_log(&be, "stopping");
	nb_backend_fini(&be);
	nb_hcopy_close(&hcopy);
	xenbe_linux_close(&l);
	free(in_ep);
	return 0;
}
