// netbench: TCP throughput and a UDP small-packet rate between two hosts (make bench).
//
// One small static program at both ends: `netbench server` in a guest (or in dom0 for the
// loopback reference), the client in dom0, so every figure is timed by dom0's clock.
//
//   netbench server [-p PORT]
//   netbench [-l LABEL] [-s MIB] [-n COUNT] [-p PORT] HOST TEST...
//
// TEST is tcp-send (MIB MiB, default 16, from here to HOST), tcp-recv (MIB MiB from HOST to
// here), udp-rr (COUNT, default 2000, 64-byte UDP requests each answered by a 64-byte reply
// before the next goes: one small packet each way per transaction) or irqs (HOST's total of
// xen-dyn interrupts, /proc/interrupts: its event-channel interrupts). Each test prints one
// line that scripts/bench-net.sh collects:
//
//   netbench: LABEL tcp-send 16 MiB 1.234 s 13.0 MB/s
//   netbench: LABEL udp-rr 2000 trans 1.234 s 1621 trans/s
//   netbench: LABEL irqs 12345
//
// The bytes are a pattern with a prime period that the receiver checks: lost, repeated or
// misplaced data fails the run (exit 1) rather than report a fast wrong answer. A stall of
// 60 s fails it too. The server handles one connection at a time, each a request: a 16-byte
// header (magic, op, argument), then the transfer.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x6b6e6231u /* "knb1" */
#define PERIOD 65521u /* prime: a shifted chunk never matches */
#define CHUNK 65536u
#define DGRAM 64u
#define STALL_S 60

enum op { OP_SINK = 1, OP_SOURCE = 2, OP_RR = 3, OP_IRQS = 4 };

struct request {
	uint32_t magic;
	uint32_t op;
	uint64_t arg;
};

static unsigned char pattern[PERIOD + CHUNK];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void make_pattern(void)
{
	uint64_t x = 0x6b65656c6e657421ull;

	for (size_t i = 0; i < sizeof(pattern); i++) {
		if (i < PERIOD) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			pattern[i] = (unsigned char)((x * 0x2545f4914f6cdd1dull) >> 56);
		} else {
			pattern[i] = pattern[i - PERIOD];
		}
	}
}

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = STALL_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Sends len bytes of the pattern from stream offset 0. */
static int send_pattern(int fd, uint64_t len)
{
	uint64_t pos = 0;

	while (pos < len) {
		size_t n = len - pos < CHUNK ? (size_t)(len - pos) : CHUNK;

		if (write_all(fd, pattern + pos % PERIOD, n))
			return -1;
		pos += n;
	}
	return 0;
}

/* Receives len bytes and checks them against the pattern: 0, -1 on a short stream, -2 bad. */
static int recv_pattern(int fd, uint64_t len)
{
	static unsigned char buf[CHUNK];
	uint64_t pos = 0;

	while (pos < len) {
		size_t want = len - pos < CHUNK ? (size_t)(len - pos) : CHUNK;
		ssize_t n = read(fd, buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		if (memcmp(buf, pattern + pos % PERIOD, (size_t)n))
			return -2;
		pos += (uint64_t)n;
	}
	return 0;
}

/* The sum of every xen-dyn line's per-CPU counts in /proc/interrupts. */
static uint64_t xen_irqs(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512];
	uint64_t total = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!p || !strstr(line, "xen-dyn"))
			continue;
		for (p++;;) {
			char *end;
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			total += v;
			p = end;
		}
	}
	fclose(f);
	return total;
}

/* Echoes datagrams on udp until the control connection ctl closes or sends anything. */
static void serve_rr(int ctl, int udp)
{
	unsigned char buf[2048];
	uint64_t ready = 0;
	struct pollfd p[2] = { { .fd = ctl, .events = POLLIN }, { .fd = udp, .events = POLLIN } };

	if (write_all(ctl, &ready, sizeof(ready)))
		return;
	for (;;) {
		if (poll(p, 2, STALL_S * 1000) <= 0 || p[0].revents)
			return;
		if (p[1].revents & POLLIN) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(udp, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

			if (n > 0)
				sendto(udp, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
		}
	}
}

static void serve_one(int fd, int udp)
{
	struct request rq;
	uint64_t result;
	char text[32];

	set_timeouts(fd);
	if (read_all(fd, &rq, sizeof(rq)) || rq.magic != MAGIC || rq.arg > (1ull << 40))
		return;
	switch (rq.op) {
	case OP_SINK:
		result = recv_pattern(fd, rq.arg) ? UINT64_MAX : rq.arg;
		write_all(fd, &result, sizeof(result));
		break;
	case OP_SOURCE:
		send_pattern(fd, rq.arg);
		shutdown(fd, SHUT_WR);
		/* Wait for the client's close: our FIN must not race its last read. */
		read(fd, &result, sizeof(result));
		break;
	case OP_RR:
		serve_rr(fd, udp);
		break;
	case OP_IRQS:
		snprintf(text, sizeof(text), "%" PRIu64 "\n", xen_irqs());
		write_all(fd, text, strlen(text));
		break;
	}
}

static int server(unsigned int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int udp = socket(AF_INET, SOCK_DGRAM, 0);

	if (ls < 0 || udp < 0)
		return perror("netbench: socket"), 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4) ||
	    bind(udp, (struct sockaddr *)&a, sizeof(a)))
		return perror("netbench: bind"), 1;
	printf("netbench: server on port %u\n", port);
	fflush(stdout);
	for (;;) {
		int fd = accept(ls, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return perror("netbench: accept"), 1;
		}
		serve_one(fd, udp);
		close(fd);
	}
}

struct client {
	struct sockaddr_in addr;
	const char *label;
	uint64_t bytes;
	unsigned int count;
};

static int connect_to(const struct client *c, uint32_t op, uint64_t arg)
{
	struct request rq = { .magic = MAGIC, .op = op, .arg = arg };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	set_timeouts(fd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&c->addr, sizeof(c->addr)) ||
	    write_all(fd, &rq, sizeof(rq))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void report_mb(const struct client *c, const char *test, double secs)
{
	printf("netbench: %s %s %" PRIu64 " MiB %.3f s %.1f MB/s\n", c->label, test,
	       c->bytes >> 20, secs, c->bytes / secs / 1e6);
}

static int tcp_send(const struct client *c)
{
	uint64_t result = 0;
	double t0 = now();
	int fd = connect_to(c, OP_SINK, c->bytes);

	if (fd < 0 || send_pattern(fd, c->bytes) || read_all(fd, &result, sizeof(result))) {
		fprintf(stderr, "netbench: tcp-send: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	if (result != c->bytes) {
		fprintf(stderr, "netbench: tcp-send: the server got wrong bytes\n");
		return 1;
	}
	report_mb(c, "tcp-send", now() - t0);
	return 0;
}

static int tcp_recv(const struct client *c)
{
	double t0 = now();
	int fd = connect_to(c, OP_SOURCE, c->bytes);
	int r;

	if (fd < 0) {
		fprintf(stderr, "netbench: tcp-recv: %s\n", strerror(errno));
		return 1;
	}
	r = recv_pattern(fd, c->bytes);
	close(fd);
	if (r) {
		fprintf(stderr, "netbench: tcp-recv: %s\n",
			r == -2 ? "wrong bytes" : "the stream ended early");
		return 1;
	}
	report_mb(c, "tcp-recv", now() - t0);
	return 0;
}

/* COUNT transactions, one at a time; a reply lost for 1 s is asked for again. */
static int udp_rr(const struct client *c)
{
	unsigned char out[DGRAM] = { 0 }, in[2048];
	uint64_t ready;
	unsigned int lost = 0;
	int ctl = connect_to(c, OP_RR, 0);
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	double t0;

	if (ctl < 0 || udp < 0 || read_all(ctl, &ready, sizeof(ready)) ||
	    connect(udp, (const struct sockaddr *)&c->addr, sizeof(c->addr))) {
		fprintf(stderr, "netbench: udp-rr: %s\n", strerror(errno));
		return 1;
	}
	t0 = now();
	for (uint32_t seq = 0; seq < c->count; seq++) {
		struct pollfd p = { .fd = udp, .events = POLLIN };
		int tries = 0;

		memcpy(out, &seq, sizeof(seq));
		memcpy(out + sizeof(seq), pattern, DGRAM - sizeof(seq));
		if (send(udp, out, DGRAM, 0) != DGRAM)
			goto fail;
		for (;;) {
			ssize_t n;

			if (poll(&p, 1, 1000) <= 0) {
				if (++tries == STALL_S)
					goto fail;
				lost++;
				if (send(udp, out, DGRAM, 0) != DGRAM)
					goto fail;
				continue;
			}
			n = recv(udp, in, sizeof(in), 0);
			if (n == DGRAM && !memcmp(in, out, DGRAM))
				break;
			if (n < 0 && errno != EINTR && errno != ECONNREFUSED)
				goto fail;
		}
	}
	double secs = now() - t0;

	close(udp);
	close(ctl);
	printf("netbench: %s udp-rr %u trans %.3f s %.0f trans/s", c->label, c->count, secs,
	       c->count / secs);
	printf(lost ? " (%u resent)\n" : "\n", lost);
	return 0;
fail:
	fprintf(stderr, "netbench: udp-rr: %s\n", errno ? strerror(errno) : "no reply");
	return 1;
}

static int irqs(const struct client *c)
{
	char text[32] = { 0 };
	int fd = connect_to(c, OP_IRQS, 0);
	ssize_t n;

	if (fd < 0 || (n = read(fd, text, sizeof(text) - 1)) <= 0) {
		fprintf(stderr, "netbench: irqs: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	printf("netbench: %s irqs %s", c->label, text);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: netbench server [-p PORT]\n"
			"       netbench [-l LABEL] [-s MIB] [-n COUNT] [-p PORT] HOST "
			"tcp-send|tcp-recv|udp-rr|irqs...\n");
	exit(2);
}

static unsigned long number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct client c = { .label = "net", .bytes = 16ull << 20, .count = 2000 };
	unsigned int port = 5201;
	int opt;

	make_pattern();
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "l:s:n:p:")) != -1) {
		switch (opt) {
		case 'l':
			c.label = optarg;
			break;
		case 's':
			c.bytes = (uint64_t)number(optarg, 1u << 20) << 20;
			break;
		case 'n':
			c.count = (unsigned int)number(optarg, 100000000);
			break;
		case 'p':
			port = (unsigned int)number(optarg, 65535);
			break;
		default:
			usage();
		}
	}
	if (optind < argc && !strcmp(argv[optind], "server"))
		return optind + 1 == argc ? server(port) : (usage(), 2);
	if (argc - optind < 2)
		usage();
	c.addr.sin_family = AF_INET;
	c.addr.sin_port = htons(port);
	if (inet_pton(AF_INET, argv[optind], &c.addr.sin_addr) != 1)
		usage();
	for (int i = optind + 1; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "tcp-send"))
			r = tcp_send(&c);
		else if (!strcmp(argv[i], "tcp-recv"))
			r = tcp_recv(&c);
		else if (!strcmp(argv[i], "udp-rr"))
			r = udp_rr(&c);
		else if (!strcmp(argv[i], "irqs"))
			r = irqs(&c);
		else
			usage();
		if (r)
			return 1;
	}
	return 0;
}
