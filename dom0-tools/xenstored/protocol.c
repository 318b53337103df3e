/* The wire protocol: framing requests out of a connection's bytes, dispatching them, replies. */
#include <errno.h>
#include <string.h>
#include "conn.h"
#include "log.h"
#include "ops.h"
#include "protocol.h"
#include "quota.h"
#include "transaction.h"

#define OP_TXN	1U	/* acts in the transaction tx_id names */
#define OP_PRIV	2U	/* dom0 only */

static const struct {
	int (*handle)(struct conn *c, struct request *req);
	unsigned int flags;
} ops[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { op_control, OP_PRIV },
	[XS_DIRECTORY] = { op_directory, OP_TXN },
	[XS_READ] = { op_read, OP_TXN },
	[XS_GET_PERMS] = { op_get_perms, OP_TXN },
	[XS_WATCH] = { op_watch, 0 },
	[XS_UNWATCH] = { op_unwatch, 0 },
	[XS_TRANSACTION_START] = { op_transaction_start, 0 },
	[XS_TRANSACTION_END] = { op_transaction_end, OP_TXN },
	[XS_INTRODUCE] = { op_introduce, OP_PRIV },
	[XS_RELEASE] = { op_release, OP_PRIV },
	[XS_GET_DOMAIN_PATH] = { op_get_domain_path, 0 },
	[XS_WRITE] = { op_write, OP_TXN },
	[XS_MKDIR] = { op_mkdir, OP_TXN },
	[XS_RM] = { op_rm, OP_TXN },
	[XS_SET_PERMS] = { op_set_perms, OP_TXN },
	[XS_IS_DOMAIN_INTRODUCED] = { op_is_domain_introduced, 0 },
	[XS_RESUME] = { op_resume, OP_PRIV },
	[XS_SET_TARGET] = { op_set_target, OP_PRIV },
	[XS_RESET_WATCHES] = { op_reset_watches, 0 },
	[XS_DIRECTORY_PART] = { op_directory_part, OP_TXN },
};

void reply(struct conn *c, const struct request *req, const void *data, unsigned int len)
{
	conn_send(c, req->hdr.type, req->hdr.req_id, req->hdr.tx_id, data, len);
}

void reply_string(struct conn *c, const struct request *req, const char *s)
{
	reply(c, req, s, (unsigned int)strlen(s) + 1);
}

void reply_ok(struct conn *c, const struct request *req)
{
	reply_string(c, req, "OK");
}

const char *xs_error_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == -err)
			return xsd_errors[i].errstring;
	return "EIO";
}

static void reply_error(struct conn *c, const struct request *req, int err)
{
	const char *name = xs_error_name(err);

	conn_send(c, XS_ERROR, req->hdr.req_id, req->hdr.tx_id, name,
		  (unsigned int)strlen(name) + 1);
}

int request_strings(const struct request *req, const char **strings, unsigned int max)
{
	unsigned int off = 0, count = 0;

	if (req->len == 0 || req->data[req->len - 1] != '\0')
		return -EINVAL;
	while (off < req->len) {
		if (count == max)
			return -EINVAL;
		strings[count++] = req->data + off;
		off += (unsigned int)strlen(req->data + off) + 1;
	}
	return (int)count;
}

static void dispatch(struct conn *c)
{
	struct request req = { .hdr = c->in_hdr, .data = c->in_data, .len = c->in_hdr.len };
	uint32_t type = req.hdr.type;
	int rc;

	if (type >= XS_TYPE_COUNT || !ops[type].handle) {
		rc = -EINVAL;
	} else if ((ops[type].flags & OP_PRIV) && c->domid != 0) {
		rc = -EACCES;
	} else if ((ops[type].flags & OP_TXN) && req.hdr.tx_id &&
		   !(req.txn = transaction_find(c, req.hdr.tx_id))) {
		rc = -ENOENT;
	} else {
		rc = ops[type].handle(c, &req);
	}
	if (rc < 0)
		reply_error(c, &req, rc);
}

/* Reads on into the current request and answers it once whole; false if no bytes came. */
static bool receive(struct conn *c)
{
	int n;

	if (c->in_hdr_len < sizeof(c->in_hdr)) {
		n = c->ops->read(c, (char *)&c->in_hdr + c->in_hdr_len,
				 (unsigned int)sizeof(c->in_hdr) - c->in_hdr_len);
		if (n <= 0)
			goto no_bytes;
		c->in_hdr_len += (unsigned int)n;
		if (c->in_hdr_len < sizeof(c->in_hdr))
			return true;
		if (c->in_hdr.len > XENSTORE_PAYLOAD_MAX) {
			log_msg("connection of domain %u: payload of %u bytes announced, dropping it",
				c->domid, c->in_hdr.len);
			conn_kill(c, XENSTORE_ERROR_PROTO);
			return false;
		}
		c->in_len = 0;
	}
	if (c->in_len < c->in_hdr.len) {
		n = c->ops->read(c, c->in_data + c->in_len, c->in_hdr.len - c->in_len);
		if (n <= 0)
			goto no_bytes;
		c->in_len += (unsigned int)n;
		if (c->in_len < c->in_hdr.len)
			return true;
	}
	c->in_data[c->in_len] = '\0';
	dispatch(c);
	c->in_hdr_len = 0;
	c->in_len = 0;
	return true;

no_bytes:
	if (n < 0)
		conn_kill(c, XENSTORE_ERROR_COMM);
	return false;
}

bool protocol_process(struct conn *c)
{
	unsigned int reads = 0;

	conn_flush(c);
	while (!c->dead && c->out_replies < quota.outstanding && receive(c)) {
		conn_flush(c);
		if (++reads == PROTOCOL_TURN_READS)
			return !c->dead;
	}
	return false;
}

bool protocol_turn(void)
{
	bool busy = false;
	struct conn *c;

	/* A connection INTRODUCE adds on the way is at the tail: it gets its turn too. */
	TAILQ_FOREACH(c, &conns, link) {
		if (c->fd < 0 || c->io_ready)
			busy |= protocol_process(c);
		c->io_ready = false;
	}
	TAILQ_FOREACH(c, &conns, link)
		conn_flush(c);
	return busy;
}
