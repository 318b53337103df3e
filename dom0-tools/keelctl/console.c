/* Attaching a terminal to a domain's PV console through keel's console_read / console_write. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "console.h"
#include "util.h"

struct console {
	struct hv *hv;
	uint16_t domid;
	int in_fd, out_fd;
	bool input_open;
	struct hv_console_window out;	/* the domain's instance and the next byte wanted */
	uint8_t pending[HV_TEXT_MAX];	/* input the ring has not taken yet */
	uint32_t nr_pending;
	bool detach;			/* Ctrl-] seen: leave once pending is sent */
};

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * All the output there is now. *@gone: the domain was destroyed and every byte it wrote is
 * out; keel keeps a destroyed domain's output, so its last words written after the previous
 * poll come too.
 */
static int drain_output(struct console *c, bool *gone)
{
	uint8_t buf[HV_TEXT_MAX];

	for (;;) {
		int rc = hv_console_read(c->hv, c->domid, buf, sizeof(buf), &c->out);

		if (rc)
			return rc;
		if (c->out.nr) {
			rc = write_all(c->out_fd, buf, c->out.nr);
			if (rc)
				return rc;
		}
		c->out.pos += c->out.nr;
		if (!c->out.nr || c->out.pos >= c->out.head) {
			*gone = c->out.gone;
			return 0;
		}
	}
}

size_t console_replay_start(const uint8_t *buf, size_t len, unsigned int lines)
{
	size_t i = len;

	if (!lines)
		return len;
	if (i && buf[i - 1] == '\n')
		i--;		/* the last line's own end */
	while (i) {
		if (buf[i - 1] == '\n' && !--lines)
			return i;
		i--;
	}
	return 0;
}

/*
 * The last @lines lines of what keel kept now go out, and the stream goes on after them.
 * Everything kept is read first (at most keel's 16 KiB, and a little more that came meanwhile).
 */
#define REPLAY_MAX	(64u << 10)

static int replay(struct console *c, unsigned int lines)
{
	uint8_t *buf = malloc(REPLAY_MAX);
	size_t len = 0, from;
	uint64_t first = 0;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		uint32_t want = REPLAY_MAX - len < HV_TEXT_MAX ? REPLAY_MAX - len : HV_TEXT_MAX;

		rc = hv_console_read(c->hv, c->domid, buf + len, want, &c->out);
		if (rc)
			break;
		if (len && c->out.pos != first + len) {
			/* Overrun while reading: what is kept now starts there. */
			memmove(buf, buf + len, c->out.nr);
			len = 0;
		}
		if (!len)
			first = c->out.pos;
		len += c->out.nr;
		c->out.pos += c->out.nr;
		if (!c->out.nr || c->out.pos >= c->out.head || len == REPLAY_MAX)
			break;
	}
	if (!rc) {
		from = console_replay_start(buf, len, lines);
		rc = write_all(c->out_fd, buf + from, len - from);
	}
	free(buf);
	return rc == -ESRCH ? 0 : rc;	/* nothing kept: the loop says it is gone */
}

/* Reads what the user typed, up to Ctrl-]. */
static int read_input(struct console *c)
{
	uint8_t buf[HV_TEXT_MAX];
	ssize_t n = read(c->in_fd, buf, sizeof(buf) - c->nr_pending);
	uint8_t *esc;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0) {
		c->input_open = false;
		return 0;
	}
	esc = memchr(buf, CONSOLE_ESCAPE, (size_t)n);
	if (esc) {
		n = esc - buf;
		c->detach = true;
	}
	memcpy(c->pending + c->nr_pending, buf, (size_t)n);
	c->nr_pending += (uint32_t)n;
	return 0;
}

static int send_input(struct console *c)
{
	uint32_t taken;
	int rc;

	if (!c->nr_pending)
		return 0;
	rc = hv_console_write(c->hv, c->domid, c->pending, c->nr_pending, &taken);
	if (rc)
		return rc;
	memmove(c->pending, c->pending + taken, c->nr_pending - taken);
	c->nr_pending -= taken;
	return 0;
}

static int loop(struct console *c)
{
	int rc;

	for (;;) {
		struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };
		bool want_input = c->input_open && !c->detach && c->nr_pending < HV_TEXT_MAX;
		bool gone = false;

		if (poll(&pfd, want_input ? 1 : 0, CONSOLE_POLL_MS) < 0 && errno != EINTR)
			return -errno;
		if (want_input && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
			rc = read_input(c);
			if (rc)
				return rc;
		}
		rc = send_input(c);
		if (rc == -ESRCH)
			c->nr_pending = 0;	/* destroyed: what it wrote last still comes */
		else if (rc)
			goto fail;
		rc = drain_output(c, &gone);
		if (rc == -ESRCH)
			gone = true;	/* nothing of it is left (or never was) */
		else if (rc)
			goto fail;
		if (gone) {
			char note[64];
			int n = snprintf(note, sizeof(note), "\r\n[keelctl: d%u is gone]\r\n",
					 c->domid);

			write_all(c->out_fd, (const uint8_t *)note, (size_t)n);
			return 0;
		}
		/* Input typed before Ctrl-] had its chance above; the ring may stay full. */
		if (c->detach)
			return 0;
	}
fail:
	kc_err("d%u: console: %s (%s)", c->domid, strerror(-rc), errno_name(-rc));
	return rc;
}

int console_attach(struct hv *hv, uint16_t domid, int in_fd, int out_fd, int replay_lines)
{
	struct console c = {
		.hv = hv, .domid = domid, .in_fd = in_fd, .out_fd = out_fd, .input_open = true,
	};
	struct termios saved, raw;
	bool tty = isatty(in_fd) && !tcgetattr(in_fd, &saved);
	int rc;

	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(in_fd, TCSANOW, &raw);
	}
	rc = replay_lines == CONSOLE_REPLAY_ALL ? 0 : replay(&c, (unsigned int)replay_lines);
	if (rc)
		kc_err("d%u: console: %s (%s)", domid, strerror(-rc), errno_name(-rc));
	else
		rc = loop(&c);
	if (tty)
		tcsetattr(in_fd, TCSANOW, &saved);
	return rc;
}
