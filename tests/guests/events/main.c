/*
 * events: 2-level event channels end to end, the way Linux uses them. The
 * guest places shared_info, registers upcall vector 0xf3 for vCPU 0 and
 * takes upcalls with interrupts on; its handler does Linux's 2-level scan
 * (clear evtchn_upcall_pending, xchg the selector, handle pending & ~mask,
 * clear each pending bit). Checked: an IPI bound to itself arrives once; a
 * masked port only becomes pending until EVTCHNOP_unmask delivers it;
 * VIRQ_TIMER from set_timer_op interrupts the guest while it spins
 * without VM exits; alloc_unbound and status; a loopback interdomain
 * pair; closed ports refuse sends; and Xen's error codes for hostile ports, double binds, bad VIRQs and vCPUs,
 * bad pointers and the FIFO ops (-ENOSYS, so Linux picks 2-level).
 */
#include "guest.h"
#include <public/event_channel.h>
#include <public/hvm_op.h>
#include <public/memory.h>
#include <public/sched.h>

#define UPCALL_VECTOR 0xf3
#define BAD_PTR ((void *)0xdead0000000ULL)	/* not mapped by the guest */
/*
 * An upcall is injected on the VM entry that ends the hypercall; a timer
 * may take a little longer. Waits that expect none are short.
 */
#define SPIN_LIMIT 10000000
#define SPIN_NONE 100000
#define TIMER_DELAY_NS 1000000		/* 1 ms */
#define TIMER_WAIT_NS 200000000		/* give up after 200 ms */
#define EXPECT(call, want)						\
	do {								\
		long __r = (call);					\
		CHECK(__r == (want), "%s = %ld, want %ld", #call, __r,	\
		      (long)(want));					\
	} while (0)

static u8 shared_page[4096] __aligned(4096);
static volatile struct shared_info *const si = (void *)shared_page;

/* What the upcall handler saw. */
static volatile unsigned int upcalls;
static volatile u64 handled[EVTCHN_2L_NR_CHANNELS / 64];

/* Linux's 2-level scan (events_2l.c), for vCPU 0. */
static void upcall(struct cpu_regs *regs)
{
	volatile struct vcpu_info *vi = &si->vcpu_info[0];
	u64 sel;

	upcalls++;
	vi->evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned int w = __builtin_ctzll(sel);
		u64 bits = si->evtchn_pending[w] & ~si->evtchn_mask[w];

		sel &= sel - 1;
		while (bits) {
			unsigned int b = __builtin_ctzll(bits);

			bits &= bits - 1;
			__atomic_fetch_and(&si->evtchn_pending[w], ~BIT(b),
					   __ATOMIC_SEQ_CST);
			handled[w] |= BIT(b);
		}
	}
}

static bool test_bit(volatile const u64 *words, evtchn_port_t port)
{
	return words[port / 64] & BIT(port % 64);
}

static void set_mask(evtchn_port_t port, bool masked)
{
	if (masked)
		__atomic_fetch_or(&si->evtchn_mask[port / 64], BIT(port % 64),
				  __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&si->evtchn_mask[port / 64],
				   ~BIT(port % 64), __ATOMIC_SEQ_CST);
}

/* Spin (interrupts on) until the upcall count passes @before; false after @limit rounds. */
static bool spin_for_upcall(unsigned int before, unsigned int limit)
{
	for (unsigned int i = 0; i < limit && upcalls == before; i++)
		asm volatile("pause" ::: "memory");
	return upcalls != before;
}

static bool wait_upcall(unsigned int before)
{
	return spin_for_upcall(before, SPIN_LIMIT);
}

static bool no_upcall(unsigned int before)
{
	return !spin_for_upcall(before, SPIN_NONE);
}

/* System time (ns) from vCPU 0's pvclock, as Linux reads it. */
static u64 pvclock_ns(void)
{
	volatile struct vcpu_time_info *t = &si->vcpu_info[0].time;
	u32 version;
	u64 ns;

	do {
		version = t->version;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		u64 delta = rdtsc() - t->tsc_timestamp;

		if (t->tsc_shift < 0)
			delta >>= -t->tsc_shift;
		else
			delta <<= t->tsc_shift;
		ns = t->system_time +
		     (u64)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} while ((version & 1) || version != t->version);
	return ns;
}

/* Did the handler take @port (and clear its pending bit)? Forgets it. */
static bool took(evtchn_port_t port)
{
	bool seen = test_bit(handled, port);

	handled[port / 64] &= ~BIT(port % 64);
	return seen && !test_bit(si->evtchn_pending, port);
}

static long evtchn_op(int cmd, void *arg)
{
	return HYPERVISOR_event_channel_op(cmd, arg);
}

static long send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return evtchn_op(EVTCHNOP_send, &s);
}

static long close_port(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return evtchn_op(EVTCHNOP_close, &c);
}

static long unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return evtchn_op(EVTCHNOP_unmask, &u);
}

static long status(evtchn_port_t port, struct evtchn_status *st)
{
	*st = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
	return evtchn_op(EVTCHNOP_status, st);
}

static bool setup(void)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
		.idx = 0, .gpfn = (u64)shared_page >> 12,
	};
	struct xen_hvm_evtchn_upcall_vector u = { .vcpu = 0,
						  .vector = UPCALL_VECTOR };

	set_exception_handler(UPCALL_VECTOR, upcall);
	if (!CHECK(!HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x),
		   "cannot place shared_info") ||
	    !CHECK(!HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &u),
		   "cannot set the upcall vector"))
		return false;
	asm volatile("sti" ::: "memory");
	return true;
}

/* An IPI to ourselves: pending, selector, upcall, and the handler clears it. */
static evtchn_port_t ipi_delivery(void)
{
	struct evtchn_bind_ipi b = { .vcpu = 0 };
	struct evtchn_status st;
	unsigned int n = upcalls;

	EXPECT(evtchn_op(EVTCHNOP_bind_ipi, &b), 0);
	printf("guest: IPI on port %u\n", b.port);
	EXPECT(status(b.port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_ipi && st.vcpu == 0,
	      "port %u: status %u vcpu %u", b.port, st.status, st.vcpu);
	set_mask(b.port, false);
	EXPECT(send(b.port), 0);
	CHECK(wait_upcall(n), "no upcall for IPI port %u", b.port);
	CHECK(upcalls == n + 1, "%u upcalls for one send", upcalls - n);
	CHECK(took(b.port), "handler did not take port %u", b.port);
	CHECK(!si->vcpu_info[0].evtchn_upcall_pending &&
	      !si->vcpu_info[0].evtchn_pending_sel,
	      "upcall flag or selector still set");
	return b.port;
}

/* Masked: pending only, no upcall; EVTCHNOP_unmask delivers it. */
static void masked_delivery(evtchn_port_t port)
{
	unsigned int n = upcalls;
	struct sched_poll poll = { .ports = (u64)&port, .nr_ports = 1 };

	set_mask(port, true);
	EXPECT(send(port), 0);
	CHECK(no_upcall(n), "upcall for masked port %u", port);
	CHECK(test_bit(si->evtchn_pending, port), "masked port %u not pending",
	      port);
	CHECK(!si->vcpu_info[0].evtchn_pending_sel &&
	      !si->vcpu_info[0].evtchn_upcall_pending,
	      "masked port %u signalled: selector %#lx", port,
	      si->vcpu_info[0].evtchn_pending_sel);
	/* SCHEDOP_poll sees a masked pending port and returns at once. */
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0);

	EXPECT(unmask(port), 0);
	CHECK(wait_upcall(n), "no upcall after unmasking port %u", port);
	CHECK(!test_bit(si->evtchn_mask, port), "port %u still masked", port);
	CHECK(took(port), "handler did not take port %u after unmask", port);

	/* Unmasking an unmasked port signals nothing. */
	n = upcalls;
	EXPECT(unmask(port), 0);
	CHECK(no_upcall(n), "upcall from a second unmask");
}

/* VIRQ_TIMER: one binding per vCPU, raised by set_timer_op's deadline. */
static void timer_virq(void)
{
	struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
	struct evtchn_status st;
	unsigned int n;
	u64 start, now;

	EXPECT(evtchn_op(EVTCHNOP_bind_virq, &b), 0);
	EXPECT(status(b.port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER,
	      "timer port %u: status %u virq %u", b.port, st.status, st.u.virq);
	EXPECT(evtchn_op(EVTCHNOP_bind_virq, &b), -EEXIST);
	EXPECT(send(b.port), -EINVAL);		/* only keel raises VIRQs */

	/* Busy, interrupts on, no exits: the timer must still interrupt. */
	n = upcalls;
	start = pvclock_ns();
	EXPECT(HYPERVISOR_set_timer_op(start + TIMER_DELAY_NS), 0);
	while (upcalls == n && pvclock_ns() - start < TIMER_WAIT_NS)
		asm volatile("pause" ::: "memory");
	now = pvclock_ns();
	CHECK(upcalls != n, "no upcall from a %u us timer after %llu us",
	      TIMER_DELAY_NS / 1000, (unsigned long long)(now - start) / 1000);
	CHECK(took(b.port), "handler did not take timer port %u", b.port);

	b.virq = 9999;
	EXPECT(evtchn_op(EVTCHNOP_bind_virq, &b), -EINVAL);
	b.virq = NR_VIRQS;
	EXPECT(evtchn_op(EVTCHNOP_bind_virq, &b), -EINVAL);
	b.virq = VIRQ_DOM_EXC;			/* global: vCPU 0 only */
	b.vcpu = 1;
	EXPECT(evtchn_op(EVTCHNOP_bind_virq, &b), -EINVAL);
	b.virq = VIRQ_DEBUG;
	EXPECT(evtchn_op(EVTCHNOP_bind_virq, &b), -ENOENT);
	b.vcpu = 0xffffffff;
	EXPECT(evtchn_op(EVTCHNOP_bind_virq, &b), -ENOENT);
}

/* alloc_unbound, a loopback interdomain pair, and closing one end. */
static void unbound_and_loopback(void)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF,
					  .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF };
	struct evtchn_status st;
	unsigned int n = upcalls;

	EXPECT(evtchn_op(EVTCHNOP_alloc_unbound, &a), 0);
	EXPECT(status(a.port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound &&
	      st.u.unbound.dom < DOMID_FIRST_RESERVED,
	      "unbound port %u: status %u dom %#x", a.port, st.status,
	      st.u.unbound.dom);
	EXPECT(send(a.port), 0);		/* nobody listens: dropped */
	CHECK(!test_bit(si->evtchn_pending, a.port), "unbound port pending");

	b.remote_port = a.port;
	EXPECT(evtchn_op(EVTCHNOP_bind_interdomain, &b), 0);
	CHECK(wait_upcall(n), "no upcall for the new interdomain port");
	CHECK(took(b.local_port), "new interdomain port %u not raised",
	      b.local_port);
	EXPECT(status(a.port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_interdomain &&
	      st.u.interdomain.port == b.local_port,
	      "port %u: status %u peer %u", a.port, st.status,
	      st.u.interdomain.port);
	n = upcalls;
	EXPECT(send(a.port), 0);
	CHECK(wait_upcall(n) && took(b.local_port),
	      "send on %u did not reach %u", a.port, b.local_port);
	EXPECT(close_port(b.local_port), 0);
	EXPECT(status(a.port, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound, "peer of a closed port: status %u",
	      st.status);
	EXPECT(close_port(a.port), 0);

	a.remote_dom = 7;
	EXPECT(evtchn_op(EVTCHNOP_alloc_unbound, &a), -ESRCH);
	b.remote_dom = 7;
	EXPECT(evtchn_op(EVTCHNOP_bind_interdomain, &b), -ESRCH);
}

static void closing_and_hostile(evtchn_port_t ipi)
{
	static const evtchn_port_t bad[] = { 0, 4096, 0x80000000, 0xffffffff };
	struct evtchn_bind_ipi bi = { .vcpu = 1 };
	struct evtchn_bind_vcpu bv = { .port = ipi, .vcpu = 0 };
	struct evtchn_status st;
	struct evtchn_send s;

	EXPECT(evtchn_op(EVTCHNOP_bind_vcpu, &bv), -EINVAL);	/* IPIs stay */
	bv.vcpu = 1;
	EXPECT(evtchn_op(EVTCHNOP_bind_vcpu, &bv), -ENOENT);
	EXPECT(evtchn_op(EVTCHNOP_bind_ipi, &bi), -ENOENT);

	EXPECT(close_port(ipi), 0);
	EXPECT(send(ipi), -EINVAL);
	EXPECT(close_port(ipi), -EINVAL);
	EXPECT(status(ipi, &st), 0);
	CHECK(st.status == EVTCHNSTAT_closed, "closed port: status %u",
	      st.status);

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT(send(bad[i]), -EINVAL);
		EXPECT(close_port(bad[i]), -EINVAL);
		if (bad[i])
			EXPECT(unmask(bad[i]), -EINVAL);
	}
	EXPECT(status(4096, &st), -EINVAL);

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
	n = upcalls;
	closing_and_hostile(ipi);
	CHECK(upcalls == n, "%u unexpected upcalls", upcalls - n);
	asm volatile("cli" ::: "memory");
	printf("guest: %u upcalls\n", upcalls);
	return test_result("events");
}
