/* The TSC: the domain's own, counting from its start, moved by TSC and TSC_ADJUST writes without upsetting the pvclock. */
#include "hostile.h"

#define MSR_TSC 0x10
#define MSR_TSC_ADJUST 0x3b
#define JUMP (1ULL << 40)

/* TSC ticks to ns with the pvclock's own scale. */
static u64 tsc_to_ns(u64 tsc)
{
	const volatile struct vcpu_time_info *t =
		&events_shared_info()->vcpu_info[0].time;

	if (t->tsc_shift < 0)
		tsc >>= -t->tsc_shift;
	else
		tsc <<= t->tsc_shift;
	return ((unsigned __int128)tsc * t->tsc_to_system_mul) >> 32;
}

static u64 tsc(void)
{
	return rdtsc();
}

void check_tsc(void)
{
	u64 guest_ns = tsc_to_ns(tsc()), uptime = pvclock_ns(), before, after;
	u64 t0, t1, adj = 0;

	/*
	 * keel booted, calibrated its TSC and built this domain before it
	 * ran: the domain's TSC must show less time than keel's uptime. The
	 * host's TSC would show more (it counts from power-on).
	 */
	printf("guest: TSC says %llu us since the domain began, keel up %llu us\n",
	       guest_ns / NS_PER_US, uptime / NS_PER_US);
	CHECK(guest_ns < uptime, "TSC %llu us >= keel's uptime %llu us: the host's TSC",
	      guest_ns / NS_PER_US, uptime / NS_PER_US);

	/* TSC_ADJUST moves this vCPU's TSC; the pvclock follows it. */
	before = pvclock_ns();
	t0 = tsc();
	CHECK(wrmsr_safe(MSR_TSC_ADJUST, JUMP) == NO_FAULT, "WRMSR TSC_ADJUST");
	t1 = tsc();
	after = pvclock_ns();
	rdmsr_safe(MSR_TSC_ADJUST, &adj);
	CHECK(adj == JUMP, "TSC_ADJUST reads %#lx, want %#llx", adj, JUMP);
	CHECK(t1 - t0 >= JUMP && t1 - t0 < JUMP + (JUMP >> 4),
	      "TSC moved by %#lx for TSC_ADJUST %#llx", t1 - t0, JUMP);
	CHECK(after >= before && after - before < 1000 * NS_PER_MS,
	      "pvclock went from %lu to %lu ns across TSC_ADJUST", before, after);

	/* WRMSR TSC: the TSC reads what was written, TSC_ADJUST moves by as much. */
	before = pvclock_ns();
	t0 = tsc();
	CHECK(wrmsr_safe(MSR_TSC, t0 + JUMP) == NO_FAULT, "WRMSR TSC");
	t1 = tsc();
	after = pvclock_ns();
	rdmsr_safe(MSR_TSC_ADJUST, &adj);
	CHECK(t1 >= t0 + JUMP && t1 - t0 - JUMP < (JUMP >> 4),
	      "TSC %#lx after writing %#llx", t1, t0 + JUMP);
	/* The step is what was written less the ticks until keel took it. */
	CHECK(adj <= 2 * JUMP && 2 * JUMP - adj < (JUMP >> 4),
	      "TSC_ADJUST %#lx after a TSC write of +%#llx", adj, JUMP);
	CHECK(after >= before && after - before < 1000 * NS_PER_MS,
	      "pvclock went from %lu to %lu ns across a TSC write", before, after);

	CHECK(wrmsr_safe(MSR_TSC_ADJUST, 0) == NO_FAULT, "WRMSR TSC_ADJUST 0");
	CHECK(tsc_to_ns(tsc()) < pvclock_ns(), "TSC not back after TSC_ADJUST 0");
	printf("guest: TSC_ADJUST and TSC writes move the TSC; pvclock steady\n");
}
