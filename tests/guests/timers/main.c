/*
 * timers: keel's Xen timers as Linux's xen/time.c and idle loop use them,
 * all raising VIRQ_TIMER on vCPU 0, measured with the pvclock. (a)
 * set_timer_op 5 ms ahead, then "sti; hlt" until the upcall: keel must
 * wake the halted vCPU at the deadline, not before and not a second late;
 * (b) VCPUOP_set_singleshot_timer 2 ms ahead and SCHEDOP_block with
 * interrupts on: the timer ends the block; (c) a 2 ms periodic timer ticks
 * at least 5 times in 30 ms of HLT, and after VCPUOP_stop_periodic_timer
 * no tick comes in 10 ms; (d) a single-shot timer stopped (by
 * VCPUOP_stop_singleshot_timer or set_timer_op(0)) before its deadline
 * never fires; (e) SCHEDOP_poll on the idle timer port with a timeout 3 ms
 * ahead returns after the timeout. Every wait prints what it measured.
 */
#include "guest.h"
#include <public/vcpu.h>

#define LATE_NS (1000 * NS_PER_MS)	/* a wake-up this late is a failure */
#define QUIET_NS (10 * NS_PER_MS)	/* how long "never fires" is watched */
#define PERIOD_NS (2 * NS_PER_MS)
#define PERIODIC_WAIT_NS (30 * NS_PER_MS)
#define MIN_TICKS 5

static evtchn_port_t timer_port;
static volatile u64 tick_ns;		/* pvclock time of the last delivery */

static void timer_tick(evtchn_port_t port, void *data)
{
	tick_ns = pvclock_ns();
}

static unsigned int ticks(void)
{
	return port_deliveries(timer_port);
}

/* Check that a timer armed at @start for @delay_ns fired once, in time. */
static void check_fired(const char *what, unsigned int before, u64 start,
			u64 delay_ns)
{
	u64 took = tick_ns - start;

	CHECK(ticks() == before + 1, "%s: %u timer events, want 1", what,
	      ticks() - before);
	if (ticks() == before)
		return;
	printf("guest: %s: %llu us after arming (deadline %llu us)\n", what,
	       took / NS_PER_US, delay_ns / NS_PER_US);
	CHECK(took >= delay_ns, "%s: fired after %llu us, before the %llu us deadline",
	      what, took / NS_PER_US, delay_ns / NS_PER_US);
	CHECK(took < LATE_NS, "%s: fired %llu us late", what,
	      (took - delay_ns) / NS_PER_US);
}

/* Nothing may arrive on the timer port for QUIET_NS. */
static void check_quiet(const char *what)
{
	unsigned int n = ticks();

	CHECK(!spin_until(ticks() != n, QUIET_NS),
	      "%s: %u timer events in %llu ms", what, ticks() - n,
	      QUIET_NS / NS_PER_MS);
}

/* (a) set_timer_op, then HLT with interrupts on until the upcall. */
static void timer_op_from_hlt(void)
{
	const u64 delay = 5 * NS_PER_MS;
	unsigned int n = ticks();
	u64 start = pvclock_ns();

	EXPECT(HYPERVISOR_set_timer_op(start + delay), 0);
	CHECK(halt_until(ticks() != n, LATE_NS), "set_timer_op: HLT not ended");
	check_fired("set_timer_op + HLT", n, start, delay);
}

/*
 * (b) VCPUOP_set_singleshot_timer, then SCHEDOP_block with interrupts on. With
 * VCPU_SSHOTTMR_future a deadline already past is -ETIME, as in Xen: under QEMU TCG on a
 * loaded host the vCPU may stall for milliseconds between reading the clock and the
 * hypercall, so the deadline is 20 ms away, and a past one is tried again (a few times).
 */
static void singleshot_block(void)
{
	const u64 delay = 20 * NS_PER_MS;
	unsigned int n = ticks(), tries = 0;
	u64 start, back;
	struct vcpu_set_singleshot_timer t = { .flags = VCPU_SSHOTTMR_future };
	int rc;

	do {
		start = pvclock_ns();
		t.timeout_abs_ns = start + delay;
		rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
		if (rc == -ETIME)
			printf("guest: singleshot: deadline past when set (-ETIME): again\n");
	} while (rc == -ETIME && ++tries < 3);
	EXPECT(rc, 0);
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
	back = pvclock_ns();
	printf("guest: SCHEDOP_block returned after %llu us\n",
	       (back - start) / NS_PER_US);
	CHECK(back - start >= delay, "SCHEDOP_block returned after %llu us, before the timer",
	      (back - start) / NS_PER_US);
	CHECK(spin_until(ticks() != n, LATE_NS), "no upcall after SCHEDOP_block");
	check_fired("singleshot + SCHEDOP_block", n, start, delay);
}

/* (c) A periodic timer ticks while the vCPU halts, and stops when told. */
static void periodic(void)
{
	struct vcpu_set_periodic_timer p = { .period_ns = PERIOD_NS };
	unsigned int n = ticks(), got;
	u64 start = pvclock_ns(), waited;

	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &p), 0);
	halt_until(false, PERIODIC_WAIT_NS);
	got = ticks() - n;
	waited = pvclock_ns() - start;
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
	printf("guest: periodic %llu us: %u ticks in %llu us of HLT\n",
	       PERIOD_NS / NS_PER_US, got, waited / NS_PER_US);
	CHECK(got >= MIN_TICKS, "periodic: %u ticks in %llu us, want %u or more",
	      got, waited / NS_PER_US, MIN_TICKS);
	CHECK(got <= waited / PERIOD_NS + 1,
	      "periodic: %u ticks in %llu us, too many for a %llu us period",
	      got, waited / NS_PER_US, PERIOD_NS / NS_PER_US);
	check_quiet("after stop_periodic_timer");
}

/* (d) Single-shot timers stopped before their deadlines. */
static void stopped_timers(void)
{
	struct vcpu_set_singleshot_timer t = {
		.timeout_abs_ns = pvclock_ns() + 3 * NS_PER_MS,
	};

	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t), 0);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
	check_quiet("after stop_singleshot_timer");

	EXPECT(HYPERVISOR_set_timer_op(pvclock_ns() + 3 * NS_PER_MS), 0);
	EXPECT(HYPERVISOR_set_timer_op(0), 0);
	check_quiet("after set_timer_op(0)");
}

/* (e) SCHEDOP_poll on the idle timer port ends at its timeout. */
static void poll_timeout(void)
{
	const u64 delay = 3 * NS_PER_MS;
	evtchn_port_t port = timer_port;
	unsigned int n = ticks();
	u64 start = pvclock_ns(), took;
	struct sched_poll poll = {
		.ports = (uptr)&port, .nr_ports = 1, .timeout = start + delay,
	};

	EXPECT(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0);
	took = pvclock_ns() - start;
	printf("guest: SCHEDOP_poll with a %llu us timeout returned after %llu us\n",
	       delay / NS_PER_US, took / NS_PER_US);
	CHECK(took >= delay, "SCHEDOP_poll returned after %llu us, before its timeout",
	      took / NS_PER_US);
	CHECK(took < LATE_NS, "SCHEDOP_poll returned %llu us late",
	      (took - delay) / NS_PER_US);
	CHECK(ticks() == n, "SCHEDOP_poll: %u timer events", ticks() - n);
}

int guest_main(const char *cmdline)
{
	if (!CHECK(!events_init(), "cannot set up event delivery") ||
	    !CHECK(!evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port),
		   "cannot bind VIRQ_TIMER"))
		return test_result("timers");
	bind_port_handler(timer_port, timer_tick, NULL);
	printf("guest: VIRQ_TIMER on port %u\n", timer_port);
	irq_enable();

	timer_op_from_hlt();
	singleshot_block();
	periodic();
	stopped_timers();
	poll_timeout();

	irq_disable();
	return test_result("timers");
}
