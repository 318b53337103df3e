/* keelctl: keel's dom0 toolstack, like Xen's xl. Picks the command and runs it. */
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "kernel_cache.h"

int main(int argc, char **argv)
{
	struct kc kc = { .out = stdout };
	const struct command *c;
	int status, i;

	kc_errf = stderr;
	kernel_cache_dir = getenv("KEELCTL_KERNEL_CACHE");
	if (!kernel_cache_dir)
		kernel_cache_dir = KERNEL_CACHE_DIR;
	else if (!strcmp(kernel_cache_dir, "off"))
		kernel_cache_dir = NULL;
	/* Global options before the command, as xl's: -v (verbose), --version, -h. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v")) {
			kc.verbose = true;
		} else if (!strcmp(argv[i], "--version")) {
			return cmd_version(&kc, 1, argv);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			return cmd_help(&kc, 1, argv);
		} else {
			kc_err("unknown option %s ('keelctl help' lists the commands)", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		cmd_help(&kc, 1, argv);
		return EXIT_USAGE;
	}
	c = command_find(argv[i]);
	if (!c) {
		kc_err("no command '%s' ('keelctl help' lists them)", argv[i]);
		return EXIT_USAGE;
	}
	status = c->run(&kc, argc - i, argv + i);
	fflush(stdout);
	kc_close(&kc);
	return status;
}
