/* event_channel_op hypercall: EVTCHNOP_* numbers, the op structs and VIRQ numbers (Xen's ABI). */
#ifndef PUBLIC_EVENT_CHANNEL_H
#define PUBLIC_EVENT_CHANNEL_H

#include <keel/types.h>
#include <public/xen.h>

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_reset 10
#define EVTCHNOP_init_control 11	/* FIFO ABI */
#define EVTCHNOP_expand_array 12	/* FIFO ABI */
#define EVTCHNOP_set_priority 13	/* FIFO ABI */

typedef u32 evtchn_port_t;

/* Virtual IRQs: V = one per vCPU, G = global (bound on vCPU 0). */
#define VIRQ_TIMER 0		/* V: singleshot timer expired */
#define VIRQ_DEBUG 1		/* V: dump debug state */
#define VIRQ_CONSOLE 2		/* G: console input (dom0) */
#define VIRQ_DOM_EXC 3		/* G: a domain crashed or shut down (dom0) */
#define VIRQ_XENOPROF 7		/* V */
#define VIRQ_XENPMU 13		/* V */
#define NR_VIRQS 24

/* A new port in @dom that @remote_dom may bind to; both may be DOMID_SELF. */
struct evtchn_alloc_unbound {
	domid_t dom, remote_dom;	/* in */
	evtchn_port_t port;		/* out */
};

/* Connect a new local port to @remote_dom's unbound @remote_port. */
struct evtchn_bind_interdomain {
	domid_t remote_dom;		/* in */
	evtchn_port_t remote_port;	/* in */
	evtchn_port_t local_port;	/* out */
};

struct evtchn_bind_virq {
	u32 virq;			/* in: VIRQ_* */
	u32 vcpu;			/* in */
	evtchn_port_t port;		/* out */
};

struct evtchn_bind_pirq {
	u32 pirq;
	u32 flags;
	evtchn_port_t port;
};

struct evtchn_bind_ipi {
	u32 vcpu;			/* in */
	evtchn_port_t port;		/* out */
};

struct evtchn_close {
	evtchn_port_t port;
};

struct evtchn_send {
	evtchn_port_t port;
};

#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5

struct evtchn_status {
	domid_t dom;			/* in */
	evtchn_port_t port;		/* in */
	u32 status;			/* out: EVTCHNSTAT_* */
	u32 vcpu;			/* out: the vCPU it notifies */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain;
		u32 pirq;
		u32 virq;
	} u;
};

/* Deliver @port's events to @vcpu from now on. */
struct evtchn_bind_vcpu {
	evtchn_port_t port;
	u32 vcpu;
};

struct evtchn_unmask {
	evtchn_port_t port;
};

/* Close all of @dom's ports. */
struct evtchn_reset {
	domid_t dom;
};

/*
 * The FIFO ABI: each port has a 32-bit event word in the event array (pages
 * the guest adds with EVTCHNOP_expand_array); each vCPU has a control block
 * (EVTCHNOP_init_control) with a ready bit and a queue head per priority.
 */
#define EVTCHN_FIFO_PRIORITY_MAX 0	/* served first */
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN 15
#define EVTCHN_FIFO_MAX_QUEUES (EVTCHN_FIFO_PRIORITY_MIN + 1)

typedef u32 event_word_t;

#define EVTCHN_FIFO_PENDING 31
#define EVTCHN_FIFO_MASKED 30
#define EVTCHN_FIFO_LINKED 29	/* on a queue; LINK names the next port */
#define EVTCHN_FIFO_BUSY 28	/* the hypervisor is changing LINK: do not unmask */

#define EVTCHN_FIFO_LINK_BITS 17
#define EVTCHN_FIFO_LINK_MASK ((1u << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1u << EVTCHN_FIFO_LINK_BITS)

struct evtchn_fifo_control_block {
	u32 ready;			/* bit n: queue n has events */
	u32 _rsvd;
	u32 head[EVTCHN_FIFO_MAX_QUEUES];
};

/* Use FIFO; the control block of @vcpu is at @offset in @control_gfn. */
struct evtchn_init_control {
	u64 control_gfn;		/* in */
	u32 offset;			/* in: 8-byte aligned, block within the page */
	u32 vcpu;			/* in */
	u8 link_bits;			/* out: EVTCHN_FIFO_LINK_BITS */
	u8 _pad[7];
};

/* Add the page at @array_gfn to the event array (1024 more ports). */
struct evtchn_expand_array {
	u64 array_gfn;
};

/* Queue @port's future events at @priority (0 .. EVTCHN_FIFO_PRIORITY_MIN). */
struct evtchn_set_priority {
	evtchn_port_t port;
	u32 priority;
};

#endif
