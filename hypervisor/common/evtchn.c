/* Event channels: port allocation, the per-port state machine across domains, and the event_channel_op hypercall. */
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/hypercall.h>
#include <keel/page_alloc.h>
#include <keel/string.h>
#include <keel/vcpu.h>

/*
 * Locking, as Xen's event_lock: each domain's ports are guarded by
 * d->evtchn->lock, and so is how its events are delivered (the ops, the
 * FIFO queues and frames): every raise of a port of @d holds @d's lock.
 * An interdomain pair is only bound or unbound with both domains' locks
 * held, so holding either lock keeps the pair (and the peer domain) in
 * place. Raising a port sets guest-visible bits atomically (evtchn_2l.c,
 * evtchn_fifo.c) and calls vcpu_kick()/vcpu_poll_wake() with the lock
 * held: neither may call back in here, nor take a lock that is held
 * around a call in here (timer callbacks raise VIRQ_TIMER).
 *
 * Buckets of ports are added under the lock and freed with the domain;
 * valid_ports is published after the bucket, so evtchn_from_port() may
 * look a port up without the lock (its state needs the lock).
 */

BUILD_BUG_ON(sizeof(struct evtchn_domain) > PAGE_SIZE);
BUILD_BUG_ON(DOMAIN_MAX_VCPUS > 256);	/* struct evtchn.notify_vcpu */
BUILD_BUG_ON(EVTCHNS_PER_BUCKET < 2);

/* d->evtchn, published once complete (other CPUs find @d in the table). */
static struct evtchn_domain *domain_evtchn(struct domain *d)
{
	return __atomic_load_n(&d->evtchn, __ATOMIC_ACQUIRE);
}

static unsigned int valid_ports(struct evtchn_domain *ed)
{
	return __atomic_load_n(&ed->valid_ports, __ATOMIC_ACQUIRE);
}

/* Give ports valid_ports .. + EVTCHNS_PER_BUCKET - 1 their struct evtchn. */
static int add_bucket(struct evtchn_domain *ed)
{
	unsigned int first = ed->valid_ports;
	unsigned int bucket = first / EVTCHNS_PER_BUCKET;
	struct evtchn ***group = &ed->groups[bucket / BUCKETS_PER_GROUP];
	struct evtchn *chn;

	ASSERT(first % EVTCHNS_PER_BUCKET == 0 && first < EVTCHN_MAX_PORTS);
	if (!*group) {
		*group = alloc_page();	/* kept until the domain is freed */
		if (!*group)
			return -ENOMEM;
	}
	chn = alloc_page();		/* zeroed: all ECS_FREE */
	if (!chn)
		return -ENOMEM;
	for (unsigned int i = 0; i < EVTCHNS_PER_BUCKET; i++)
		chn[i].port = first + i;
	(*group)[bucket % BUCKETS_PER_GROUP] = chn;
	__atomic_store_n(&ed->valid_ports, first + EVTCHNS_PER_BUCKET,
			 __ATOMIC_RELEASE);
	return 0;
}

static void free_buckets(struct evtchn_domain *ed)
{
	for (unsigned int g = 0; g < EVTCHN_NR_GROUPS; g++) {
		if (!ed->groups[g])
			continue;
		for (unsigned int b = 0; b < BUCKETS_PER_GROUP; b++)
			if (ed->groups[g][b])
				free_page(ed->groups[g][b]);
		free_page(ed->groups[g]);
	}
}

int evtchn_domain_init(struct domain *d, unsigned int max_ports)
{
	struct evtchn_domain *ed;

	if (!max_ports || max_ports > EVTCHN_MAX_PORTS)
		return -EINVAL;
	ed = alloc_page();
	if (!ed)
		return -ENOMEM;
	spin_lock_init(&ed->lock);
	ed->max_ports = max_ports;
	ed->first_free = 1;
	ed->ops = &evtchn_port_ops_2l;
	if (add_bucket(ed)) {
		free_buckets(ed);
		free_page(ed);
		return -ENOMEM;
	}
	ed->groups[0][0][0].state = ECS_RESERVED;
	__atomic_store_n(&d->evtchn, ed, __ATOMIC_RELEASE);
	return 0;
}

int evtchn_set_max_ports(struct domain *d, unsigned int max_ports)
{
	if (!max_ports || max_ports > EVTCHN_MAX_PORTS)
		return -EINVAL;
	spin_lock(&d->evtchn->lock);
	d->evtchn->max_ports = max_ports;
	spin_unlock(&d->evtchn->lock);
	return 0;
}

struct evtchn *evtchn_from_port(struct domain *d, evtchn_port_t port)
{
	struct evtchn_domain *ed = domain_evtchn(d);
	unsigned int bucket;

	if (!ed || port >= valid_ports(ed))
		return NULL;
	bucket = port / EVTCHNS_PER_BUCKET;
	return &ed->groups[bucket / BUCKETS_PER_GROUP]
			  [bucket % BUCKETS_PER_GROUP][port % EVTCHNS_PER_BUCKET];
}

bool evtchn_port_is_valid(struct domain *d, evtchn_port_t port)
{
	return evtchn_from_port(d, port);
}

static struct vcpu *domain_vcpu(struct domain *d, u32 id)
{
	return id < d->nr_vcpus ? d->vcpus[id] : NULL;
}

void evtchn_mark_events_pending(struct vcpu *v)
{
	if (v->vcpu_info &&
	    !__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1,
				 __ATOMIC_SEQ_CST))
		vcpu_kick(v);
}

/*
 * The domain a guest names by @id (DOMID_SELF: @self) with a reference,
 * or NULL: no such domain, dying, or still without ports.
 */
static struct domain *get_domain_by_id(struct domain *self, domid_t id)
{
	struct domain *d;

	if (id == DOMID_SELF || id == self->id) {
		domain_hold(self);
		return self;
	}
	d = domain_get(id);
	if (d && !domain_evtchn(d)) {
		domain_put(d);
		return NULL;
	}
	return d;
}

/* Does the domain a guest names by @id exist (as get_domain_by_id())? */
static bool domain_exists(struct domain *self, domid_t id)
{
	struct domain *d = get_domain_by_id(self, id);

	if (!d)
		return false;
	domain_put(d);
	return true;
}

/*
 * Lock @d's ports and, unless NULL or @d, @rd's: the lower domain id first
 * (ids are unique until a domain is freed; equal ids fall back to address).
 */
static void double_lock(struct domain *d, struct domain *rd)
{
	if (!rd || rd == d) {
		spin_lock(&d->evtchn->lock);
	} else if (d->id < rd->id || (d->id == rd->id && d < rd)) {
		spin_lock(&d->evtchn->lock);
		spin_lock(&rd->evtchn->lock);
	} else {
		spin_lock(&rd->evtchn->lock);
		spin_lock(&d->evtchn->lock);
	}
}

static void double_unlock(struct domain *d, struct domain *rd)
{
	if (rd && rd != d)
		spin_unlock(&rd->evtchn->lock);
	spin_unlock(&d->evtchn->lock);
}

/* Ports the domain may use now: its limit, or the ABI's if lower. */
static unsigned int port_limit(struct evtchn_domain *ed)
{
	return MIN(ed->max_ports, ed->ops->nr_ports);
}

/* Still on one of the guest's FIFO queues: not to be handed out yet. */
static bool port_is_busy(struct domain *d, const struct evtchn *chn)
{
	return d->evtchn->ops->is_busy && d->evtchn->ops->is_busy(d, chn);
}

/*
 * The lowest free port, adding a bucket when all are taken: -ENOSPC at
 * the limit, -EINVAL if @d is dying (Xen), -ENOMEM. The caller binds it
 * with bind_port() or leaves it free.
 */
static int get_free_port(struct domain *d)
{
	struct evtchn_domain *ed = d->evtchn;
	unsigned int limit = port_limit(ed), first_free = 0, port;
	int rc;

	ASSERT(spin_is_locked(&ed->lock));
	if (READ_ONCE(d->dying))
		return -EINVAL;
	for (port = ed->first_free; port < MIN(limit, ed->valid_ports);
	     port++) {
		struct evtchn *chn = evtchn_from_port(d, port);

		if (chn->state != ECS_FREE)
			continue;
		if (!first_free)
			first_free = port;
		if (!port_is_busy(d, chn)) {
			ed->first_free = first_free;
			return port;
		}
	}
	ed->first_free = first_free ? first_free : port;
	if (port >= limit)
		return -ENOSPC;
	ASSERT(port == ed->valid_ports);
	rc = add_bucket(ed);
	return rc ? rc : (int)port;
}

/* Claim free @port for @state, delivering to @vcpu. */
static struct evtchn *bind_port(struct domain *d, int port,
				enum evtchn_state state, u32 vcpu)
{
	struct evtchn *chn = evtchn_from_port(d, port);

	ASSERT(spin_is_locked(&d->evtchn->lock));
	ASSERT(chn && chn->state == ECS_FREE);
	chn->state = state;
	chn->notify_vcpu = vcpu;
	if (d->evtchn->ops->init)
		d->evtchn->ops->init(d, chn);
	return chn;
}

/* Back to ECS_FREE (Xen's evtchn_free): nothing of the binding stays. */
static void free_port(struct domain *d, struct evtchn *chn)
{
	struct evtchn_domain *ed = d->evtchn;

	ASSERT(spin_is_locked(&ed->lock));
	/* A stale pending bit would fire on the port's next binding. */
	ed->ops->clear_pending(d, chn);
	chn->pending = false;
	chn->state = ECS_FREE;
	chn->notify_vcpu = 0;
	chn->remote_domid = 0;
	chn->remote_port = 0;
	chn->remote_dom = NULL;
	if (chn->port < ed->first_free)
		ed->first_free = chn->port;
}

/*
 * Raise @chn of @d, whose lock the caller holds; wake its pollers. Returns
 * the vCPU it is raised for (NULL: none), valid while @d is.
 */
struct vcpu *evtchn_port_set_pending(struct domain *d, struct evtchn *chn)
{
	struct vcpu *v = domain_vcpu(d, chn->notify_vcpu);

	ASSERT(spin_is_locked(&d->evtchn->lock));
	if (!v || !d->evtchn->ops->set_pending(v, chn))
		return v;
	/* Newly pending, masked or not: SCHEDOP_poll returns. */
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_poll_wake(d->vcpus[i]);
	return v;
}

int evtchn_alloc_xen_port(struct domain *d,
			  void (*notify)(struct domain *d, evtchn_port_t port))
{
	int port;

	spin_lock(&d->evtchn->lock);
	port = get_free_port(d);
	if (port >= 0)
		bind_port(d, port, ECS_XEN, 0)->xen_notify = notify;
	spin_unlock(&d->evtchn->lock);
	return port;
}

void evtchn_notify_guest(struct domain *d, evtchn_port_t port)
{
	struct evtchn *chn = evtchn_from_port(d, port);

	if (!chn)
		return;
	spin_lock(&d->evtchn->lock);
	if (chn->state != ECS_FREE)
		evtchn_port_set_pending(d, chn);
	spin_unlock(&d->evtchn->lock);
}

static bool virq_is_global(u32 virq)
{
	return virq != VIRQ_TIMER && virq != VIRQ_DEBUG &&
	       virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

static evtchn_port_t *virq_slot(struct domain *d, u32 virq, u32 vcpu)
{
	return &d->vcpus[virq_is_global(virq) ? 0 : vcpu]->virq_to_port[virq];
}

int evtchn_alloc_unbound_port(struct domain *d, domid_t remote)
{
	int port;

	spin_lock(&d->evtchn->lock);
	port = get_free_port(d);
	if (port >= 0)
		bind_port(d, port, ECS_UNBOUND, 0)->remote_domid = remote;
	spin_unlock(&d->evtchn->lock);
	return port;
}

/*
 * A port of @op->dom that @op->remote_dom may bind to. As Xen, a
 * remote_dom of DOMID_SELF means the caller. Only a privileged caller may
 * allocate in another domain; keel checks that before looking for a port
 * (Xen after), so nobody learns whether another domain's ports are full.
 */
static long alloc_unbound(struct domain *self,
			  struct evtchn_alloc_unbound *op)
{
	domid_t remote = op->remote_dom == DOMID_SELF ? self->id :
							op->remote_dom;
	struct domain *d = get_domain_by_id(self, op->dom);
	int port;

	if (!d)
		return -ESRCH;
	if (d != self && !self->privileged)
		port = -EPERM;
	else if (!domain_exists(self, remote))
		port = -ESRCH;
	else
		port = evtchn_alloc_unbound_port(d, remote);
	domain_put(d);
	if (port < 0)
		return port;
	op->port = port;
	return 0;
}

/* A new port connected to @op->remote_port, unbound and waiting for us. */
static long bind_interdomain(struct domain *d,
			     struct evtchn_bind_interdomain *op)
{
	struct domain *rd = get_domain_by_id(d, op->remote_dom);
	struct evtchn *lchn, *rchn;
	int lport;

	if (!rd)
		return -ESRCH;
	double_lock(d, rd);
	lport = get_free_port(d);
	rchn = evtchn_from_port(rd, op->remote_port);
	if (lport >= 0 && (!rchn || rchn->state != ECS_UNBOUND ||
			   rchn->remote_domid != d->id))
		lport = -EINVAL;
	if (lport >= 0) {
		lchn = bind_port(d, lport, ECS_INTERDOMAIN, 0);
		lchn->remote_dom = rd;
		lchn->remote_port = op->remote_port;
		rchn->state = ECS_INTERDOMAIN;
		rchn->remote_dom = d;
		rchn->remote_port = lport;
		/* As Xen: sends to the unbound port were lost; raise ours. */
		evtchn_port_set_pending(d, lchn);
	}
	double_unlock(d, rd);
	domain_put(rd);
	if (lport < 0)
		return lport;
	op->local_port = lport;
	return 0;
}

static long bind_virq(struct domain *d, struct evtchn_bind_virq *op)
{
	evtchn_port_t *slot;
	int port;

	if (op->virq >= NR_VIRQS || (virq_is_global(op->virq) && op->vcpu))
		return -EINVAL;
	if (!domain_vcpu(d, op->vcpu))
		return -ENOENT;
	spin_lock(&d->evtchn->lock);
	slot = virq_slot(d, op->virq, op->vcpu);
	port = *slot ? -EEXIST : get_free_port(d);
	if (port >= 0) {
		bind_port(d, port, ECS_VIRQ, op->vcpu)->virq = op->virq;
		*slot = port;
	}
	spin_unlock(&d->evtchn->lock);
	if (port < 0)
		return port;
	op->port = port;
	return 0;
}

static long bind_ipi(struct domain *d, struct evtchn_bind_ipi *op)
{
	int port;

	if (!domain_vcpu(d, op->vcpu))
		return -ENOENT;
	spin_lock(&d->evtchn->lock);
	port = get_free_port(d);
	if (port >= 0)
		bind_port(d, port, ECS_IPI, op->vcpu);
	spin_unlock(&d->evtchn->lock);
	if (port < 0)
		return port;
	op->port = port;
	return 0;
}

/* Free @port of @d; for an interdomain port both domains are locked. */
static long close_locked(struct domain *d, evtchn_port_t port, bool keel_too)
{
	struct evtchn *chn = evtchn_from_port(d, port);
	struct evtchn *rchn;

	if (!chn)
		return -EINVAL;
	ASSERT(spin_is_locked(&d->evtchn->lock));
	switch (chn->state) {
	case ECS_UNBOUND:
	case ECS_IPI:
		break;
	case ECS_XEN:
		if (!keel_too)
			return -EINVAL;	/* as Xen's Xen-attached ports */
		break;
	case ECS_VIRQ:
		*virq_slot(d, chn->virq, chn->notify_vcpu) = 0;
		break;
	case ECS_INTERDOMAIN:
		/* The peer's port goes back to waiting for us. */
		rchn = evtchn_from_port(chn->remote_dom, chn->remote_port);
		ASSERT(spin_is_locked(&chn->remote_dom->evtchn->lock));
		ASSERT(rchn && rchn->state == ECS_INTERDOMAIN &&
		       rchn->remote_dom == d && rchn->remote_port == port);
		rchn->state = ECS_UNBOUND;
		rchn->remote_dom = NULL;
		rchn->remote_domid = d->id;
		break;
	default:		/* free, reserved */
		return -EINVAL;
	}
	free_port(d, chn);
	return 0;
}

/*
 * Close @port of @d. An interdomain port needs its peer locked too, in
 * domain id order: find the peer under @d's lock, hold it, and lock both;
 * retry if the port changed meanwhile.
 */
static long close_port(struct domain *d, evtchn_port_t port, bool keel_too)
{
	struct domain *locked = NULL, *peer;
	struct evtchn *chn;
	long rc;

	chn = evtchn_from_port(d, port);
	if (!chn)
		return -EINVAL;
	for (;;) {
		double_lock(d, locked);
		peer = chn->state == ECS_INTERDOMAIN ? chn->remote_dom : NULL;
		if (!peer || peer == d || peer == locked)
			break;
		domain_hold(peer);	/* bound to us: cannot go meanwhile */
		double_unlock(d, locked);
		if (locked)
			domain_put(locked);
		locked = peer;
	}
	rc = close_locked(d, port, keel_too);
	double_unlock(d, locked);
	if (locked)
		domain_put(locked);
	return rc;
}

/*
 * Raise @rport of @rd, the remote end of @d's @port, if it still is:
 * under @rd's lock alone (the sender's is dropped), so that everything
 * raising a port of @rd holds @rd's lock. A close in between wins, as if
 * the send came after it.
 */
static struct vcpu *raise_remote(struct domain *rd, evtchn_port_t rport,
				 struct domain *d, evtchn_port_t port)
{
	struct evtchn *rchn = evtchn_from_port(rd, rport);
	struct vcpu *v = NULL;

	if (!rchn)
		return NULL;
	spin_lock(&rd->evtchn->lock);
	if (rchn->state == ECS_INTERDOMAIN && rchn->remote_dom == d &&
	    rchn->remote_port == port)
		v = evtchn_port_set_pending(rd, rchn);
	spin_unlock(&rd->evtchn->lock);
	return v;
}

int evtchn_send(struct domain *d, evtchn_port_t port)
{
	struct evtchn *chn = evtchn_from_port(d, port);
	void (*notify)(struct domain *d, evtchn_port_t port) = NULL;
	struct domain *rd = NULL;
	struct vcpu *to = NULL;		/* the vCPU the event is for */
	evtchn_port_t rport = 0;
	int rc = 0;

	if (!chn)
		return -EINVAL;
	spin_lock(&d->evtchn->lock);
	switch (chn->state) {
	case ECS_INTERDOMAIN:
		rd = chn->remote_dom;
		rport = chn->remote_port;
		if (rd == d) {		/* loopback: our lock is the one */
			to = evtchn_port_set_pending(d, evtchn_from_port(d, rport));
			rd = NULL;
		} else {
			domain_hold(rd);	/* bound to us: cannot go meanwhile */
		}
		break;
	case ECS_IPI:
		to = evtchn_port_set_pending(d, chn);
		break;
	case ECS_XEN:
		notify = chn->xen_notify;
		break;
	case ECS_UNBOUND:
		break;		/* nobody listens yet: dropped, as in Xen */
	default:	/* free, reserved, VIRQ (only keel raises VIRQs) */
		rc = -EINVAL;
		break;
	}
	spin_unlock(&d->evtchn->lock);
	if (rd)
		to = raise_remote(rd, rport, d, port);
	/* The sender's next SCHEDOP_yield may hand the CPU on to @to. */
	if (to)
		vcpu_signalled(to);
	if (rd)
		domain_put(rd);
	/* Unlocked: the handler may raise the port (evtchn_notify_guest). */
	if (notify)
		notify(d, port);
	return rc;
}

static void port_status(const struct evtchn *chn, struct evtchn_status *op)
{
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
}

/* Another domain's ports only for a privileged caller (before the port). */
static long evtchn_status(struct domain *self, struct evtchn_status *op)
{
	struct domain *d = get_domain_by_id(self, op->dom);
	struct evtchn *chn;
	long rc = 0;

	if (!d)
		return -ESRCH;
	chn = evtchn_from_port(d, op->port);
	if (d != self && !self->privileged) {
		rc = -EPERM;
	} else if (!chn) {
		rc = -EINVAL;
	} else {
		spin_lock(&d->evtchn->lock);
		port_status(chn, op);
		spin_unlock(&d->evtchn->lock);
	}
	domain_put(d);
	return rc;
}

static long bind_vcpu(struct domain *d, struct evtchn_bind_vcpu *op)
{
	struct evtchn *chn;
	long rc = 0;

	if (!domain_vcpu(d, op->vcpu))
		return -ENOENT;
	chn = evtchn_from_port(d, op->port);
	if (!chn)
		return -EINVAL;
	spin_lock(&d->evtchn->lock);
	switch (chn->state) {
	case ECS_VIRQ:
		if (!virq_is_global(chn->virq))
			rc = -EINVAL;
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		break;
	default:		/* free, reserved, IPI, keel-served */
		rc = -EINVAL;
		break;
	}
	if (!rc)
		chn->notify_vcpu = op->vcpu;
	spin_unlock(&d->evtchn->lock);
	return rc;
}

static long evtchn_unmask(struct domain *d, evtchn_port_t port)
{
	struct evtchn *chn = evtchn_from_port(d, port);

	if (!chn)
		return -EINVAL;
	spin_lock(&d->evtchn->lock);
	d->evtchn->ops->unmask(d, chn);
	spin_unlock(&d->evtchn->lock);
	return 0;	/* any state, as in Xen */
}

/* -EINVAL for a port never bound, -ENOSYS under 2-level, as Xen's order. */
static long set_priority(struct domain *d, struct evtchn_set_priority *op)
{
	struct evtchn *chn = evtchn_from_port(d, op->port);
	long rc = -ENOSYS;

	if (!chn)
		return -EINVAL;
	spin_lock(&d->evtchn->lock);
	if (d->evtchn->ops->set_priority)
		rc = d->evtchn->ops->set_priority(d, chn, op->priority);
	spin_unlock(&d->evtchn->lock);
	return rc;
}

/* Close every port of @d; keel-served ones only if @keel_too (as Xen's). */
static void close_all_ports(struct domain *d, bool keel_too)
{
	for (evtchn_port_t port = 1; port < valid_ports(d->evtchn); port++)
		close_port(d, port, keel_too);
}

/*
 * Close every port (keel's too if @keel_too) and leave FIFO, releasing
 * its frames: 2-level from now on.
 */
static void reset_ports(struct domain *d, bool keel_too)
{
	close_all_ports(d, keel_too);
	spin_lock(&d->evtchn->lock);
	if (d->evtchn->fifo)
		evtchn_fifo_destroy(d);
	spin_unlock(&d->evtchn->lock);
}

/*
 * Close all of @dom's ports; another domain's only for a privileged
 * caller, and only while it is paused (Xen: -EINVAL otherwise), since its
 * FIFO control blocks go too.
 */
static long evtchn_reset(struct domain *self, domid_t dom)
{
	struct domain *d = get_domain_by_id(self, dom);
	long rc = 0;

	if (!d)
		return -ESRCH;
	if (d != self && !self->privileged)
		rc = -EPERM;
	else if (d != self && !READ_ONCE(d->pause_count))
		rc = -EINVAL;
	else
		reset_ports(d, false);
	domain_put(d);
	return rc;
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
	struct evtchn_reset reset;
	struct evtchn_init_control init_control;
	struct evtchn_expand_array expand_array;
	struct evtchn_set_priority set_priority;
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
	[EVTCHNOP_reset] = sizeof(struct evtchn_reset),
	[EVTCHNOP_init_control] = sizeof(struct evtchn_init_control),
	[EVTCHNOP_expand_array] = sizeof(struct evtchn_expand_array),
	[EVTCHNOP_set_priority] = sizeof(struct evtchn_set_priority),
};
/* The ops whose argument is copied back with their results. */
#define OP_RETURNS_DATA (BIT(EVTCHNOP_bind_interdomain) | \
	BIT(EVTCHNOP_bind_virq) | BIT(EVTCHNOP_status) | \
	BIT(EVTCHNOP_alloc_unbound) | BIT(EVTCHNOP_bind_ipi) | \
	BIT(EVTCHNOP_init_control))

static long evtchn_op(struct domain *d, int cmd, union evtchn_op *op)
{
	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		return bind_interdomain(d, &op->bind_interdomain);
	case EVTCHNOP_bind_virq:
		return bind_virq(d, &op->bind_virq);
	case EVTCHNOP_close:
		return close_port(d, op->close.port, false);
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
	case EVTCHNOP_reset:
		return evtchn_reset(d, op->reset.dom);
	case EVTCHNOP_init_control:
		return evtchn_fifo_init_control(d, &op->init_control);
	case EVTCHNOP_expand_array:
		return evtchn_fifo_expand_array(d, &op->expand_array);
	case EVTCHNOP_set_priority:
		return set_priority(d, &op->set_priority);
	default:
		return -ENOSYS;
	}
}

/* Not implemented, -ENOSYS: bind_pirq (keel routes no physical IRQs). */
long do_event_channel_op(struct vcpu *v, int cmd, u64 arg)
{
	union evtchn_op op;
	long rc;

	if (cmd < 0 || (unsigned int)cmd >= ARRAY_SIZE(op_size) ||
	    !op_size[cmd] || !domain_evtchn(v->domain))
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

/* Raise @virq of @d on vCPU @vcpu (global VIRQs: wherever bound). */
static void raise_virq(struct domain *d, u32 vcpu, unsigned int virq)
{
	evtchn_port_t port;

	if (virq >= NR_VIRQS || !domain_evtchn(d) || vcpu >= d->nr_vcpus)
		return;
	spin_lock(&d->evtchn->lock);
	port = *virq_slot(d, virq, vcpu);
	if (port)
		evtchn_port_set_pending(d, evtchn_from_port(d, port));
	spin_unlock(&d->evtchn->lock);
}

void send_guest_virq(struct vcpu *v, unsigned int virq)
{
	raise_virq(v->domain, v->id, virq);
}

void evtchn_notify_dom_exc(void)
{
	struct domain *dom0 = domain_get(0);

	if (!dom0)
		return;
	raise_virq(dom0, 0, VIRQ_DOM_EXC);
	domain_put(dom0);
}

bool evtchn_is_pending(struct domain *d, evtchn_port_t port)
{
	struct evtchn *chn = evtchn_from_port(d, port);
	bool pending;

	if (!chn)
		return false;
	spin_lock(&d->evtchn->lock);
	pending = d->evtchn->ops->is_pending(d, chn);
	spin_unlock(&d->evtchn->lock);
	return pending;
}

void evtchn_domain_destroy(struct domain *d)
{
	if (domain_evtchn(d))
		reset_ports(d, true);
}

void evtchn_domain_free(struct domain *d)
{
	struct evtchn_domain *ed = d->evtchn;

	if (!ed)
		return;
	spin_lock(&ed->lock);
	if (ed->fifo)		/* a domain that never got to destroy */
		evtchn_fifo_destroy(d);
	spin_unlock(&ed->lock);
	free_buckets(ed);
	free_page(ed);
	d->evtchn = NULL;
}
