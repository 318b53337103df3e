/*
 * lastwords: a domU for the toolstack test (issue 20). It writes numbered
 * lines to its PV console ring as Linux's hvc_xen does, one every pace_ms
 * (lines=N, pace_ms=M on its command line), then a last line, and powers
 * off at once: keel destroys it before a console reader's next poll, and
 * `keelctl console` must still show every line, in order.
 */
#include "guest.h"
#include "xencons.h"

static void sleep_ns(u64 ns)
{
	struct sched_poll p = { .ports = 0, .nr_ports = 0, .timeout = pvclock_ns() + ns };

	HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static void say(const char *s)
{
	xencons_write(s, strlen(s));
}

int guest_main(const char *cmdline)
{
	u32 lines = 100, pace_ms = 0;
	char line[64];

	cmdline_uint(cmdline, "lines", &lines);
	cmdline_uint(cmdline, "pace_ms", &pace_ms);
	if (events_init() || !xencons_init())
		return SHUTDOWN_crash;
	for (u32 i = 1; i <= lines; i++) {
		snprintf(line, sizeof(line), "lastwords: line %u of %u\n", i, lines);
		say(line);
		if (pace_ms)
			sleep_ns(pace_ms * NS_PER_MS);
	}
	say("lastwords: the last line, then poweroff\n");
	return SHUTDOWN_poweroff;
}
