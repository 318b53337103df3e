/*
 * The PV console of a domain keel serves itself: the guest's output ring is
 * drained to keel's console as "(dN)" lines whenever the guest notifies.
 */
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/evtchn.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include <public/console.h>
#include <public/hvm_op.h>

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

int console_ring_init(struct domain *d)
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
	return 0;
}
