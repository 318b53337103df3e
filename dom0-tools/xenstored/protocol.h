/* The wire protocol: framing requests out of a connection's bytes, dispatching them, replies. */
#ifndef XENSTORED_PROTOCOL_H
#define XENSTORED_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

struct conn;
struct transaction;

struct request {
	struct xsd_sockmsg hdr;
	const char *data;		/* the payload, with a NUL after it */
	unsigned int len;
	struct transaction *txn;	/* the one hdr.tx_id names, for types that take one */
};

/* Reads (a whole request, or part of one) one connection is served in one turn. */
#define PROTOCOL_TURN_READS	16

/*
 * Sends @c's queued output and answers each whole request it sent, until its input runs
 * dry, too many of its replies wait to be taken (quota.outstanding), it breaks, or it has
 * had PROTOCOL_TURN_READS reads: then true, its input may not be dry. A header announcing
 * more than XENSTORE_PAYLOAD_MAX kills the connection.
 */
bool protocol_process(struct conn *c);
/*
 * One turn of the main loop over every connection, in order: each one that may have input
 * (a ring, or one whose fd poll() found ready: io_ready) is served its turn, then each
 * one's queued output (events others caused) is sent. No connection can keep the others
 * waiting, whatever its client sends. True if one still may have input (do not sleep).
 */
bool protocol_turn(void);

void reply(struct conn *c, const struct request *req, const void *data, unsigned int len);
/* Replies @s with its NUL. */
void reply_string(struct conn *c, const struct request *req, const char *s);
void reply_ok(struct conn *c, const struct request *req);
/* The XS_ERROR name of -@err ("EINVAL"...), EIO for one the protocol does not know. */
const char *xs_error_name(int err);
/*
 * Fills @strings with the NUL-terminated strings the payload is made of and returns how
 * many, or -EINVAL if the payload does not end with a NUL or has more than @max.
 */
int request_strings(const struct request *req, const char **strings, unsigned int max);

#endif
