/* Event channels: a domain's ports, what each is bound to, and raising them. */
#ifndef KEEL_EVTCHN_H
#define KEEL_EVTCHN_H

#include <keel/domain.h>
#include <keel/types.h>
#include <public/event_channel.h>
#include <public/xen.h>

struct vcpu;

/* The 2-level ABI's limit: 64 selector bits of 64 pending bits. */
#define EVTCHN_MAX_PORTS EVTCHN_2L_NR_CHANNELS

enum evtchn_state {
	ECS_FREE,
	ECS_RESERVED,		/* port 0, never handed out */
	ECS_UNBOUND,		/* waiting for remote_domid to bind to it */
	ECS_INTERDOMAIN,	/* connected to remote_dom's remote_port */
	ECS_VIRQ,
	ECS_IPI,
	ECS_XEN,		/* served by keel itself: sends call xen_notify */
};

struct evtchn {
	u8 state;			/* enum evtchn_state */
	u8 notify_vcpu;			/* the vCPU its events go to */
	union {
		domid_t remote_domid;	/* UNBOUND: who may bind to it */
		u16 virq;		/* VIRQ */
	};
	evtchn_port_t remote_port;	/* INTERDOMAIN */
	union {
		struct domain *remote_dom;	/* INTERDOMAIN */
		void (*xen_notify)(struct domain *d, evtchn_port_t port); /* XEN */
	};
};

struct evtchn_domain {
	/*
	 * Guards ports[] and virq_to_port. Operations on two domains take
	 * both locks, the lower domain id's first (as Xen's double_evtchn_lock).
	 */
	spinlock_t lock;
	unsigned int max_ports;		/* ports 0 .. max_ports - 1 */
	unsigned int order;		/* of the pages holding ports[] */
	struct evtchn *ports;
	/* Port bound to each VIRQ per vCPU, 0 if none; global VIRQs use [0]. */
	evtchn_port_t virq_to_port[DOMAIN_MAX_VCPUS][NR_VIRQS];
};

/*
 * Give @d ports 0 .. @max_ports - 1 (at most EVTCHN_MAX_PORTS; port 0 is
 * reserved). Needs d->shared_info. Returns 0, -EINVAL or -ENOMEM.
 */
int evtchn_domain_init(struct domain *d, unsigned int max_ports);
/*
 * Close every port of dying @d, so its peers see their ends unbound.
 * d->evtchn stays (all ports closed) for holders of a reference to @d.
 */
void evtchn_domain_destroy(struct domain *d);
/* Free d->evtchn: with the last reference to @d, after evtchn_domain_destroy(). */
void evtchn_domain_free(struct domain *d);

/* The event_channel_op hypercall; @arg is a guest-virtual pointer. */
long do_event_channel_op(struct vcpu *v, int cmd, u64 arg);

/*
 * A port keel serves itself (the console ring): the guest's sends call
 * @notify (without the lock held); it cannot close or move it (as Xen's
 * Xen-attached ports). Returns the port, -ENOSPC, or -EINVAL if @d is dying.
 */
int evtchn_alloc_xen_port(struct domain *d,
			  void (*notify)(struct domain *d, evtchn_port_t port));
/* An unbound port of @d that domain @remote may bind to; as above. */
int evtchn_alloc_unbound_port(struct domain *d, domid_t remote);
/* Raise @port of @d from keel's side (keel-served and unbound ports). */
void evtchn_notify_guest(struct domain *d, evtchn_port_t port);

/* Raise @virq: per-vCPU ones on @v, global ones wherever they are bound. */
void send_guest_virq(struct vcpu *v, unsigned int virq);
/*
 * A domain changed state: raise the global VIRQ_DOM_EXC on domain 0.
 * Takes the domain table's lock, so callers must not hold it.
 */
void evtchn_notify_dom_exc(void);
/* EVTCHNOP_send on @d's @port: 0, or -EINVAL for a port that cannot send. */
int evtchn_send(struct domain *d, evtchn_port_t port);
bool evtchn_port_is_valid(struct domain *d, evtchn_port_t port);
/* Is @port's pending bit set (masked or not)? False for invalid ports. */
bool evtchn_is_pending(struct domain *d, evtchn_port_t port);

/* The 2-level bit mechanics (evtchn_2l.c) on shared_info and vcpu_info. */
/* Set @port pending; if unmasked, signal @v. True if it was not pending. */
bool evtchn_2l_set_pending(struct vcpu *v, evtchn_port_t port);
void evtchn_2l_clear_pending(struct domain *d, evtchn_port_t port);
/* Clear @port's mask; if it was masked and is pending, signal it to @v. */
void evtchn_2l_unmask(struct vcpu *v, evtchn_port_t port);
bool evtchn_2l_is_pending(struct domain *d, evtchn_port_t port);

#endif
