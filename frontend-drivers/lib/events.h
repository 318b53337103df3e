/* 2-level event channels: shared_info, the upcall vector with Linux's scan, per-port handlers and EVTCHNOP wrappers. */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include <keel/types.h>
#include <public/event_channel.h>
#include <public/xen.h>

#define EVENTS_UPCALL_VECTOR 0xf3

/* Called from the upcall (interrupts off) for each pending, unmasked port. */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *data);

/*
 * Place shared_info in a page of the guest's .bss, install the upcall
 * handler and ask for upcalls on vector 0xf3 for vCPU 0. Leaves RFLAGS.IF
 * alone: events arrive once the caller enables interrupts. Returns 0 or
 * the failed hypercall's error (with a message).
 */
long events_init(void);

/* The shared_info page (placed or not). */
volatile struct shared_info *events_shared_info(void);

/*
 * Call @fn(@port, @data) for each delivery on @port (NULL: only count it).
 * Returns 0, or -EINVAL for a port beyond the 2-level limit.
 */
int bind_port_handler(evtchn_port_t port, evtchn_handler_t fn, void *data);

/* Upcalls taken, and deliveries of @port, since boot. */
unsigned int events_upcalls(void);
unsigned int port_deliveries(evtchn_port_t port);

/* The guest's own view of a port's bits in shared_info. */
bool evtchn_is_pending(evtchn_port_t port);
bool evtchn_is_masked(evtchn_port_t port);
void evtchn_set_mask(evtchn_port_t port, bool masked);
void evtchn_clear_pending(evtchn_port_t port);

/*
 * Block (SCHEDOP_poll) until @port is pending or @timeout_ns of system
 * time passed; true if it is pending. Leaves the pending bit set.
 */
bool evtchn_poll(evtchn_port_t port, u64 timeout_ns);

/* EVTCHNOP_*; each returns the hypercall's result. Ports are the guest's own. */
long evtchn_send(evtchn_port_t port);
long evtchn_close(evtchn_port_t port);
long evtchn_unmask(evtchn_port_t port);
long evtchn_status(evtchn_port_t port, struct evtchn_status *st);
long evtchn_bind_virq(u32 virq, u32 vcpu, evtchn_port_t *port);
long evtchn_bind_ipi(u32 vcpu, evtchn_port_t *port);
long evtchn_bind_vcpu(evtchn_port_t port, u32 vcpu);

/* Those that name a domain (or DOMID_SELF): other domains' ports too. */
long evtchn_status_of(domid_t dom, evtchn_port_t port,
		      struct evtchn_status *st);
/* A port of @dom that @remote_dom (DOMID_SELF: the caller) may bind to. */
long evtchn_alloc_unbound(domid_t dom, domid_t remote_dom,
			  evtchn_port_t *port);
/* A new local port connected to @remote_dom's unbound @remote_port. */
long evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port,
			     evtchn_port_t *local_port);
/* Close every port of @dom the guest could close. */
long evtchn_reset(domid_t dom);

#endif
