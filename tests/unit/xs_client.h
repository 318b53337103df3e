/* Test-side xenstore clients: wire messages over a Unix socket or as a guest on a ring page,
 * and the xenstored under test as a child process. */
#ifndef TESTS_UNIT_XS_CLIENT_H
#define TESTS_UNIT_XS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <xen/io/xs_wire.h>

struct xs_msg {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];	/* NUL-terminated after hdr.len bytes */
};

#define MAX_QUEUED_EVENTS 64

struct xs_client {
	int fd;						/* a socket, or -1 */
	struct xenstore_domain_interface *intf;		/* the ring, when fd < 0 */
	/* Called while waiting on a ring, to let an in-process daemon run; NULL: just wait. */
	void (*pump)(void *arg);
	void *pump_arg;
	uint32_t next_req_id;
	char rx[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	unsigned int rx_len;
	struct xs_msg events[MAX_QUEUED_EVENTS];	/* received while waiting for a reply */
	unsigned int nr_events;
};

#define XS_TIMEOUT_MS	3000

/* ---- raw guest side of a ring: what fits / what is there, indices as a guest moves them ---- */
unsigned int guest_ring_write(struct xenstore_domain_interface *intf, const void *data,
			      unsigned int len);
unsigned int guest_ring_read(struct xenstore_domain_interface *intf, void *buf, unsigned int len);

void xs_client_socket(struct xs_client *cl, int fd);
void xs_client_ring(struct xs_client *cl, struct xenstore_domain_interface *intf,
		    void (*pump)(void *arg), void *pump_arg);
void xs_client_close(struct xs_client *cl);

/* Sends raw bytes; 0 or -errno. */
int xs_send_raw(struct xs_client *cl, const void *data, unsigned int len);
/* Sends one message and returns its req_id. */
uint32_t xs_send(struct xs_client *cl, uint32_t type, uint32_t tx_id, const void *payload,
		 unsigned int len);
/* The next message, whatever it is: 0, -ETIMEDOUT, or -EPIPE once the daemon closed it. */
int xs_recv(struct xs_client *cl, struct xs_msg *msg, int timeout_ms);
/* Sends a request and waits for the reply with its req_id, queuing the events that come first. */
int xs_call(struct xs_client *cl, uint32_t type, uint32_t tx_id, const void *payload,
	    unsigned int len, struct xs_msg *reply);
/* The same with the payload made of @n NUL-terminated strings. */
int xs_callv(struct xs_client *cl, uint32_t type, uint32_t tx_id, struct xs_msg *reply,
	     unsigned int n, ...);
/* WRITE: the path, a NUL, then the value without one. */
int xs_write_node(struct xs_client *cl, uint32_t tx_id, const char *path, const void *value,
	     unsigned int len, struct xs_msg *reply);
/* The next watch event (a queued one first); 0 or -ETIMEDOUT. */
int xs_next_event(struct xs_client *cl, struct xs_msg *event, int timeout_ms);
/* Is the reply an XS_ERROR with @name ("EACCES")? */
bool xs_is_error(const struct xs_msg *reply, const char *name);
bool xs_is_ok(const struct xs_msg *reply);

/* ---- the daemon under test ---- */
struct xs_daemon {
	pid_t pid;
	char dir[64];		/* temporary: socket, log, ring pages */
	char socket[96];
	char log[96];
};

/* Starts XENSTORED_BIN in the foreground with a temporary socket and --ring-dir, plus @args. */
int daemon_start(struct xs_daemon *d, const char *const *args);
/* SIGTERM, then its exit status (-1: it died of a signal or did not stop); removes the dir. */
int daemon_stop(struct xs_daemon *d);
bool daemon_alive(struct xs_daemon *d);
int daemon_connect(struct xs_daemon *d);
/* Creates the ring page file of @domid for --ring-dir and maps it. */
struct xenstore_domain_interface *daemon_ring_page(struct xs_daemon *d, unsigned int domid);

#endif
