/* Event channels: port allocation, the per-port state machine and the event_channel_op hypercall. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/hypercall.h>
#include <keel/page_alloc.h>
#include <keel/string.h>
#include <keel/vcpu.h>

/*
 * No locks: keel runs every vCPU and timer on one CPU, so an operation
 * is never interleaved with another. Only the guest-visible bits need
 * atomic updates (evtchn_2l.c).
 */

BUILD_BUG_ON(sizeof(struct evtchn_domain) > PAGE_SIZE);
BUILD_BUG_ON(DOMAIN_MAX_VCPUS > 256);	/* struct evtchn.notify_vcpu */

static unsigned int ports_order(unsigned int max_ports)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < max_ports * sizeof(struct evtchn))
		order++;
	return order;
}

int evtchn_domain_init(struct domain *d, unsigned int max_ports)
{
	struct evtchn_domain *ed;

	if (!max_ports || max_ports > EVTCHN_MAX_PORTS)
		return -EINVAL;
	ed = alloc_page();
	if (!ed)
		return -ENOMEM;
	ed->max_ports = max_ports;
	ed->order = ports_order(max_ports);
	ed->ports = alloc_pages(ed->order);	/* zeroed: all ECS_FREE */
	if (!ed->ports) {
		free_page(ed);
		return -ENOMEM;
	}
	ed->ports[0].state = ECS_RESERVED;
	d->evtchn = ed;
	return 0;
}

bool evtchn_port_is_valid(struct domain *d, evtchn_port_t port)
{
	return d->evtchn && port < d->evtchn->max_ports;
}

static struct evtchn *port_evtchn(struct domain *d, evtchn_port_t port)
{
	return evtchn_port_is_valid(d, port) ? &d->evtchn->ports[port] : NULL;
}

static struct vcpu *domain_vcpu(struct domain *d, u32 id)
{
	return id < d->nr_vcpus ? d->vcpus[id] : NULL;
}

/*
 * The domain a guest names by @id. Only itself for now; interdomain
 * channels look other domains up here (and check privilege for @dom).
 */
static struct domain *domain_by_id(struct domain *self, domid_t id)
{
	return id == DOMID_SELF || id == self->id ? self : NULL;
}

/* The lowest free port, or -ENOSPC. */
static int get_free_port(struct domain *d)
{
	for (unsigned int port = 1; port < d->evtchn->max_ports; port++)
		if (d->evtchn->ports[port].state == ECS_FREE)
			return port;
	return -ENOSPC;
}

/* Claim free @port for @state, delivering to @vcpu. */
static struct evtchn *bind_port(struct domain *d, int port,
				enum evtchn_state state, u32 vcpu)
{
	struct evtchn *chn = &d->evtchn->ports[port];

	chn->state = state;
	chn->notify_vcpu = vcpu;
	return chn;
}

static void set_pending(struct domain *d, evtchn_port_t port)
{
	struct vcpu *v = domain_vcpu(d, d->evtchn->ports[port].notify_vcpu);

	if (!v || !evtchn_2l_set_pending(v, port))
		return;
	/* Newly pending, masked or not: SCHEDOP_poll returns. */
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_poll_wake(d->vcpus[i]);
}

int evtchn_alloc_xen_port(struct domain *d,
			  void (*notify)(struct domain *d, evtchn_port_t port))
{
	int port = get_free_port(d);

	if (port < 0)
		return port;
	bind_port(d, port, ECS_XEN, 0)->xen_notify = notify;
	return port;
}

void evtchn_notify_guest(struct domain *d, evtchn_port_t port)
{
	if (evtchn_port_is_valid(d, port) &&
	    d->evtchn->ports[port].state != ECS_FREE)
		set_pending(d, port);
}

static bool virq_is_global(u32 virq)
{
	return virq != VIRQ_TIMER && virq != VIRQ_DEBUG &&
	       virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

static evtchn_port_t *virq_slot(struct domain *d, u32 virq, u32 vcpu)
{
	return &d->evtchn->virq_to_port[virq_is_global(virq) ? 0 : vcpu][virq];
}

int evtchn_alloc_unbound_port(struct domain *d, domid_t remote)
{
	int port = get_free_port(d);

	if (port >= 0)
		bind_port(d, port, ECS_UNBOUND, 0)->remote_domid = remote;
	return port;
}

static long alloc_unbound(struct domain *d, struct evtchn_alloc_unbound *op)
{
	int port;

	/*
	 * Xen accepts any remote_dom here; keel has no interdomain channels
	 * yet, so only the domain itself may bind.
	 */
	if (domain_by_id(d, op->dom) != d ||
	    domain_by_id(d, op->remote_dom) != d)
		return -ESRCH;
	port = evtchn_alloc_unbound_port(d, d->id);
	if (port < 0)
		return port;
	op->port = port;
	return 0;
}

/* Only loopback (the remote is the domain itself) until interdomain lands. */
static long bind_interdomain(struct domain *d,
			     struct evtchn_bind_interdomain *op)
{
	struct domain *rd = domain_by_id(d, op->remote_dom);
	struct evtchn *lchn, *rchn;
	int lport;

	if (!rd)
		return -ESRCH;
	lport = get_free_port(d);
	if (lport < 0)
		return lport;
	rchn = port_evtchn(rd, op->remote_port);
	if (!rchn || rchn->state != ECS_UNBOUND || rchn->remote_domid != d->id)
		return -EINVAL;
	lchn = bind_port(d, lport, ECS_INTERDOMAIN, 0);
	lchn->remote_dom = rd;
	lchn->remote_port = op->remote_port;
	rchn->state = ECS_INTERDOMAIN;
	rchn->remote_dom = d;
	rchn->remote_port = lport;
	/* As Xen: sends to the unbound port were dropped; raise this side. */
	set_pending(d, lport);
	op->local_port = lport;
	return 0;
}

static long bind_virq(struct domain *d, struct evtchn_bind_virq *op)
{
	evtchn_port_t *slot;
	struct evtchn *chn;
	int port;

	if (op->virq >= NR_VIRQS || (virq_is_global(op->virq) && op->vcpu))
		return -EINVAL;
	if (!domain_vcpu(d, op->vcpu))
		return -ENOENT;
	slot = virq_slot(d, op->virq, op->vcpu);
	if (*slot)
		return -EEXIST;
	port = get_free_port(d);
	if (port < 0)
		return port;
	chn = bind_port(d, port, ECS_VIRQ, op->vcpu);
	chn->virq = op->virq;
	*slot = port;
	op->port = port;
	return 0;
}

static long bind_ipi(struct domain *d, struct evtchn_bind_ipi *op)
{
	int port;

	if (!domain_vcpu(d, op->vcpu))
		return -ENOENT;
	port = get_free_port(d);
	if (port < 0)
		return port;
	bind_port(d, port, ECS_IPI, op->vcpu);
	op->port = port;
	return 0;
}

static long evtchn_close(struct domain *d, evtchn_port_t port)
{
	struct evtchn *chn = port_evtchn(d, port);

	if (!chn)
		return -EINVAL;
	switch (chn->state) {
	case ECS_UNBOUND:
	case ECS_IPI:
	case ECS_XEN:
		break;
	case ECS_VIRQ:
		*virq_slot(d, chn->virq, chn->notify_vcpu) = 0;
		break;
	case ECS_INTERDOMAIN: {
		/* The peer's port goes back to waiting for us. */
		struct evtchn *rchn =
			&chn->remote_dom->evtchn->ports[chn->remote_port];

		rchn->state = ECS_UNBOUND;
		rchn->remote_domid = d->id;
		rchn->remote_dom = NULL;
		break;
	}
	default:		/* free, reserved */
		return -EINVAL;
	}
	/* A stale pending bit would fire on the port's next binding. */
	evtchn_2l_clear_pending(d, port);
	memset(chn, 0, sizeof(*chn));	/* ECS_FREE, vCPU 0 */
	return 0;
}

int evtchn_send(struct domain *d, evtchn_port_t port)
{
	struct evtchn *chn = port_evtchn(d, port);

	if (!chn)
		return -EINVAL;
	switch (chn->state) {
	case ECS_INTERDOMAIN:
		set_pending(chn->remote_dom, chn->remote_port);
		return 0;
	case ECS_IPI:
		set_pending(d, port);
		return 0;
	case ECS_XEN:
		chn->xen_notify(d, port);
		return 0;
	case ECS_UNBOUND:
		return 0;	/* nobody listens yet: dropped, as in Xen */
	default:	/* free, reserved, VIRQ (only keel raises VIRQs) */
		return -EINVAL;
	}
}

static long evtchn_status(struct domain *d, struct evtchn_status *op)
{
	struct domain *sd = domain_by_id(d, op->dom);
	struct evtchn *chn;

	if (!sd)
		return -ESRCH;
	chn = port_evtchn(sd, op->port);
	if (!chn)
		return -EINVAL;
	switch (chn->state) {
	case ECS_UNBOUND:
		op->status = EVTCHNSTAT_unbound;
		op->u.unbound.dom = chn->remote_domid;
		break;
	case ECS_INTERDOMAIN:
		op->status = EVTCHNSTAT_interdomain;
		op->u.interdomain.dom = chn->remote_dom->id;
		op->u.interdomain.port = chn->remote_port;
		break;
	case ECS_VIRQ:
		op->status = EVTCHNSTAT_virq;
		op->u.virq = chn->virq;
		break;
	case ECS_IPI:
		op->status = EVTCHNSTAT_ipi;
		break;
	case ECS_XEN:		/* looks like a channel to the hypervisor */
		op->status = EVTCHNSTAT_unbound;
		op->u.unbound.dom = DOMID_XEN;
		break;
	default:		/* free, reserved */
		op->status = EVTCHNSTAT_closed;
		break;
	}
	op->vcpu = chn->notify_vcpu;
	return 0;
}

static long bind_vcpu(struct domain *d, struct evtchn_bind_vcpu *op)
{
	struct evtchn *chn;

	if (!domain_vcpu(d, op->vcpu))
		return -ENOENT;
	chn = port_evtchn(d, op->port);
	if (!chn)
		return -EINVAL;
	switch (chn->state) {
	case ECS_VIRQ:
		if (!virq_is_global(chn->virq))
			return -EINVAL;
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		break;
	default:		/* free, reserved, IPI */
		return -EINVAL;
	}
	chn->notify_vcpu = op->vcpu;
	return 0;
}

static long evtchn_unmask(struct domain *d, evtchn_port_t port)
{
	struct evtchn *chn = port_evtchn(d, port);
	struct vcpu *v;

	if (!chn)
		return -EINVAL;
	v = domain_vcpu(d, chn->notify_vcpu);
	if (v)
		evtchn_2l_unmask(v, port);
	return 0;	/* any state, as in Xen */
}

union evtchn_op {
	struct evtchn_alloc_unbound alloc_unbound;
	struct evtchn_bind_interdomain bind_interdomain;
	struct evtchn_bind_virq bind_virq;
	struct evtchn_bind_ipi bind_ipi;
	struct evtchn_close close;
	struct evtchn_send send;
	struct evtchn_status status;
	struct evtchn_bind_vcpu bind_vcpu;
	struct evtchn_unmask unmask;
};

/* Argument size of each implemented op; 0 for the others. */
static const u8 op_size[] = {
	[EVTCHNOP_bind_interdomain] = sizeof(struct evtchn_bind_interdomain),
	[EVTCHNOP_bind_virq] = sizeof(struct evtchn_bind_virq),
	[EVTCHNOP_close] = sizeof(struct evtchn_close),
	[EVTCHNOP_send] = sizeof(struct evtchn_send),
	[EVTCHNOP_status] = sizeof(struct evtchn_status),
	[EVTCHNOP_alloc_unbound] = sizeof(struct evtchn_alloc_unbound),
	[EVTCHNOP_bind_ipi] = sizeof(struct evtchn_bind_ipi),
	[EVTCHNOP_bind_vcpu] = sizeof(struct evtchn_bind_vcpu),
	[EVTCHNOP_unmask] = sizeof(struct evtchn_unmask),
};
/* The ops whose argument is copied back with their results. */
#define OP_RETURNS_DATA (BIT(EVTCHNOP_bind_interdomain) | \
	BIT(EVTCHNOP_bind_virq) | BIT(EVTCHNOP_status) | \
	BIT(EVTCHNOP_alloc_unbound) | BIT(EVTCHNOP_bind_ipi))

static long evtchn_op(struct domain *d, int cmd, union evtchn_op *op)
{
	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		return bind_interdomain(d, &op->bind_interdomain);
	case EVTCHNOP_bind_virq:
		return bind_virq(d, &op->bind_virq);
	case EVTCHNOP_close:
		return evtchn_close(d, op->close.port);
	case EVTCHNOP_send:
		return evtchn_send(d, op->send.port);
	case EVTCHNOP_status:
		return evtchn_status(d, &op->status);
	case EVTCHNOP_alloc_unbound:
		return alloc_unbound(d, &op->alloc_unbound);
	case EVTCHNOP_bind_ipi:
		return bind_ipi(d, &op->bind_ipi);
	case EVTCHNOP_bind_vcpu:
		return bind_vcpu(d, &op->bind_vcpu);
	case EVTCHNOP_unmask:
		return evtchn_unmask(d, op->unmask.port);
	default:
		return -ENOSYS;
	}
}

/*
 * Not implemented, -ENOSYS: the FIFO ops (Linux then uses 2-level),
 * bind_pirq (keel routes no physical IRQs) and reset.
 */
long do_event_channel_op(struct vcpu *v, int cmd, u64 arg)
{
	union evtchn_op op;
	long rc;

	if (cmd < 0 || (unsigned int)cmd >= ARRAY_SIZE(op_size) ||
	    !op_size[cmd] || !v->domain->evtchn)
		return -ENOSYS;
	if (copy_from_guest(v, &op, arg, op_size[cmd]))
		return -EFAULT;
	rc = evtchn_op(v->domain, cmd, &op);
	/* As Xen: a port stays bound if its number cannot be copied back. */
	if (!rc && (OP_RETURNS_DATA & BIT(cmd)) &&
	    copy_to_guest(v, arg, &op, op_size[cmd]))
		rc = -EFAULT;
	return rc;
}

void send_guest_virq(struct vcpu *v, unsigned int virq)
{
	struct domain *d = v->domain;
	evtchn_port_t port;

	if (virq >= NR_VIRQS || !d->evtchn)
		return;
	port = *virq_slot(d, virq, v->id);
	if (port)
		set_pending(d, port);
}

bool evtchn_is_pending(struct domain *d, evtchn_port_t port)
{
	return evtchn_port_is_valid(d, port) && evtchn_2l_is_pending(d, port);
}

void evtchn_domain_destroy(struct domain *d)
{
	struct evtchn_domain *ed = d->evtchn;

	if (!ed)
		return;
	for (evtchn_port_t port = 1; port < ed->max_ports; port++)
		evtchn_close(d, port);
	free_pages(ed->ports, ed->order);
	free_page(ed);
	d->evtchn = NULL;
}
