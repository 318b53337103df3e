/*
 * peer: an unprivileged guest built by a dom0 test guest. It must not
 * reach domain control or map other domains' memory. With "echo" on its
 * command line it waits for one line on its PV console input (dom0 writes
 * it with console_write) and prints it back through the ring; with "crash"
 * it then crashes (a triple fault), which must stop only it.
 */
#include "guest.h"
#include "domctl.h"
#include "xencons.h"

#define ECHO_WAIT_NS (10000 * NS_PER_MS)

/* One line from the console input ring, printed back through the output ring. */
static void echo_console_line(void)
{
	char line[96], out[128];
	evtchn_port_t port;
	u64 end;
	long len = 0;
	int n;

	if (!CHECK(xencons_init(), "no PV console") ||
	    !CHECK(!events_init(), "no event channels"))
		return;
	port = xencons_port();
	end = pvclock_ns() + ECHO_WAIT_NS;	/* the clock is in shared_info */
	printf("guest: peer waiting for console input\n");
	while (len < (long)sizeof(line) - 1 && !memchr(line, '\n', len) &&
	       pvclock_ns() < end) {
		long got;

		evtchn_clear_pending(port);	/* before looking: no wake-up lost */
		got = xencons_read(line + len, sizeof(line) - 1 - len);
		len += got;
		if (!got)
			evtchn_poll(port, end - pvclock_ns());
	}
	if (!CHECK(len && line[len - 1] == '\n', "no console input line (%ld bytes)", len))
		return;
	n = snprintf(out, sizeof(out), "guest: peer read: %.*s", (int)len, line);
	CHECK(xencons_write(out, n) == n, "echo not written");
}

int guest_main(const char *cmdline)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_physinfo };
	char val[8];

	EXPECT(keel_domctl(&op), -EPERM);
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_destroy, .domain = 0 };
	EXPECT(keel_domctl(&op), -EPERM);
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_readlog };
	EXPECT(keel_domctl(&op), -EPERM);
	EXPECT(foreign_map(0, 0x100, FOREIGN_WINDOW), -EPERM);
	if (cmdline_param(cmdline, "echo", val, sizeof(val)))
		echo_console_line();
	if (cmdline_param(cmdline, "crash", val, sizeof(val))) {
		struct {
			u16 limit;
			u64 base;
		} __packed empty_idt = { 0, 0 };

		printf("guest: peer crashing on purpose\n");
		asm volatile("lidt %0\n\tud2" : : "m"(empty_idt) : "memory");
	}
	return test_result("peer");
}
