/* keel-netback: dom0's user-space network backend daemon (docs/network.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "alloc.h"
#include "nb.h"
#include <xen/sys/evtchn.h>
#include "tap.h"
#include "util.h"
#include "xenbe_linux.h"
#include "xs.h"

#define DEFAULT_LOG "/var/log/keel-netback.log"
/* Watch events per turn of the loop: a guest rewriting its state must not starve the rings. */
#define XS_BATCH 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: keel-netback [--foreground] [--log FILE] [--xenstore SOCKET]\n"
		"         [--type NAME] [--max-queues N] [--no-split] [--rx-drain-ms N]\n");
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

/* True when watch events are left in the client's queue (poll without waiting then). */
static bool handle_xs(struct nb_backend *be, struct xenbe_linux *l)
{
	char *path, *token;
	unsigned int n;

	for (n = 0; n < XS_BATCH; n++) {
		if (xs_read_watch(l->xs, &path, &token, 0))
			return false;
		nb_backend_watch(be, path, token);
		free(path);
		free(token);
	}
	return true;
}

/* One read per wake-up (an event storm must not keep us here); ports re-enabled after. */
static void handle_evtchn(struct nb_backend *be, struct xenbe_linux *l)
{
	uint32_t ports[256];
	ssize_t n = read(l->evtchn, ports, sizeof(ports));

	if (n > 0) {
		ssize_t i;

		for (i = 0; i < n / 4; i++) {
			nb_backend_event(be, ports[i]);
			be->env.ops->evtchn_unmask(be->env.priv, ports[i]);
		}
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
		{ NULL, 0, NULL, 0 },
	};
	const char *log_path = DEFAULT_LOG, *xs_path = NULL;
	struct nb_tap tap = { &nb_linux_tap_ops, NULL };
	bool foreground = false;
	struct nb_config cfg;
	struct nb_backend be;
	struct xenbe_linux l;
	struct xenbe_env env;
	struct pollfd *pfd = NULL;
	unsigned int pfd_max = 0;
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

	rc = xenbe_linux_open(&l, xs_path, &env);
	if (rc) {
		fprintf(log, "keel-netback: opening xenstore/gntdev/evtchn: %s\n", strerror(-rc));
		return 1;
	}
	if (nb_backend_init(&be, &env, &tap, &cfg, log) || nb_backend_start(&be)) {
		fprintf(log, "keel-netback: cannot start\n");
		return 1;
	}
	nb_log(&be, "keel-netback serving %s: <= %u queues, split event channels %s", be.root,
	       be.cfg.max_queues, be.cfg.split ? "offered" : "not offered");
	if (ready[1] >= 0) {
		(void)!write(ready[1], "", 1);
		close(ready[1]);
	}

	while (!stop) {
		bool more = handle_xs(&be, &l);
		unsigned int n = 2, i;
		struct nb_vif *vif;
		int timeout;

		more |= nb_backend_work(&be);
		if (pfd_max < be.nvifs + 2) {
			pfd_max = be.nvifs + 2;
			free(pfd);
			pfd = xcalloc(pfd_max, sizeof(*pfd));
		}
		pfd[0] = (struct pollfd){ .fd = xs_fileno(l.xs), .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = l.evtchn, .events = POLLIN };
		for (vif = be.vifs; vif && n < pfd_max; vif = vif->next)
			if (nb_vif_wants_tap(vif))
				pfd[n++] = (struct pollfd){ .fd = vif->tap, .events = POLLIN };
		timeout = more ? 0 : nb_backend_timeout(&be);
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & (POLLHUP | POLLERR)) {
			nb_log(&be, "xenstored went away");
			break;
		}
		if (pfd[1].revents & POLLIN)
			handle_evtchn(&be, &l);
		/* Each TAP once per turn: one vif's flood waits for the others' turn. */
		for (i = 2; i < n; i++)
			if (pfd[i].revents & (POLLIN | POLLERR))
				nb_backend_tap(&be, pfd[i].fd);
		if (pfd[0].revents & POLLIN)
			handle_xs(&be, &l);
	}
	nb_log(&be, "stopping");
	nb_backend_fini(&be);
	xenbe_linux_close(&l);
	free(pfd);
	return 0;
}
