/* Host tests of what a domain's console output puts on keel's console: guest_loglvl=, filter, token bucket, partial lines. */
#include <stdio.h>
#include <string.h>
#include <keel/errno.h>
#include <keel/guest_console.h>
#include <keel/printk.h>
#include "host.h"

#define MS 1000000ULL
#define SEC (1000 * MS)

/* ---- keel's console, as console_print_domain() would fill it ---------- */

static char screen[1 << 20];	/* what reached the console */
static size_t screen_len;
static int open_id = -1;	/* whose line is unfinished */
static unsigned int pieces, ring_pieces;	/* printed; of them, into keel's log */
static enum log_level loglevel = LOG_INFO;

enum log_level console_get_loglevel(void)
{
	return loglevel;
}

static void put(const char *s, size_t n)
{
	assert_true(screen_len + n < sizeof(screen));
	memcpy(screen + screen_len, s, n);
	screen_len += n;
	screen[screen_len] = '\0';
}

void console_print_domain(unsigned int id, const char *s, size_t n, bool cont,
			  bool end, bool to_ring, bool to_console)
{
	char prefix[16];

	pieces++;
	ring_pieces += to_ring;
	if (!to_console)
		return;
	if (!cont || open_id != (int)id) {
		if (open_id >= 0)
			put("\n", 1);
		put(prefix, snprintf(prefix, sizeof(prefix), "(d%u) ", id));
	}
	put(s, n);
	if (end)
		put("\n", 1);
	open_id = end ? -1 : (int)id;
}

static struct guest_console gc;

static int setup(void **state)
{
	memset(&gc, 0, sizeof(gc));
	screen_len = 0;
	screen[0] = '\0';
	open_id = -1;
	pieces = ring_pieces = 0;
	loglevel = LOG_INFO;
	assert_int_equal(guest_loglvl_parse("none/warning"), 0);	/* Xen's default */
	return 0;
}

static bool out(enum guest_console_mode mode, const char *s, u64 now)
{
	return guest_console_put(&gc, 1, mode, s, strlen(s), now);
}

/* ---- tests ------------------------------------------------------------- */

/* guest_loglvl= picks how a domU's lines reach keel's console; dom0's always do. */
static void test_guest_loglvl_modes(void **state)
{
	assert_int_equal(guest_console_mode(true), GUEST_CONSOLE_TRUSTED);
	assert_int_equal(guest_console_mode(false), GUEST_CONSOLE_SILENT);
	assert_int_equal(guest_loglvl_parse("all"), 0);
	assert_int_equal(guest_console_mode(false), GUEST_CONSOLE_ALL);
	assert_int_equal(guest_loglvl_parse("none/all"), 0);
	assert_int_equal(guest_console_mode(false), GUEST_CONSOLE_LIMITED);
	assert_int_equal(guest_loglvl_parse("warning/debug"), 0);
	assert_int_equal(guest_console_mode(false), GUEST_CONSOLE_LIMITED);
	assert_int_equal(guest_loglvl_parse("debug/none"), 0);	/* upper below lower */
	assert_int_equal(guest_console_mode(false), GUEST_CONSOLE_ALL);
	assert_int_equal(guest_loglvl_parse("info"), 0);
	assert_int_equal(guest_console_mode(false), GUEST_CONSOLE_SILENT);
	assert_int_equal(guest_loglvl_parse("loud"), -EINVAL);
	assert_int_equal(guest_loglvl_parse("all/"), -EINVAL);
	assert_int_equal(guest_loglvl_parse(NULL), -EINVAL);
	assert_int_equal(guest_console_mode(false), GUEST_CONSOLE_SILENT);	/* kept */
	assert_int_equal(guest_console_mode(true), GUEST_CONSOLE_TRUSTED);
}

/* By default a domU's output (kept for the toolstack elsewhere) prints nothing. */
static void test_domu_silent_by_default(void **state)
{
	assert_false(out(guest_console_mode(false), "hello\nprompt$ ", 0));
	guest_console_flush(&gc, 1, guest_console_mode(false), SEC);
	guest_console_end(&gc, 1, guest_console_mode(false), SEC);
	assert_int_equal(pieces, 0);
	assert_int_equal(screen_len, 0);
}

/* dom0's bytes pass as they are (its shell's escapes); CR LF ends one line. */
static void test_trusted_unfiltered(void **state)
{
	assert_false(out(GUEST_CONSOLE_TRUSTED, "\x1b[1mbold\x1b[0m\r\nnext\n", 0));
	assert_string_equal(screen, "(d1) \x1b[1mbold\x1b[0m\n(d1) next\n");
	loglevel = LOG_WARN;		/* loglvl=warning: dom0's lines only logged */
	out(GUEST_CONSOLE_TRUSTED, "quiet\n", 0);
	assert_string_equal(screen, "(d1) \x1b[1mbold\x1b[0m\n(d1) next\n");
	assert_int_equal(pieces, 3);
	assert_int_equal(ring_pieces, 0);	/* dom0's console is not keel's log */
}

/* A domU's control and escape bytes (and non-ASCII) show as '?'; tabs stay. */
static void test_domu_filtered(void **state)
{
	out(GUEST_CONSOLE_ALL, "a\x1b[2Jb\x07\tc\xff\xc3\xa9\x7f\n", 0);
	assert_string_equal(screen, "(d1) a?[2Jb?\tc????\n");
	out(GUEST_CONSOLE_ALL, "x\ry\r\n\n", 0);	/* '\r' ends a line too */
	assert_string_equal(screen, "(d1) a?[2Jb?\tc????\n(d1) x\n(d1) y\n(d1) \n");
	/* A guest's lines that keel prints are logged too (Xen's guest_printk). */
	assert_int_equal(ring_pieces, pieces);
}

/* An unfinished line waits for the flush timer, then the rest continues it. */
static void test_partial_line_flushed_and_continued(void **state)
{
	assert_true(out(GUEST_CONSOLE_TRUSTED, "/ # ", 0));
	assert_int_equal(screen_len, 0);		/* held until the timer */
	guest_console_flush(&gc, 1, GUEST_CONSOLE_TRUSTED, 50 * MS);
	assert_string_equal(screen, "(d1) / # ");
	guest_console_flush(&gc, 1, GUEST_CONSOLE_TRUSTED, 100 * MS);	/* nothing new */
	assert_int_equal(pieces, 1);
	assert_true(out(GUEST_CONSOLE_TRUSTED, "l", 200 * MS));
	guest_console_flush(&gc, 1, GUEST_CONSOLE_TRUSTED, 250 * MS);
	assert_false(out(GUEST_CONSOLE_TRUSTED, "s\n", 300 * MS));
	assert_string_equal(screen, "(d1) / # ls\n");
	/* Something else printed meanwhile: the rest starts a new "(d1)" line. */
	out(GUEST_CONSOLE_TRUSTED, "ab", 0);
	guest_console_flush(&gc, 1, GUEST_CONSOLE_TRUSTED, 0);
	console_print_domain(2, "other", 5, false, true, false, true);
	out(GUEST_CONSOLE_TRUSTED, "cd\n", 0);
	assert_string_equal(screen, "(d1) / # ls\n(d1) ab\n(d2) other\n(d1) cd\n");
	/* At the end what waits is printed. */
	out(GUEST_CONSOLE_TRUSTED, "bye", 0);
	guest_console_end(&gc, 1, GUEST_CONSOLE_TRUSTED, 0);
	assert_string_equal(screen + strlen(screen) - 9, "(d1) bye\n");
}

/* A line longer than the buffer is printed in pieces that continue one line. */
static void test_long_line_continues(void **state)
{
	char line[3 * GUEST_CONSOLE_LINE + 2];

	memset(line, 'x', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	out(GUEST_CONSOLE_ALL, line, 0);
	assert_true(pieces >= 3);
	assert_int_equal(screen_len, 5 + 3 * GUEST_CONSOLE_LINE + 1);
	assert_int_equal(strncmp(screen, "(d1) xxx", 8), 0);
	assert_null(strchr(screen + 5, '('));	/* one prefix only */
}

/* Audit finding 13: a flood prints at most the burst, then the rate; drops are counted. */
static void test_rate_limited_flood(void **state)
{
	char line[81];
	u64 now = 10 * SEC, printed_burst, printed_later;
	unsigned int lines = 0;
	const char *note;

	memset(line, 'f', 79);
	line[79] = '\n';
	line[80] = '\0';
	/* 1 MiB of output in one instant: the bucket starts full, then is empty. */
	for (int i = 0; i < 13107; i++)
		out(GUEST_CONSOLE_LIMITED, line, now);
	printed_burst = screen_len;
	assert_true(printed_burst > GUEST_CONSOLE_BURST / 2);
	assert_true(printed_burst <= GUEST_CONSOLE_BURST);
	assert_null(strstr(screen, "suppressed"));
	/* Ten seconds on, ten seconds' worth, after a line saying what was dropped. */
	for (int s = 1; s <= 10; s++)
		for (int i = 0; i < 100; i++)
			out(GUEST_CONSOLE_LIMITED, line, now + s * SEC);
	printed_later = screen_len - printed_burst;
	note = strstr(screen, "(d1) [keel: ");
	assert_non_null(note);
	assert_int_equal(strncmp(note + 12, "10", 2), 0);	/* ~1 MiB: 10xxxxx bytes */
	assert_non_null(strstr(note, " bytes of console output suppressed]\n"));
	assert_true(printed_later <= 10 * GUEST_CONSOLE_RATE + 200);
	assert_true(printed_later >= 8 * GUEST_CONSOLE_RATE);
	for (const char *p = screen; (p = strstr(p, "(d1) ")); p++)
		lines++;
	assert_true(lines < (printed_burst + printed_later) / 80 + 3);
	/* A quiet domain gets its full burst back. */
	screen_len = 0;
	out(GUEST_CONSOLE_LIMITED, "after a rest\n", now + 100 * SEC);
	assert_non_null(strstr(screen, "(d1) after a rest\n"));
	/* The end reports what was dropped since. */
	for (int i = 0; i < 13107; i++)
		out(GUEST_CONSOLE_LIMITED, line, now + 100 * SEC);
	guest_console_end(&gc, 1, GUEST_CONSOLE_LIMITED, now + 100 * SEC);
	assert_non_null(strstr(screen, "bytes of console output suppressed]\n"));
}

/* Empty lines cost their prefix: a flood of newlines is limited too. */
static void test_newline_flood_limited(void **state)
{
	static char nl[65537];

	memset(nl, '\n', sizeof(nl) - 1);
	out(GUEST_CONSOLE_LIMITED, nl, SEC);
	assert_true(screen_len <= GUEST_CONSOLE_BURST);
	assert_true(pieces < GUEST_CONSOLE_BURST / 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_guest_loglvl_modes, setup),
		cmocka_unit_test_setup(test_domu_silent_by_default, setup),
		cmocka_unit_test_setup(test_trusted_unfiltered, setup),
		cmocka_unit_test_setup(test_domu_filtered, setup),
		cmocka_unit_test_setup(test_partial_line_flushed_and_continued, setup),
		cmocka_unit_test_setup(test_long_line_continues, setup),
		cmocka_unit_test_setup(test_rate_limited_flood, setup),
		cmocka_unit_test_setup(test_newline_flood_limited, setup),
	};

	return cmocka_run_group_tests_name("guest_console", tests, NULL, NULL);
}
