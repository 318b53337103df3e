/* keelctl create: parse the config, build and start the domain, leave a monitor, maybe attach. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "config.h"
#include "console.h"
#include "domains.h"
#include "lifecycle.h"
#include "monitor.h"
#include "progress.h"

/* The monitor may rebuild the domain later from another directory. */
static void absolute_path(char **path)
{
	char resolved[PATH_MAX];

	if (*path && **path != '/' && realpath(*path, resolved)) {
		free(*path);
		*path = xstrdup(resolved);
	}
}

/*
 * keelctl -v prints each step; a terminal we run in the foreground of (an interactive
 * shell's) sees each step replace the last; scripts, pipes and dom0's boot-time tests (the
 * console is no controlling terminal there) nothing.
 */
static enum progress_mode progress_mode(const struct kc *kc)
{
	if (kc->verbose)
		return PROGRESS_LINES;
	if (kc_errf == stderr && isatty(STDERR_FILENO) &&
	    tcgetpgrp(STDERR_FILENO) == getpgrp())
		return PROGRESS_LINE;
	return PROGRESS_QUIET;
}

int cmd_create(struct kc *kc, int argc, char **argv)
{
	bool console = false, foreground = false, paused = false, dry_run = false;
	bool no_monitor = false;
	const char *file = NULL;
	struct domain_config cfg;
	char uuid[37];
	uint16_t domid;
	int opt, rc;

	reset_getopt();
	while ((opt = getopt(argc, argv, "cFpenf:h")) != -1) {
		switch (opt) {
		case 'c': console = true; break;
		case 'F': foreground = true; break;
		case 'p': paused = true; break;
		case 'e': no_monitor = true; break;
		case 'n': dry_run = true; break;
		case 'f':
			if (file)
				return usage_error("create", "one configuration file only");
			file = optarg;
			break;
		case 'h':
			command_usage(command_find("create"), kc->out);
			return EXIT_OK;
		default:
			return usage_error("create", optopt == 'f' ? "-f needs a file" :
					   "unknown option -%c", optopt);
		}
	}
	if (!file && optind < argc && !strchr(argv[optind], '='))
		file = argv[optind++];
	if (!file)
		return usage_error("create", "no configuration file");
	for (int i = optind; i < argc; i++)
		if (!strchr(argv[i], '='))
			return usage_error("create", "'%s' is not KEY=VALUE", argv[i]);
	if (console && foreground)
		return usage_error("create", "-c and -F do not go together");
	if (no_monitor && foreground)
		return usage_error("create", "-e and -F do not go together");
	if (console && paused)
		return usage_error("create", "-c and -p do not go together");

	if (config_load(file, argv + optind, (unsigned int)(argc - optind), &cfg,
			kc_errf ? kc_errf : stderr))
		return EXIT_FAIL;
	if (dry_run) {
		config_print(&cfg, kc->out);
		config_free(&cfg);
		return EXIT_OK;
	}
	absolute_path(&cfg.kernel);
	absolute_path(&cfg.ramdisk);
	if (!cfg.uuid) {
		rc = uuid_generate(uuid);
		if (rc) {
			kc_err("cannot make a UUID: %s", strerror(-rc));
			goto fail;
		}
		cfg.uuid = xstrdup(uuid);
	}
	if (!kc_hv(kc) || !kc_xs(kc))
		goto fail;
	rc = domain_by_name(kc, cfg.name, &domid);
	if (!rc) {
		kc_err("a domain named '%s' exists already (d%u)", cfg.name, domid);
		goto fail;
	}
	if (rc != -ENOENT)
		goto fail;
	progress_begin(progress_mode(kc), kc_errf, cfg.name);
	rc = domain_start(kc, &cfg, paused, &domid);
	progress_end();
	if (rc)
		goto fail;
	fprintf(kc->out, "Started domain %s (id=%u)%s\n", cfg.name, domid,
		paused ? ", paused" : "");
	fflush(kc->out);

	if (foreground) {
		struct monitor m;

		monitor_init(&m, kc, &cfg, domid);
		open_console_log(&m);
		rc = monitor_run(&m);
		monitor_fini(&m);
		config_free(&cfg);
		return rc ? EXIT_FAIL : EXIT_OK;
	}
	rc = no_monitor ? 0 : monitor_spawn(kc, &cfg, domid);
	if (rc)
		kc_warn("%s (d%u): no monitor (%s): nobody will restart it or clean up after it",
			cfg.name, domid, strerror(-rc));
	if (console)
		rc = console_attach(kc->hv, domid, STDIN_FILENO, STDOUT_FILENO,
				    CONSOLE_REPLAY_ALL);
	config_free(&cfg);
	return rc && console ? EXIT_FAIL : EXIT_OK;
fail:
	config_free(&cfg);
	return EXIT_FAIL;
}
