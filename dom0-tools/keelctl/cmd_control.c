/* keelctl console, pause, unpause and destroy: one domain, one action. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "console.h"
#include "domains.h"
#include "lifecycle.h"

/* The one NAME argument of @cmd, resolved; EXIT_OK or an exit status. */
static int one_domain(struct kc *kc, const char *cmd, int argc, char **argv, bool not_dom0,
		      uint16_t *domid)
{
	if (argc != 2)
		return usage_error(cmd, argc < 2 ? "no domain given" : "one domain only");
	if (argv[1][0] == '-')
		return usage_error(cmd, "unknown option %s", argv[1]);
	if (domain_find(kc, argv[1], domid))
		return EXIT_FAIL;
	if (not_dom0 && *domid == 0) {
		kc_err("%s: not dom0, which keelctl runs in", cmd);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int simple(struct kc *kc, const char *cmd, uint32_t op, int argc, char **argv)
{
	uint16_t domid;
	int rc = one_domain(kc, cmd, argc, argv, true, &domid);

	if (rc)
		return rc;
	rc = hv_simple(kc->hv, op, domid);
	if (op == KEEL_DOMCTL_unpause && rc == -EINVAL) {
		kc_err("%s (d%u): not paused: each unpause undoes one pause", argv[1], domid);
		return EXIT_FAIL;
	}
	if (op == KEEL_DOMCTL_pause && rc == -EOVERFLOW) {
		kc_err("%s (d%u): paused 255 times already, keel's limit", argv[1], domid);
		return EXIT_FAIL;
	}
	if (rc) {
		kc_err("%s (d%u): keel refused %s: %s (%s)", argv[1], domid, hv_cmd_name(op),
		       strerror(-rc), errno_name(-rc));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_pause(struct kc *kc, int argc, char **argv)
{
	return simple(kc, "pause", KEEL_DOMCTL_pause, argc, argv);
}

int cmd_unpause(struct kc *kc, int argc, char **argv)
{
	return simple(kc, "unpause", KEEL_DOMCTL_unpause, argc, argv);
}

int cmd_destroy(struct kc *kc, int argc, char **argv)
{
	uint16_t domid;
	int rc = one_domain(kc, "destroy", argc, argv, true, &domid);

	if (rc)
		return rc;
	/* Without xenstored the domain still goes; its entries stay for the monitor. */
	kc_xs(kc);
	return domain_teardown(kc, domid, NULL, true) ? EXIT_FAIL : EXIT_OK;
}

/* -r LINES / --replay=LINES: a number of lines or "all"; -1 for a bad value. */
static int replay_lines(const char *arg)
{
	uint64_t n;

	if (!strcmp(arg, "all"))
		return CONSOLE_REPLAY_ALL;
	return parse_u64(arg, &n) && n <= 100000 ? (int)n : -2;
}

int cmd_console(struct kc *kc, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "replay", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int replay = CONSOLE_REPLAY_DEFAULT, opt, rc;
	uint16_t domid;

	reset_getopt();
	while ((opt = getopt_long(argc, argv, "+r:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			replay = replay_lines(optarg);
			if (replay < CONSOLE_REPLAY_ALL)
				return usage_error("console", "-r: '%s' is not a number of lines or 'all'",
						   optarg);
			break;
		case 'h':
			command_usage(command_find("console"), kc->out);
			return EXIT_OK;
		default:
			return usage_error("console", optopt == 'r' ? "-r needs a number of lines" :
					   "unknown option %s", argv[optind - 1]);
		}
	}
	rc = one_domain(kc, "console", argc - optind + 1, argv + optind - 1, false, &domid);
	if (rc)
		return rc;
	if (domid == 0) {
		kc_err("console: dom0's console is keel's own (this terminal or COM1)");
		return EXIT_FAIL;
	}
	return console_attach(kc->hv, domid, STDIN_FILENO, STDOUT_FILENO, replay) ?
	       EXIT_FAIL : EXIT_OK;
}
