/* keelctl top: per-domain CPU and memory refreshed every few seconds, like xentop. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "commands.h"
#include "domains.h"

/* The previous sample of one domain, for CPU% over the interval. */
struct sample {
	bool valid;
	uint16_t domid;		/* ids go past HV_MAX_DOMAINS: slots are shared */
	uint64_t cpu_ns;
};

struct top {
	struct kc *kc;
	bool batch;
	struct sample prev[HV_MAX_DOMAINS];
	uint64_t prev_ns;		/* when prev was taken */
};

static void header(struct top *tp, const struct keel_domctl_info *d, unsigned int nr,
		   const struct keel_domctl *phys)
{
	unsigned int count[6] = { 0 };
	static const uint16_t flags[6] = {
		KEEL_DOMINF_running, KEEL_DOMINF_blocked, KEEL_DOMINF_paused,
		KEEL_DOMINF_shutdown, KEEL_DOMINF_crashed, KEEL_DOMINF_dying,
	};
	uint64_t total_kb = phys->u.physinfo.total_pages * 4;
	uint64_t free_kb = phys->u.physinfo.free_pages * 4;
	time_t now = time(NULL);
	char clock[16];

	for (unsigned int i = 0; i < nr; i++)
		for (int f = 0; f < 6; f++)
			if (d[i].flags & flags[f])
				count[f]++;
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	fprintf(tp->kc->out,
		"keelctl top - %s   keel\n"
		"%u domains: %u running, %u blocked, %u paused, %u shutdown, %u crashed, %u dying\n"
		"Mem: %lluk total, %lluk used, %lluk free    CPUs: %u\n\n",
		clock, nr, count[0], count[1], count[2], count[3], count[4], count[5],
		(unsigned long long)total_kb, (unsigned long long)(total_kb - free_kb),
		(unsigned long long)free_kb, phys->u.physinfo.nr_cpus);
	fprintf(tp->kc->out, "%18s %6s %10s %6s %10s %6s %5s %4s\n", "NAME", "STATE", "CPU(sec)",
		"CPU(%)", "MEM(k)", "MEM(%)", "VCPUS", "ID");
}

static void row(struct top *tp, const struct keel_domctl_info *d, uint64_t elapsed_ns,
		uint64_t total_kb)
{
	struct sample *s = &tp->prev[d->domid % HV_MAX_DOMAINS];
	char *name = domain_name(tp->kc->xs, d->domid), state[7];
	double cpu = 0;

	if (s->valid && s->domid == d->domid && elapsed_ns && d->cpu_time_ns >= s->cpu_ns)
		cpu = 100.0 * (double)(d->cpu_time_ns - s->cpu_ns) / (double)elapsed_ns;
	domain_state(d->flags, state);
	fprintf(tp->kc->out, "%18.18s %6s %10llu %6.1f %10llu %6.1f %5u %4u\n",
		name ? name : "(null)", state, (unsigned long long)(d->cpu_time_ns / 1000000000),
		cpu, (unsigned long long)d->cur_kb,
		total_kb ? 100.0 * (double)d->cur_kb / (double)total_kb : 0.0,
		d->nr_online_vcpus, d->domid);
	free(name);
}

static int refresh(struct top *tp)
{
	struct keel_domctl_info d[HV_MAX_DOMAINS];
	struct keel_domctl phys;
	uint64_t now = now_ns();
	unsigned int nr;
	int rc;

	rc = hv_list(tp->kc->hv, d, HV_MAX_DOMAINS, &nr);
	if (rc) {
		kc_err("top: keel refused list: %s (%s)", strerror(-rc), errno_name(-rc));
		return rc;
	}
	rc = hv_physinfo(tp->kc->hv, &phys);
	if (rc) {
		kc_err("top: keel refused physinfo: %s (%s)", strerror(-rc), errno_name(-rc));
		return rc;
	}
	if (!tp->batch)
		fputs("\033[H\033[2J", tp->kc->out);
	header(tp, d, nr, &phys);
	for (unsigned int i = 0; i < nr; i++)
		row(tp, &d[i], tp->prev_ns ? now - tp->prev_ns : 0,
		    phys.u.physinfo.total_pages * 4);
	if (tp->batch)
		fputc('\n', tp->kc->out);
	fflush(tp->kc->out);
	memset(tp->prev, 0, sizeof(tp->prev));
	for (unsigned int i = 0; i < nr; i++)
		tp->prev[d[i].domid % HV_MAX_DOMAINS] = (struct sample){ true, d[i].domid,
									  d[i].cpu_time_ns };
	tp->prev_ns = now;
	return 0;
}

/* Waits @ms; true when 'q' was typed on an interactive terminal. */
static bool wait_or_quit(bool interactive, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	if (!interactive) {
		sleep_ms(ms);
		return false;
	}
	for (uint64_t now = now_ms(); now < end; now = now_ms()) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		char c;

		if (poll(&pfd, 1, (int)(end - now)) > 0 && read(STDIN_FILENO, &c, 1) == 1 &&
		    (c == 'q' || c == 'Q' || c == 3 /* Ctrl-C in cbreak mode */))
			return true;
	}
	return false;
}

int cmd_top(struct kc *kc, int argc, char **argv)
{
	struct top tp = { .kc = kc };
	uint64_t iterations = 0;
	double delay = 1.0;
	struct termios saved, cbreak;
	bool interactive, tty;
	char *end;
	int opt, rc = 0;

	reset_getopt();
	while ((opt = getopt(argc, argv, "bn:d:h")) != -1) {
		switch (opt) {
		case 'b': tp.batch = true; break;
		case 'n':
			if (!parse_u64(optarg, &iterations) || !iterations)
				return usage_error("top", "-n: '%s' is not a positive count", optarg);
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (end == optarg || *end || !(delay >= 0.1 && delay <= 3600))
				return usage_error("top", "-d: '%s' is not a delay in seconds (0.1-3600)",
						   optarg);
			break;
		case 'h':
			command_usage(command_find("top"), kc->out);
			return EXIT_OK;
		default:
			return usage_error("top", strchr("nd", optopt) ? "-%c needs a value" :
					   "unknown option -%c", optopt);
		}
	}
	if (optind < argc)
		return usage_error("top", "no arguments expected");
	if (!kc_hv(kc))
		return EXIT_FAIL;
	kc_xs(kc);	/* names if xenstored is there */
	tty = isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved);
	interactive = !tp.batch && tty;
	if (interactive) {
		cbreak = saved;
		cbreak.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &cbreak);
	}
	for (uint64_t i = 0; !iterations || i < iterations; i++) {
		if (i && wait_or_quit(interactive, (unsigned int)(delay * 1000)))
			break;
		rc = refresh(&tp);
		if (rc)
			break;
	}
	if (interactive)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return rc ? EXIT_FAIL : EXIT_OK;
}
