/*
 * hostile-cpu: what a guest kernel may try on the CPU it shares, and the
 * answers keel must give (docs/vmexits.md). CR8 = 15 sets the vLAPIC's
 * task priority, never the host APIC's: the guest's Xen timer still wakes
 * it from HLT, and vectors at or below the priority wait in IRR. VMX
 * instructions, GETSEC, XSETBV, MONITOR/MWAIT and RDTSCP raise #UD, at
 * CPL0 and CPL3, and the guest goes on; INVD and WBINVD do nothing; RDPMC
 * raises #GP; CR4 bits for features its CPUID lacks raise #GP. The MSRs
 * Xen answers (DEBUGCTL, MISC_ENABLE, PLATFORM_ID, MTRRs, MCG_*,
 * TSC_ADJUST, microcode) do not fault; unknown ones do. Debug registers
 * keep their values across a block, and #DB from single-stepping reaches
 * the guest with DR6.BS. The TSC counts from the domain's start: less
 * time than keel's uptime, and TSC/TSC_ADJUST writes move it without
 * disturbing the pvclock. #AC at CPL3 reaches the guest.
 */
#include "hostile.h"

static evtchn_port_t timer_port;

unsigned int timer_ticks(void)
{
	return port_deliveries(timer_port);
}

bool sleep_on_timer(u64 ns)
{
	unsigned int n = timer_ticks();
	bool woke;

	EXPECT(HYPERVISOR_set_timer_op(pvclock_ns() + ns), 0);
	woke = halt_until(timer_ticks() != n, 1000 * NS_PER_MS);
	irq_disable();
	return woke;
}

int guest_main(const char *cmdline)
{
	if (!CHECK(!events_init(), "cannot set up event delivery") ||
	    !CHECK(!evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port),
		   "cannot bind VIRQ_TIMER"))
		return test_result("hostile-cpu");
	bind_port_handler(timer_port, NULL, NULL);
	user_init();

	check_tsc();		/* first: the TSC is freshest */
	check_cr8();
	check_vmx_instructions();
	check_instructions();
	check_cr4();
	check_msrs();
	check_debug_registers();
	check_cpl3();

	irq_disable();
	return test_result("hostile-cpu");
}
