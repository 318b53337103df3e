/* Host tests of command-line parsing (Xen option syntax), printk's console and log ring, and vsnprintf. */
#include <stdlib.h>
#include <string.h>
#include <keel/dom0_options.h>
#include <keel/errno.h>
#include <keel/param.h>
#include <keel/printk.h>
#include "host.h"

/* The console hardware: record what reaches each sink. */
static char com1_out[65536];
static size_t com1_len;

u32 arch_console_probe(void)
{
	return CONSOLE_COM1;
}

void arch_console_write(u32 sinks, const char *s, size_t len)
{
	if (!(sinks & CONSOLE_COM1))
		return;
	assert_true(com1_len + len < sizeof(com1_out));
	memcpy(com1_out + com1_len, s, len);
	com1_len += len;
	com1_out[com1_len] = '\0';
}

static int setup(void **state)
{
	(void)state;
	com1_len = 0;
	com1_out[0] = '\0';
	console_set_loglevel(LOG_INFO);
	console_select(~0u);
	memset(&dom0_options, 0, sizeof(dom0_options));
	return 0;
}

static void test_loglvl(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("loglvl=debug"), 0);
	assert_int_equal(console_get_loglevel(), LOG_DEBUG);
	assert_int_equal(cmdline_parse("loglvl=warning/all"), 0);
	assert_int_equal(console_get_loglevel(), LOG_WARN);
	assert_int_equal(cmdline_parse("loglvl=all"), 0);
	assert_int_equal(console_get_loglevel(), LOG_DEBUG);
	assert_int_equal(cmdline_parse("loglvl=loud"), 1);
	assert_int_equal(console_get_loglevel(), LOG_DEBUG);
	assert_non_null(strstr(com1_out, "invalid option 'loglvl=loud'"));
	assert_int_equal(cmdline_parse("loglvl"), 1);
}

/* Bytes ever logged (the log stream's head). */
static u64 log_head(void)
{
	u64 pos = 0, head;

	assert_int_equal(log_read(&pos, NULL, 0, &head), 0);
	return head;
}

static void test_log_levels_filter_console_not_ring(void **state)
{
	char ring[256];
	u64 before = log_head(), pos = before, head;
	long n;

	(void)state;
	console_set_loglevel(LOG_WARN);
	printk(LOG_INFO, "quiet line\n");
	printk(LOG_ERR, "loud line\n");
	assert_null(strstr(com1_out, "quiet line"));
	assert_non_null(strstr(com1_out, "(keel) loud line\n"));
	n = log_read(&pos, ring, sizeof(ring) - 1, &head);
	assert_int_equal(n, 35);
	assert_int_equal(pos, before);
	assert_int_equal(head, before + 35);
	ring[n] = '\0';
	assert_string_equal(ring, "(keel) quiet line\n(keel) loud line\n");
	pos = head + 1;
	assert_int_equal(log_read(&pos, ring, sizeof(ring), &head), -EINVAL);
}

static void test_log_ring_wraps(void **state)
{
	char line[128], first[64];
	u64 pos = 0, head;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		snprintf(line, sizeof(line), "line %04d %s\n", i,
			 "................................................");
		printk(LOG_DEBUG, "%s", line);
	}
	/* the oldest bytes went first: a read from 0 starts at the oldest kept */
	assert_int_equal(log_read(&pos, first, sizeof(first), &head), sizeof(first));
	assert_true(head >= 2000 * 66);
	assert_int_equal(pos, head - 65536);
	/* the newest line is last */
	pos = head - 66;
	assert_int_equal(log_read(&pos, first, sizeof(first), &head), 64);
	assert_memory_equal(first, "(keel) line 1999", 16);
	pos = head;
	assert_int_equal(log_read(&pos, first, sizeof(first), &head), 0);
}

/* The whole log from the oldest byte kept, as dmesg reads it. */
static const char *log_text(void)
{
	static char text[65536 + 1];
	u64 pos = 0, head;
	long n = log_read(&pos, text, sizeof(text) - 1, &head);

	assert_true(n >= 0);
	text[n] = '\0';
	return text;
}

/*
 * keel's log is keel's (Xen's conring): dom0's console and its prompt reach the console only,
 * a guest's lines that guest_loglvl= prints are logged; dmesg -c forgets what it read.
 */
static void test_log_is_keels_own_and_clears(void **state)
{
	u64 pos = 0, head;
	char c;

	(void)state;
	printk(LOG_INFO, "before the clear\n");
	console_print_domain(0, "dom0 says", 9, false, true, false, true);
	console_print_domain(0, "prompt# ", 8, false, false, false, true);
	printk(LOG_ERR, "keel line\n");
	console_print_domain(0, "typed", 5, true, true, false, true);
	console_print_domain(3, "guest debug", 11, false, true, true, true);
	assert_non_null(strstr(com1_out, "(keel) (d0) dom0 says\n(keel) (d0) prompt# \n"
				  "(keel) keel line\n(keel) (d0) typed\n(keel) (d3) guest debug\n"));
	assert_null(strstr(log_text(), "(d0)"));
	assert_non_null(strstr(log_text(), "(keel) before the clear\n(keel) keel line\n"
				"(keel) (d3) guest debug\n"));

	assert_int_equal(log_read(&pos, NULL, 0, &head), 0);
	log_clear(head - 5);			/* a reader got all but the last 5 bytes */
	assert_string_equal(log_text(), "ebug\n");
	log_clear(head + 100);			/* never past the head */
	assert_string_equal(log_text(), "");
	printk(LOG_INFO, "after\n");
	assert_string_equal(log_text(), "(keel) after\n");
	pos = head - 1;				/* a cleared position reads from the start */
	assert_int_equal(log_read(&pos, &c, 1, &head), 1);
	assert_int_equal(c, '(');
}

static void test_console_selection(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("console=com1,e9"), 0);
	assert_int_equal(console_selected(), CONSOLE_COM1 | CONSOLE_E9);
	assert_int_equal(cmdline_parse("console=vga,com1"), 0);
	assert_int_equal(console_selected(), CONSOLE_COM1);
	assert_non_null(strstr(com1_out, "'vga' is not supported"));
	/* only unsupported sinks: keep the current console */
	assert_int_equal(cmdline_parse("console=vga"), 1);
	assert_int_equal(console_selected(), CONSOLE_COM1);
	assert_int_equal(cmdline_parse("console=none"), 0);
	assert_int_equal(console_selected(), 0);
	com1_len = 0;
	printk(LOG_ERR, "silenced\n");
	assert_int_equal(com1_len, 0);
}

static void test_dom0_mem(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("dom0_mem=512M"), 0);
	assert_int_equal(dom0_options.mem, 512ULL << 20);
	assert_int_equal(cmdline_parse("dom0_mem=min:128M,max:2G,1G"), 0);
	assert_int_equal(dom0_options.mem_min, 128ULL << 20);
	assert_int_equal(dom0_options.mem_max, 2ULL << 30);
	assert_int_equal(dom0_options.mem, 1ULL << 30);
	assert_int_equal(cmdline_parse("dom0_mem=65536"), 0);	/* KiB */
	assert_int_equal(dom0_options.mem, 64ULL << 20);
	/* rejected values leave the previous setting intact */
	assert_int_equal(cmdline_parse("dom0_mem=min:2G,max:1G"), 1);
	assert_int_equal(cmdline_parse("dom0_mem=lots"), 1);
	assert_int_equal(cmdline_parse("dom0_mem=512M,"), 1);
	assert_int_equal(cmdline_parse("dom0_mem=0"), 1);
	assert_int_equal(cmdline_parse("dom0_mem=99999999999999999999G"), 1);
	assert_int_equal(cmdline_parse("dom0_mem=16777216T"), 1);
	assert_int_equal(dom0_options.mem, 64ULL << 20);
	assert_int_equal(dom0_options.mem_min, 128ULL << 20);
}

static void test_dom0_max_vcpus(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("dom0_max_vcpus=4"), 0);
	assert_int_equal(dom0_options.vcpus_min, 4);
	assert_int_equal(dom0_options.vcpus_max, 4);
	assert_int_equal(cmdline_parse("dom0_max_vcpus=2-8"), 0);
	assert_int_equal(dom0_options.vcpus_min, 2);
	assert_int_equal(dom0_options.vcpus_max, 8);
	assert_int_equal(cmdline_parse("dom0_max_vcpus=0"), 1);
	assert_int_equal(cmdline_parse("dom0_max_vcpus=8-2"), 1);
	assert_int_equal(cmdline_parse("dom0_max_vcpus=4x"), 1);
	assert_int_equal(cmdline_parse("dom0_max_vcpus=100000"), 1);
	assert_int_equal(dom0_options.vcpus_max, 8);
}

/* dom0=pvh (the default: it owns the machine) or dom0=virtual, as Xen names them. */
static void test_dom0_kind(void **state)
{
	(void)state;
	assert_false(dom0_options.virt);
	assert_int_equal(cmdline_parse("dom0=virtual"), 0);
	assert_true(dom0_options.virt);
	assert_int_equal(cmdline_parse("dom0=pvh"), 0);
	assert_false(dom0_options.virt);
	assert_int_equal(cmdline_parse("dom0=virtual dom0=pv"), 1);
	assert_true(dom0_options.virt);
	assert_int_equal(cmdline_parse("dom0 dom0=PVH dom0="), 3);
	assert_true(dom0_options.virt);
}

static void test_unknown_and_odd_options(void **state)
{
	char big[600];

	(void)state;
	assert_int_equal(cmdline_parse("  flux=capacitor   loglvl=error\t "), 1);
	assert_non_null(strstr(com1_out, "unknown option 'flux=capacitor'"));
	assert_int_equal(console_get_loglevel(), LOG_ERR);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cmdline_parse(big), 1);
	assert_int_equal(cmdline_parse(""), 0);
	assert_int_equal(cmdline_parse("="), 1);
}

static void test_parse_size(void **state)
{
	const char *end;
	u64 v;

	(void)state;
	assert_int_equal(parse_size("4G", &end, &v), 0);
	assert_int_equal(v, 4ULL << 30);
	assert_int_equal(parse_size("0x10M,", &end, &v), 0);
	assert_int_equal(v, 16ULL << 20);
	assert_int_equal(*end, ',');
	assert_int_equal(parse_size("100B", &end, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(parse_size("M", &end, &v), -EINVAL);
	assert_int_equal(parse_size("18446744073709551616", &end, &v), -EINVAL);
}

static void test_vsnprintf(void **state)
{
	char buf[64];

	(void)state;
	snprintf(buf, sizeof(buf), "%d|%5u|%-4x|%04X|%#llx|%s|%.3s|%c|%%",
		 -42, 7u, 0xabu, 0xbeu, 0x1234ULL, "str", "abcdef", 'z');
	assert_string_equal(buf, "-42|    7|ab  |00BE|0x1234|str|abc|z|%");
	assert_int_equal(snprintf(buf, 8, "%s", "truncated text"), 14);
	assert_string_equal(buf, "truncat");
	snprintf(buf, sizeof(buf), "%lld %zu", -9223372036854775807LL - 1,
		 (size_t)18);
	assert_string_equal(buf, "-9223372036854775808 18");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_loglvl, setup),
		cmocka_unit_test_setup(test_log_levels_filter_console_not_ring, setup),
		cmocka_unit_test_setup(test_log_ring_wraps, setup),
		cmocka_unit_test_setup(test_log_is_keels_own_and_clears, setup),
		cmocka_unit_test_setup(test_console_selection, setup),
		cmocka_unit_test_setup(test_dom0_mem, setup),
		cmocka_unit_test_setup(test_dom0_max_vcpus, setup),
		cmocka_unit_test_setup(test_dom0_kind, setup),
		cmocka_unit_test_setup(test_unknown_and_odd_options, setup),
		cmocka_unit_test_setup(test_parse_size, setup),
		cmocka_unit_test_setup(test_vsnprintf, setup),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
