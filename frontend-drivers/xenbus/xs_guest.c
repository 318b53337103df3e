/* The xenstore client's guest side: the ring and port from HVM params, events by SCHEDOP_poll, pvclock time. */
#include <keel/errno.h>
#include <public/hvm_op.h>
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "xenstore.h"
#include "xs_port.h"

static evtchn_port_t store_port;

static bool get_param(u32 index, u64 *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

	if (HYPERVISOR_hvm_op(HVMOP_get_param, &p))
		return false;
	*value = p.value;
	return true;
}

int xs_init(void)
{
	u64 pfn, port;

	if (!get_param(HVM_PARAM_STORE_PFN, &pfn) ||
	    !get_param(HVM_PARAM_STORE_EVTCHN, &port) || !pfn || !port)
		return -ENODEV;
	store_port = port;
	xs_attach((volatile struct xs_ring_page *)(uptr)(pfn << 12));
	return 0;
}

void xs_port_notify(void)
{
	evtchn_send(store_port);
}

void xs_port_wait(u64 timeout_ns)
{
	evtchn_poll(store_port, timeout_ns);
	evtchn_clear_pending(store_port);
}

u64 xs_now_ns(void)
{
	return pvclock_ns();
}
