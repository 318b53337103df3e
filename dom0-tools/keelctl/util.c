/* keelctl's small helpers: messages, whole-file reads, numbers, time, UUIDs. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

FILE *kc_errf;
void (*kc_message_hook)(void);

static void vmessage(const char *what, const char *fmt, va_list ap)
{
	FILE *f = kc_errf ? kc_errf : stderr;

	if (kc_message_hook)
		kc_message_hook();
	fprintf(f, "keelctl: %s", what);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

void kc_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void kc_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

int read_whole_file(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = read_whole_fd(fd, max, buf, len);
	close(fd);
	return rc;
}

int read_whole_fd(int fd, size_t max, uint8_t **buf, size_t *len)
{
	size_t size, n = 0;
	struct stat st;
	uint8_t *p;
	ssize_t got;
	int rc;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	size = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 65536;
	if (size > max)
		size = max;
	p = xmalloc(size + 1);
	for (;;) {
		if (n == size) {
			if (size >= max) {
				/* Exactly @max bytes is fine; one more is not. */
				uint8_t extra;

				got = read(fd, &extra, 1);
				if (got == 0)
					break;
				free(p);
				return got < 0 ? -errno : -EFBIG;
			}
			size = size * 2 > max ? max : size * 2;
			p = xrealloc(p, size + 1);
		}
		got = read(fd, p + n, size - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = -errno;
			free(p);
			return rc;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
}

int mkdir_parents(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *slash = p + 1; !rc; slash++) {
		bool last = !*slash;

		if (*slash != '/' && !last)
			continue;
		*slash = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			rc = -errno;
		if (last)
			break;
		*slash = '/';
	}
	free(p);
	return rc;
}

bool parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

bool parse_domid(const char *s, uint16_t *domid)
{
	uint64_t v;

	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	if (!*s || strlen(s) > 5)
		return false;
	v = strtoull(s, NULL, 10);
	if (v >= 0x7ff0)
		return false;
	*domid = (uint16_t)v;
	return true;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t now_ms(void)
{
	return now_ns() / 1000000;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int uuid_generate(char out[37])
{
	uint8_t b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
	}
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
	return 0;
}

bool uuid_valid(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };
	unsigned int d = 0;

	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (d < ARRAY_SIZE(dash) && i == dash[d]) {
			if (s[i] != '-')
				return false;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { E2BIG, "E2BIG" },
		{ ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
		{ EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" },
		{ ENOSYS, "ENOSYS" }, { ENOTEMPTY, "ENOTEMPTY" }, { EISDIR, "EISDIR" },
		{ EROFS, "EROFS" }, { EISCONN, "EISCONN" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENOTTY, "ENOTTY" }, { EFBIG, "EFBIG" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}
