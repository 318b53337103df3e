/* spin: a guest that only burns CPU time, for scheduler tests (built by a dom0 test guest). */
#include "guest.h"

int guest_main(const char *cmdline)
{
	volatile u64 work = 0;

	printf("guest: spin started\n");
	/*
	 * Interrupts on, as a real guest runs: Bochs lets a host interrupt
	 * (a kick IPI) end a guest's run only while the guest's IF is set.
	 */
	asm volatile("sti");
	/* Real work, not "jmp ." (which Bochs may treat as a stuck CPU). */
	for (;;)
		work++;
	return SHUTDOWN_crash;
}
