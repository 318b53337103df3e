/* keelctl's xenstore client: Xen's wire protocol over xenstored's Unix socket. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>
#include "util.h"
#include "xs.h"

struct xs_event {
	struct xs_event *next;
	char *path, *token;
};

struct xs {
	int fd;
	uint32_t next_req_id;
	struct xs_event *events, **events_tail;	/* watch events read while waiting */
	unsigned int nr_events;			/* queued, at most XS_EVENTS_MAX */
	bool overflowed;			/* some were dropped: say -ENOBUFS once */
};

/* One piece of a request's payload. */
struct iovec_part {
	const void *p;
	size_t len;
};

/* A message read off the socket. */
struct xs_reply {
	struct xsd_sockmsg hdr;
	char *body;		/* hdr.len bytes and a NUL */
};

struct xs *xs_open(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct xs *xs;
	int fd;

	if (!path)
		path = getenv("XENSTORED_PATH");
	if (!path || !*path)
		path = XS_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		kc_err("xenstore socket path too long: %s", path);
		return NULL;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		kc_err("cannot connect to xenstored at %s: %s (is xenstored running?)", path,
		       strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	xs = xcalloc(1, sizeof(*xs));
	xs->fd = fd;
	xs->next_req_id = 1;
	xs->events_tail = &xs->events;
	return xs;
}

static void free_event(struct xs_event *e)
{
	free(e->path);
	free(e->token);
	free(e);
}

void xs_close(struct xs *xs)
{
	if (!xs)
		return;
	while (xs->events) {
		struct xs_event *e = xs->events;

		xs->events = e->next;
		free_event(e);
	}
	close(xs->fd);
	free(xs);
}

int xs_fileno(const struct xs *xs)
{
	return xs->fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EPIPE || errno == ECONNRESET ? -EPIPE : -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly @len bytes before @deadline (ms; 0: none). */
static int read_all(int fd, void *buf, size_t len, uint64_t deadline)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int timeout = -1;
		ssize_t n;

		if (deadline) {
			uint64_t now = now_ms();

			if (now >= deadline)
				return -ETIMEDOUT;
			timeout = (int)(deadline - now);
		}
		n = poll(&pfd, 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * One message. A timeout before its first byte is clean (-ETIMEDOUT); once a header has
 * started the whole message is waited for, so the stream stays in step.
 */
static int read_msg(struct xs *xs, struct xs_reply *r, int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? 0 : now_ms() + (uint64_t)timeout_ms;
	int rc;

	if (timeout_ms >= 0) {
		struct pollfd pfd = { .fd = xs->fd, .events = POLLIN };

		do
			rc = poll(&pfd, 1, timeout_ms);
		while (rc < 0 && errno == EINTR);
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
		deadline = now_ms() + XS_REPLY_TIMEOUT_MS;
	}
	rc = read_all(xs->fd, &r->hdr, sizeof(r->hdr), deadline);
	if (rc)
		return rc;
	if (r->hdr.len > XENSTORE_PAYLOAD_MAX)
		return -EPROTO;
	r->body = xmalloc(r->hdr.len + 1);
	rc = read_all(xs->fd, r->body, r->hdr.len, deadline);
	if (rc) {
		free(r->body);
		return rc;
	}
	r->body[r->hdr.len] = '\0';
	return 0;
}

/*
 * Queues a watch event: "PATH\0TOKEN\0". A guest rewriting a watched node without pause
 * must not grow the queue without bound while its reader is busy: past XS_EVENTS_MAX the
 * event is dropped, and the reader is told (-ENOBUFS) once the queue is drained.
 */
static void queue_event(struct xs *xs, struct xs_reply *r)
{
	struct xs_event *e;
	size_t plen = strlen(r->body);

	if (xs->nr_events >= XS_EVENTS_MAX) {
		xs->overflowed = true;
		free(r->body);
		return;
	}
	e = xcalloc(1, sizeof(*e));
	xs->nr_events++;
	e->path = xstrdup(r->body);
	e->token = xstrdup(plen < (size_t)r->hdr.len ? r->body + plen + 1 : "");
	*xs->events_tail = e;
	xs->events_tail = &e->next;
	free(r->body);
}

static int error_code(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(xsd_errors); i++)
		if (!strcmp(name, xsd_errors[i].errstring))
			return -xsd_errors[i].errnum;
	return -EIO;
}

/*
 * Sends a request made of @n parts (each sent as is; callers include NULs) and waits for its
 * reply, whose body is returned in *@body (when not NULL) with *@len. XS_ERROR becomes -errno.
 */
static int call(struct xs *xs, uint32_t type, uint32_t tx, const struct iovec_part *parts,
		unsigned int n, char **body, size_t *len)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = xs->next_req_id++, .tx_id = tx };
	uint64_t deadline = now_ms() + XS_REPLY_TIMEOUT_MS;
	uint8_t *msg;
	size_t at = sizeof(hdr);
	int rc;

	for (unsigned int i = 0; i < n; i++)
		hdr.len += (uint32_t)parts[i].len;
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	msg = xmalloc(sizeof(hdr) + hdr.len);
	memcpy(msg, &hdr, sizeof(hdr));
	for (unsigned int i = 0; i < n; i++) {
		memcpy(msg + at, parts[i].p, parts[i].len);
		at += parts[i].len;
	}
	rc = write_all(xs->fd, msg, at);
	free(msg);
	if (rc)
		return rc;
	for (;;) {
		struct xs_reply r;
		uint64_t now = now_ms();

		if (now >= deadline)
			return -ETIMEDOUT;
		rc = read_msg(xs, &r, (int)(deadline - now));
		if (rc)
			return rc;
		if (r.hdr.type == XS_WATCH_EVENT) {
			queue_event(xs, &r);
			continue;
		}
		if (r.hdr.req_id != hdr.req_id) {
			free(r.body);
			return -EPROTO;
		}
		if (r.hdr.type == XS_ERROR) {
			rc = error_code(r.body);
			free(r.body);
			return rc;
		}
		if (r.hdr.type != (uint32_t)type) {
			free(r.body);
			return -EPROTO;
		}
		if (body) {
			*body = r.body;
			if (len)
				*len = r.hdr.len;
		} else {
			free(r.body);
		}
		return 0;
	}
}

/* A request whose payload is @n strings, each with its NUL. */
static int call_strings(struct xs *xs, uint32_t type, uint32_t tx, char **body, size_t *len,
			unsigned int n, const char *const *s)
{
	struct iovec_part parts[8];

	for (unsigned int i = 0; i < n; i++)
		parts[i] = (struct iovec_part){ s[i], strlen(s[i]) + 1 };
	return call(xs, type, tx, parts, n, body, len);
}

int xs_read(struct xs *xs, uint32_t tx, const char *path, char **value)
{
	return call_strings(xs, XS_READ, tx, value, NULL, 1, &path);
}

int xs_write(struct xs *xs, uint32_t tx, const char *path, const char *value)
{
	struct iovec_part parts[] = { { path, strlen(path) + 1 }, { value, strlen(value) } };

	return call(xs, XS_WRITE, tx, parts, 2, NULL, NULL);
}

int xs_mkdir(struct xs *xs, uint32_t tx, const char *path)
{
	return call_strings(xs, XS_MKDIR, tx, NULL, NULL, 1, &path);
}

int xs_rm(struct xs *xs, uint32_t tx, const char *path)
{
	return call_strings(xs, XS_RM, tx, NULL, NULL, 1, &path);
}

/* "a\0b\0" into a NULL-terminated array. */
static char **split(const char *body, size_t len, unsigned int *nr)
{
	unsigned int n = 0, i = 0;
	char **list;

	for (size_t at = 0; at < len; at += strlen(body + at) + 1)
		n++;
	list = xcalloc(n + 1, sizeof(*list));
	for (size_t at = 0; at < len; at += strlen(body + at) + 1)
		list[i++] = xstrdup(body + at);
	if (nr)
		*nr = n;
	return list;
}

static int list_call(struct xs *xs, uint32_t type, uint32_t tx, const char *path,
		     char ***out, unsigned int *nr)
{
	char *body;
	size_t len;
	int rc = call_strings(xs, type, tx, &body, &len, 1, &path);

	if (rc)
		return rc;
	*out = split(body, len, nr);
	free(body);
	return 0;
}

int xs_directory(struct xs *xs, uint32_t tx, const char *path, char ***names,
		 unsigned int *nr)
{
	return list_call(xs, XS_DIRECTORY, tx, path, names, nr);
}

int xs_get_perms(struct xs *xs, uint32_t tx, const char *path, char ***perms,
		 unsigned int *nr)
{
	return list_call(xs, XS_GET_PERMS, tx, path, perms, nr);
}

int xs_set_perms(struct xs *xs, uint32_t tx, const char *path, const char *const *perms,
		 unsigned int nr)
{
	struct iovec_part parts[8];

	if (nr + 1 > ARRAY_SIZE(parts))
		return -E2BIG;
	parts[0] = (struct iovec_part){ path, strlen(path) + 1 };
	for (unsigned int i = 0; i < nr; i++)
		parts[i + 1] = (struct iovec_part){ perms[i], strlen(perms[i]) + 1 };
	return call(xs, XS_SET_PERMS, tx, parts, nr + 1, NULL, NULL);
}

int xs_watch(struct xs *xs, const char *path, const char *token)
{
	const char *s[] = { path, token };

	return call_strings(xs, XS_WATCH, 0, NULL, NULL, 2, s);
}

int xs_unwatch(struct xs *xs, const char *path, const char *token)
{
	const char *s[] = { path, token };

	return call_strings(xs, XS_UNWATCH, 0, NULL, NULL, 2, s);
}

bool xs_has_events(const struct xs *xs)
{
	return xs->events || xs->overflowed;
}

int xs_read_watch(struct xs *xs, char **path, char **token, int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? 0 : now_ms() + (uint64_t)timeout_ms;
	struct xs_event *e;

	while (!xs->events) {
		struct xs_reply r;
		int left = -1, rc;

		if (xs->overflowed) {
			xs->overflowed = false;
			return -ENOBUFS;
		}
		if (deadline) {
			uint64_t now = now_ms();

			left = now >= deadline ? 0 : (int)(deadline - now);
		}
		rc = read_msg(xs, &r, left);
		if (rc)
			return rc;
		if (r.hdr.type != XS_WATCH_EVENT) {
			free(r.body);
			return -EPROTO;
		}
		queue_event(xs, &r);
	}
	e = xs->events;
	xs->events = e->next;
	xs->nr_events--;
	if (!xs->events)
		xs->events_tail = &xs->events;
	*path = e->path;
	*token = e->token;
	free(e);
	return 0;
}

int xs_transaction_start(struct xs *xs, uint32_t *tx)
{
	const char *empty = "";
	char *body;
	uint64_t id;
	int rc = call_strings(xs, XS_TRANSACTION_START, 0, &body, NULL, 1, &empty);

	if (rc)
		return rc;
	if (!parse_u64(body, &id) || !id || id > UINT32_MAX) {
		free(body);
		return -EPROTO;
	}
	free(body);
	*tx = (uint32_t)id;
	return 0;
}

int xs_transaction_end(struct xs *xs, uint32_t tx, bool commit)
{
	const char *what = commit ? "T" : "F";

	return call_strings(xs, XS_TRANSACTION_END, tx, NULL, NULL, 1, &what);
}

int xs_introduce(struct xs *xs, uint16_t domid, uint64_t mfn, uint32_t port)
{
	char d[8], m[24], p[12];
	const char *s[] = { d, m, p };

	snprintf(d, sizeof(d), "%u", domid);
	snprintf(m, sizeof(m), "%llu", (unsigned long long)mfn);
	snprintf(p, sizeof(p), "%u", port);
	return call_strings(xs, XS_INTRODUCE, 0, NULL, NULL, 3, s);
}

int xs_release(struct xs *xs, uint16_t domid)
{
	char d[8];
	const char *s = d;

	snprintf(d, sizeof(d), "%u", domid);
	return call_strings(xs, XS_RELEASE, 0, NULL, NULL, 1, &s);
}

int xs_is_introduced(struct xs *xs, uint16_t domid, bool *introduced)
{
	char d[8], *body;
	const char *s = d;
	int rc;

	snprintf(d, sizeof(d), "%u", domid);
	rc = call_strings(xs, XS_IS_DOMAIN_INTRODUCED, 0, &body, NULL, 1, &s);
	if (rc)
		return rc;
	*introduced = !strcmp(body, "T");
	free(body);
	return 0;
}

void xs_free_list(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}
