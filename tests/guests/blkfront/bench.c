/* The blkfront guest's bench mode: diskbench's sequential and random workload, timed, verified. */
#include <keel/string.h>
#include "bench.h"
#include "blkfront.h"
#include "events.h"
#include "pvclock.h"

#define SEQ_CHUNK	(1u << 20)
#define RAND_BLOCK	4096u
#define QUIET_NS	(2000ULL * NS_PER_MS)
#define PATTERN_KEY	0x6b65656c64736b21ull	/* diskbench's */
#define DEPTH		32u			/* rand-*-q32: diskbench's -q32 */

/* Also the persistent grants' pool: the backend sees it all the time, we copy nowhere. */
static u8 bench_buf[SEQ_CHUNK] __aligned(4096);
static struct blkfront dev;
static const char *bench_label;
static u32 max_bytes;			/* per request: what the backend's segments allow */
static evtchn_port_t quiet_port;

/* The words as diskbench stores and loads them (the builtins: our memcpy is no intrinsic). */
static void fill(u8 *buf, u32 len, u64 offset)
{
	for (u32 i = 0; i < len; i += 8) {
		u64 w = (offset + i) ^ PATTERN_KEY;

		__builtin_memcpy(buf + i, &w, 8);
	}
}

static bool check(const u8 *buf, u32 len, u64 offset)
{
	for (u32 i = 0; i < len; i += 8) {
		u64 w;

		__builtin_memcpy(&w, buf + i, 8);
		if (w != ((offset + i) ^ PATTERN_KEY))
			return false;
	}
	return true;
}

/* One diskbench request: @len bytes at @offset, in pieces of what one blkif request takes. */
static bool io(u8 op, u64 offset, u32 len)
{
	for (u32 done = 0; done < len;) {
		u32 piece = MIN(len - done, max_bytes);
		int status = -1, rc;

		rc = blkfront_rw(&dev, op, (offset + done) >> 9, bench_buf + done, piece >> 9,
				 &status);
		if (!CHECK(!rc && status == BLK_RSP_OKAY, "bench: %s at %lu: rc %d status %d",
			   op == BLK_OP_WRITE ? "write" : "read", (unsigned long)(offset + done),
			   rc, status))
			return false;
		done += piece;
	}
	return true;
}

static bool flush(void)
{
	int status = -1;

	if (!dev.flush)
		return true;
	return CHECK(!blkfront_flush(&dev, &status) && status == BLK_RSP_OKAY,
		     "bench: flush: status %d", status);
}

/* "S.mmm s" and the rest of diskbench's line. */
static void result(const char *test, u32 n, const char *what, u64 ns, u64 bytes)
{
	u64 ms = ns / NS_PER_MS;

	if (!ns)
		ns = 1;
	if (bytes) {
		u64 tenths = bytes * 10000 / ns;	/* MB/s (10^6 bytes), one decimal */

		printf("diskbench: %s %s %u %s %lu.%03lu s %lu.%lu MB/s\n", bench_label, test, n,
		       what, (unsigned long)(ms / 1000), (unsigned long)(ms % 1000),
		       (unsigned long)(tenths / 10), (unsigned long)(tenths % 10));
	} else {
		printf("diskbench: %s %s %u %s %lu.%03lu s %lu IOPS\n", bench_label, test, n, what,
		       (unsigned long)(ms / 1000), (unsigned long)(ms % 1000),
		       (unsigned long)((u64)n * 1000000000ULL / ns));
	}
}

static bool seq(bool write, u32 mib)
{
	u64 start = pvclock_ns();

	for (u32 i = 0; i < mib; i++) {
		u64 offset = (u64)i * SEQ_CHUNK;

		if (write)
			fill(bench_buf, SEQ_CHUNK, offset);
		if (!io(write ? BLK_OP_WRITE : BLK_OP_READ, offset, SEQ_CHUNK))
			return false;
		if (!write && !CHECK(check(bench_buf, SEQ_CHUNK, offset),
				     "bench: wrong data in MiB %u", i))
			return false;
	}
	if (write && !flush())
		return false;
	result(write ? "seq-write" : "seq-read", mib, "MiB", pvclock_ns() - start,
	       (u64)mib * SEQ_CHUNK);
	return true;
}

static u64 next_random(u64 *state)
{
	/* xorshift64*, as diskbench */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dull;
}

static bool rand_io(bool write, u32 mib, u32 ops)
{
	u64 blocks = (u64)mib * (SEQ_CHUNK / RAND_BLOCK), state = 42 | 1;
	u64 start = pvclock_ns();

	for (u32 i = 0; i < ops; i++) {
		u64 offset = next_random(&state) % blocks * RAND_BLOCK;

		if (write)
			fill(bench_buf, RAND_BLOCK, offset);
		if (!io(write ? BLK_OP_WRITE : BLK_OP_READ, offset, RAND_BLOCK))
			return false;
		if (!write && !CHECK(check(bench_buf, RAND_BLOCK, offset),
				     "bench: wrong data at %lu", (unsigned long)offset))
			return false;
	}
	if (write && !flush())
		return false;
	result(write ? "rand-write" : "rand-read", ops, "ops", pvclock_ns() - start, 0);
	return true;
}

/*
 * diskbench's rand-*-q32: the same requests with DEPTH in flight, each answer checked and
 * replaced by the next request at once. Request k's buffer is the pool's page k, named by its
 * persistent grant (the id is k), so nothing is granted or copied per request.
 */
static bool rand_io_deep(bool write, u32 mib, u32 ops)
{
	u64 blocks = (u64)mib * (SEQ_CHUNK / RAND_BLOCK), state = 42 | 1;
	u64 offsets[DEPTH], start = pvclock_ns();
	u32 free[DEPTH], nfree = 0, issued = 0, done = 0, busy = 0;
	u8 op = write ? BLK_OP_WRITE : BLK_OP_READ;

	if (!CHECK(dev.persistent && dev.nr_ents >= DEPTH,
		   "bench: depth %u wants persistent grants and as many slots", DEPTH))
		return false;
	for (u32 k = 0; k < DEPTH; k++)
		free[nfree++] = k;
	while (done < ops) {
		struct blk_rsp rsp;
		int rc;

		while (nfree && issued < ops) {
			u32 k = free[--nfree];
			union blk_slot *s = blkfront_next_slot(&dev);

			if (!CHECK(s, "bench: ring full with %u in flight", DEPTH - nfree - 1))
				return false;
			offsets[k] = next_random(&state) % blocks * RAND_BLOCK;
			if (write)
				fill(bench_buf + k * RAND_BLOCK, RAND_BLOCK, offsets[k]);
			s->req.operation = op;
			s->req.nr_segments = 1;
			s->req.handle = dev.vdev;
			s->req.id = k;
			s->req.sector_number = offsets[k] >> 9;
			s->req.seg[0].gref = dev.pool_refs[k];
			s->req.seg[0].first_sect = 0;
			s->req.seg[0].last_sect = RAND_BLOCK / 512 - 1;
			busy |= 1u << k;
			issued++;
		}
		blkfront_push(&dev);
		rc = blkfront_get_response(&dev, &rsp, BLKFRONT_IO_TIMEOUT_NS);
		if (!CHECK(!rc && rsp.id < DEPTH && (busy & 1u << rsp.id) && rsp.operation == op &&
			   rsp.status == BLK_RSP_OKAY,
			   "bench: deep %s: rc %d id %lu op %u status %d",
			   write ? "write" : "read", rc, (unsigned long)rsp.id, rsp.operation,
			   rsp.status))
			return false;
		if (!write && !CHECK(check(bench_buf + rsp.id * RAND_BLOCK, RAND_BLOCK,
					   offsets[rsp.id]),
				     "bench: wrong data at %lu", (unsigned long)offsets[rsp.id]))
			return false;
		busy &= ~(1u << rsp.id);
		free[nfree++] = rsp.id;
		done++;
	}
	if (write && !flush())
		return false;
	result(write ? "rand-write-q32" : "rand-read-q32", ops, "ops", pvclock_ns() - start, 0);
	return true;
}

/* The mark dom0 samples keel's counts at, then quiet (blocked in SCHEDOP_poll). */
static void mark(const char *test)
{
	printf("diskbench: %s mark %s\n", bench_label, test);
	evtchn_clear_pending(quiet_port);
	evtchn_poll(quiet_port, QUIET_NS);
}

void bench_run(const char *label, u32 mib, u32 ops)
{
	struct blkfront_opts big = { .ring_order = BLKFRONT_MAX_ORDER, .indirect = true,
				     .pool = bench_buf, .pool_pages = SEQ_CHUNK / 4096 };
	u32 vdevs[1];
	int rc;

	bench_label = label;
	if (!CHECK(blkfront_list(vdevs, 1) == 1, "bench: no disk") ||
	    !CHECK(!evtchn_bind_virq(VIRQ_TIMER, 0, &quiet_port), "bench: no timer port"))
		return;
	evtchn_set_mask(quiet_port, true);	/* polled only, never delivered */
	rc = blkfront_probe(&dev, 0, vdevs[0]);
	if (!CHECK(!rc, "bench: probe: %d", rc))
		return;
	rc = blkfront_connect(&dev, &big);
	if (!CHECK(!rc, "bench: connect: %d", rc))
		return;
	max_bytes = (dev.max_indirect ? MIN(dev.max_indirect, (u32)BLKFRONT_MAX_INDIRECT)
				      : BLK_MAX_SEGS) * 4096;
	if (!CHECK(dev.sector_size == 512 && dev.sectors * 512 >= (u64)mib * SEQ_CHUNK,
		   "bench: %lu sectors of %u bytes: want %u MiB of 512", (unsigned long)dev.sectors,
		   dev.sector_size, mib))
		return;
	printf("blkfront: bench on vbd %u: ring order %u, %u bytes per request, flush %d, "
	       "persistent %d\n", vdevs[0], dev.ring_order, max_bytes, dev.flush, dev.persistent);
	mark("idle");
	mark("seq-write");
	if (!seq(true, mib))
		return;
	mark("seq-read");
	if (!seq(false, mib))
		return;
	mark("rand-read");
	if (!rand_io(false, mib, ops))
		return;
	mark("rand-write");
	if (!rand_io(true, mib, ops))
		return;
	mark("rand-read-q32");
	if (!rand_io_deep(false, mib, ops))
		return;
	mark("rand-write-q32");
	if (!rand_io_deep(true, mib, ops))
		return;
	mark("end");
	CHECK(!blkfront_close(&dev), "bench: close failed");
}
