/*
 * events: 2-level event channels end to end, the way Linux uses them. The
 * guest places shared_info, registers upcall vector 0xf3 for vCPU 0 and
 * takes upcalls with interrupts on; the library's handler does Linux's
 * 2-level scan (clear evtchn_upcall_pending, xchg the selector, handle
 * pending & ~mask, clear each pending bit). Checked: an IPI bound to
 * itself arrives once; a masked port only becomes pending until
 * EVTCHNOP_unmask delivers it; VIRQ_TIMER from set_timer_op interrupts the
 * guest while it spins without VM exits; alloc_unbound and status; a
 * loopback interdomain pair; closed ports refuse sends; and Xen's error
 * codes for hostile ports, double binds, bad VIRQs and vCPUs, bad pointers
 * and the FIFO ops (-ENOSYS, so Linux picks 2-level).
 */
#include "guest.h"
#include <public/event_channel.h>
#include <public/sched.h>

/*
 * An upcall is injected on the VM entry that ends the hypercall; a timer
 * may take a little longer. Waits that expect none are short.
 */
#define UPCALL_WAIT_NS (100 * NS_PER_MS)
#define NO_UPCALL_WAIT_NS (2 * NS_PER_MS)
#define TIMER_DELAY_NS NS_PER_MS
#define TIMER_WAIT_NS (200 * NS_PER_MS)

/* Deliveries per port as last seen by took(). */
static unsigned int seen[EVTCHN_2L_NR_CHANNELS];

static volatile struct vcpu_info *vcpu0(void)
{
	return &events_shared_info()->vcpu_info[0];
}

static bool wait_upcall(unsigned int before)
{
	return spin_until(events_upcalls() != before, UPCALL_WAIT_NS);
}

static bool no_upcall(unsigned int before)
{
	return !spin_until(events_upcalls() != before, NO_UPCALL_WAIT_NS);
}

/* Did the handler take @port (and clear its pending bit) since the last look? */
static bool took(evtchn_port_t port)
{
	unsigned int n = port_deliveries(port);
	bool taken = n != seen[port];

	seen[port] = n;
	return taken && !evtchn_is_pending(port);
}

static long evtchn_op(int cmd, void *arg)
{
	return HYPERVISOR_event_channel_op(cmd, arg);
}

static bool setup(void)
{
	if (!CHECK(!events_init(), "cannot set up event delivery"))
		return false;
	irq_enable();
	return true;
}

/* An IPI to ourselves: pending, selector, upcall, and the handler clears it. */
static evtchn_port_t ipi_delivery(void)
{
	struct evtchn_status st;
	unsigned int n = events_upcalls();
	evtchn_port_t port = 0;

	EXPECT(evtchn_bind_ipi(0, &port), 0);
	printf("guest: IPI on port %u\n", port);
	EXPECT(evtchn_status(port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_ipi && st.vcpu == 0,
	      "port %u: status %u vcpu %u", port, st.status, st.vcpu);
	evtchn_set_mask(port, false);
	EXPECT(evtchn_send(port), 0);
	CHECK(wait_upcall(n), "no upcall for IPI port %u", port);
	CHECK(events_upcalls() == n + 1, "%u upcalls for one send",
	      events_upcalls() - n);
	CHECK(took(port), "handler did not take port %u", port);
	CHECK(!vcpu0()->evtchn_upcall_pending && !vcpu0()->evtchn_pending_sel,
	      "upcall flag or selector still set");
	return port;
}

/* Masked: pending only, no upcall; EVTCHNOP_unmask delivers it. */
static void masked_delivery(evtchn_port_t port)
{
	unsigned int n = events_upcalls();
	struct sched_poll poll = { .ports = (u64)&port, .nr_ports = 1 };

	evtchn_set_mask(port, true);
	EXPECT(evtchn_send(port), 0);
	CHECK(no_upcall(n), "upcall for masked port %u", port);
	CHECK(evtchn_is_pending(port), "masked port %u not pending", port);
	CHECK(!vcpu0()->evtchn_pending_sel && !vcpu0()->evtchn_upcall_pending,
	      "masked port %u signalled: selector %#lx", port,
	      vcpu0()->evtchn_pending_sel);
	/* SCHEDOP_poll sees a masked pending port and returns at once. */
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0);

	EXPECT(evtchn_unmask(port), 0);
	CHECK(wait_upcall(n), "no upcall after unmasking port %u", port);
	CHECK(!evtchn_is_masked(port), "port %u still masked", port);
	CHECK(took(port), "handler did not take port %u after unmask", port);

	/* Unmasking an unmasked port signals nothing. */
	n = events_upcalls();
	EXPECT(evtchn_unmask(port), 0);
	CHECK(no_upcall(n), "upcall from a second unmask");
}

/* VIRQ_TIMER: one binding per vCPU, raised by set_timer_op's deadline. */
static void timer_virq(void)
{
	struct evtchn_status st;
	evtchn_port_t port = 0, other;
	unsigned int n;
	u64 start, now;

	EXPECT(evtchn_bind_virq(VIRQ_TIMER, 0, &port), 0);
	EXPECT(evtchn_status(port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER,
	      "timer port %u: status %u virq %u", port, st.status, st.u.virq);
	EXPECT(evtchn_bind_virq(VIRQ_TIMER, 0, &other), -EEXIST);
	EXPECT(evtchn_send(port), -EINVAL);	/* only keel raises VIRQs */

	/* Busy, interrupts on, no exits: the timer must still interrupt. */
	n = events_upcalls();
	start = pvclock_ns();
	EXPECT(HYPERVISOR_set_timer_op(start + TIMER_DELAY_NS), 0);
	spin_until(events_upcalls() != n, TIMER_WAIT_NS);
	now = pvclock_ns();
	CHECK(events_upcalls() != n, "no upcall from a %llu us timer after %llu us",
	      TIMER_DELAY_NS / NS_PER_US, (now - start) / NS_PER_US);
	CHECK(took(port), "handler did not take timer port %u", port);

	EXPECT(evtchn_bind_virq(9999, 0, &other), -EINVAL);
	EXPECT(evtchn_bind_virq(NR_VIRQS, 0, &other), -EINVAL);
	/* VIRQ_DOM_EXC is global: vCPU 0 only. */
	EXPECT(evtchn_bind_virq(VIRQ_DOM_EXC, 1, &other), -EINVAL);
	EXPECT(evtchn_bind_virq(VIRQ_DEBUG, 1, &other), -ENOENT);
	EXPECT(evtchn_bind_virq(VIRQ_DEBUG, 0xffffffff, &other), -ENOENT);
}

/* alloc_unbound, a loopback interdomain pair, and closing one end. */
static void unbound_and_loopback(void)
{
	struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF };
	struct evtchn_status st;
	unsigned int n = events_upcalls();
	evtchn_port_t port = 0, other;

	EXPECT(evtchn_alloc_unbound(DOMID_SELF, &port), 0);
	EXPECT(evtchn_status(port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound &&
	      st.u.unbound.dom < DOMID_FIRST_RESERVED,
	      "unbound port %u: status %u dom %#x", port, st.status,
	      st.u.unbound.dom);
	EXPECT(evtchn_send(port), 0);		/* nobody listens: dropped */
	CHECK(!evtchn_is_pending(port), "unbound port pending");

	b.remote_port = port;
	EXPECT(evtchn_op(EVTCHNOP_bind_interdomain, &b), 0);
	CHECK(wait_upcall(n), "no upcall for the new interdomain port");
	CHECK(took(b.local_port), "new interdomain port %u not raised",
	      b.local_port);
	EXPECT(evtchn_status(port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_interdomain &&
	      st.u.interdomain.port == b.local_port,
	      "port %u: status %u peer %u", port, st.status,
	      st.u.interdomain.port);
	n = events_upcalls();
	EXPECT(evtchn_send(port), 0);
	CHECK(wait_upcall(n) && took(b.local_port),
	      "send on %u did not reach %u", port, b.local_port);
	EXPECT(evtchn_close(b.local_port), 0);
	EXPECT(evtchn_status(port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound, "peer of a closed port: status %u",
	      st.status);
	EXPECT(evtchn_close(port), 0);

	EXPECT(evtchn_alloc_unbound(7, &other), -ESRCH);
	b.remote_dom = 7;
	EXPECT(evtchn_op(EVTCHNOP_bind_interdomain, &b), -ESRCH);
}

static void closing_and_hostile(evtchn_port_t ipi)
{
	static const evtchn_port_t bad[] = { 0, 4096, 0x80000000, 0xffffffff };
	struct evtchn_bind_vcpu bv = { .port = ipi, .vcpu = 0 };
	struct evtchn_status st;
	struct evtchn_send s;
	evtchn_port_t other;

	EXPECT(evtchn_op(EVTCHNOP_bind_vcpu, &bv), -EINVAL);	/* IPIs stay */
	bv.vcpu = 1;
	EXPECT(evtchn_op(EVTCHNOP_bind_vcpu, &bv), -ENOENT);
	EXPECT(evtchn_bind_ipi(1, &other), -ENOENT);

	EXPECT(evtchn_close(ipi), 0);
	EXPECT(evtchn_send(ipi), -EINVAL);
	EXPECT(evtchn_close(ipi), -EINVAL);
	EXPECT(evtchn_status(ipi, &st), 0);
	CHECK(st.status == EVTCHNSTAT_closed, "closed port: status %u",
	      st.status);

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT(evtchn_send(bad[i]), -EINVAL);
		EXPECT(evtchn_close(bad[i]), -EINVAL);
		if (bad[i])
			EXPECT(evtchn_unmask(bad[i]), -EINVAL);
	}
	EXPECT(evtchn_status(4096, &st), -EINVAL);

	static const int cmds[] = {
		EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq, EVTCHNOP_close,
		EVTCHNOP_send, EVTCHNOP_status, EVTCHNOP_alloc_unbound,
		EVTCHNOP_bind_ipi, EVTCHNOP_bind_vcpu, EVTCHNOP_unmask,
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		CHECK(evtchn_op(cmds[i], BAD_PTR) == -EFAULT,
		      "op %d with a bad pointer: not -EFAULT", cmds[i]);

	s.port = 0;
	EXPECT(evtchn_op(EVTCHNOP_init_control, &s), -ENOSYS);
	EXPECT(evtchn_op(EVTCHNOP_expand_array, &s), -ENOSYS);
	EXPECT(evtchn_op(EVTCHNOP_set_priority, &s), -ENOSYS);
	EXPECT(evtchn_op(99, &s), -ENOSYS);
}

int guest_main(const char *cmdline)
{
	unsigned int n;
	evtchn_port_t ipi;

	if (!setup())
		return test_result("events");
	ipi = ipi_delivery();
	masked_delivery(ipi);
	timer_virq();
	unbound_and_loopback();
	n = events_upcalls();
	closing_and_hostile(ipi);
	CHECK(events_upcalls() == n, "%u unexpected upcalls",
	      events_upcalls() - n);
	irq_disable();
	printf("guest: %u upcalls\n", events_upcalls());
	return test_result("events");
}
