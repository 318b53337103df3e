/* Event channels: a domain's ports, what each is bound to, and raising them through the 2-level or FIFO ABI. */
#ifndef KEEL_EVTCHN_H
#define KEEL_EVTCHN_H

#include <keel/domain.h>
#include <keel/page.h>
#include <keel/types.h>
#include <public/event_channel.h>
#include <public/xen.h>

struct vcpu;

/* The most ports any ABI can name (FIFO's); 2-level reaches 4096. */
#define EVTCHN_MAX_PORTS EVTCHN_FIFO_NR_CHANNELS

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
	u8 priority;			/* FIFO: its queue, 0 (first) .. 15 */
	bool pending;			/* FIFO: raised while it had no event word */
	union {
		domid_t remote_domid;	/* UNBOUND: who may bind to it */
		u16 virq;		/* VIRQ */
	};
	/* FIFO: the queue it was last linked on (kept while the port is free). */
	u8 last_vcpu, last_priority;
	evtchn_port_t port;		/* its own number */
	evtchn_port_t remote_port;	/* INTERDOMAIN */
	union {
		struct domain *remote_dom;	/* INTERDOMAIN */
		void (*xen_notify)(struct domain *d, evtchn_port_t port); /* XEN */
	};
};

/*
 * Ports live in buckets (a page of struct evtchn each), allocated as the
 * domain binds more ports; a group is a page of bucket pointers (Xen's
 * scheme), so a domain with few ports costs a page or two.
 */
#define EVTCHNS_PER_BUCKET (PAGE_SIZE / sizeof(struct evtchn))
#define BUCKETS_PER_GROUP (PAGE_SIZE / sizeof(struct evtchn *))
#define EVTCHNS_PER_GROUP (EVTCHNS_PER_BUCKET * BUCKETS_PER_GROUP)
#define EVTCHN_NR_GROUPS \
	((EVTCHN_MAX_PORTS + EVTCHNS_PER_GROUP - 1) / EVTCHNS_PER_GROUP)

/*
 * How events reach the guest: the 2-level bitmaps in shared_info or the
 * FIFO event words and queues (Xen's evtchn_port_ops). Every hook runs
 * with the domain's port lock held.
 */
struct evtchn_port_ops {
	/* @chn was just bound. */
	void (*init)(struct domain *d, struct evtchn *chn);
	/* Raise @chn on @v; true if it was not pending before. */
	bool (*set_pending)(struct vcpu *v, struct evtchn *chn);
	void (*clear_pending)(struct domain *d, struct evtchn *chn);
	/* EVTCHNOP_unmask: deliver it if pending. */
	void (*unmask)(struct domain *d, struct evtchn *chn);
	bool (*is_pending)(struct domain *d, const struct evtchn *chn);
	/* Still on a guest queue: the port is not handed out again (NULL: never). */
	bool (*is_busy)(struct domain *d, const struct evtchn *chn);
	/* EVTCHNOP_set_priority (NULL: -ENOSYS). */
	int (*set_priority)(struct domain *d, struct evtchn *chn,
			    unsigned int priority);
	/* Ports this ABI can name. */
	unsigned int nr_ports;
};

extern const struct evtchn_port_ops evtchn_port_ops_2l;
extern const struct evtchn_port_ops evtchn_port_ops_fifo;

struct evtchn_fifo_domain;

struct evtchn_domain {
	/*
	 * Guards the ports, its vCPUs' virq_to_port, ops and the FIFO state: everything
	 * that raises a port of this domain holds it. Operations on two
	 * domains take both locks, the lower domain id's first (as Xen's
	 * double_evtchn_lock).
	 */
	spinlock_t lock;
	unsigned int max_ports;		/* the limit: ports 0 .. max_ports - 1 */
	unsigned int valid_ports;	/* ports with a struct evtchn (whole buckets) */
	unsigned int first_free;	/* no free port below it */
	const struct evtchn_port_ops *ops;
	struct evtchn_fifo_domain *fifo;	/* FIFO in use: evtchn_fifo.c's */
	struct evtchn **groups[EVTCHN_NR_GROUPS];
};

/*
 * Give @d up to @max_ports ports (Xen's max_evtchn_port + 1; at most
 * EVTCHN_MAX_PORTS, port 0 reserved), 2-level to begin with; the first
 * bucket is allocated now, others as ports are bound. Needs
 * d->shared_info. Returns 0, -EINVAL or -ENOMEM.
 */
int evtchn_domain_init(struct domain *d, unsigned int max_ports);
/* Change @d's limit (XEN_DOMCTL_set_max_evtchn); bound ports stay. */
int evtchn_set_max_ports(struct domain *d, unsigned int max_ports);
/*
 * Close every port of dying @d, so its peers see their ends unbound, and
 * release the FIFO frames. d->evtchn stays (all ports closed) for holders
 * of a reference to @d.
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
/*
 * EVTCHNOP_send on @d's @port by @d's vCPU running here: 0, or -EINVAL for a
 * port that cannot send. The vCPU it raises is noted for that vCPU's yield.
 */
int evtchn_send(struct domain *d, evtchn_port_t port);
/* Has @port a struct evtchn (bound now or before)? As Xen's port_is_valid. */
bool evtchn_port_is_valid(struct domain *d, evtchn_port_t port);
/* Is @port pending (masked or not) in the ABI in use? False if invalid. */
bool evtchn_is_pending(struct domain *d, evtchn_port_t port);

/*
 * Tell @v its events need looking at: the upcall flag in its vcpu_info,
 * and a kick when the flag goes from 0 to 1 (Xen's vcpu_mark_events_pending).
 */
void evtchn_mark_events_pending(struct vcpu *v);

/* The FIFO ABI (evtchn_fifo.c); all take d->evtchn->lock themselves. */
int evtchn_fifo_init_control(struct domain *d, struct evtchn_init_control *op);
int evtchn_fifo_expand_array(struct domain *d,
			     const struct evtchn_expand_array *op);
/* Back to 2-level: every guest frame released. Caller holds the lock. */
void evtchn_fifo_destroy(struct domain *d);
/* Events the FIFO code dropped because the guest kept changing a word. */
unsigned long evtchn_fifo_lost_events(struct domain *d);

/* For evtchn_fifo.c: @port's struct evtchn, or NULL. */
struct evtchn *evtchn_from_port(struct domain *d, evtchn_port_t port);
/* Raise @chn of @d (lock held) on its vCPU, waking @d's pollers; returns that vCPU. */
struct vcpu *evtchn_port_set_pending(struct domain *d, struct evtchn *chn);

#endif
