/* xenstored: options, start-up, and the poll loop that drives sockets and domains' rings. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "alloc.h"
#include "conn.h"
#include "domain.h"
#include "log.h"
#include "protocol.h"
#include "quota.h"
#include "ring.h"
#include "ring_file.h"
#include "ring_xen.h"
#include "socket.h"
#include "tree.h"

/* How often rings are scanned when their backend has no event channels. */
#define RING_POLL_MS	10

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: xenstored [options]\n"
		"  -s, --socket PATH     listen for local tools at PATH (default %s)\n"
		"  -F, --foreground      do not detach\n"
		"  -l, --log FILE        log to FILE (default: standard error)\n"
		"  -q, --quota NAME=N    set a quota: nodes, value_size, perms, watches,\n"
		"                        transactions, transaction-nodes, memory,\n"
		"                        outstanding, events\n"
		"  -r, --ring-dir DIR    map domain N's ring from the file DIR/domain-N and poll\n"
		"                        it (testing), instead of Xen's /dev/xen devices\n"
		"  -h, --help            this text\n",
		DEFAULT_SOCKET_PATH);
}

struct poll_set {
	struct pollfd *fds;
	struct conn **conns;	/* the connection of each fds[] entry, or NULL */
	unsigned int count, room;
};

static void poll_add(struct poll_set *set, int fd, short events, struct conn *c)
{
	if (set->count == set->room) {
		set->room = set->room ? set->room * 2 : 16;
		set->fds = xrealloc(set->fds, set->room * sizeof(*set->fds));
		set->conns = xrealloc(set->conns, set->room * sizeof(*set->conns));
	}
	set->fds[set->count] = (struct pollfd){ .fd = fd, .events = events };
	set->conns[set->count++] = c;
}

static void run(int listen_fd, const struct ring_backend *backend)
{
	struct poll_set set = { 0 };
	struct timespec tick = { .tv_nsec = RING_POLL_MS * 1000000L }, now = { 0 };
	unsigned int i, nr_local, accept_below = UINT_MAX;
	sigset_t unblocked;
	bool busy = false;
	struct conn *c;
	short events;
	int rc;

	sigemptyset(&unblocked);
	while (!stopping) {
		set.count = 0;
		nr_local = 0;
		if (backend && backend->event_fd >= 0)
			poll_add(&set, backend->event_fd, POLLIN, NULL);
		TAILQ_FOREACH(c, &conns, link) {
			if (c->fd < 0)
				continue;
			nr_local++;
			events = c->out_replies < quota.outstanding ? POLLIN : 0;
			if (!TAILQ_EMPTY(&c->out))
				events |= POLLOUT;
			poll_add(&set, c->fd, events, c);
		}
		/* Out of fds: new tools wait in the queue until a connection closes. */
		if (nr_local < accept_below)
			poll_add(&set, listen_fd, POLLIN, NULL);
		/* A connection that used its whole turn may have more: just look for others. */
		if (ppoll(set.fds, set.count,
			  busy ? &now : backend && backend->event_fd < 0 ? &tick : NULL,
			  &unblocked) < 0) {
			if (errno != EINTR)
				log_msg("poll: %s", strerror(errno));
			continue;
		}
		for (i = 0; i < set.count; i++) {
			if (!set.fds[i].revents)
				continue;
			if (set.conns[i])
				set.conns[i]->io_ready = true;
			else if (set.fds[i].fd == listen_fd) {
				rc = socket_accept(listen_fd);
				if (rc)
					log_msg("accept: %s: local tools wait for a connection to close",
						strerror(-rc));
				accept_below = rc ? nr_local : UINT_MAX;
			}
			else if (backend->ack_events())
				domain_check_all();
		}
		/* A backend without events (tests) is asked on every tick. */
		if (backend && backend->event_fd < 0)
			domain_check_all();
		/* Rings have no fd of their own: each is looked at on every turn. */
		busy = protocol_turn();
		conn_reap();
	}
	free(set.fds);
	free(set.conns);
}

static void shut_down(int listen_fd, const char *socket_path)
{
	struct conn *c;

	domain_fini();
	TAILQ_FOREACH(c, &conns, link)
		conn_kill(c, 0);
	conn_reap();
	tree_fini();
	close(listen_fd);
	unlink(socket_path);
}

/* Where domains' rings come from: --ring-dir, else Xen's devices when there are any. */
static const struct ring_backend *choose_backend(const char *ring_dir)
{
	const struct ring_backend *backend;
	int rc;

	if (ring_dir)
		return ring_file_backend(ring_dir);
	backend = ring_xen_backend();
	if (!backend) {
		log_msg("no /dev/xen/evtchn and gntdev (%s): serving the socket only",
			strerror(errno));
		return NULL;
	}
	rc = ring_xen_connect_dom0();
	if (rc)
		log_msg("dom0's own ring not connected: %s", strerror(-rc));
	else
		log_msg("dom0's kernel connected through its ring");
	return backend;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "log", required_argument, NULL, 'l' },
		{ "quota", required_argument, NULL, 'q' },
		{ "ring-dir", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *socket_path = DEFAULT_SOCKET_PATH, *ring_dir = NULL;
	const struct ring_backend *backend;
	struct sigaction sa = { .sa_handler = on_signal };
	bool foreground = false;
	sigset_t blocked;
	int opt, rc, listen_fd;

	while ((opt = getopt_long(argc, argv, "s:Fl:q:r:h", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			socket_path = optarg;
			break;
		case 'F':
			foreground = true;
			break;
		case 'l':
			rc = log_open(optarg);
			if (rc) {
				fprintf(stderr, "xenstored: %s: %s\n", optarg, strerror(-rc));
				return 1;
			}
			break;
		case 'q':
			if (quota_set(optarg)) {
				fprintf(stderr, "xenstored: bad quota '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r':
			ring_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	/* Signals arrive only inside ppoll(), so none is missed between checks. */
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	listen_fd = socket_listen(socket_path);
	if (listen_fd < 0) {
		fprintf(stderr, "xenstored: %s: %s\n", socket_path, strerror(-listen_fd));
		return 1;
	}
	if (!foreground && daemon(0, 0)) {
		fprintf(stderr, "xenstored: cannot detach: %s\n", strerror(errno));
		return 1;
	}
	tree_init();
	log_msg("started; socket %s", socket_path);
	backend = choose_backend(ring_dir);
	domain_set_backend(backend);
	log_msg("listening on %s, rings through %s", socket_path,
		backend ? backend->name : "nothing");
	run(listen_fd, backend);
	shut_down(listen_fd, socket_path);
	log_msg("stopped");
	log_close();
	return 0;
}
