/*
 * events: 2-level event channels end to end, the way Linux uses them. The
 * guest places shared_info, registers upcall vector 0xf3 for vCPU 0 and
 * takes upcalls with interrupts on; the library's handler does Linux's
 * 2-level scan (clear evtchn_upcall_pending, xchg the selector, handle
 * pending & ~mask, clear each pending bit). Checked: an IPI bound to
 * itself arrives once; a masked port only becomes pending until
 * EVTCHNOP_unmask delivers it; VIRQ_TIMER from set_timer_op interrupts the
 * guest while it spins without VM exits; alloc_unbound and status; a
 * loopback interdomain pair; closed ports refuse sends; what a lone domain
 * sees of others (-ESRCH for missing ids, -EINVAL for ports not offered to
 * it; -EPERM needs an unprivileged caller, and test guests boot as dom0);
 * keel's console port cannot be closed or moved; bind_vcpu; Xen's error
 * codes for hostile ports, double binds, bad VIRQs and vCPUs, bad pointers
 * and the FIFO ops while 2-level (tests/guests/fifo uses FIFO); and filling every
 * port (-ENOSPC) before EVTCHNOP_reset frees them all but keel's.
 */
#include "guest.h"
#include <public/event_channel.h>
#include <public/hvm_op.h>
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

/* Fire a set_timer_op deadline while busy: the upcall takes timer @port. */
static void timer_fires(evtchn_port_t port)
{
	unsigned int n = events_upcalls();
	u64 start = pvclock_ns(), now;

	/* Busy, interrupts on, no exits: the timer must still interrupt. */
	EXPECT(HYPERVISOR_set_timer_op(start + TIMER_DELAY_NS), 0);
	spin_until(events_upcalls() != n, TIMER_WAIT_NS);
	now = pvclock_ns();
	CHECK(events_upcalls() != n, "no upcall from a %llu us timer after %llu us",
	      TIMER_DELAY_NS / NS_PER_US, (now - start) / NS_PER_US);
	CHECK(took(port), "handler did not take timer port %u", port);
}

/* VIRQ_TIMER: one binding per vCPU, raised by set_timer_op's deadline. */
static evtchn_port_t timer_virq(void)
{
	struct evtchn_status st;
	evtchn_port_t port = 0, other;

	EXPECT(evtchn_bind_virq(VIRQ_TIMER, 0, &port), 0);
	EXPECT(evtchn_status(port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER,
	      "timer port %u: status %u virq %u", port, st.status, st.u.virq);
	EXPECT(evtchn_bind_virq(VIRQ_TIMER, 0, &other), -EEXIST);
	EXPECT(evtchn_send(port), -EINVAL);	/* only keel raises VIRQs */
	timer_fires(port);

	EXPECT(evtchn_bind_virq(9999, 0, &other), -EINVAL);
	EXPECT(evtchn_bind_virq(NR_VIRQS, 0, &other), -EINVAL);
	/* VIRQ_DOM_EXC is global: vCPU 0 only. */
	EXPECT(evtchn_bind_virq(VIRQ_DOM_EXC, 1, &other), -EINVAL);
	EXPECT(evtchn_bind_virq(VIRQ_DEBUG, 1, &other), -ENOENT);
	EXPECT(evtchn_bind_virq(VIRQ_DEBUG, 0xffffffff, &other), -ENOENT);
	return port;
}

/*
 * alloc_unbound, a loopback interdomain pair, and closing one end.
 * Returns our domain id, the remote of a port offered to DOMID_SELF.
 */
static domid_t unbound_and_loopback(void)
{
	struct evtchn_status st;
	unsigned int n = events_upcalls();
	evtchn_port_t port = 0, local = 0;
	domid_t self;

	EXPECT(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &port), 0);
	EXPECT(evtchn_status(port, &st), 0);
	self = st.u.unbound.dom;
	CHECK(st.status == EVTCHNSTAT_unbound && self < DOMID_FIRST_RESERVED,
	      "unbound port %u: status %u dom %#x", port, st.status, self);
	EXPECT(evtchn_send(port), 0);		/* nobody listens: dropped */
	CHECK(!evtchn_is_pending(port), "unbound port pending");

	EXPECT(evtchn_bind_interdomain(DOMID_SELF, port, &local), 0);
	CHECK(wait_upcall(n), "no upcall for the new interdomain port");
	CHECK(took(local), "new interdomain port %u not raised", local);
	EXPECT(evtchn_status(port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_interdomain &&
	      st.u.interdomain.dom == self && st.u.interdomain.port == local,
	      "port %u: status %u peer d%u port %u", port, st.status,
	      st.u.interdomain.dom, st.u.interdomain.port);
	n = events_upcalls();
	EXPECT(evtchn_send(port), 0);
	CHECK(wait_upcall(n) && took(local), "send on %u did not reach %u",
	      port, local);
	EXPECT(evtchn_close(local), 0);
	EXPECT(evtchn_status(port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == self,
	      "peer of a closed port: status %u dom %u", st.status,
	      st.u.unbound.dom);

	/* By our own id, as DOMID_SELF; the survivor binds again. */
	EXPECT(evtchn_bind_interdomain(self, port, &local), 0);
	CHECK(wait_upcall(n) && took(local), "rebound port %u not raised",
	      local);
	EXPECT(evtchn_close(port), 0);
	EXPECT(evtchn_status(local, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == self,
	      "peer of a closed port: status %u", st.status);
	EXPECT(evtchn_close(local), 0);
	return self;
}

/*
 * What a lone domain sees of others: -ESRCH for ids nobody has (on either
 * side), -EINVAL for ports not waiting for it.
 */
static void missing_domains(domid_t self)
{
	static const domid_t missing[] = {
		7, DOMID_FIRST_RESERVED - 1, DOMID_XEN, 0x7ff4 /* INVALID */
	};
	struct evtchn_status st;
	evtchn_port_t port = 0, other;

	EXPECT(evtchn_alloc_unbound(self, self, &port), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(missing); i++) {
		domid_t id = missing[i];

		EXPECT(evtchn_alloc_unbound(DOMID_SELF, id, &other), -ESRCH);
		EXPECT(evtchn_alloc_unbound(id, DOMID_SELF, &other), -ESRCH);
		EXPECT(evtchn_alloc_unbound(id, self, &other), -ESRCH);
		EXPECT(evtchn_bind_interdomain(id, port, &other), -ESRCH);
		EXPECT(evtchn_status_of(id, port, &st), -ESRCH);
		EXPECT(evtchn_reset(id), -ESRCH);
	}
	EXPECT(evtchn_status_of(self, port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == self,
	      "port %u by our id: status %u dom %u", port, st.status,
	      st.u.unbound.dom);

	/* Ports that are not unbound: reserved, beyond the limit, closed. */
	EXPECT(evtchn_bind_interdomain(self, 0, &other), -EINVAL);
	EXPECT(evtchn_bind_interdomain(self, 4096, &other), -EINVAL);
	EXPECT(evtchn_bind_interdomain(self, 0xffffffff, &other), -EINVAL);
	EXPECT(evtchn_close(port), 0);
	EXPECT(evtchn_bind_interdomain(DOMID_SELF, port, &other), -EINVAL);
}

/* Keel's console port: a channel to DOMID_XEN the guest cannot close or move. */
static evtchn_port_t console_port(void)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF,
				   .index = HVM_PARAM_CONSOLE_EVTCHN };
	struct evtchn_status st;
	evtchn_port_t port, other;

	EXPECT(HYPERVISOR_hvm_op(HVMOP_get_param, &p), 0);
	port = p.value;
	EXPECT(evtchn_status(port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == DOMID_XEN,
	      "console port %u: status %u dom %#x", port, st.status,
	      st.u.unbound.dom);
	EXPECT(evtchn_close(port), -EINVAL);
	EXPECT(evtchn_bind_vcpu(port, 0), -EINVAL);
	EXPECT(evtchn_bind_interdomain(DOMID_SELF, port, &other), -EINVAL);
	return port;
}

/* bind_vcpu: unbound, interdomain and global VIRQ ports move; Xen's errors. */
static void bind_vcpu_ports(evtchn_port_t ipi, evtchn_port_t timer)
{
	evtchn_port_t port = 0, exc = 0;

	EXPECT(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &port), 0);
	EXPECT(evtchn_bind_vcpu(port, 0), 0);
	EXPECT(evtchn_bind_vcpu(port, 1), -ENOENT);	/* one vCPU */
	EXPECT(evtchn_bind_vcpu(port, 0xffffffff), -ENOENT);
	EXPECT(evtchn_bind_virq(VIRQ_DOM_EXC, 0, &exc), 0);
	EXPECT(evtchn_bind_vcpu(exc, 0), 0);
	EXPECT(evtchn_bind_vcpu(timer, 0), -EINVAL);	/* per-vCPU VIRQ */
	EXPECT(evtchn_bind_vcpu(ipi, 0), -EINVAL);	/* IPIs stay */
	EXPECT(evtchn_bind_vcpu(0, 0), -EINVAL);
	EXPECT(evtchn_bind_vcpu(4096, 0), -EINVAL);
	EXPECT(evtchn_close(port), 0);
	EXPECT(evtchn_bind_vcpu(port, 0), -EINVAL);	/* closed */
	EXPECT(evtchn_close(exc), 0);
}

static void closing_and_hostile(evtchn_port_t ipi)
{
	static const evtchn_port_t bad[] = { 0, 4096, 0x80000000, 0xffffffff };
	struct evtchn_status st;
	struct evtchn_send s;
	evtchn_port_t other;

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
		EVTCHNOP_reset,
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		CHECK(evtchn_op(cmds[i], BAD_PTR) == -EFAULT,
		      "op %d with a bad pointer: not -EFAULT", cmds[i]);

	/* FIFO's ops without FIFO (Xen's answers); bind_pirq and unknown ops. */
	struct evtchn_expand_array e = { .array_gfn = 0 };
	struct evtchn_set_priority sp = { .port = ipi, .priority = 0 };
	EXPECT(evtchn_op(EVTCHNOP_expand_array, &e), -EOPNOTSUPP);
	EXPECT(evtchn_op(EVTCHNOP_set_priority, &sp), -ENOSYS);	/* closed */
	sp.port = 0xffffffff;
	EXPECT(evtchn_op(EVTCHNOP_set_priority, &sp), -EINVAL);
	s.port = 0;
	EXPECT(evtchn_op(EVTCHNOP_bind_pirq, &s), -ENOSYS);
	EXPECT(evtchn_op(99, &s), -ENOSYS);
}

/*
 * Fill every free port (-ENOSPC), then EVTCHNOP_reset closes them and all
 * else but keel's console port; a timer bound afresh still fires.
 */
static void exhaustion_and_reset(evtchn_port_t console, evtchn_port_t timer)
{
	evtchn_port_t port = 0, first = 0, last = 0;
	struct evtchn_status st;
	unsigned int n = 0;
	long rc;

	while (n < EVTCHN_2L_NR_CHANNELS &&
	       !(rc = evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &port))) {
		first = n++ ? first : port;
		last = port;
	}
	EXPECT(rc, -ENOSPC);
	printf("guest: %u more ports until -ENOSPC (%u..%u)\n", n, first, last);
	CHECK(n > 0 && n < EVTCHN_2L_NR_CHANNELS, "%u ports allocated", n);
	EXPECT(evtchn_bind_ipi(0, &port), -ENOSPC);
	EXPECT(evtchn_bind_virq(VIRQ_DOM_EXC, 0, &port), -ENOSPC);

	EXPECT(evtchn_reset(DOMID_SELF), 0);
	EXPECT(evtchn_status(first, &st), 0);
	CHECK(st.status == EVTCHNSTAT_closed, "port %u after reset: status %u",
	      first, st.status);
	EXPECT(evtchn_status(last, &st), 0);
	CHECK(st.status == EVTCHNSTAT_closed, "port %u after reset: status %u",
	      last, st.status);
	EXPECT(evtchn_status(timer, &st), 0);
	CHECK(st.status == EVTCHNSTAT_closed, "timer port %u after reset: %u",
	      timer, st.status);
	EXPECT(evtchn_status(console, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == DOMID_XEN,
	      "console port %u after reset: status %u", console, st.status);

	EXPECT(evtchn_bind_virq(VIRQ_TIMER, 0, &port), 0);
	CHECK(port != console, "timer bound to the console port %u", port);
	timer_fires(port);
	EXPECT(evtchn_reset(DOMID_SELF), 0);
}

int guest_main(const char *cmdline)
{
	evtchn_port_t ipi, timer, console;
	unsigned int n;
	domid_t self;

	if (!setup())
		return test_result("events");
	ipi = ipi_delivery();
	masked_delivery(ipi);
	timer = timer_virq();
	self = unbound_and_loopback();
	n = events_upcalls();
	missing_domains(self);
	console = console_port();
	bind_vcpu_ports(ipi, timer);
	closing_and_hostile(ipi);
	CHECK(events_upcalls() == n, "%u unexpected upcalls",
	      events_upcalls() - n);
	exhaustion_and_reset(console, timer);
	irq_disable();
	printf("guest: %u upcalls\n", events_upcalls());
	return test_result("events");
}
