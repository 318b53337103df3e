/* The PV console frontend, as Linux's hvc_xen drives it: fill out[], bump out_prod, send an event; take from in[]. */
#include "guest.h"
#include "xencons.h"
#include <public/console.h>
#include <public/hvm_op.h>

static volatile struct xencons_interface *ring;
static evtchn_port_t ring_port;

static bool get_param(u32 index, u64 *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

	if (HYPERVISOR_hvm_op(HVMOP_get_param, &p))
		return false;
	*value = p.value;
	return true;
}

bool xencons_init(void)
{
	u64 pfn, port;

	if (!get_param(HVM_PARAM_CONSOLE_PFN, &pfn) ||
	    !get_param(HVM_PARAM_CONSOLE_EVTCHN, &port) || !pfn) {
		printf("guest: no PV console offered\n");
		return false;
	}
	ring = (volatile struct xencons_interface *)(pfn << 12);
	ring_port = port;
	return true;
}

long xencons_write(const char *buf, unsigned long len)
{
	unsigned long done = 0;

	while (done < len) {
		XENCONS_RING_IDX cons = ring->out_cons, prod = ring->out_prod;

		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		while (done < len && prod - cons < XENCONS_OUT_SIZE)
			ring->out[prod++ % XENCONS_OUT_SIZE] = buf[done++];
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		ring->out_prod = prod;
		evtchn_send(ring_port);
		if (done < len)
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
	return done;
}

long xencons_read(char *buf, unsigned long len)
{
	XENCONS_RING_IDX cons = ring->in_cons, prod = ring->in_prod;
	unsigned long done = 0;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (done < len && cons != prod)
		buf[done++] = ring->in[cons++ % XENCONS_IN_SIZE];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ring->in_cons = cons;
	return done;
}

evtchn_port_t xencons_port(void)
{
	return ring_port;
}
