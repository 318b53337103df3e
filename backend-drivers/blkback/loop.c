/* keel-blkback's two threads: xenstore and AIO in one, the rings' event channel in the other. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "loop.h"
#include "privcmd.h"
#include <xen/sys/evtchn.h>
#include "xs.h"

volatile sig_atomic_t bb_loop_stop, bb_loop_want_stats;

/*
 * Turns. Everything in struct bb_backend (devices, queues, rings, the xenstore client, the log,
 * the counts below) is used by one thread at a time: whichever holds the turn. Turns are
 * handed out in the order asked for (a ticket each), so when both threads want one they
 * alternate: a guest sending events without pause cannot keep xenstore and the AIO
 * completions from being served, nor a xenstore flood the rings. Uncontended, a turn costs two
 * mutex round trips in user space and no system call.
 */
static pthread_mutex_t turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cond = PTHREAD_COND_INITIALIZER;
static unsigned long turn_next, turn_serving;

static void turn_take(void)
{
	unsigned long t;

	pthread_mutex_lock(&turn_lock);
	t = turn_next++;
	while (t != turn_serving)
		pthread_cond_wait(&turn_cond, &turn_lock);
	pthread_mutex_unlock(&turn_lock);
}

static void turn_end(void)
{
	pthread_mutex_lock(&turn_lock);
	turn_serving++;
	/* No system call unless the other thread waits for it. */
	pthread_cond_broadcast(&turn_cond);
	pthread_mutex_unlock(&turn_lock);
}

/*
 * The system calls of both threads, counted (SIGUSR1 logs a "stats:" line, make bench's
 * per-request figures): the grant and event channel ops are wrapped, the AIO calls count
 * themselves (bb_aio.syscalls), the loops' own here. Only touched during a turn.
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

void bb_loop_count_syscalls(struct xenbe_env *env)
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

/* SCHEDOP_yield through privcmd (bb_backend.yield): the guest just notified runs now. */
static int privcmd = -1;

static void yield(struct bb_backend *be)
{
	n_calls++;
	(void)privcmd_sched_yield(privcmd);
}

void bb_loop_yield_init(struct bb_backend *be)
{
	privcmd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (privcmd < 0) {
		bb_log(be, "/dev/xen/privcmd: %s: no yield to guests", strerror(errno));
		return;
	}
	be->yield = yield;
}

static void log_stats(struct bb_backend *be)
{
	bb_log(be, "stats: requests %llu wakeups %llu syscalls %llu yields %llu",
	       (unsigned long long)be->stat_requests,
	       (unsigned long long)n_wakeups,
	       (unsigned long long)(n_calls + be->aio.syscalls),
	       (unsigned long long)be->stat_yields);
}

/*
 * Watch events, at most a batch per turn. Handling one takes xenstore round trips during
 * which more arrive (the client queues them), so a guest rewriting its frontend's state
 * without pause could otherwise keep us here for ever, away from the AIO completions. True
 * when events are left (poll without waiting then: they are in the client's queue, not on
 * the socket).
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

struct data_arg {
	struct bb_backend *be;
	struct xenbe_linux *l;
};

/* The evtchn buffer overflowed: reset it, then look at every ring. */
static void evtchn_overflow(struct bb_backend *be, struct xenbe_linux *l)
{
	struct bb_dev *dev;
	unsigned int q;

	n_calls++;
	ioctl(l->evtchn, IOCTL_EVTCHN_RESET, NULL);
	for (dev = be->devs; dev; dev = dev->next)
		for (q = 0; dev->queues && q < dev->nqueues; q++) {
			bb_queue_run(&dev->queues[q]);
			/* A broken ring fails its device: the queues may be gone now. */
			if (dev->queues && dev->queues[q].port >= 0)
				be->env.ops->evtchn_unmask(be->env.priv, dev->queues[q].port);
		}
}

/*
 * The data path: blocks in read() on /dev/xen/evtchn (no poll per request), then in its turn
 * runs the ring of each port that fired and unmasks it. A port read here may have been
 * unbound, or bound again to another ring, by the other thread since it fired: an unknown
 * port is ignored (its unmask fails), another ring run once for nothing. One read per turn,
 * not a loop until the device is empty: a guest sending events without pause re-raises its
 * port as soon as it is unmasked, and its port comes back in the next read, behind the other
 * ports that fired meanwhile (the driver queues each port once until it is unmasked).
 */
static void *data_thread(void *p)
{
	struct data_arg *a = p;
	struct bb_backend *be = a->be;
	struct xenbe_linux *l = a->l;
	uint32_t ports[256];

	for (;;) {
		ssize_t n = read(l->evtchn, ports, sizeof(ports));
		int err = errno;

		turn_take();
		n_calls++;
		n_wakeups++;
		if (n > 0) {
			ssize_t i;

			for (i = 0; i < n / 4; i++) {
				bb_backend_event(be, ports[i]);
				be->env.ops->evtchn_unmask(be->env.priv, ports[i]);
			}
		} else if (n < 0 && err == EFBIG) {
			evtchn_overflow(be, l);
		} else if (n <= 0 && err != EINTR) {
			bb_log(be, "reading the event channel device: %s", n ? strerror(err) : "EOF");
			bb_loop_stop = 1;
		}
		/* Buffered flushes complete inside io_submit: reap them now. */
		if (be->aio_sync)
			bb_backend_aio(be);
		/*
		 * xenstore writes here (a failed device) may have taken watch events off the
		 * socket into the client's queue: the other thread would not wake for them.
		 */
		if (bb_loop_stop || xs_has_events(l->xs))
			bb_aio_kick(&be->aio);
		turn_end();
		if (bb_loop_stop)
			return NULL;
	}
}

int bb_loop_run(struct bb_backend *be, struct xenbe_linux *l)
{
	static struct data_arg arg;
	bool xs_more = false;
	sigset_t sigs, old;
	pthread_t tid;
	int rc, flags;

	/* The data thread sleeps in read(): the device was opened non-blocking. */
	flags = fcntl(l->evtchn, F_GETFL);
	if (flags < 0 || fcntl(l->evtchn, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		bb_log(be, "evtchn: cannot make it blocking: %s", strerror(errno));
		return -1;
	}
	/* The daemon's signals go to this thread, whose poll() they interrupt. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	arg.be = be;
	arg.l = l;
	turn_take();
	rc = pthread_create(&tid, NULL, data_thread, &arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		bb_log(be, "cannot start the data thread: %s", strerror(rc));
		return -1;
	}
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = xs_fileno(l->xs), .events = POLLIN },
			{ .fd = be->aio.efd, .events = POLLIN },
		};

		if (bb_loop_want_stats) {
			bb_loop_want_stats = 0;
			log_stats(be);
		}
		if (bb_loop_stop)
			break;
		turn_end();
		/* Watch events the client queued while waiting for a reply: no sleep then. */
		rc = poll(pfd, 2, xs_more ? 0 : -1);
		turn_take();
		n_calls++;
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			bb_log(be, "poll: %s", strerror(errno));
			break;
		}
		n_wakeups++;
		if (pfd[0].revents & (POLLHUP | POLLERR)) {
			bb_log(be, "xenstored went away");
			break;
		}
		if ((pfd[1].revents & POLLIN) || be->aio_sync)
			bb_backend_aio(be);
		xs_more = false;
		if ((pfd[0].revents & POLLIN) || xs_has_events(l->xs))
			xs_more = handle_xs(be, l);
		xs_more = xs_more || xs_has_events(l->xs);
	}
	/*
	 * The turn is kept from here on: the data thread, asleep in read() or waiting for its
	 * turn, never runs again, and goes with the process.
	 */
	return 0;
}
