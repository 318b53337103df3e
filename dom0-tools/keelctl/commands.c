/* The command table, usage messages and help. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "domains.h"

const struct command commands[] = {
	{ "create", cmd_create, "[-c] [-F | -e] [-p] [-n] [-f] FILE.cfg [KEY=VALUE...]",
	  "build and start a domain from an xl.cfg-style file\n"
	  "  -c  attach to its console once it runs      -p  leave it paused\n"
	  "  -F  stay in the foreground as its monitor   -n  parse and print the config only\n"
	  "  -e  leave no monitor (nobody restarts the domain or cleans up after it)\n"
	  "  KEY=VALUE replaces that key of the file" },
	{ "list", cmd_list, "[-l] [-v] [NAME...]",
	  "list domains (Name, ID, Mem, VCPUs, State, Time)\n"
	  "  -v  also each one's UUID and shutdown reason code (Reason-Code)\n"
	  "  -l  each one's configuration as JSON, as xl list -l (a domain keelctl did not\n"
	  "      create shows what keel knows of it)" },
	{ "console", cmd_console, "[-r LINES] NAME",
	  "attach to a domain's console; Ctrl-] detaches\n"
	  "  Shows its last lines first, then its output as it comes, each byte once.\n"
	  "  -r, --replay=LINES  how many of the last lines keel kept to show first (default 100,\n"
	  "                      0 none, 'all': everything keel kept, 16 KiB)\n"
	  "  Every guest's whole console is in /var/log/keel/console/guest-NAME.log." },
	{ "pause", cmd_pause, "NAME", "stop a domain's vCPUs\n"
	  "  Pauses nest, as xl's: each needs its own unpause (at most 255 at once)." },
	{ "unpause", cmd_unpause, "NAME", "undo one pause; the domain runs when none is left\n"
	  "  An error when it is not paused (create -p's pause is one)." },
	{ "shutdown", cmd_shutdown, "[-w] [-F] [-t SECS] (-a | NAME...)",
	  "ask domains to power off (xenstore control/shutdown)\n"
	  "  -w  wait until they are gone         -t  give up waiting after SECS\n"
	  "  -F  have keel shut down a domain without PV shutdown support\n"
	  "  -a  every domain but dom0" },
	{ "reboot", cmd_reboot, "[-w] [-F] [-t SECS] (-a | NAME...)",
	  "ask domains to reboot; options as for shutdown" },
	{ "destroy", cmd_destroy, "NAME", "stop a domain at once and free it" },
	{ "block-attach", cmd_block_attach, "NAME DISKSPEC...",
	  "hot-plug a disk into a running guest, as xl block-attach\n"
	  "  DISKSPEC is a disk = [...] entry (xl-disk-configuration(5)); several arguments are\n"
	  "  joined with commas: '/img,raw,xvdb,rw' or 'vdev=xvdb, access=ro, target=/img'.\n"
	  "  backendtype=phy uses Linux's xen-blkback (a loop device for a file), else keel-blkback.\n"
	  "  Refuses a device id the guest has; waits up to 10 s for the backend to take the disk." },
	{ "block-detach", cmd_block_detach, "[--force] NAME VDEV",
	  "unplug a guest's disk (VDEV: xvdb, 51728, ...), as xl block-detach\n"
	  "  The backend is asked to close (state 5); the guest has 10 s to let go, else the\n"
	  "  disk stays and the command fails.\n"
	  "  --force  remove the guest's frontend first and the disk regardless (its I/O fails)" },
	{ "block-list", cmd_block_list, "NAME...",
	  "list guests' disks, as xl block-list\n"
	  "  Vdev (device id), BE (backend domain), handle (the guest's id), state, evt-ch and\n"
	  "  ring-ref (as the guest's frontend reports them; -1: none), BE-path" },
	{ "network-attach", cmd_network_attach, "NAME [VIFSPEC...]",
	  "hot-plug a vif into a running guest, as xl network-attach\n"
	  "  VIFSPEC is a vif = [...] entry (xl-network-configuration(5)); several arguments are\n"
	  "  joined with commas: 'mac=00:16:3e:01:02:03,bridge=xenbr0'. It gets the guest's next\n"
	  "  free id unless devid= says, and a random 00:16:3e MAC unless mac= says.\n"
	  "  backendtype=kernel uses Linux's xen-netback, else keel-netback. Waits up to 10 s\n"
	  "  for the backend to take the vif." },
	{ "network-detach", cmd_network_detach, "[--force] NAME DEVID|MAC",
	  "unplug a guest's vif, as xl network-detach\n"
	  "  The backend is asked to close (state 5); the guest has 10 s to let go, else the\n"
	  "  vif stays and the command fails.\n"
	  "  --force  remove the guest's frontend first and the vif regardless" },
	{ "network-list", cmd_network_list, "NAME...",
	  "list guests' vifs, as xl network-list\n"
	  "  Idx (device id), BE (backend domain), MAC, handle, state, evt-ch and tx-/rx-ring-ref\n"
	  "  (as the guest's frontend reports them; -1: none), BE-path" },
	{ "mem-set", cmd_mem_set, "NAME MEM",
	  "set a guest's memory target; its balloon driver gives memory back or takes it\n"
	  "  MEM: a number, unit k, m (the default), g or t. At most its maximum (mem-max);\n"
	  "  keel's limit follows the target. A guest gets back at most what it was built with." },
	{ "mem-max", cmd_mem_max, "NAME MEM",
	  "set a guest's maximum memory (keel's limit and memory/static-max)\n"
	  "  MEM as for mem-set; not below its memory target (mem-set lowers that first)" },
	{ "info", cmd_info, "", "the host: CPUs, memory, domains" },
	{ "dmesg", cmd_dmesg, "[-c]", "print keel's own log, as xl dmesg\n"
	  "  -c  then clear it" },
	{ "top", cmd_top, "[-b] [-n ITER] [-d SECS]",
	  "live per-domain CPU and memory, like xentop (q quits)\n"
	  "  -b  batch mode: plain output for scripts\n"
	  "  -n  ITER refreshes, then stop      -d  SECS between refreshes (default 1)" },
	{ "stat", cmd_stat, "[-1] NAME...",
	  "VM exits by reason and hypercalls by number since each domain started\n"
	  "  (its vCPUs summed; NAME or id, 0 is dom0)\n"
	  "  -1  one line per domain for scripts: NAME exits N hypercalls N x:REASON N h:CALL N" },
	{ "vcpu-list", cmd_vcpu_list, "[NAME...]",
	  "list vCPUs: Name, ID, VCPU, CPU, State, Time(s), Affinity (Hard / Soft)" },
	{ "vcpu-pin", cmd_vcpu_pin, "NAME VCPU|all CPUS [SOFT]",
	  "set vCPUs' hard affinity, as xl vcpu-pin\n"
	  "  CPUS: all, or CPUs and ranges with commas, ^ taking some out again: 0-3,^1,5\n"
	  "  SOFT: keel has no soft affinity; only all or - is taken" },
	{ "vcpu-set", cmd_vcpu_set, "NAME N",
	  "have the guest run N of the vCPUs it was created with (maxvcpus), as xl vcpu-set\n"
	  "  writes cpu/I/availability online or offline, which the guest's Linux watches: it\n"
	  "  takes vCPUs offline itself; one made available again is onlined by the guest (udev,\n"
	  "  or echo 1 > /sys/devices/system/cpu/cpuI/online)" },
	{ "sched-credit", cmd_sched_credit, "[-d NAME [-w WEIGHT] [-c CAP]]",
	  "show or set domains' credit-scheduler weight and cap, as xl sched-credit\n"
	  "  -w  WEIGHT 1-65535 (default 256)   -c  CAP, percent of one CPU (0: none)" },
	{ "uptime", cmd_uptime, "[-s] [NAME...]",
	  "how long each domain has existed, as xl uptime\n"
	  "  -s  one line each, as uptime(1): TIME up UPTIME, NAME (ID)" },
	{ "rename", cmd_rename, "NAME NEWNAME",
	  "give a domain a new name (xenstore's, and what its monitor rebuilds on a reboot);\n"
	  "  refused when another domain has NEWNAME" },
	{ "version", cmd_version, "", "keelctl's version and build, and the running keel's" },
	{ "help", cmd_help, "[COMMAND]", "this text, or one command's" },
	{ NULL, NULL, NULL, NULL },
};

const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void command_usage(const struct command *c, FILE *out)
{
	fprintf(out, "usage: keelctl %s%s%s\n%s\n", c->name, *c->args ? " " : "", c->args,
		c->summary);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	const struct command *c = command_find(cmd);
	FILE *f = kc_errf ? kc_errf : stderr;
	va_list ap;

	fprintf(f, "keelctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	if (c)
		fprintf(f, "usage: keelctl %s%s%s\n", c->name, *c->args ? " " : "", c->args);
	return EXIT_USAGE;
}

void reset_getopt(void)
{
	optind = 0;	/* glibc: a full re-initialisation */
	opterr = 0;
}

int cmd_help(struct kc *kc, int argc, char **argv)
{
	const struct command *c;

	if (argc > 2)
		return usage_error("help", "one command at most");
	if (argc == 2) {
		c = command_find(argv[1]);
		if (!c)
			return usage_error("help", "no command '%s'", argv[1]);
		command_usage(c, kc->out);
		return EXIT_OK;
	}
	fprintf(kc->out, "usage: keelctl [-v] COMMAND [ARGS] | keelctl --version\n\n"
		"keel's toolstack for dom0 (-v: verbose). Commands:\n");
	for (c = commands; c->name; c++) {
		const char *nl = strchr(c->summary, '\n');
		int len = nl ? (int)(nl - c->summary) : (int)strlen(c->summary);

		fprintf(kc->out, "  %-12s %.*s\n", c->name, len, c->summary);
	}
	fprintf(kc->out, "\n'keelctl help COMMAND' tells more. NAME is a domain's name or id.\n");
	return EXIT_OK;
}

int command_guest(struct kc *kc, const char *cmd, const char *arg, const char *what,
		  uint16_t *domid)
{
	if (arg[0] == '-')
		return usage_error(cmd, "unknown option %s", arg);
	if (!kc_xs(kc) || domain_find(kc, arg, domid))
		return EXIT_FAIL;
	if (*domid == 0) {
		kc_err("%s: dom0 gets no %s", cmd, what);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

char *command_joined(int argc, char **argv)
{
	char *s = xstrdup(argv[0]);

	for (int i = 1; i < argc; i++) {
		char *next = xasprintf("%s,%s", s, argv[i]);

		free(s);
		s = next;
	}
	return s;
}

long command_fe_number(struct kc *kc, const char *fe, const char *key)
{
	char *path = xasprintf("%s/%s", fe, key), *v = NULL;
	uint64_t n;
	long r = -1;

	if (!xs_read(kc->xs, 0, path, &v) && parse_u64(v, &n) && n <= INT32_MAX)
		r = (long)n;
	free(v);
	free(path);
	return r;
}
