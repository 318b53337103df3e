// diskbench: sequential MB/s and 4 KiB random IOPS on a file or block device (make bench).
//
// One small static program runs the same workload wherever it is measured: in dom0 on the image
// (the local reference), and in a Linux domU on its virtual disk (keel's backend, Linux's
// blkback). Usage:
//
//   diskbench [-d] [-s MIB] [-n OPS] [-S SEED] [-l LABEL] PATH TEST...
//
// TEST is seq-write, seq-read, rand-read or rand-write, the last two optionally with a queue
// depth: rand-read-qN, rand-write-qN (N <= 64). seq-* move MIB MiB (default 16) in 1 MiB
// requests; rand-* do OPS (default 2000) 4 KiB requests at 4 KiB-aligned offsets drawn from
// SEED within the first MIB MiB, one at a time (pread/pwrite), or -qN with N in flight at once
// (Linux native AIO: io_submit and io_getevents, as fio's libaio engine). -d opens with
// O_DIRECT (the page cache would otherwise measure memory, not the disk path; without it AIO
// runs each request inside io_submit). seq-write and rand-write end with fdatasync(), inside
// the timing.
// Each test prints one line that scripts/bench.sh collects:
//
//   diskbench: LABEL seq-write 16 MiB 1.234 s 13.0 MB/s
//   diskbench: LABEL rand-read 2000 ops 1.234 s 1621 IOPS
//   diskbench: LABEL rand-read-q32 2000 ops 0.512 s 3906 IOPS
//
// Written data carries its own offset, so the reads (run after seq-write over the same MIB)
// check what they read: a wrong block fails the run (exit 1) rather than report a fast wrong
// answer.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SEQ_CHUNK (1u << 20)
#define RAND_BLOCK 4096u
#define ALIGN 4096u
#define MAX_DEPTH 64u

struct bench {
	const char *path;
	const char *label;
	int fd;
	unsigned int mib;
	unsigned int ops;
	uint64_t seed;
	unsigned char *buf;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: the same offsets on every machine for a given seed. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Fills len bytes at buf with words naming their byte offset in the file. */
static void fill_pattern(unsigned char *buf, size_t len, uint64_t offset)
{
	for (size_t i = 0; i < len; i += sizeof(uint64_t)) {
		uint64_t word = (offset + i) ^ 0x6b65656c64736b21ull;

		memcpy(buf + i, &word, sizeof(word));
	}
}

static int check_pattern(const unsigned char *buf, size_t len, uint64_t offset)
{
	for (size_t i = 0; i < len; i += sizeof(uint64_t)) {
		uint64_t word;

		memcpy(&word, buf + i, sizeof(word));
		if (word != ((offset + i) ^ 0x6b65656c64736b21ull))
			return -1;
	}
	return 0;
}

static int full_io(struct bench *b, int write, size_t len, uint64_t offset)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write ? pwrite(b->fd, b->buf + done, len - done, offset + done)
				  : pread(b->fd, b->buf + done, len - done, offset + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "diskbench: %s: %s at %" PRIu64 ": %s\n", b->path,
				write ? "write" : "read", offset + done,
				n < 0 ? strerror(errno) : "end of device");
			return -1;
		}
		done += n;
	}
	return 0;
}

static int seq(struct bench *b, int write)
{
	double start = now(), secs;

	for (unsigned int i = 0; i < b->mib; i++) {
		uint64_t offset = (uint64_t)i * SEQ_CHUNK;

		if (write)
			fill_pattern(b->buf, SEQ_CHUNK, offset);
		if (full_io(b, write, SEQ_CHUNK, offset))
			return -1;
		if (!write && check_pattern(b->buf, SEQ_CHUNK, offset)) {
			fprintf(stderr, "diskbench: %s: wrong data in MiB %u\n", b->path, i);
			return -1;
		}
	}
	if (write && fdatasync(b->fd)) {
		fprintf(stderr, "diskbench: %s: fdatasync: %s\n", b->path, strerror(errno));
		return -1;
	}
	secs = now() - start;
	printf("diskbench: %s seq-%s %u MiB %.3f s %.1f MB/s\n", b->label,
	       write ? "write" : "read", b->mib, secs, b->mib * 1.048576 / secs);
	return 0;
}

/* The end of a random test: fdatasync after writes, then its line. */
static int rand_done(struct bench *b, int write, const char *test, double start)
{
	double secs;

	if (write && fdatasync(b->fd)) {
		fprintf(stderr, "diskbench: %s: fdatasync: %s\n", b->path, strerror(errno));
		return -1;
	}
	secs = now() - start;
	printf("diskbench: %s %s %u ops %.3f s %.0f IOPS\n", b->label, test, b->ops, secs,
	       b->ops / secs);
	return 0;
}

static int rand_io(struct bench *b, int write, const char *test)
{
	uint64_t blocks = (uint64_t)b->mib * (SEQ_CHUNK / RAND_BLOCK);
	uint64_t state = b->seed | 1;
	double start = now();

	for (unsigned int i = 0; i < b->ops; i++) {
		uint64_t offset = next_random(&state) % blocks * RAND_BLOCK;

		if (write)
			fill_pattern(b->buf, RAND_BLOCK, offset);
		if (full_io(b, write, RAND_BLOCK, offset))
			return -1;
		if (!write && check_pattern(b->buf, RAND_BLOCK, offset)) {
			fprintf(stderr, "diskbench: %s: wrong data at %" PRIu64 "\n", b->path,
				offset);
			return -1;
		}
	}
	return rand_done(b, write, test, start);
}

/*
 * The same requests (offsets, data, checks) with @depth of them in flight: each completion
 * checked (a read's data) and replaced by the next request at once, as fio's libaio engine
 * with iodepth=@depth. Block k of b->buf is the buffer of iocb k.
 */
static int rand_io_deep(struct bench *b, int write, unsigned int depth, const char *test)
{
	uint64_t blocks = (uint64_t)b->mib * (SEQ_CHUNK / RAND_BLOCK);
	uint64_t state = b->seed | 1;
	struct iocb cbs[MAX_DEPTH], *cbp[MAX_DEPTH], *sub[MAX_DEPTH];
	struct io_event ev[MAX_DEPTH];
	aio_context_t ctx = 0;
	unsigned int issued = 0, done = 0, nfree = 0, k;
	double start;
	int rc = -1;

	if (syscall(SYS_io_setup, depth, &ctx)) {
		fprintf(stderr, "diskbench: io_setup: %s\n", strerror(errno));
		return -1;
	}
	for (k = 0; k < depth; k++)
		cbp[nfree++] = &cbs[k];
	start = now();
	while (done < b->ops) {
		unsigned int n = 0;
		long got;

		/* Every free iocb gets the next request; all go in one io_submit. */
		while (nfree && issued < b->ops) {
			struct iocb *cb = cbp[--nfree];
			unsigned char *buf = b->buf + (cb - cbs) * RAND_BLOCK;
			uint64_t offset = next_random(&state) % blocks * RAND_BLOCK;

			if (write)
				fill_pattern(buf, RAND_BLOCK, offset);
			memset(cb, 0, sizeof(*cb));
			cb->aio_lio_opcode = write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
			cb->aio_fildes = b->fd;
			cb->aio_buf = (uintptr_t)buf;
			cb->aio_nbytes = RAND_BLOCK;
			cb->aio_offset = offset;
			sub[n++] = cb;
			issued++;
		}
		for (k = 0; k < n;) {
			long took = syscall(SYS_io_submit, ctx, n - k, sub + k);

			if (took <= 0) {
				fprintf(stderr, "diskbench: %s: io_submit: %s\n", b->path,
					took < 0 ? strerror(errno) : "nothing taken");
				goto out;
			}
			k += took;
		}
		got = syscall(SYS_io_getevents, ctx, 1, depth, ev, NULL);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			fprintf(stderr, "diskbench: %s: io_getevents: %s\n", b->path,
				strerror(errno));
			goto out;
		}
		for (k = 0; k < (unsigned int)got; k++) {
			struct iocb *cb = (struct iocb *)(uintptr_t)ev[k].obj;

			if (ev[k].res != RAND_BLOCK) {
				fprintf(stderr, "diskbench: %s: %s at %llu: %s\n", b->path,
					write ? "write" : "read", (unsigned long long)cb->aio_offset,
					(int64_t)ev[k].res < 0 ? strerror(-(int64_t)ev[k].res)
							       : "short");
				goto out;
			}
			if (!write && check_pattern((unsigned char *)(uintptr_t)cb->aio_buf,
						    RAND_BLOCK, cb->aio_offset)) {
				fprintf(stderr, "diskbench: %s: wrong data at %llu\n", b->path,
					(unsigned long long)cb->aio_offset);
				goto out;
			}
			cbp[nfree++] = cb;
			done++;
		}
	}
	rc = rand_done(b, write, test, start);
out:
	/* Requests still in flight end with the context (io_destroy waits for them). */
	syscall(SYS_io_destroy, ctx);
	return rc;
}

/* rand-read, rand-write or either with -qN: 0 (not such a test), 1 or N; -1 bad depth. */
static int rand_depth(const char *test, int *write)
{
	const char *rest;
	char *end;
	unsigned long depth;

	if (!strncmp(test, "rand-read", 9))
		*write = 0, rest = test + 9;
	else if (!strncmp(test, "rand-write", 10))
		*write = 1, rest = test + 10;
	else
		return 0;
	if (!*rest)
		return 1;
	if (strncmp(rest, "-q", 2))
		return 0;
	errno = 0;
	depth = strtoul(rest + 2, &end, 10);
	if (errno || *end || end == rest + 2 || depth < 1 || depth > MAX_DEPTH) {
		fprintf(stderr, "diskbench: %s: the queue depth is 1 to %u\n", test, MAX_DEPTH);
		return -1;
	}
	return depth;
}

static unsigned int number(const char *arg, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || *end || !v || v > 1u << 20) {
		fprintf(stderr, "diskbench: bad %s '%s'\n", what, arg);
		exit(2);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: diskbench [-d] [-s MIB] [-n OPS] [-S SEED] [-l LABEL] PATH "
			"seq-write|seq-read|rand-read[-qN]|rand-write[-qN]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct bench b = { .mib = 16, .ops = 2000, .seed = 42 };
	int flags = 0, opt, status = 0;

	while ((opt = getopt(argc, argv, "ds:n:S:l:")) != -1) {
		switch (opt) {
		case 'd': flags |= O_DIRECT; break;
		case 's': b.mib = number(optarg, "size"); break;
		case 'n': b.ops = number(optarg, "count"); break;
		case 'S': b.seed = number(optarg, "seed"); break;
		case 'l': b.label = optarg; break;
		default: usage();
		}
	}
	if (argc - optind < 2)
		usage();
	b.path = argv[optind++];
	if (!b.label)
		b.label = b.path;
	b.fd = open(b.path, O_RDWR | flags);
	if (b.fd < 0) {
		fprintf(stderr, "diskbench: %s: %s\n", b.path, strerror(errno));
		return 1;
	}
	if (posix_memalign((void **)&b.buf, ALIGN, SEQ_CHUNK)) {
		fprintf(stderr, "diskbench: out of memory\n");
		return 1;
	}
	for (; optind < argc && !status; optind++) {
		const char *test = argv[optind];
		int write = 0, depth = rand_depth(test, &write);

		if (!strcmp(test, "seq-write"))
			status = seq(&b, 1);
		else if (!strcmp(test, "seq-read"))
			status = seq(&b, 0);
		else if (depth == 1)
			status = rand_io(&b, write, test);
		else if (depth > 1)
			status = rand_io_deep(&b, write, depth, test);
		else if (depth < 0)
			return 2;
		else
			usage();
	}
	close(b.fd);
	free(b.buf);
	return status ? 1 : 0;
}
