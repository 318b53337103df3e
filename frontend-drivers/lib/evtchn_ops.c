/* EVTCHNOP_* wrappers, for the guest's own ports and other domains': fill the op struct, return the hypercall's result. */
#include "events.h"
#include "hypercall.h"

long evtchn_send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

long evtchn_close(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
}

long evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

long evtchn_status_of(domid_t dom, evtchn_port_t port,
		      struct evtchn_status *st)
{
	*st = (struct evtchn_status){ .dom = dom, .port = port };
	return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

long evtchn_status(evtchn_port_t port, struct evtchn_status *st)
{
	return evtchn_status_of(DOMID_SELF, port, st);
}

long evtchn_bind_virq(u32 virq, u32 vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

	if (!rc)
		*port = b.port;
	return rc;
}

long evtchn_bind_ipi(u32 vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);

	if (!rc)
		*port = b.port;
	return rc;
}

long evtchn_alloc_unbound(domid_t dom, domid_t remote_dom,
			  evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = dom,
					  .remote_dom = remote_dom };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

	if (!rc)
		*port = a.port;
	return rc;
}

long evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port,
			     evtchn_port_t *local_port)
{
	struct evtchn_bind_interdomain b = { .remote_dom = remote_dom,
					     .remote_port = remote_port };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);

	if (!rc)
		*local_port = b.local_port;
	return rc;
}

long evtchn_bind_vcpu(evtchn_port_t port, u32 vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &b);
}

long evtchn_reset(domid_t dom)
{
	struct evtchn_reset r = { .dom = dom };

	return HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r);
}
