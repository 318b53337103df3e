/* keelctl: keel's dom0 toolstack, like Xen's xl. Picks the command and runs it. */
#include <string.h>
#include "commands.h"

int main(int argc, char **argv)
{
	struct kc kc = { .out = stdout };
	const struct command *c;
	int status;

	kc_errf = stderr;
	if (argc < 2) {
		cmd_help(&kc, 1, argv);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(&kc, 1, argv);
	c = command_find(argv[1]);
	if (!c) {
		kc_err("no command '%s' ('keelctl help' lists them)", argv[1]);
		return EXIT_USAGE;
	}
	status = c->run(&kc, argc - 1, argv + 1);
	fflush(stdout);
	kc_close(&kc);
	return status;
}
