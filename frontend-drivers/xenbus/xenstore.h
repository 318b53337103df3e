/* A xenstore client on the guest's store ring: read, write, mkdir, rm, directory, transactions, watches. */
#ifndef GUEST_XENSTORE_H
#define GUEST_XENSTORE_H

#include <keel/types.h>

/* The ring page (xs_proto.h); users of this API need not see the wire. */
struct xs_ring_page;

/* A transaction id; XS_NO_TX outside any transaction. */
typedef u32 xs_tx_t;
#define XS_NO_TX 0

/* How long one request may wait for its reply. */
#define XS_REPLY_TIMEOUT_NS 10000000000ULL

/*
 * Find the store ring and port (HVM_PARAM_STORE_PFN/EVTCHN) and use them;
 * events_init() must have run. 0, or -ENODEV when none is offered.
 */
int xs_init(void);
/* Use ring @r (the unit tests' fake daemon, or xs_init()). */
void xs_attach(volatile struct xs_ring_page *r);

/*
 * Each returns 0 (or a count or length, as said) or a negated errno: the
 * daemon's XS_ERROR mapped (-ENOENT, -EACCES, -EAGAIN, ...), -ETIMEDOUT
 * without a reply, -EIO on a broken stream (the client then fails every
 * later request), -E2BIG for a request over XS_PAYLOAD_MAX or a reply
 * larger than the caller's buffer.
 */

/* The value, NUL-terminated, in @buf of @size bytes; returns its length. */
int xs_read(xs_tx_t tx, const char *path, char *buf, u32 size);
/* A strictly decimal value (no sign, no spaces, no leading zeros but "0"). */
int xs_read_u64(xs_tx_t tx, const char *path, u64 *value);
int xs_write(xs_tx_t tx, const char *path, const char *value);
int xs_printf(xs_tx_t tx, const char *path, const char *fmt, ...)
	__printf(3, 4);
int xs_mkdir(xs_tx_t tx, const char *path);
int xs_rm(xs_tx_t tx, const char *path);
/* The children's names, each NUL-terminated, one after the other; returns how many. */
int xs_directory(xs_tx_t tx, const char *path, char *buf, u32 size);

int xs_transaction_start(xs_tx_t *tx);
/* Commit (or abort); -EAGAIN when a commit conflicted: start again. */
int xs_transaction_end(xs_tx_t tx, bool commit);

int xs_watch(const char *path, const char *token);
int xs_unwatch(const char *path, const char *token);
/*
 * Take the next watch event (its path into @path, "" if events were
 * lost), waiting up to @timeout_ns for one. False on timeout.
 */
bool xs_next_event(char *path, u32 size, u64 timeout_ns);
/* Drop every queued watch event. */
void xs_drop_events(void);

/*
 * Watch @path until its value satisfies @ok (a missing node reads as "")
 * or @timeout_ns passed. The last value read is left in @val (@size
 * bytes). 0, -ETIMEDOUT, or a request's error.
 */
int xs_wait_value(const char *path, bool (*ok)(const char *val, void *arg),
		  void *arg, u64 timeout_ns, char *val, u32 size);

/* Counters for tests: watch events received and dropped for lack of room. */
unsigned int xs_events_seen(void);
unsigned int xs_events_lost(void);

#endif
