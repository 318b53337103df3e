/* Event delivery: shared_info placement, the 0xf3 upcall with Linux's 2-level scan, per-port handlers. */
#include <keel/errno.h>
#include <public/hvm_op.h>
#include <public/memory.h>
#include <public/sched.h>
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "traps.h"

struct port_binding {
	evtchn_handler_t fn;
	void *data;
	unsigned int deliveries;
};

static u8 shared_page[4096] __aligned(4096);
static volatile struct shared_info *const si = (void *)shared_page;

static volatile unsigned int upcalls;
static struct port_binding ports[EVTCHN_2L_NR_CHANNELS];

static void deliver(evtchn_port_t port)
{
	struct port_binding *b = &ports[port];

	__atomic_fetch_and(&si->evtchn_pending[port / 64], ~BIT(port % 64),
			   __ATOMIC_SEQ_CST);
	b->deliveries++;
	if (b->fn)
		b->fn(port, b->data);
}

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
			deliver(w * 64 + b);
		}
	}
}

long events_init(void)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
		.idx = 0, .gpfn = (uptr)shared_page >> 12,
	};
	struct xen_hvm_evtchn_upcall_vector u = {
		.vcpu = 0, .vector = EVENTS_UPCALL_VECTOR,
	};
	long rc;

	set_exception_handler(EVENTS_UPCALL_VECTOR, upcall);
	rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x);
	if (rc) {
		printf("guest: cannot place shared_info: %ld\n", rc);
		return rc;
	}
	rc = HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &u);
	if (rc)
		printf("guest: cannot set upcall vector %#x: %ld\n",
		       EVENTS_UPCALL_VECTOR, rc);
	return rc;
}

volatile struct shared_info *events_shared_info(void)
{
	return si;
}

int bind_port_handler(evtchn_port_t port, evtchn_handler_t fn, void *data)
{
	if (port >= EVTCHN_2L_NR_CHANNELS)
		return -EINVAL;
	ports[port].fn = fn;
	ports[port].data = data;
	return 0;
}

unsigned int events_upcalls(void)
{
	return upcalls;
}

unsigned int port_deliveries(evtchn_port_t port)
{
	if (port >= EVTCHN_2L_NR_CHANNELS)
		return 0;
	return *(volatile unsigned int *)&ports[port].deliveries;
}

static bool port_bit(volatile const u64 *words, evtchn_port_t port)
{
	return port < EVTCHN_2L_NR_CHANNELS && (words[port / 64] & BIT(port % 64));
}

bool evtchn_is_pending(evtchn_port_t port)
{
	return port_bit(si->evtchn_pending, port);
}

bool evtchn_is_masked(evtchn_port_t port)
{
	return port_bit(si->evtchn_mask, port);
}

void evtchn_set_mask(evtchn_port_t port, bool masked)
{
	volatile u64 *word = &si->evtchn_mask[port / 64];

	if (port >= EVTCHN_2L_NR_CHANNELS)
		return;
	if (masked)
		__atomic_fetch_or(word, BIT(port % 64), __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(word, ~BIT(port % 64), __ATOMIC_SEQ_CST);
}

void evtchn_clear_pending(evtchn_port_t port)
{
	if (port < EVTCHN_2L_NR_CHANNELS)
		__atomic_fetch_and(&si->evtchn_pending[port / 64],
				   ~BIT(port % 64), __ATOMIC_SEQ_CST);
}

bool evtchn_poll(evtchn_port_t port, u64 timeout_ns)
{
	u64 end = pvclock_ns() + timeout_ns;
	struct sched_poll p = { .ports = (uptr)&port, .nr_ports = 1,
				.timeout = end };

	while (!evtchn_is_pending(port) && pvclock_ns() < end)
		if (HYPERVISOR_sched_op(SCHEDOP_poll, &p))
			break;
	return evtchn_is_pending(port);
}
