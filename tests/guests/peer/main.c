/*
 * peer: an unprivileged guest built by a dom0 test guest. It must not
 * reach domain control or map other domains' memory; with "crash" on its
 * command line it then crashes (a triple fault), which must stop only it.
 */
#include "guest.h"
#include "domctl.h"

int guest_main(const char *cmdline)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_physinfo };
	char val[8];

	EXPECT(keel_domctl(&op), -EPERM);
	op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_destroy, .domain = 0 };
	EXPECT(keel_domctl(&op), -EPERM);
	EXPECT(foreign_map(0, 0x100, FOREIGN_WINDOW), -EPERM);
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
