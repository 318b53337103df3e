/*
 * The PV console of a domain keel serves itself: the guest's output ring is
 * drained to keel's console as "(dN)" lines whenever the guest notifies, and
 * bytes typed on keel's console are fed into its input ring.
 */
#include <keel/arch.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/evtchn.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <public/console.h>
#include <public/hvm_op.h>

/* Typing is polled: COM1 interrupts would need an IO-APIC driver for one byte. */
#define CONSOLE_POLL_NS MILLISECS(20)

static void console_ring_drain(struct domain *d, evtchn_port_t port)
{
	struct xencons_interface *ring = d->console_ring;
	XENCONS_RING_IDX cons = ring->out_cons, prod;

	prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
	if (prod - cons > XENCONS_OUT_SIZE) {
		pr_warn("d%u: console ring indices %u/%u are corrupt; output dropped\n",
			d->id, cons, prod);
		cons = prod;
	}
	for (; cons != prod; cons++)
		domain_console_putc(d, ring->out[cons % XENCONS_OUT_SIZE]);
	__atomic_store_n(&ring->out_cons, cons, __ATOMIC_RELEASE);
	evtchn_notify_guest(d, port);	/* room in the ring again */
}

/* Bytes typed on keel's console go to the focus domain's input ring. */
static void console_input_poll(void *data)
{
	struct domain *d = data;
	struct xencons_interface *ring = d->console_ring;
	XENCONS_RING_IDX prod = ring->in_prod;
	bool got = false;
	int c;

	while (prod - __atomic_load_n(&ring->in_cons, __ATOMIC_ACQUIRE) <
	       XENCONS_IN_SIZE && (c = arch_console_getc()) >= 0) {
		ring->in[prod++ % XENCONS_IN_SIZE] = c;
		got = true;
	}
	if (got) {
		__atomic_store_n(&ring->in_prod, prod, __ATOMIC_RELEASE);
		evtchn_notify_guest(d, d->console_port);
	}
	timer_set(&d->console_poll, now_ns() + CONSOLE_POLL_NS);
}

int console_ring_init(struct domain *d, bool input)
{
	u64 gpa = PVH_SPECIAL_GPA(PVH_SPECIAL_CONSOLE);
	int port;

	d->console_ring = guest_page(d, gpa);
	if (!d->console_ring)
		return -1;
	port = evtchn_alloc_xen_port(d, console_ring_drain);
	if (port < 0)
		return port;
	d->hvm_params[HVM_PARAM_CONSOLE_PFN] = gpa >> 12;
	d->hvm_params[HVM_PARAM_CONSOLE_EVTCHN] = port;
	d->console_port = port;
	timer_init(&d->console_poll, console_input_poll, d);
	if (input)
		timer_set(&d->console_poll, now_ns() + CONSOLE_POLL_NS);
	return 0;
}
