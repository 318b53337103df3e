/* The xenstore client's message layer: one request at a time, replies matched by id, watch events queued. */
#include <keel/errno.h>
#include "console.h"
#include <keel/string.h>
#include "xenstore.h"
#include "xs_port.h"
#include "xs_ring.h"

#define EVENT_SLOTS 16
#define EVENT_PATH_MAX 256

struct xs_iov {
	const void *base;
	u32 len;
};

static volatile struct xs_ring_page *ring;
static bool broken;
static u32 next_req_id = 1;
static char rx[XS_PAYLOAD_MAX + 1];

/* Watch events that arrived while a reply was awaited. */
static char events[EVENT_SLOTS][EVENT_PATH_MAX];
static unsigned int ev_head, ev_tail, ev_seen, ev_lost;
static bool ev_overflowed;

static const struct {
	const char *name;
	int err;
} xs_errors[] = {
	{ "EINVAL", EINVAL }, { "EACCES", EACCES }, { "EEXIST", EEXIST },
	{ "EISDIR", EINVAL }, { "ENOENT", ENOENT }, { "ENOMEM", ENOMEM },
	{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "ENOTEMPTY", ENOTEMPTY },
	{ "ENOSYS", ENOSYS }, { "EROFS", EACCES }, { "EBUSY", EBUSY },
	{ "EAGAIN", EAGAIN }, { "EISCONN", EEXIST }, { "E2BIG", E2BIG },
	{ "EPERM", EPERM }, { "EQUOTA", ENOSPC },
};

void xs_attach(volatile struct xs_ring_page *r)
{
	ring = r;
	broken = false;
	ev_head = ev_tail = ev_seen = ev_lost = 0;
	ev_overflowed = false;
}

unsigned int xs_events_seen(void)
{
	return ev_seen;
}

unsigned int xs_events_lost(void)
{
	return ev_lost;
}

static int map_error(const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(xs_errors); i++)
		if (!strcmp(name, xs_errors[i].name))
			return -xs_errors[i].err;
	return -EIO;
}

/* A WATCH_EVENT payload is "path\0token\0": keep the path. */
static void queue_event(u32 len)
{
	ev_seen++;
	if (ev_tail - ev_head >= EVENT_SLOTS) {
		ev_lost++;
		ev_overflowed = true;
		return;
	}
	char *slot = events[ev_tail++ % EVENT_SLOTS];
	size_t n = strlen(rx);

	/* A path too long to keep is kept as "": the reader re-checks everything. */
	if (n >= EVENT_PATH_MAX)
		n = 0;
	memcpy(slot, rx, n);
	slot[n] = '\0';
}

static int fail_stream(int err)
{
	broken = true;
	printf("xenstore: stream broken (%d): every later request fails\n", err);
	return -EIO;
}

/* Read one whole message into rx; its header into *@h. */
static int read_msg(struct xs_msg_hdr *h, u64 timeout_ns)
{
	int rc = xs_ring_recv(ring, h, sizeof(*h), timeout_ns);

	if (rc)
		return rc == -ETIMEDOUT ? rc : fail_stream(rc);
	if (h->len > XS_PAYLOAD_MAX)
		return fail_stream(-E2BIG);
	/* Mid-message: the rest is on its way, a timeout breaks the stream. */
	rc = xs_ring_recv(ring, rx, h->len, XS_REPLY_TIMEOUT_NS);
	if (rc)
		return fail_stream(rc);
	rx[h->len] = '\0';
	if (h->type == XS_WATCH_EVENT)
		queue_event(h->len);
	return 0;
}

/*
 * Send one request of @n parts and wait for its reply, which is left in
 * rx; returns the reply's length or an error.
 */
static int talk(u32 type, xs_tx_t tx, const struct xs_iov *iov, unsigned int n)
{
	struct xs_msg_hdr h = { .type = type, .req_id = next_req_id++,
				.tx_id = tx };
	struct xs_msg_hdr r;
	int rc;

	if (!ring || broken)
		return -EIO;
	for (unsigned int i = 0; i < n; i++) {
		if (iov[i].len > XS_PAYLOAD_MAX - h.len)
			return -E2BIG;
		h.len += iov[i].len;
	}
	rc = xs_ring_send(ring, &h, sizeof(h), XS_REPLY_TIMEOUT_NS);
	for (unsigned int i = 0; !rc && i < n; i++)
		rc = xs_ring_send(ring, iov[i].base, iov[i].len,
				   XS_REPLY_TIMEOUT_NS);
	if (rc)
		return fail_stream(rc);
	for (;;) {
		rc = read_msg(&r, XS_REPLY_TIMEOUT_NS);
		if (rc == -ETIMEDOUT)
			return fail_stream(rc);
		if (rc)
			return rc;
		if (r.type == XS_WATCH_EVENT || r.req_id != h.req_id)
			continue;
		if (r.type == XS_ERROR)
			return map_error(rx);
		if (r.type != type)
			return fail_stream(-EINVAL);
		return r.len;
	}
}

/* A request whose payload is @path (with its NUL) and optionally @value (without). */
static int talk_path(u32 type, xs_tx_t tx, const char *path, const char *value)
{
	struct xs_iov iov[2] = {
		{ path, strlen(path) + 1 },
		{ value, value ? strlen(value) : 0 },
	};

	return talk(type, tx, iov, value ? 2 : 1);
}

int xs_read(xs_tx_t tx, const char *path, char *buf, u32 size)
{
	int len = talk_path(XS_READ, tx, path, NULL);

	if (len < 0)
		return len;
	if ((u32)len >= size)
		return -E2BIG;
	memcpy(buf, rx, len);
	buf[len] = '\0';
	return len;
}

int xs_read_u64(xs_tx_t tx, const char *path, u64 *value)
{
	char buf[24];
	u64 v = 0;
	int len = xs_read(tx, path, buf, sizeof(buf));

	if (len < 0)
		return len;
	if (len == 0 || len > 20 || (buf[0] == '0' && len > 1))
		return -EINVAL;
	for (int i = 0; i < len; i++) {
		u64 d = buf[i] - '0';

		if (buf[i] < '0' || buf[i] > '9' || v > (~0ULL - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*value = v;
	return 0;
}

static int status_of(int len)
{
	return len < 0 ? len : 0;
}

int xs_write(xs_tx_t tx, const char *path, const char *value)
{
	return status_of(talk_path(XS_WRITE, tx, path, value));
}

int xs_printf(xs_tx_t tx, const char *path, const char *fmt, ...)
{
	char value[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (u32)n >= sizeof(value))
		return -E2BIG;
	return xs_write(tx, path, value);
}

int xs_mkdir(xs_tx_t tx, const char *path)
{
	return status_of(talk_path(XS_MKDIR, tx, path, NULL));
}

int xs_rm(xs_tx_t tx, const char *path)
{
	return status_of(talk_path(XS_RM, tx, path, NULL));
}

int xs_directory(xs_tx_t tx, const char *path, char *buf, u32 size)
{
	int len = talk_path(XS_DIRECTORY, tx, path, NULL), count = 0;

	if (len < 0)
		return len;
	if ((u32)len >= size)
		return -E2BIG;
	memcpy(buf, rx, len);
	buf[len] = '\0';
	for (int i = 0; i < len; i++)
		count += rx[i] == '\0';
	/* The daemon ends each name with a NUL: a last one without counts too. */
	if (len && rx[len - 1] != '\0')
		count++;
	return count;
}

int xs_transaction_start(xs_tx_t *tx)
{
	struct xs_iov iov = { "", 1 };
	u64 id = 0;
	int len = talk(XS_TRANSACTION_START, XS_NO_TX, &iov, 1);

	if (len < 0)
		return len;
	for (int i = 0; i < len && rx[i]; i++) {
		if (rx[i] < '0' || rx[i] > '9' || id > 0xffffffffULL)
			return -EIO;
		id = id * 10 + (rx[i] - '0');
	}
	if (!id || id > 0xffffffffULL)
		return -EIO;
	*tx = id;
	return 0;
}

int xs_transaction_end(xs_tx_t tx, bool commit)
{
	struct xs_iov iov = { commit ? "T" : "F", 2 };

	return status_of(talk(XS_TRANSACTION_END, tx, &iov, 1));
}

static int watch_op(u32 type, const char *path, const char *token)
{
	struct xs_iov iov[2] = {
		{ path, strlen(path) + 1 }, { token, strlen(token) + 1 },
	};

	return status_of(talk(type, XS_NO_TX, iov, 2));
}

int xs_watch(const char *path, const char *token)
{
	return watch_op(XS_WATCH, path, token);
}

int xs_unwatch(const char *path, const char *token)
{
	return watch_op(XS_UNWATCH, path, token);
}

static bool pop_event(char *path, u32 size)
{
	if (ev_overflowed) {
		ev_overflowed = false;
		ev_head = ev_tail;
		if (size)
			path[0] = '\0';
		return true;
	}
	if (ev_head == ev_tail)
		return false;
	if (size)
		snprintf(path, size, "%s", events[ev_head % EVENT_SLOTS]);
	ev_head++;
	return true;
}

bool xs_next_event(char *path, u32 size, u64 timeout_ns)
{
	u64 end = xs_now_ns() + timeout_ns;

	for (;;) {
		struct xs_msg_hdr h;
		u64 now;

		if (pop_event(path, size))
			return true;
		if (!ring || broken)
			return false;
		/* What already arrived first, even with no time left. */
		now = xs_now_ns();
		if (!xs_ring_pending(ring) && now >= end)
			return false;
		if (read_msg(&h, now >= end ? 0 : end - now) && broken)
			return false;
	}
}

void xs_drop_events(void)
{
	ev_head = ev_tail;
	ev_overflowed = false;
}

int xs_wait_value(const char *path, bool (*ok)(const char *val, void *arg),
		  void *arg, u64 timeout_ns, char *val, u32 size)
{
	u64 end = xs_now_ns() + timeout_ns;
	int rc = xs_watch(path, "xs_wait_value");

	if (rc)
		return rc;
	for (;;) {
		u64 now;

		rc = xs_read(XS_NO_TX, path, val, size);
		if (rc == -ENOENT) {
			val[0] = '\0';
			rc = 0;
		}
		if (rc < 0)
			break;
		rc = 0;
		if (ok(val, arg))
			break;
		now = xs_now_ns();
		if (now >= end || !xs_next_event(NULL, 0, end - now)) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	xs_unwatch(path, "xs_wait_value");
	return rc;
}
