/*
 * Domains' shared rings (struct xenstore_domain_interface): the index arithmetic, and a
 * connection transport over a ring whose page and event channel a ring_backend provides.
 *
 * The guest can write anything to the page at any time: every index is read once, checked,
 * and data is only ever copied at masked offsets.
 */
#include <errno.h>
#include <string.h>
#include "conn.h"
#include "log.h"
#include "ring.h"

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static unsigned int min_u(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

int xs_ring_read(struct xenstore_domain_interface *intf, void *buf, unsigned int len)
{
	XENSTORE_RING_IDX cons = READ_ONCE(intf->req_cons), prod = READ_ONCE(intf->req_prod);
	unsigned int avail = prod - cons, off = MASK_XENSTORE_IDX(cons), first;

	if (avail > XENSTORE_RING_SIZE)
		return -EIO;
	/* Read the data only after seeing the producer index that covers it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	len = min_u(len, avail);
	first = min_u(len, XENSTORE_RING_SIZE - off);
	memcpy(buf, intf->req + off, first);
	memcpy((char *)buf + first, intf->req, len - first);
	/* Finish reading before the guest may reuse the space. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	WRITE_ONCE(intf->req_cons, cons + len);
	return (int)len;
}

int xs_ring_write(struct xenstore_domain_interface *intf, const void *buf, unsigned int len)
{
	XENSTORE_RING_IDX cons = READ_ONCE(intf->rsp_cons), prod = READ_ONCE(intf->rsp_prod);
	unsigned int used = prod - cons, off = MASK_XENSTORE_IDX(prod), first;

	if (used > XENSTORE_RING_SIZE)
		return -EIO;
	/* The guest has finished reading the space it gave back. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	len = min_u(len, XENSTORE_RING_SIZE - used);
	first = min_u(len, XENSTORE_RING_SIZE - off);
	memcpy(intf->rsp + off, buf, first);
	memcpy(intf->rsp, (const char *)buf + first, len - first);
	/* The data is in place before the producer index says so. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	WRITE_ONCE(intf->rsp_prod, prod + len);
	return (int)len;
}

static int ring_conn_io(struct conn *c, int n)
{
	struct ring_port *port = c->transport;

	if (n < 0) {
		log_msg("domain %u: impossible ring indices, dropping it", c->domid);
		conn_kill(c, XENSTORE_ERROR_RINGIDX);
		return n;
	}
	if (n > 0)
		port->backend->notify(port);
	return n;
}

static int ring_conn_read(struct conn *c, void *buf, unsigned int len)
{
	struct ring_port *port = c->transport;

	return ring_conn_io(c, xs_ring_read(port->intf, buf, len));
}

static int ring_conn_write(struct conn *c, const void *buf, unsigned int len)
{
	struct ring_port *port = c->transport;

	return ring_conn_io(c, xs_ring_write(port->intf, buf, len));
}

static void ring_conn_destroy(struct conn *c)
{
	struct ring_port *port = c->transport;

	if (c->error)
		WRITE_ONCE(port->intf->error, c->error);
	port->backend->close(port);
}

static const struct conn_ops ring_conn_ops = {
	.name = "ring",
	.read = ring_conn_read,
	.write = ring_conn_write,
	.destroy = ring_conn_destroy,
};

struct conn *ring_conn_new(struct ring_port *port)
{
	struct conn *c = conn_new(&ring_conn_ops, port, -1, port->domid);

	c->is_domain = true;
	WRITE_ONCE(port->intf->server_features, XENSTORE_SERVER_FEATURE_ERROR);
	/* Tell the guest xenstore is there (Linux waits for this in dom0). */
	port->backend->notify(port);
	return c;
}
