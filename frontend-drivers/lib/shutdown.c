/* guest_shutdown(): ask the hypervisor to end the domain; halt forever if that returns. */
#include <asm/io.h>
#include <asm/processor.h>
#include "console.h"
#include "hypercall.h"
#include "hypervisor.h"
#include "shutdown.h"

static const char *const reason_names[] = {
	[SHUTDOWN_poweroff] = "poweroff",
	[SHUTDOWN_reboot] = "reboot",
	[SHUTDOWN_suspend] = "suspend",
	[SHUTDOWN_crash] = "crash",
	[SHUTDOWN_watchdog] = "watchdog",
	[SHUTDOWN_soft_reset] = "soft_reset",
};

const char *shutdown_reason_name(unsigned int reason)
{
	return reason < ARRAY_SIZE(reason_names) ? reason_names[reason] : "?";
}

void guest_shutdown(unsigned int reason)
{
	if (hypervisor_present()) {
		struct sched_shutdown s = { .reason = reason };
		long rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);

		printf("guest: SCHEDOP_shutdown(%s) returned %ld, halting\n",
		       shutdown_reason_name(reason), rc);
	} else {
		outw(DEBUG_EXIT_PORT, (u16)reason);
		printf("guest: no hypervisor and no isa-debug-exit, halting\n");
	}
	cpu_halt_forever();
	__builtin_unreachable();
}
