// diskbench: sequential MB/s and 4 KiB random IOPS on a file or block device (make bench).
//
// One small static program runs the same workload wherever it is measured: in dom0 on the image
// (the local reference), and in a Linux domU on its virtual disk (keel's backend, Linux's
// blkback). Usage:
//
//   diskbench [-d] [-s MIB] [-n OPS] [-S SEED] [-l LABEL] PATH TEST...
//
// TEST is seq-write, seq-read, rand-read or rand-write. seq-* move MIB MiB (default 16) in
// 1 MiB requests; rand-* do OPS (default 2000) 4 KiB requests at 4 KiB-aligned offsets drawn
// from SEED within the first MIB MiB. -d opens with O_DIRECT (the page cache would otherwise
// measure memory, not the disk path). seq-write ends with fdatasync(), inside the timing.
// Each test prints one line that scripts/bench.sh collects:
//
//   diskbench: LABEL seq-write 16 MiB 1.234 s 13.0 MB/s
//   diskbench: LABEL rand-read 2000 ops 1.234 s 1621 IOPS
//
// Written data carries its own offset, so the reads (run after seq-write over the same MIB)
// check what they read: a wrong block fails the run (exit 1) rather than report a fast wrong
// answer.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEQ_CHUNK (1u << 20)
#define RAND_BLOCK 4096u
#define ALIGN 4096u

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

static int rand_io(struct bench *b, int write)
{
	uint64_t blocks = (uint64_t)b->mib * (SEQ_CHUNK / RAND_BLOCK);
	uint64_t state = b->seed | 1;
	double start = now(), secs;

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
	if (write && fdatasync(b->fd)) {
		fprintf(stderr, "diskbench: %s: fdatasync: %s\n", b->path, strerror(errno));
		return -1;
	}
	secs = now() - start;
	printf("diskbench: %s rand-%s %u ops %.3f s %.0f IOPS\n", b->label,
	       write ? "write" : "read", b->ops, secs, b->ops / secs);
	return 0;
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
			"seq-write|seq-read|rand-read|rand-write...\n");
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

		if (!strcmp(test, "seq-write"))
			status = seq(&b, 1);
		else if (!strcmp(test, "seq-read"))
			status = seq(&b, 0);
		else if (!strcmp(test, "rand-read"))
			status = rand_io(&b, 0);
		else if (!strcmp(test, "rand-write"))
			status = rand_io(&b, 1);
		else
			usage();
	}
	close(b.fd);
	free(b.buf);
	return status ? 1 : 0;
}
