/*
 * Domains' shared rings (struct xenstore_domain_interface): the index arithmetic, and a
 * connection transport over a ring whose page and event channel a ring_backend provides.
 */
#ifndef XENSTORED_RING_H
#define XENSTORED_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

struct conn;
struct ring_port;

enum domain_state {
	DOMAIN_RUNNING,		/* or paused, or the hypervisor cannot say */
	DOMAIN_SHUT_DOWN,	/* stopped, not yet destroyed */
	DOMAIN_GONE,		/* destroyed or dying */
};

/* Where domains' ring pages and event channels come from: Xen's devices, or files (tests). */
struct ring_backend {
	const char *name;
	/* Maps @domid's xenstore page and binds its event channel; NULL with errno set on failure. */
	struct ring_port *(*open)(unsigned int domid, uint64_t mfn, unsigned int evtchn);
	void (*notify)(struct ring_port *port);
	void (*close)(struct ring_port *port);
	/* The fd to poll for event-channel events; -1: the rings must be polled on a timer. */
	int event_fd;
	/* Consumes the events pending on event_fd: true if domains changed state. */
	bool (*ack_events)(void);
	/* What the hypervisor says of @domid (NULL: domains are not watched). */
	enum domain_state (*domain_state)(unsigned int domid);
};

/* One domain's mapped ring, as a backend opened it. */
struct ring_port {
	struct xenstore_domain_interface *intf;
	const struct ring_backend *backend;
	unsigned int domid;
};

/*
 * Copies up to @len bytes of requests out of the ring and frees their space: returns how
 * many (0: none), or -EIO when the guest's indices are impossible (more than the ring
 * holds), after which the ring must not be used again.
 */
int xs_ring_read(struct xenstore_domain_interface *intf, void *buf, unsigned int len);
/* Copies up to @len bytes of replies into the ring: how many fit (0: full), or -EIO. */
int xs_ring_write(struct xenstore_domain_interface *intf, const void *buf, unsigned int len);

/* A connection for domain @port->domid over @port, which it closes when it dies. */
struct conn *ring_conn_new(struct ring_port *port);

#endif
