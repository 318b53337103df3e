/* A client connection, whatever carries it: its input framing, output queue, watches, transactions. */
#include <string.h>
#include <stdlib.h>
#include "alloc.h"
#include "conn.h"
#include "log.h"
#include "quota.h"
#include "transaction.h"
#include "watch.h"

struct conn_list conns = TAILQ_HEAD_INITIALIZER(conns);

struct conn *conn_new(const struct conn_ops *ops, void *transport, int fd, unsigned int domid)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->ops = ops;
	c->transport = transport;
	c->fd = fd;
	c->domid = domid;
	c->next_txn_id = 1;
	TAILQ_INIT(&c->out);
	TAILQ_INIT(&c->watches);
	LIST_INIT(&c->transactions);
	TAILQ_INSERT_TAIL(&conns, c, link);
	return c;
}

static void queue(struct conn *c, bool is_event, const struct xsd_sockmsg *hdr,
		  const void *data, unsigned int len)
{
	struct out_msg *msg = xmalloc(sizeof(*msg) + sizeof(*hdr) + len);

	msg->is_event = is_event;
	msg->len = (unsigned int)sizeof(*hdr) + len;
	msg->sent = 0;
	memcpy(msg->data, hdr, sizeof(*hdr));
	if (len)
		memcpy(msg->data + sizeof(*hdr), data, len);
	TAILQ_INSERT_TAIL(&c->out, msg, link);
	if (is_event)
		c->out_events++;
	else
		c->out_replies++;
}

void conn_send(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
	       const void *data, unsigned int len)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = req_id, .tx_id = tx_id, .len = len };

	if (!c->dead)
		queue(c, false, &hdr, data, len);
}

bool conn_send_event(struct conn *c, const void *data, unsigned int len)
{
	struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT, .len = len };

	if (c->dead)
		return false;
	/* dom0's kernel and tools must not miss an event because a guest made many. */
	if (c->domid == 0) {
		if (!c->is_domain && c->out_events >= TOOL_EVENTS_MAX) {
			log_msg("local connection: %u watch events not taken, disconnecting it",
				c->out_events);
			conn_kill(c, 0);
			return false;
		}
	} else if (c->out_events >= quota.events) {
		/* Said once, not per event: the guest controls how many. */
		if (!c->events_dropped++)
			log_msg("connection of domain %u: %u watch events queued, dropping more",
				c->domid, c->out_events);
		return false;
	}
	if (c->events_dropped) {
		log_msg("connection of domain %u: %u watch events were dropped", c->domid,
			c->events_dropped);
		c->events_dropped = 0;
	}
	queue(c, true, &hdr, data, len);
	return true;
}

void conn_flush(struct conn *c)
{
	struct out_msg *msg;
	int n;

	while (!c->dead && (msg = TAILQ_FIRST(&c->out))) {
		n = c->ops->write(c, msg->data + msg->sent, msg->len - msg->sent);
		if (n < 0) {
			conn_kill(c, XENSTORE_ERROR_COMM);
			return;
		}
		if (n == 0)
			return;
		msg->sent += (unsigned int)n;
		if (msg->sent < msg->len)
			continue;
		TAILQ_REMOVE(&c->out, msg, link);
		if (msg->is_event)
			c->out_events--;
		else
			c->out_replies--;
		free(msg);
	}
}

void conn_kill(struct conn *c, unsigned int error)
{
	if (c->dead)
		return;
	c->dead = true;
	c->error = error;
}

static void conn_free(struct conn *c)
{
	struct out_msg *msg;

	TAILQ_REMOVE(&conns, c, link);
	watch_reset(c);
	transaction_reset(c);
	while ((msg = TAILQ_FIRST(&c->out))) {
		TAILQ_REMOVE(&c->out, msg, link);
		free(msg);
	}
	c->ops->destroy(c);
	free(c);
}

void conn_reap(void)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&conns); c; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->dead)
			conn_free(c);
	}
}

struct conn *conn_find_domain(unsigned int domid)
{
	struct conn *c;

	TAILQ_FOREACH(c, &conns, link)
		if (c->is_domain && !c->dead && c->domid == domid)
			return c;
	return NULL;
}
