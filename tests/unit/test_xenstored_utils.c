/*
 * Debian's xenstore-utils (xenstore-write, -read, -ls, -list, -exists, -rm, -chmod, -watch,
 * through Debian's libxenstore) against our xenstored, pointed at it with $XENSTORED_PATH.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "host.h"
#include "xs_client.h"

static struct xs_daemon daemon_;
static char output[16384];

static int setup(void **state)
{
	assert_int_equal(daemon_start(&daemon_, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(daemon_stop(&daemon_), 0);
	return 0;
}

/* Runs a shell command with $XENSTORED_PATH set; its output goes to output[]. */
static int run(const char *fmt, ...)
{
	char cmd[2048], args[900];
	size_t len = 0, n;
	va_list ap;
	FILE *p;
	int status;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "XENSTORED_PATH=%s timeout 10 %s 2>&1", daemon_.socket, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(output + len, 1, sizeof(output) - 1 - len, p)) > 0)
		len += n;
	output[len] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_write_read_list(void **state)
{
	assert_int_equal(run("xenstore-write /vm/name test /vm/id 7"), 0);
	assert_int_equal(run("xenstore-read /vm/name"), 0);
	assert_string_equal(output, "test\n");
	assert_int_equal(run("xenstore-read /vm/name /vm/id"), 0);
	assert_string_equal(output, "test\n7\n");
	assert_int_equal(run("xenstore-list /vm"), 0);
	assert_string_equal(output, "name\nid\n");
	assert_int_equal(run("xenstore-ls /vm"), 0);
	assert_string_equal(output, "name = \"test\"\nid = \"7\"\n");
	assert_int_equal(run("xenstore-ls"), 0);
	assert_string_equal(output, "vm = \"\"\n name = \"test\"\n id = \"7\"\n");
	assert_int_equal(run("xenstore-exists /vm/id"), 0);
	assert_int_not_equal(run("xenstore-exists /vm/none"), 0);
	assert_int_not_equal(run("xenstore-read /vm/none"), 0);
	assert_int_equal(run("xenstore-rm /vm/id"), 0);
	assert_int_not_equal(run("xenstore-exists /vm/id"), 0);
	/* Relative paths of a dom0 tool are under /local/domain/0. */
	assert_int_equal(run("xenstore-write name Domain-0"), 0);
	assert_int_equal(run("xenstore-read /local/domain/0/name"), 0);
	assert_string_equal(output, "Domain-0\n");
}

static void test_chmod(void **state)
{
	assert_int_equal(run("xenstore-write /p/q v"), 0);
	assert_int_equal(run("xenstore-chmod /p/q n5 r6 b7"), 0);
	assert_int_equal(run("xenstore-ls -p /p"), 0);
	assert_non_null(strstr(output, "q = \"v\""));
	assert_non_null(strstr(output, "(n5,r6,b7)"));
	assert_int_not_equal(run("xenstore-chmod /p/q x5"), 0);
}

static void test_watch(void **state)
{
	char cmd[256], line[256];
	FILE *watch;

	assert_int_equal(run("xenstore-write /w/a 1"), 0);
	snprintf(cmd, sizeof(cmd), "XENSTORED_PATH=%s timeout 10 xenstore-watch -n 2 /w",
		 daemon_.socket);
	watch = popen(cmd, "r");
	assert_non_null(watch);
	/* The event every watch gets when set... */
	assert_non_null(fgets(line, sizeof(line), watch));
	assert_string_equal(line, "/w\n");
	/* ...and one for a change below it. */
	assert_int_equal(run("xenstore-write /w/a/b 2"), 0);
	assert_non_null(fgets(line, sizeof(line), watch));
	assert_string_equal(line, "/w/a/b\n");
	assert_int_equal(WEXITSTATUS(pclose(watch)), 0);
}

/* More children than one reply holds: libxenstore falls back to DIRECTORY_PART. */
static void test_large_directory(void **state)
{
	char *line, *save, args[800];
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < 300; i++) {
		if (i % 20 == 0)
			len = 0;
		len += (size_t)snprintf(args + len, sizeof(args) - len,
					" /big/a-rather-long-child-name-%u x", i);
		if (i % 20 == 19)
			assert_int_equal(run("xenstore-write%s", args), 0);
	}
	assert_int_equal(run("xenstore-list /big"), 0);
	for (i = 0, line = strtok_r(output, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		char expected[64];

		snprintf(expected, sizeof(expected), "a-rather-long-child-name-%u", i);
		assert_string_equal(line, expected);
	}
	assert_int_equal(i, 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_read_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chmod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_directory, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
