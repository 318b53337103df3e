/* keel-blkback: dom0's user-space block backend daemon (docs/block.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bb.h"
#include "loop.h"
#include "privcmd.h"
#include "xenbe_linux.h"
#include "util.h"

#define DEFAULT_LOG "/var/log/keel-blkback.log"

/* keelctl's xs.c reports through kc_err() on kc_errf (dom0-tools/keelctl/util.c). */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		bb_loop_want_stats = 1;
	else
		bb_loop_stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: keel-blkback [--foreground] [--log FILE] [--xenstore SOCKET]\n"
		"         [--type NAME] [--max-ring-order N] [--max-queues N]\n"
		"         [--max-indirect N] [--pool N] [--sector-size 512|4096] [--no-direct]\n"
		"         [--max-persistent N] [--no-zero-copy] [--loop | --map | --no-map-copy]\n"
		"         [--no-yield]\n");
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
		{ "loop", no_argument, NULL, 'L' },
		{ "map", no_argument, NULL, 'M' },
		{ "no-map-copy", no_argument, NULL, 'C' },
		{ "no-yield", no_argument, NULL, 'Y' },
		{ NULL, 0, NULL, 0 },
	};
	const char *log_path = DEFAULT_LOG, *xs_path = NULL;
	bool foreground = false, zero_copy = true, yield = true;
	struct keel_domctl phys = { .cmd = KEEL_DOMCTL_physinfo };
	struct bb_config cfg;
	struct bb_backend be;
	struct xenbe_linux l;
	struct xenbe_env env;
	int c, rc, phys_rc, ready[2] = { -1, -1 };
	FILE *log;

	bb_config_defaults(&cfg);
	cfg.loop = false;
	cfg.map = false;
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
		case 'L': cfg.loop = true; break;
		case 'M': cfg.map = true; break;
		case 'C': cfg.map_copy = false; break;
		case 'P': cfg.max_persistent = num_arg(optarg, 4096); break;
		case 'Z': zero_copy = false; break;
		case 'Y': yield = false; break;
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
	bb_loop_count_syscalls(&env);
	/* keel says whether a device could DMA to a grant-mapped page: else copy. */
	phys_rc = keel_domctl(&phys);
	cfg.zero_copy = zero_copy && !phys_rc && bb_io_zero_copy(phys.u.physinfo.flags);
	cfg.zero_copy_buffered = zero_copy;
	rc = bb_backend_init(&be, &env, &cfg, log);
	if (rc || bb_backend_start(&be)) {
		fprintf(log, "keel-blkback: cannot start\n");
		return 1;
	}
	if (yield)
		bb_loop_yield_init(&be);
	bb_log(&be, "keel-blkback serving %s: ring order <= %u, <= %u queues, %u indirect segments",
	       be.root, be.cfg.max_ring_order, be.cfg.max_queues, be.cfg.max_indirect);
	bb_log(&be, "persistent grants: %u per queue; data %s (keel physinfo flags %#x%s)",
	       be.cfg.max_persistent,
	       be.cfg.zero_copy ? "zero-copy to/from the mapped grants" :
	       be.cfg.zero_copy_buffered ?
			"copied between the mapped grants and private buffers (zero-copy without O_DIRECT)" :
			"copied between the mapped grants and private buffers",
	       phys_rc ? 0 : phys.u.physinfo.flags, phys_rc ? ", physinfo failed" : "");
	if (ready[1] >= 0) {
		(void)!write(ready[1], "", 1);
		close(ready[1]);
	}

	rc = bb_loop_run(&be, &l);
	bb_log(&be, "stopping");
	bb_backend_fini(&be);
	xenbe_linux_close(&l);
	return rc ? 1 : 0;
}
