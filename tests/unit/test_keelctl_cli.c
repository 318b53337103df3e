/* Host tests of keelctl's command line: argument errors in process, and the static binary run. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "commands.h"
#include "cpulist.h"
#include "fake_hv.h"
#include "host.h"
#include "keelctl_test.h"
#include "progress.h"
#include "util.h"

static struct fake_hv fake;
static struct kc kc;
static struct out_buf out;

static int setup(void **state)
{
	fake_hv_init(&fake);
	out_open(&out);
	capture_start();
	/* No xenstored: commands that need it say so. */
	kc = (struct kc){ .hv = &fake.hv, .xs_path = "/nonexistent/socket", .out = out.f };
	return 0;
}

static int teardown(void **state)
{
	kc_close(&kc);
	capture_stop();
	out_close(&out);
	fake_hv_fini(&fake);
	return 0;
}

#define run(...) run_command(&kc, __VA_ARGS__)

/* The command fails with usage status and exactly @message (its usage line follows). */
#define EXPECT_USAGE(message, ...)						\
	do {									\
		capture_reset();						\
		assert_int_equal(run(__VA_ARGS__, NULL), EXIT_USAGE);		\
		if (strncmp(captured(), message, strlen(message)) ||		\
		    !strstr(captured(), "\nusage: keelctl "))			\
			fail_msg("expected \"%s\" and a usage line, got:\n%s",	\
				 message, captured());				\
	} while (0)

static void test_usage_errors(void **state)
{
	EXPECT_USAGE("keelctl create: no configuration file\n", "create");
	EXPECT_USAGE("keelctl create: unknown option -z\n", "create", "-z", "x.cfg");
	EXPECT_USAGE("keelctl create: -f needs a file\n", "create", "-f");
	EXPECT_USAGE("keelctl create: 'b.cfg' is not KEY=VALUE\n", "create", "a.cfg", "b.cfg");
	EXPECT_USAGE("keelctl create: one configuration file only\n", "create", "-f", "a", "-f", "b");
	EXPECT_USAGE("keelctl create: -c and -F do not go together\n", "create", "-c", "-F", "a.cfg");
	EXPECT_USAGE("keelctl create: -e and -F do not go together\n", "create", "-e", "-F", "a.cfg");
	EXPECT_USAGE("keelctl create: -c and -p do not go together\n", "create", "-c", "-p", "a.cfg");
	EXPECT_USAGE("keelctl list: unknown option -z\n", "list", "-z");
	EXPECT_USAGE("keelctl uptime: unknown option -z\n", "uptime", "-z");
	EXPECT_USAGE("keelctl rename: a domain and its new name are needed\n", "rename", "a");
	EXPECT_USAGE("keelctl console: no domain given\n", "console");
	EXPECT_USAGE("keelctl console: one domain only\n", "console", "a", "b");
	EXPECT_USAGE("keelctl pause: no domain given\n", "pause");
	EXPECT_USAGE("keelctl unpause: unknown option -x\n", "unpause", "-x");
	EXPECT_USAGE("keelctl destroy: one domain only\n", "destroy", "a", "b");
	EXPECT_USAGE("keelctl shutdown: unknown option -q\n", "shutdown", "-q", "a");
	EXPECT_USAGE("keelctl reboot: -t needs a number of seconds\n", "reboot", "-w", "-t");
	EXPECT_USAGE("keelctl info: no arguments expected\n", "info", "x");
	EXPECT_USAGE("keelctl dmesg: no arguments expected\n", "dmesg", "-c", "x");
	EXPECT_USAGE("keelctl dmesg: unknown option -x\n", "dmesg", "-x");
	EXPECT_USAGE("keelctl console: -r: 'many' is not a number of lines or 'all'\n", "console",
		     "-r", "many", "a");
	EXPECT_USAGE("keelctl console: -r needs a number of lines\n", "console", "-r");
	EXPECT_USAGE("keelctl console: unknown option -q\n", "console", "-q", "a");
	EXPECT_USAGE("keelctl top: -n: '0' is not a positive count\n", "top", "-b", "-n", "0");
	EXPECT_USAGE("keelctl top: -d: '0.01' is not a delay in seconds (0.1-3600)\n", "top", "-d",
		     "0.01");
	EXPECT_USAGE("keelctl top: -d needs a value\n", "top", "-d");
	EXPECT_USAGE("keelctl top: no arguments expected\n", "top", "vm");
	EXPECT_USAGE("keelctl help: no command 'frob'\n", "help", "frob");
	assert_int_equal(fake.calls[KEEL_DOMCTL_getinfo], 0);
}

static void test_domain_arguments(void **state)
{
	capture_reset();
	assert_int_equal(run("pause", "0", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: pause: not dom0, which keelctl runs in\n");
	capture_reset();
	assert_int_equal(run("destroy", "Domain-0", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: destroy: not dom0, which keelctl runs in\n");
	capture_reset();
	assert_int_equal(run("console", "0", NULL), EXIT_FAIL);
	assert_string_equal(captured(),
			    "keelctl: console: dom0's console is keel's own (this terminal or COM1)\n");
	capture_reset();
	assert_int_equal(run("unpause", "7", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: no domain with id 7\n");
	/* A name needs xenstore. */
	capture_reset();
	assert_int_equal(run("pause", "web", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: cannot connect to xenstored at /nonexistent/socket: No such file or directory (is xenstored running?)\n");
}

static void test_refused_hypercall(void **state)
{
	uint16_t domid;

	assert_int_equal(hv_create(&fake.hv, 1, &domid), 0);
	fake.fail_cmd = KEEL_DOMCTL_pause;
	fake.fail_rc = -EPERM;
	capture_reset();
	assert_int_equal(run("pause", "1", NULL), EXIT_FAIL);
	assert_string_equal(captured(),
			    "keelctl: 1 (d1): keel refused pause: Operation not permitted (EPERM)\n");
	fake.fail_cmd = KEEL_DOMCTL_list;
	capture_reset();
	assert_int_equal(run("list", NULL), EXIT_FAIL);
	expect_message("keelctl: keel refused list: Operation not permitted (EPERM)\n");
	fake.fail_cmd = KEEL_DOMCTL_physinfo;
	capture_reset();
	assert_int_equal(run("info", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: keel refused physinfo: Operation not permitted (EPERM)\n");
	fake.fail_cmd = KEEL_DOMCTL_readlog;
	fake.fail_rc = -ENOSYS;
	capture_reset();
	assert_int_equal(run("dmesg", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: keel refused readlog: Function not implemented (ENOSYS)\n");
}

/* stat: dom0 and a guest by id, the table and the one-line form; refusals. */
static void test_stat(void **state)
{
	struct keel_domstats *s = &fake.dom[0].stats;
	uint16_t domid;
	size_t mark;

	EXPECT_USAGE("keelctl stat: no domain given\n", "stat");
	EXPECT_USAGE("keelctl stat: unknown option -x\n", "stat", "-x", "0");
	s->nr_vcpus = 2;
	s->exits_total = 30;
	s->exits[18] = 20;
	s->exits[1] = 9;
	s->exits[35] = 1;		/* no name: by number */
	s->hypercalls_total = 21;
	s->hypercalls[32] = 20;
	s->hypercalls[KEEL_STATS_HCALLS - 1] = 1;
	capture_reset();
	assert_int_equal(run("stat", "0", NULL), EXIT_OK);
	assert_string_equal(out_text(&out),
			    "0 (d0): 2 vCPU(s), 30 VM exits, 21 hypercalls\n"
			    "  exit       external_interrupt                9\n"
			    "  exit       vmcall                           20\n"
			    "  exit       exit35                            1\n"
			    "  hypercall  event_channel_op                 20\n"
			    "  hypercall  other                             1\n");
	assert_int_equal(hv_create(&fake.hv, 1, &domid), 0);
	fake.dom[domid].stats.exits_total = 5;
	fake.dom[domid].stats.exits[12] = 5;
	mark = strlen(out_text(&out));
	assert_int_equal(run("stat", "-1", "0", "1", NULL), EXIT_OK);
	assert_string_equal(out_text(&out) + mark,
			    "0 exits 30 hypercalls 21 cpu_us 5000000 x:external_interrupt 9"
			    " x:vmcall 20 x:exit35 1 h:event_channel_op 20 h:other 1\n"
			    "1 exits 5 hypercalls 0 cpu_us 0 x:hlt 5\n");
	capture_reset();
	assert_int_equal(run("stat", "9", NULL), EXIT_FAIL);
	assert_string_equal(captured(), "keelctl: no domain with id 9\n");
	fake.fail_cmd = KEEL_DOMCTL_getstats;
	fake.fail_rc = -ENOSYS;
	capture_reset();
	assert_int_equal(run("stat", "1", NULL), EXIT_FAIL);
	assert_string_equal(captured(),
			    "keelctl: 1 (d1): keel refused getstats: Function not implemented (ENOSYS)\n");
}

/* The first word of @set (CPUs 0-63), checking that no CPU past 63 is in it. */
static uint64_t low_word(const struct cpuset *set)
{
	for (size_t i = 1; i < ARRAY_SIZE(set->w); i++)
		assert_int_equal(set->w[i], 0);
	return set->w[0];
}

/* xl's CPU lists: parsed into CPU sets of keel's 256 CPUs, printed back as xl prints them. */
static void test_cpulist(void **state)
{
	static const struct { const char *s; uint64_t mask; } good[] = {
		{ "0", 1 }, { "63", 1ULL << 63 }, { "0-3,5", 0x2f },
		{ "0-7,^3", 0xf7 }, { "^1,0-2", 0x7 }, { "1-1", 2 }, { "0-63", ~0ULL },
		{ "2,2", 4 },
	};
	static const struct { const char *s, *why; } bad[] = {
		{ "", "expected a CPU number (0-255), a range N-M or \"all\"" },
		{ "256", "expected a CPU number (0-255), a range N-M or \"all\"" },
		{ "-1", "expected a CPU number (0-255), a range N-M or \"all\"" },
		{ "1,", "expected a CPU number (0-255), a range N-M or \"all\"" },
		{ "3-1", "a range must go upwards (N-M with N <= M)" },
		{ "0-", "a range needs a CPU number (0-255) after '-'" },
		{ "0-999", "a range needs a CPU number (0-255) after '-'" },
		{ "1 2", "CPUs and ranges are separated by commas" },
		{ "0x1", "CPUs and ranges are separated by commas" },
		{ "0,^0", "no CPU left" },
		{ "0-255,^0-255", "no CPU left" },
		{ "99999999999999999999", "expected a CPU number (0-255), a range N-M or \"all\"" },
	};
	static const struct { uint64_t mask; unsigned int cpus; const char *s; } shown[] = {
		{ 0x3, 2, "all" }, { 0xff, 2, "all" }, { 0x1, 2, "0" }, { 0x2f, 8, "0-3,5" },
		{ 0, 4, "none" }, { 1ULL << 63, 64, "63" }, { ~0ULL, 64, "all" },
		{ ~0ULL, 65, "0-63" },
	};
	const char *why;
	struct cpuset set;
	char buf[1024];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		if (cpulist_parse(good[i].s, &set, &why))
			fail_msg("'%s' refused: %s", good[i].s, why);
		assert_int_equal(low_word(&set), good[i].mask);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&set, 0x42, sizeof(set));
		why = NULL;
		assert_int_equal(cpulist_parse(bad[i].s, &set, &why), -1);
		assert_string_equal(why, bad[i].why);
		assert_int_equal(set.w[0], 0x4242424242424242ULL);	/* untouched */
	}
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++) {
		memset(&set, 0, sizeof(set));
		set.w[0] = shown[i].mask;
		cpulist_format(&set, shown[i].cpus, buf, sizeof(buf));
		assert_string_equal(buf, shown[i].s);
	}

	/* Past CPU 63: "all" is all 256; CPUs above 63 parse and print. */
	assert_int_equal(cpulist_parse("all", &set, &why), 0);
	for (size_t i = 0; i < ARRAY_SIZE(set.w); i++)
		assert_int_equal(set.w[i], ~0ULL);
	assert_int_equal(cpuset_last(&set), 255);
	assert_int_equal(cpulist_parse("64,200-202,255", &set, &why), 0);
	assert_int_equal(set.w[0], 0);
	assert_int_equal(set.w[1], 1);
	assert_int_equal(set.w[3], 7ULL << 8 | 1ULL << 63);
	assert_int_equal(cpuset_last(&set), 255);
	cpulist_format(&set, 256, buf, sizeof(buf));
	assert_string_equal(buf, "64,200-202,255");
	cpulist_format(&set, 100, buf, sizeof(buf));		/* what the host lacks shows too */
	assert_string_equal(buf, "64,200-202,255");
	assert_int_equal(cpulist_parse("0-255,^1-254", &set, &why), 0);
	cpulist_format(&set, 256, buf, sizeof(buf));
	assert_string_equal(buf, "0,255");

	/* Every other CPU of 256: the longest list, 128 numbers, fits; parsed back the same. */
	memset(&set, 0xaa, sizeof(set));
	cpulist_format(&set, 256, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf) - 1);
	assert_int_equal(cpulist_parse(buf, &set, &why), 0);
	for (size_t i = 0; i < ARRAY_SIZE(set.w); i++)
		assert_int_equal(set.w[i], 0xaaaaaaaaaaaaaaaaULL);
	cpulist_format(&set, 256, buf, 8);			/* cut short, still a string */
	assert_true(strlen(buf) < 8);
}

static void test_list_without_xenstore(void **state)
{
	capture_reset();
	assert_int_equal(run("list", NULL), EXIT_OK);
	expect_message("keelctl: warning: names are unknown without xenstored\n");
	assert_non_null(strstr(out_text(&out), "\nDomain-0 "));
}

static void test_help(void **state)
{
	assert_int_equal(run("help", NULL), EXIT_OK);
	for (const struct command *c = commands; c->name; c++) {
		char line[32];

		snprintf(line, sizeof(line), "\n  %-12s ", c->name);
		if (!strstr(out_text(&out), line))
			fail_msg("help does not list %s:\n%s", c->name, out_text(&out));
	}
	assert_int_equal(run("help", "top", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), "usage: keelctl top [-b] [-n ITER] [-d SECS]\n"));
	assert_int_equal(run("create", "-h", NULL), EXIT_OK);
	assert_non_null(strstr(out_text(&out), "usage: keelctl create "));
}

/* On a terminal: each step replaces the last, a message clears it first, the end clears it. */
static void test_progress_line(void **state)
{
	struct out_buf o;
	FILE *saved = kc_errf;

	out_open(&o);
	kc_errf = o.f;
	progress_begin(PROGRESS_LINE, o.f, "vm");
	progress_step("reading the kernel %s", "/k");
	progress_step("starting it");
	kc_err("refused");
	progress_step("again");
	progress_end();
	progress_step("after the end");
	kc_err("plain");
	kc_errf = saved;
	assert_string_equal(out_text(&o), "\r\033[Kvm: reading the kernel /k ..."
			    "\r\033[Kvm: starting it ...\r\033[Kkeelctl: refused\n"
			    "\r\033[Kvm: again ...\r\033[Kkeelctl: plain\n");
	out_close(&o);
}

static void test_mkdir_parents(void **state)
{
	const char *dir = tmpdir_make();
	char *deep = xasprintf("%s/var/log/keel", dir);

	assert_int_equal(mkdir_parents(deep), 0);
	assert_int_equal(access(deep, W_OK), 0);
	assert_int_equal(mkdir_parents(deep), 0);
	assert_int_equal(mkdir_parents("/proc/no/such"), -ENOENT);
	free(deep);
	tmpdir_remove();
}

/* ---- the binary ---- */

struct result {
	int status;
	char out[8192], err[8192];
};

static void slurp(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t got;

	while (n + 1 < size && (got = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)got;
	buf[n] = '\0';
}

/* Runs the static keelctl with @argv (NULL-terminated, argv[0] included). */
static void run_binary(char *const *argv, struct result *r)
{
	int o[2], e[2], status;
	pid_t pid;

	assert_int_equal(pipe(o), 0);
	assert_int_equal(pipe(e), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		close(o[0]);
		close(e[0]);
		setenv("XENSTORED_PATH", "/nonexistent/socket", 1);
		execv(KEELCTL_BIN, argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	slurp(o[0], r->out, sizeof(r->out));
	slurp(e[0], r->err, sizeof(r->err));
	close(o[0]);
	close(e[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	r->status = WEXITSTATUS(status);
}

static void test_binary_is_static(void **state)
{
	uint8_t *elf;
	uint16_t phnum;
	uint64_t phoff;
	size_t len;
	FILE *f = fopen(KEELCTL_BIN, "rb");

	assert_non_null(f);
	elf = malloc(1 << 16);
	len = fread(elf, 1, 1 << 16, f);
	fclose(f);
	assert_true(len > 64);
	memcpy(&phoff, elf + 0x20, 8);
	memcpy(&phnum, elf + 0x38, 2);
	assert_true(phoff + phnum * 56ull <= len);
	/* No PT_INTERP (3), no PT_DYNAMIC (2): nothing for a dynamic loader to do. */
	for (unsigned int i = 0; i < phnum; i++) {
		uint32_t type;

		memcpy(&type, elf + phoff + i * 56, 4);
		assert_int_not_equal(type, 3);
		assert_int_not_equal(type, 2);
	}
	free(elf);
}

static void test_binary_commands(void **state)
{
	static const char bad[] = "name = 'b'\nkernel = '/k'\nmemory = lots\nvcpus = 0\n";
	static const char good[] = "name = 'g'\nkernel = '/k'\nextra = 'console=hvc0'\n";
	char *bad_path, *good_path;
	struct result r;

	tmpdir_make();
	bad_path = xstrdup(tmp_file("bad.cfg", bad, strlen(bad)));
	good_path = xstrdup(tmp_file("good.cfg", good, strlen(good)));

	run_binary((char *[]){ "keelctl", NULL }, &r);
	assert_int_equal(r.status, EXIT_USAGE);
	assert_non_null(strstr(r.out, "usage: keelctl [-v] COMMAND [ARGS] | keelctl --version\n"));
	run_binary((char *[]){ "keelctl", "--help", NULL }, &r);
	assert_int_equal(r.status, EXIT_OK);
	run_binary((char *[]){ "keelctl", "frobnicate", NULL }, &r);
	assert_int_equal(r.status, EXIT_USAGE);
	assert_string_equal(r.err, "keelctl: no command 'frobnicate' ('keelctl help' lists them)\n");

	run_binary((char *[]){ "keelctl", "create", bad_path, NULL }, &r);
	assert_int_equal(r.status, EXIT_FAIL);
	assert_string_equal(r.err, xasprintf_tmp("%s:3: memory: a number is expected, not 'lots'\n"
						 "%s:4: vcpus: 0 cannot boot a domain: it needs at least one vCPU (1-64)\n",
						 bad_path, bad_path));
	run_binary((char *[]){ "keelctl", "create", "-n", good_path, "memory=64", NULL }, &r);
	assert_int_equal(r.status, EXIT_OK);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, "name = \"g\"\ntype = \"pvh\"\nmemory = 64\nvcpus = 1\n"
			    "kernel = \"/k\"\nextra = \"console=hvc0\"\non_poweroff = \"destroy\"\n"
			    "on_reboot = \"restart\"\non_crash = \"destroy\"\n");
	/* This host has no keel: the error says what is missing. */
	if (access("/dev/xen/privcmd", F_OK)) {
		run_binary((char *[]){ "keelctl", "list", NULL }, &r);
		assert_int_equal(r.status, EXIT_FAIL);
		assert_string_equal(r.err, "keelctl: cannot open /dev/xen/privcmd: No such file or directory (keelctl runs in keel's dom0, with Linux's xen-privcmd driver)\n");
		run_binary((char *[]){ "keelctl", "create", good_path, NULL }, &r);
		assert_int_equal(r.status, EXIT_FAIL);
		assert_non_null(strstr(r.err, "cannot open /dev/xen/privcmd"));
	}
	free(bad_path);
	free(good_path);
	tmpdir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_hypercall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_without_xenstore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpulist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test(test_progress_line),
		cmocka_unit_test(test_mkdir_parents),
		cmocka_unit_test(test_binary_is_static),
		cmocka_unit_test(test_binary_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
