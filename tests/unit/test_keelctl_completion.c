/*
 * keelctl's bash completion (dom0-tools/keelctl/completion.bash) run by the host's bash against
 * the real keelctl binary, whose `list` a wrapper answers with a fixed table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "commands.h"
#include "host.h"

static char dir[] = "/tmp/keelctl-completion-XXXXXX";
static char reply[8192];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	char wrapper[1024], bin[512] = "";

	assert_non_null(mkdtemp(dir));
	if (KEELCTL_BIN[0] != '/') {
		assert_non_null(getcwd(bin, sizeof(bin) - 1));
		strcat(bin, "/");
	}
	/* keelctl list needs keel; the rest (help) is the real binary's. */
	snprintf(wrapper, sizeof(wrapper),
		 "#!/bin/sh\n"
		 "if [ \"$1\" = list ]; then\n"
		 "  printf 'Name ID Mem VCPUs State Time(s)\\n'\n"
		 "  printf 'Domain-0 0 256 1 r----- 10.0\\ndebian 3 128 1 -b---- 2.0\\n'\n"
		 "  printf 'deb2 4 128 1 -b---- 1.0\\n'\n"
		 "  exit 0\n"
		 "fi\n"
		 "exec %s%s \"$@\"\n", bin, KEELCTL_BIN);
	assert_int_equal(mkdir(strcat(strcpy(reply, dir), "/bin"), 0755), 0);
	write_file("bin/keelctl", wrapper, 0755);
	assert_int_equal(mkdir(strcat(strcpy(reply, dir), "/cfgs"), 0755), 0);
	assert_int_equal(mkdir(strcat(strcpy(reply, dir), "/cfgs/sub"), 0755), 0);
	write_file("cfgs/a.cfg", "", 0644);
	write_file("cfgs/b.cfg", "", 0644);
	write_file("cfgs/notes.txt", "", 0644);
	/* COMP_WORDS from the line (a trailing space: an empty word to complete), then the
	 * function complete -F names, and its replies sorted, one a line. */
	write_file("complete.sh",
		   "source \"$1\"\n"
		   "complete -p keelctl | grep -q -- '-F _keelctl keelctl$' || exit 9\n"
		   "line=$2\n"
		   "read -ra COMP_WORDS <<<\"$line\"\n"
		   "[[ $line == *' ' ]] && COMP_WORDS+=('')\n"
		   "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
		   "fn=$(complete -p keelctl | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p')\n"
		   "$fn keelctl \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD - 1]}\"\n"
		   "printf '%s\\n' \"${COMPREPLY[@]}\" | grep . | LC_ALL=C sort | tr '\\n' ' '\n",
		   0644);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* bash's completions of @line (in cfgs/), space-separated and sorted, in reply[]. */
static const char *complete(const char *line)
{
	char cmd[1024], cwd[512];
	size_t len = 0, n;
	FILE *p;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(cmd, sizeof(cmd),
		 "cd %s/cfgs && PATH=%s/bin:$PATH bash --norc --noprofile %s/complete.sh "
		 "%s/dom0-tools/keelctl/completion.bash '%s'",
		 dir, dir, dir, cwd, line);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(reply + len, 1, sizeof(reply) - 1 - len, p)) > 0)
		len += n;
	reply[len] = '\0';
	assert_int_equal(pclose(p), 0);
	return reply;
}

static void test_commands(void **state)
{
	char word[64], all[sizeof(reply) + 1];

	/* Every command of keelctl's table, from its own help. */
	snprintf(all, sizeof(all), " %s", complete("keelctl "));
	for (const struct command *c = commands; c->name; c++) {
		snprintf(word, sizeof(word), " %s ", c->name);
		if (!strstr(all, word))
			fail_msg("'%s' missing from \"%s\"", c->name, all);
	}
	assert_string_equal(complete("keelctl cr"), "create ");
	assert_string_equal(complete("keelctl block-l"), "block-list ");
	assert_string_equal(complete("keelctl help bl"), "block-attach block-detach block-list ");
	assert_string_equal(complete("keelctl help create "), "");
}

static void test_domain_names(void **state)
{
	assert_string_equal(complete("keelctl console "), "Domain-0 deb2 debian ");
	assert_string_equal(complete("keelctl console deb"), "deb2 debian ");
	/* NAME is one argument; NAME... any number. */
	assert_string_equal(complete("keelctl pause debian "), "");
	assert_string_equal(complete("keelctl shutdown debian d"), "deb2 debian ");
	assert_string_equal(complete("keelctl block-detach debian "), "");
	/* An option's value is no NAME; the word after it is. */
	assert_string_equal(complete("keelctl shutdown -w -t "), "");
	assert_string_equal(complete("keelctl shutdown -w -t 5 D"), "Domain-0 ");
	assert_string_equal(complete("keelctl stat -1 deb"), "deb2 debian ");
}

static void test_options(void **state)
{
	assert_string_equal(complete("keelctl create -"), "-F -c -e -f -n -p ");
	assert_string_equal(complete("keelctl shutdown -"), "-F -a -t -w ");
	assert_string_equal(complete("keelctl block-detach --"), "--force ");
	assert_string_equal(complete("keelctl top -"), "-b -d -n ");
}

/* dom0's /dev had no /dev/fd once: the script must not need process substitution. */
static void test_no_dev_fd(void **state)
{
	char text[16384];
	size_t n;
	FILE *f = fopen("dom0-tools/keelctl/completion.bash", "r");

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_null(strstr(text, "<("));
	assert_null(strstr(text, ">("));
}

static void test_config_files(void **state)
{
	assert_string_equal(complete("keelctl create "), "a.cfg b.cfg sub ");
	assert_string_equal(complete("keelctl create -c a"), "a.cfg ");
	/* After the file come KEY=VALUE words: nothing to offer. */
	assert_string_equal(complete("keelctl create a.cfg "), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_domain_names),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_config_files),
		cmocka_unit_test(test_no_dev_fd),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
