/* Test-side xenstore clients: wire messages over a Unix socket or as a guest on a ring page,
 * and the xenstored under test as a child process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "xs_client.h"

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

unsigned int guest_ring_write(struct xenstore_domain_interface *intf, const void *data,
			      unsigned int len)
{
	XENSTORE_RING_IDX prod = LOAD(intf->req_prod), cons = LOAD(intf->req_cons);
	unsigned int space = XENSTORE_RING_SIZE - (prod - cons), i;

	if (len > space)
		len = space;
	for (i = 0; i < len; i++)
		intf->req[MASK_XENSTORE_IDX(prod + i)] = ((const char *)data)[i];
	STORE(intf->req_prod, prod + len);
	return len;
}

unsigned int guest_ring_read(struct xenstore_domain_interface *intf, void *buf, unsigned int len)
{
	XENSTORE_RING_IDX prod = LOAD(intf->rsp_prod), cons = LOAD(intf->rsp_cons);
	unsigned int avail = prod - cons, i;

	if (len > avail)
		len = avail;
	for (i = 0; i < len; i++)
		((char *)buf)[i] = intf->rsp[MASK_XENSTORE_IDX(cons + i)];
	STORE(intf->rsp_cons, cons + len);
	return len;
}

void xs_client_socket(struct xs_client *cl, int fd)
{
	memset(cl, 0, sizeof(*cl));
	cl->fd = fd;
	cl->next_req_id = 1;
}

void xs_client_ring(struct xs_client *cl, struct xenstore_domain_interface *intf,
		    void (*pump)(void *arg), void *pump_arg)
{
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
	cl->intf = intf;
	cl->pump = pump;
	cl->pump_arg = pump_arg;
	cl->next_req_id = 1;
}

void xs_client_close(struct xs_client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	cl->fd = -1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Lets the daemon run: the in-process one through pump, else by waiting a little. */
static void ring_wait(struct xs_client *cl)
{
	if (cl->pump)
		cl->pump(cl->pump_arg);
	else
		usleep(1000);
}

int xs_send_raw(struct xs_client *cl, const void *data, unsigned int len)
{
	long long deadline = now_ms() + XS_TIMEOUT_MS;
	unsigned int done = 0;
	ssize_t n;

	while (done < len) {
		if (cl->fd >= 0) {
			n = send(cl->fd, (const char *)data + done, len - done, MSG_NOSIGNAL);
			if (n < 0)
				return -errno;
		} else {
			n = guest_ring_write(cl->intf, (const char *)data + done, len - done);
			if (n == 0) {
				if (now_ms() > deadline)
					return -ETIMEDOUT;
				ring_wait(cl);
			}
		}
		done += (unsigned int)n;
	}
	if (cl->fd < 0 && cl->pump)
		cl->pump(cl->pump_arg);
	return 0;
}

uint32_t xs_send(struct xs_client *cl, uint32_t type, uint32_t tx_id, const void *payload,
		 unsigned int len)
{
	struct xsd_sockmsg hdr = {
		.type = type, .req_id = cl->next_req_id++, .tx_id = tx_id, .len = len,
	};
	char buf[sizeof(hdr) + XENSTORE_PAYLOAD_MAX];

	memcpy(buf, &hdr, sizeof(hdr));
	if (len)
		memcpy(buf + sizeof(hdr), payload, len);
	xs_send_raw(cl, buf, (unsigned int)sizeof(hdr) + len);
	return hdr.req_id;
}

/* Takes a whole message out of cl->rx if there is one. */
static bool take_message(struct xs_client *cl, struct xs_msg *msg)
{
	struct xsd_sockmsg hdr;
	unsigned int total;

	if (cl->rx_len < sizeof(hdr))
		return false;
	memcpy(&hdr, cl->rx, sizeof(hdr));
	total = (unsigned int)sizeof(hdr) + hdr.len;
	if (hdr.len > XENSTORE_PAYLOAD_MAX || cl->rx_len < total)
		return false;
	msg->hdr = hdr;
	memcpy(msg->body, cl->rx + sizeof(hdr), hdr.len);
	msg->body[hdr.len] = '\0';
	memmove(cl->rx, cl->rx + total, cl->rx_len - total);
	cl->rx_len -= total;
	return true;
}

int xs_recv(struct xs_client *cl, struct xs_msg *msg, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = cl->fd, .events = POLLIN };
	bool waited = false;
	ssize_t n;

	while (!take_message(cl, msg)) {
		if (cl->fd >= 0) {
			long long left = deadline - now_ms();

			if (left < 0 || poll(&pfd, 1, (int)left) <= 0)
				return -ETIMEDOUT;
			n = recv(cl->fd, cl->rx + cl->rx_len, sizeof(cl->rx) - cl->rx_len, 0);
			if (n <= 0)
				return -EPIPE;
		} else {
			n = guest_ring_read(cl->intf, cl->rx + cl->rx_len,
					    (unsigned int)sizeof(cl->rx) - cl->rx_len);
			if (n == 0) {
				/*
				 * Let the daemon run at least once since the ring last
				 * gave bytes, even with no time to wait: a message larger
				 * than the ring takes several turns, however the clock
				 * ticks meanwhile (with a timeout of 0 a millisecond
				 * passing between two turns broke it off).
				 */
				if (waited && now_ms() > deadline)
					return -ETIMEDOUT;
				ring_wait(cl);
				waited = true;
			} else {
				waited = false;
			}
		}
		cl->rx_len += (unsigned int)n;
	}
	return 0;
}

int xs_call(struct xs_client *cl, uint32_t type, uint32_t tx_id, const void *payload,
	    unsigned int len, struct xs_msg *reply)
{
	uint32_t req_id = xs_send(cl, type, tx_id, payload, len);
	int rc;

	for (;;) {
		rc = xs_recv(cl, reply, XS_TIMEOUT_MS);
		if (rc)
			return rc;
		if (reply->hdr.type != XS_WATCH_EVENT)
			return reply->hdr.req_id == req_id ? 0 : -EPROTO;
		if (cl->nr_events < MAX_QUEUED_EVENTS)
			cl->events[cl->nr_events++] = *reply;
	}
}

int xs_callv(struct xs_client *cl, uint32_t type, uint32_t tx_id, struct xs_msg *reply,
	     unsigned int n, ...)
{
	char payload[XENSTORE_PAYLOAD_MAX];
	unsigned int len = 0;
	const char *s;
	va_list ap;

	va_start(ap, n);
	while (n--) {
		s = va_arg(ap, const char *);
		memcpy(payload + len, s, strlen(s) + 1);
		len += (unsigned int)strlen(s) + 1;
	}
	va_end(ap);
	return xs_call(cl, type, tx_id, payload, len, reply);
}

int xs_write_node(struct xs_client *cl, uint32_t tx_id, const char *path, const void *value,
	     unsigned int len, struct xs_msg *reply)
{
	char payload[XENSTORE_PAYLOAD_MAX];
	size_t plen = strlen(path) + 1;

	memcpy(payload, path, plen);
	memcpy(payload + plen, value, len);
	return xs_call(cl, XS_WRITE, tx_id, payload, (unsigned int)plen + len, reply);
}

int xs_next_event(struct xs_client *cl, struct xs_msg *event, int timeout_ms)
{
	int rc;

	if (cl->nr_events) {
		*event = cl->events[0];
		memmove(cl->events, cl->events + 1, --cl->nr_events * sizeof(cl->events[0]));
		return 0;
	}
	do
		rc = xs_recv(cl, event, timeout_ms);
	while (!rc && event->hdr.type != XS_WATCH_EVENT);
	return rc;
}

bool xs_is_error(const struct xs_msg *reply, const char *name)
{
	return reply->hdr.type == XS_ERROR && reply->hdr.len == strlen(name) + 1 &&
	       !strcmp(reply->body, name);
}

bool xs_is_ok(const struct xs_msg *reply)
{
	return reply->hdr.type != XS_ERROR && reply->hdr.len == 3 && !strcmp(reply->body, "OK");
}

int daemon_start(struct xs_daemon *d, const char *const *args)
{
	const char *argv[32] = { XENSTORED_BIN, "--foreground", "--socket", d->socket,
				 "--ring-dir", d->dir, "--log", d->log };
	unsigned int argc = 8;
	long long deadline;
	int fd;

	strcpy(d->dir, "/tmp/xenstored-test-XXXXXX");
	if (!mkdtemp(d->dir))
		return -errno;
	snprintf(d->socket, sizeof(d->socket), "%s/socket", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/log", d->dir);
	while (args && *args && argc < 31)
		argv[argc++] = *args++;
	argv[argc] = NULL;
	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (d->pid == 0) {
		execv(XENSTORED_BIN, (char *const *)argv);
		_exit(127);
	}
	for (deadline = now_ms() + 5000; now_ms() < deadline; usleep(5000)) {
		fd = daemon_connect(d);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (!daemon_alive(d))
			break;
	}
	daemon_stop(d);
	return -ETIMEDOUT;
}

bool daemon_alive(struct xs_daemon *d)
{
	return d->pid > 0 && waitpid(d->pid, NULL, WNOHANG) == 0;
}

int daemon_stop(struct xs_daemon *d)
{
	char cmd[128];
	int status = 0, i, rc = -1;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		for (i = 0; i < 500 && waitpid(d->pid, &status, WNOHANG) == 0; i++)
			usleep(10000);
		if (i == 500) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
		} else if (WIFEXITED(status)) {
			rc = WEXITSTATUS(status);
		}
		d->pid = 0;
	}
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s >&2", d->log);
		if (system(cmd))
			fprintf(stderr, "(no daemon log)\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", d->dir);
	return rc;
}

int daemon_connect(struct xs_daemon *d)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(addr.sun_path, d->socket);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

struct xenstore_domain_interface *daemon_ring_page(struct xs_daemon *d, unsigned int domid)
{
	char path[128];
	void *page;
	int fd;

	snprintf(path, sizeof(path), "%s/domain-%u", d->dir, domid);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 4096)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return page == MAP_FAILED ? NULL : page;
}
