/* A guest's console kept in dom0 (xenconsoled's --log=guest): console/guest-NAME.log. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "console_log.h"
#include "util.h"

static int reopen(struct console_log *l)
{
	struct stat st;

	if (l->fd >= 0)
		close(l->fd);
	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (l->fd < 0)
		return -errno;
	l->size = fstat(l->fd, &st) ? 0 : (uint64_t)st.st_size;
	return 0;
}

int console_log_open(struct console_log *l, const char *dir, const char *name, uint64_t max)
{
	char *sub = xasprintf("%s/%s", dir, CONSOLE_LOG_SUBDIR);
	int rc;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->max = max;
	l->at_line_start = true;
	mkdir_parents(sub);
	l->path = xasprintf("%s/guest-%s.log", sub, name);
	free(sub);
	rc = reopen(l);
	if (rc) {
		free(l->path);
		l->path = NULL;
	}
	return rc;
}

void console_log_follow(struct console_log *l, uint16_t domid)
{
	l->domid = domid;
	memset(&l->w, 0, sizeof(l->w));
}

/* The file would pass its bound: it becomes NAME.log.1 and a new one starts. */
static int rotate(struct console_log *l)
{
	char *old = xasprintf("%s.1", l->path);
	int rc = rename(l->path, old) ? -errno : 0;

	free(old);
	return rc ? rc : reopen(l);
}

static int put(struct console_log *l, const void *p, size_t len)
{
	const uint8_t *b = p;

	if (!len)
		return 0;
	if (l->size && l->size + len > l->max) {
		int rc = rotate(l);

		if (rc)
			return rc;
	}
	while (len) {
		ssize_t n = write(l->fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		l->at_line_start = b[n - 1] == '\n';
		l->size += (uint64_t)n;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* keelctl's own line in the guest's log: "[keelctl: ...]", on a line of its own. */
static int __printf(2, 3) note(struct console_log *l, const char *fmt, ...)
{
	char text[128];
	va_list ap;
	int len = snprintf(text, sizeof(text), "%s[keelctl: ", l->at_line_start ? "" : "\n");

	va_start(ap, fmt);
	len += vsnprintf(text + len, sizeof(text) - 3 - (size_t)len, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(text) - 4)
		len = (int)sizeof(text) - 4;
	memcpy(text + len, "]\n", 3);
	return put(l, text, (size_t)len + 2);
}

int console_log_poll(struct console_log *l, struct hv *hv, bool *gone)
{
	uint8_t buf[HV_TEXT_MAX];
	bool wrote = false;

	*gone = false;
	if (l->fd < 0)
		return 0;
	for (;;) {
		uint64_t want = l->w.pos;
		int rc = hv_console_read(hv, l->domid, buf, sizeof(buf), &l->w);

		if (rc == -ESRCH) {
			*gone = true;	/* nothing of it is left (or never was) */
			return wrote;
		}
		if (rc)
			return rc;
		if (l->w.pos > want) {
			rc = note(l, "%llu bytes of the console were lost (keel keeps 16 KiB)",
				  (unsigned long long)(l->w.pos - want));
			if (rc)
				return rc;
		}
		rc = put(l, buf, l->w.nr);
		if (rc)
			return rc;
		wrote |= l->w.nr > 0;
		l->w.pos += l->w.nr;
		if (!l->w.nr || l->w.pos >= l->w.head) {
			*gone = l->w.gone;
			return wrote;
		}
	}
}

void console_log_close(struct console_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}
