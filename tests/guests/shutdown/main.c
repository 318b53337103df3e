/*
 * shutdown: ends the domain with the reason named on the command line,
 * reason=poweroff|reboot|crash|suspend (default poweroff), through
 * SCHEDOP_shutdown. It prints "guest: shutting down with reason X" first;
 * the hypervisor must then report that reason. It prints no PASS line: the
 * reason the domain ended with is the result. An unknown reason is a FAIL.
 */
#include "guest.h"

static const struct {
	const char *name;
	unsigned int reason;
} reasons[] = {
	{ "poweroff", SHUTDOWN_poweroff },
	{ "reboot", SHUTDOWN_reboot },
	{ "suspend", SHUTDOWN_suspend },
	{ "crash", SHUTDOWN_crash },
};

int guest_main(const char *cmdline)
{
	char name[16] = "poweroff";

	cmdline_param(cmdline, "reason", name, sizeof(name));
	for (unsigned int i = 0; i < ARRAY_SIZE(reasons); i++) {
		if (strcmp(name, reasons[i].name))
			continue;
		printf("guest: shutting down with reason %s\n", name);
		guest_shutdown(reasons[i].reason);
	}
	CHECK(false, "unknown shutdown reason \"%s\"", name);
	return test_result("shutdown");
}
