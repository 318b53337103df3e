/* A client connection, whatever carries it: its input framing, output queue, watches, transactions. */
#ifndef XENSTORED_CONN_H
#define XENSTORED_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <xen/io/xs_wire.h>

struct conn;
struct transaction;
struct watch;

/* What carries a connection's bytes: a Unix socket, or a domain's shared ring. */
struct conn_ops {
	const char *name;
	/* Up to @len bytes received: how many, 0 if none now, -errno if the connection broke. */
	int (*read)(struct conn *c, void *buf, unsigned int len);
	/* Up to @len bytes sent: how many, 0 if no room now, -errno if the connection broke. */
	int (*write)(struct conn *c, const void *buf, unsigned int len);
	/* Releases the transport (closes, unmaps); c->error says why if it was killed. */
	void (*destroy)(struct conn *c);
};

struct out_msg {
	TAILQ_ENTRY(out_msg) link;
	bool is_event;
	unsigned int len, sent;
	char data[];
};

struct conn {
	TAILQ_ENTRY(conn) link;
	const struct conn_ops *ops;
	void *transport;
	int fd;				/* for the main loop to poll; -1: none (rings) */
	bool io_ready;			/* poll() found fd ready: serve it this turn */
	unsigned int domid;		/* 0: dom0, privileged */
	bool is_domain;			/* a domain's ring, not a local socket */
	bool dead;			/* freed by conn_reap() */
	unsigned int error;		/* XENSTORE_ERROR_* it was killed for */

	/* the request being received: header, then payload (NUL-terminated when whole) */
	struct xsd_sockmsg in_hdr;
	unsigned int in_hdr_len, in_len;
	char in_data[XENSTORE_PAYLOAD_MAX + 1];

	TAILQ_HEAD(, out_msg) out;
	unsigned int out_replies, out_events;	/* queued, not yet fully sent */
	unsigned int events_dropped;		/* since it was last below its quota */

	TAILQ_HEAD(, watch) watches;	/* in the order they were set */
	unsigned int nr_watches;
	LIST_HEAD(, transaction) transactions;
	unsigned int nr_transactions;
	uint32_t next_txn_id;
};

#define TOOL_EVENTS_MAX	65536

TAILQ_HEAD(conn_list, conn);
/* Every connection, the dead ones too until conn_reap(). */
extern struct conn_list conns;

struct conn *conn_new(const struct conn_ops *ops, void *transport, int fd, unsigned int domid);
/* Queues a reply. */
void conn_send(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
	       const void *data, unsigned int len);
/*
 * Queues a watch event; false (dropped) when a guest's connection has quota.events queued.
 * dom0's connections lose none, but a local tool that lets TOOL_EVENTS_MAX pile up is
 * disconnected (it stopped reading: it sees the socket close, not a silent gap).
 */
bool conn_send_event(struct conn *c, const void *data, unsigned int len);
/* Sends what the transport takes now; kills the connection if it broke. */
void conn_flush(struct conn *c);
/* Stops all I/O on @c for @error (XENSTORE_ERROR_*); conn_reap() frees it. */
void conn_kill(struct conn *c, unsigned int error);
/* Frees the dead connections, their watches and transactions. */
void conn_reap(void);
/* The live ring connection of @domid, or NULL. */
struct conn *conn_find_domain(unsigned int domid);

#endif
