/* Requests from a queue's ring to the target and back: grant copy, AIO, responses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <public/keel_domctl.h>
#include "bb.h"
#include "mapcopy.h"

static uint32_t max_segs(const struct bb_backend *be)
{
	uint32_t m = be->cfg.max_indirect;

	return m > BLKIF_MAX_SEGMENTS_PER_REQUEST ? m : BLKIF_MAX_SEGMENTS_PER_REQUEST;
}

unsigned int bb_dev_share(const struct bb_backend *be)
{
	unsigned int share = be->cfg.aio_depth / (be->ndevs ? be->ndevs : 1);

	return share ? share : 1;
}

int bb_queue_setup(struct bb_queue *q)
{
	struct bb_backend *be = q->dev->be;
	unsigned int i, n = be->cfg.pool;

	q->slots = calloc(n, sizeof(*q->slots));
	if (!q->slots)
		return -ENOMEM;
	q->batch = calloc(n, sizeof(*q->batch));
	if (!q->batch)
		return -ENOMEM;
	q->nbatch = 0;
	q->spare_max = BB_SPARE_BYTES / (max_segs(be) * BB_PAGE_SIZE);
	q->spare_max = q->spare_max < 1 ? 1 : q->spare_max > n ? n : q->spare_max;
	q->spare = calloc(q->spare_max, sizeof(*q->spare));
	if (!q->spare)
		return -ENOMEM;
	if (q->dev->persistent &&
	    bb_pgnt_init(&q->pgnt, &be->env, q->dev->domid, be->cfg.max_persistent, &be->pgnt))
		return -ENOMEM;
	q->free = NULL;
	for (i = n; i-- > 0;) {
		struct bb_slot *s = &q->slots[i];

		s->q = q;
		s->req.segs = calloc(max_segs(be), sizeof(*s->req.segs));
		s->pg = calloc(max_segs(be), sizeof(*s->pg));
		s->iov = calloc(max_segs(be), sizeof(*s->iov));
		if (!s->req.segs || !s->pg || !s->iov)
			return -ENOMEM;	/* bb_queue_teardown frees what was allocated */
		s->next_free = q->free;
		q->free = s;
	}
	q->inflight = 0;
	q->nbufs = 0;
	q->nspare = 0;
	return 0;
}

void bb_queue_teardown(struct bb_queue *q)
{
	unsigned int i;

	if (!q->slots)
		return;
	for (i = 0; i < q->dev->be->cfg.pool; i++) {
		free(q->slots[i].req.segs);
		free(q->slots[i].pg);
		free(q->slots[i].iov);
		free(q->slots[i].buf);
	}
	/* No request in flight: no grant pinned, no I/O on a mapped page. */
	bb_pgnt_fini(&q->pgnt);
	free(q->batch);
	q->batch = NULL;
	while (q->nspare)
		free(q->spare[--q->nspare]);
	free(q->spare);
	q->spare = NULL;
	q->nbufs = 0;
	free(q->slots);
	q->slots = NULL;
	q->free = NULL;
}

static void slot_put(struct bb_slot *s)
{
	struct bb_queue *q = s->q;

	if (s->pers) {
		uint32_t i;

		for (i = 0; i < s->req.nr_segs; i++)
			bb_pgnt_put(s->pg[i]);
		s->pers = s->zc = false;
	}
	s->next_free = q->free;
	q->free = s;
	q->inflight--;
	q->dev->nr_inflight--;
	/*
	 * A burst's buffers go as it drains: a few are kept, apart from the slots, for the next
	 * requests (whichever slot they get: the free list is LIFO, so a buffer left on its
	 * slot would be found by the next request only by chance, and one malloc and free per
	 * request would follow).
	 */
	if (s->buf) {
		if (q->nspare < q->spare_max && q->inflight + q->nspare < q->dev->be->cfg.pool) {
			q->spare[q->nspare++] = s->buf;
		} else {
			free(s->buf);
			q->nbufs--;
		}
		s->buf = NULL;
	}
}

/* Answers and, when the ring is still ours, publishes (notifying as the ring asks). */
static void respond(struct bb_queue *q, uint64_t id, uint8_t op, int16_t status)
{
	struct bb_dev *dev = q->dev;

	if (status != BLKIF_RSP_OKAY)
		dev->stat_errors++;
	if (!q->map || q->ring.broken)
		return;
	bb_ring_respond(&q->ring, id, op, status);
}

/* Publishes the responses; true when the frontend was notified. */
static bool push(struct bb_queue *q)
{
	struct xenbe_env *env = &q->dev->be->env;

	if (!q->map || !bb_ring_push(&q->ring) || q->port < 0)
		return false;
	env->ops->evtchn_notify(env->priv, q->port);
	return true;
}

/*
 * Copies between the guest's segments and @buf (the slot's buffer, or the mapped file at the
 * request's offset; to_guest: a READ's data). Every segment's status is checked: 0, or -EIO
 * when any failed (bad, revoked or read-only grant).
 */
static int copy_data(struct bb_slot *s, uint8_t *buf, bool to_guest)
{
	struct bb_backend *be = s->q->dev->be;
	struct ioctl_gntdev_grant_copy_segment *c = be->copy;
	uint16_t domid = s->q->dev->domid;
	uint32_t i, pos = 0;
	int rc;

	for (i = 0; i < s->req.nr_segs; i++) {
		const struct bb_seg *g = &s->req.segs[i];

		memset(&c[i], 0, sizeof(c[i]));
		if (to_guest) {
			c[i].source.virt = buf + pos;
			c[i].dest.foreign.ref = g->gref;
			c[i].dest.foreign.offset = g->offset;
			c[i].dest.foreign.domid = domid;
			c[i].flags = GNTCOPY_dest_gref;
		} else {
			c[i].source.foreign.ref = g->gref;
			c[i].source.foreign.offset = g->offset;
			c[i].source.foreign.domid = domid;
			c[i].dest.virt = buf + pos;
			c[i].flags = GNTCOPY_source_gref;
		}
		c[i].len = g->len;
		pos += g->len;
	}
	rc = be->env.ops->gnt_copy(be->env.priv, c, s->req.nr_segs);
	if (rc)
		return rc;
	for (i = 0; i < s->req.nr_segs; i++)
		if (c[i].status != GNTST_okay)
			return -EIO;
	return 0;
}

bool bb_io_zero_copy(uint32_t keel_phys_flags)
{
	return !(keel_phys_flags & KEEL_PHYS_dom0_owns_devices) ||
	       (keel_phys_flags & KEEL_PHYS_dma_translated);
}

bool bb_dev_zero_copy(const struct bb_dev *dev)
{
	return dev->be->cfg.zero_copy || (dev->be->cfg.zero_copy_buffered && dev->cpu_copies);
}

/*
 * Pins the persistent grants of @s's segments, mapping those seen for the first time: true
 * (then s->pers), or false when the table has no room or a grant does not map writable (a bad,
 * revoked or read-only one): grant copy then, which answers each case as without them.
 */
static bool pin(struct bb_slot *s)
{
	uint32_t i, *grefs = s->q->dev->be->grefs;

	for (i = 0; i < s->req.nr_segs; i++)
		grefs[i] = s->req.segs[i].gref;
	return !bb_pgnt_get_n(&s->q->pgnt, grefs, s->req.nr_segs, s->pg);
}

/*
 * I/O straight to the pinned pages when allowed (bb_dev_zero_copy) and the target takes
 * them: buffered I/O takes any segment, O_DIRECT whole logical sectors.
 */
static bool zero_copy(struct bb_slot *s)
{
	struct bb_dev *dev = s->q->dev;
	uint32_t i, mask = dev->lim.sector_size - 1;

	if (!bb_dev_zero_copy(dev))
		return false;
	for (i = 0; i < s->req.nr_segs; i++) {
		const struct bb_seg *g = &s->req.segs[i];

		if (dev->direct && ((g->offset | g->len) & mask))
			return false;
		s->iov[i].iov_base = s->pg[i]->addr + g->offset;
		s->iov[i].iov_len = g->len;
	}
	return true;
}

/* Data between the guest and the slot's buffer, unless it goes straight to the grants. */
static int move_data(struct bb_slot *s, bool to_guest)
{
	uint32_t i, pos = 0;

	if (s->zc)
		return 0;
	if (!s->pers)
		return copy_data(s, s->buf, to_guest);
	for (i = 0; i < s->req.nr_segs; i++) {
		const struct bb_seg *g = &s->req.segs[i];
		uint8_t *p = s->pg[i]->addr + g->offset;

		if (to_guest)
			memcpy(p, s->buf + pos, g->len);
		else
			memcpy(s->buf + pos, p, g->len);
		pos += g->len;
	}
	return 0;
}

/* The indirect pages of @req, copied once into be->indirect, then the rest of the checks. */
static int fetch_indirect(struct bb_queue *q, struct bb_req *req)
{
	struct bb_backend *be = q->dev->be;
	struct ioctl_gntdev_grant_copy_segment *c = be->copy;
	uint32_t i, left = req->nr_segs * sizeof(struct blkif_request_segment);

	if (q->dev->persistent) {
		struct bb_pgnt *p[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];

		/* No room, or a grant that does not map writable: grant copy decides. */
		if (!bb_pgnt_get_n(&q->pgnt, req->indirect_grefs, req->nr_indirect, p)) {
			for (i = 0; i < req->nr_indirect; i++) {
				uint32_t len = left > BB_PAGE_SIZE ? BB_PAGE_SIZE : left;

				memcpy(be->indirect + i * BB_PAGE_SIZE, p[i]->addr, len);
				left -= len;
				bb_pgnt_put(p[i]);
			}
			return bb_req_parse_indirect(&q->dev->lim, be->indirect, req);
		}
	}
	for (i = 0; i < req->nr_indirect; i++) {
		uint32_t len = left > BB_PAGE_SIZE ? BB_PAGE_SIZE : left;

		memset(&c[i], 0, sizeof(c[i]));
		c[i].source.foreign.ref = req->indirect_grefs[i];
		c[i].source.foreign.domid = q->dev->domid;
		c[i].dest.virt = be->indirect + i * BB_PAGE_SIZE;
		c[i].flags = GNTCOPY_source_gref;
		c[i].len = len;
		left -= len;
	}
	if (be->env.ops->gnt_copy(be->env.priv, c, req->nr_indirect))
		return BLKIF_RSP_ERROR;
	for (i = 0; i < req->nr_indirect; i++)
		if (c[i].status != GNTST_okay)
			return BLKIF_RSP_ERROR;
	return bb_req_parse_indirect(&q->dev->lim, be->indirect, req);
}

static void complete(struct bb_slot *s, int64_t res);

/*
 * Starts @s's I/O: a flush is submitted at once; on an O_DIRECT target reads and writes join
 * their queue's batch, submitted in one io_submit at the end of the ring pass (submit_batch);
 * on an inline target (dev->inline_io: a file without O_DIRECT, or the loop device over one)
 * they are done here and answered in this pass. Linux's AIO would run buffered I/O inside
 * io_submit all the same, and the loop device's worker copies from that file's page cache
 * just as soon: this saves the eventfd, io_getevents and a trip through poll() per request.
 */
static int submit(struct bb_slot *s, uint16_t cmd)
{
	struct bb_dev *dev = s->q->dev;
	uint64_t len = s->req.nr_sectors << BB_SECTOR_SHIFT;
	void *buf = s->buf;
	int fd = dev->fd;

	/* Behind our loop device, small reads and writes go to the file itself (BB_SMALL_IO). */
	if (cmd != IOCB_CMD_FDSYNC && dev->file_fd >= 0 && len <= BB_SMALL_IO)
		fd = dev->file_fd;

	if (cmd == IOCB_CMD_FDSYNC) {
		len = 0;
	} else if (s->zc) {
		cmd = cmd == IOCB_CMD_PREAD ? IOCB_CMD_PREADV : IOCB_CMD_PWRITEV;
		buf = s->iov;
		len = s->req.nr_segs;
	}
	bb_aio_prep(&dev->be->aio, &s->cb, fd, cmd, buf, len,
		    s->req.sector << BB_SECTOR_SHIFT, s);
	if (cmd == IOCB_CMD_FDSYNC) {
		if (!dev->direct)
			dev->be->aio_sync = true;	/* reap it without waiting for the eventfd */
		return bb_aio_submit(&dev->be->aio, &s->cb);
	}
	if (dev->inline_io) {
		s->q->stat_inline++;
		dev->be->aio.syscalls++;
		complete(s, bb_aio_run(&s->cb));
		return 0;
	}
	s->q->batch[s->q->nbatch++] = &s->cb;
	return 0;
}

/* Ends a request: answer, give the slot back. */
static void finish(struct bb_slot *s, int16_t status)
{
	struct bb_queue *q = s->q;

	respond(q, s->req.id, s->req.rsp_op, status);
	slot_put(s);
}

/* A flush that AIO refused (no fsync method for AIO here): done synchronously. */
static int16_t flush_now(struct bb_dev *dev)
{
	dev->stat_fsyncs++;
	return fdatasync(dev->fd) < 0 ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY;
}

/*
 * Flushes are coalesced per device: one fdatasync in flight at a time, answering every flush
 * that was waiting when it started (chained through next_free, which a busy slot does not
 * use); those arriving meanwhile share the next one. A flush storm costs one fdatasync per
 * fdatasync's duration, and each flush still covers every write completed before it arrived.
 */
static void flush_done(struct bb_dev *dev, int16_t status);

static void flush_start(struct bb_dev *dev, struct bb_slot *list)
{
	int rc;

	dev->flush_cur = list;
	dev->stat_fsyncs++;
	rc = submit(list, IOCB_CMD_FDSYNC);
	if (rc == -EAGAIN && dev->be->aio.inflight) {
		/*
		 * The daemon-wide AIO context is full (other queues, other guests): wait for room
		 * (bb_io_flush_retry, on the next completions) rather than fail the flush, which
		 * blkfront would answer by turning flushes off for good.
		 */
		dev->stat_fsyncs--;
		dev->flush_waiting = true;
	} else if (rc == -EINVAL) {
		dev->stat_fsyncs--;
		flush_done(dev, flush_now(dev));
	} else if (rc) {
		flush_done(dev, BLKIF_RSP_ERROR);
	}
}

static void flush_join(struct bb_slot *s)
{
	struct bb_dev *dev = s->q->dev;

	s->next_free = NULL;
	if (!dev->flush_cur) {
		flush_start(dev, s);
		return;
	}
	s->next_free = dev->flush_next;
	dev->flush_next = s;
}

static void flush_done(struct bb_dev *dev, int16_t status)
{
	struct bb_slot *s = dev->flush_cur, *next;

	dev->flush_cur = NULL;
	for (; s; s = next) {
		next = s->next_free;
		finish(s, status);
	}
	if (dev->flush_next) {
		s = dev->flush_next;
		dev->flush_next = NULL;
		flush_start(dev, s);
	}
}

/*
 * With persistent grants (s->pers): the data copied by us between the pinned grants and the
 * file's pages at @off, with no system call; a SIGBUS (the file shrank under us) fails it.
 */
static int copy_mapped(struct bb_slot *s, uint64_t off, bool to_guest)
{
	struct bb_dev *dev = s->q->dev;
	uint32_t i, pos = 0;

	for (i = 0; i < s->req.nr_segs; i++) {
		const struct bb_seg *g = &s->req.segs[i];
		uint8_t *p = s->pg[i]->addr + g->offset, *f = dev->map + off + pos;

		if (bb_mapcopy(to_guest ? p : f, to_guest ? f : p, g->len, dev->map,
			       dev->map_len))
			return -EFAULT;
		pos += g->len;
	}
	return 0;
}

/*
 * A read or write of an mmap'ed file (target.c), answered in this pass: copied by us between
 * the file's pages and the guest's persistent grants when it has them pinned (s->pers), else
 * one grant copy between its segments and the file's pages, done by keel; a flush with data
 * then joins the next fdatasync. A copy that finds the file shrunk under us (gntdev cannot pin
 * the pages, our copy takes a SIGBUS) is an error.
 */
static void serve_mapped(struct bb_slot *s)
{
	struct bb_dev *dev = s->q->dev;
	struct bb_req *r = &s->req;
	uint64_t off = r->sector << BB_SECTOR_SHIFT, len = r->nr_sectors << BB_SECTOR_SHIFT;
	bool to_guest = r->kind == BB_OP_READ;

	s->q->stat_inline++;
	if (len > dev->map_len || off > dev->map_len - len) {
		finish(s, BLKIF_RSP_ERROR);
		return;
	}
	/*
	 * A grant copy's write pins its pages (gntdev) one fault at a time where a read fault
	 * maps up to 16 of the file's cached pages (fault-around): a large one populates its
	 * range for reading first (tmpfs pages, which need no write notification, are then
	 * mapped writable too). Once the pages are mapped this costs one system call; a failure
	 * is the copy's to report. (Our own copies find the file's data in our page tables:
	 * target.c and written_past_map put it there.)
	 */
	if (!s->pers && !to_guest && len > BB_SMALL_IO) {
		uint64_t start = off & ~(uint64_t)(BB_PAGE_SIZE - 1);

		dev->be->aio.syscalls++;
		madvise(dev->map + start, off + len - start, MADV_POPULATE_READ);
	}
	if (s->pers ? copy_mapped(s, off, to_guest) : copy_data(s, dev->map + off, to_guest)) {
		finish(s, BLKIF_RSP_ERROR);
		return;
	}
	if (!to_guest)
		bb_populated_mark(&dev->pop, off, len);
	if (r->kind == BB_OP_FLUSH) {
		flush_join(s);
		return;
	}
	finish(s, BLKIF_RSP_OKAY);
}

/* Starts a checked request that holds slot @s (some, like discards, end here). */
static void start(struct bb_queue *q, struct bb_slot *s)
{
	struct bb_dev *dev = q->dev;
	struct bb_req *r = &s->req;
	int rc;

	s->flush_next = false;
	if (r->kind == BB_OP_DISCARD) {
		/*
		 * Discards are synchronous (fallocate, BLKDISCARD) and a guest may ask for its
		 * whole disk: done a chunk per turn of the event loop (bb_io_discard_step, from
		 * the AIO eventfd), never in one call that stalls every other guest.
		 */
		if (!r->nr_sectors) {
			finish(s, BLKIF_RSP_OKAY);
			return;
		}
		s->next_free = NULL;
		*dev->be->discards_tail = s;
		dev->be->discards_tail = &s->next_free;
		bb_aio_kick(&dev->be->aio);
		return;
	}
	s->pers = s->zc = false;
	if (r->nr_segs && dev->map) {
		uint64_t off = r->sector << BB_SECTOR_SHIFT, len = r->nr_sectors << BB_SECTOR_SHIFT;
		bool data = bb_populated_all(&dev->pop, off, len);

		s->pers = dev->persistent && pin(s);
		/*
		 * Through the mapping, but for reads of pages that may be holes (faulting them in
		 * would allocate them) and, with persistent grants, large writes into holes:
		 * pwritev from the grants, as the kernel's write path allocates a sparse file's
		 * new pages for less than faults on the mapping do (make bench: 12 % on a first
		 * sequential write). Those go on below.
		 */
		if (r->kind == BB_OP_READ ? data : !s->pers || len <= BB_SMALL_IO || data) {
			serve_mapped(s);
			return;
		}
		if (s->pers)
			s->zc = zero_copy(s);
	} else if (r->nr_segs && dev->persistent && pin(s)) {
		s->pers = true;
		s->zc = zero_copy(s);
	}
	if (r->nr_segs && !s->zc && !s->buf) {
		if (q->nspare) {
			s->buf = q->spare[--q->nspare];
		} else {
			s->buf = aligned_alloc(BB_PAGE_SIZE,
					       (size_t)max_segs(dev->be) * BB_PAGE_SIZE);
			if (!s->buf) {
				finish(s, BLKIF_RSP_ERROR);
				return;
			}
			q->nbufs++;
			q->stat_allocs++;
		}
	}
	switch (r->kind) {
	case BB_OP_READ:
		rc = submit(s, IOCB_CMD_PREAD);
		break;
	case BB_OP_FLUSH:
		if (!r->nr_segs) {
			flush_join(s);
			return;
		}
		s->flush_next = true;
		/* write the data, then flush */
		__attribute__((fallthrough));
	case BB_OP_WRITE:
		if (move_data(s, false)) {
			finish(s, BLKIF_RSP_ERROR);
			return;
		}
		rc = submit(s, IOCB_CMD_PWRITE);
		break;
	default:
		rc = -EINVAL;
	}
	if (rc)
		finish(s, BLKIF_RSP_ERROR);
}

/* After completions on @dev: publish and go on with each of its rings, or finish closing. */
static void after(struct bb_dev *dev)
{
	unsigned int i;
	bool mapped = false;

	for (i = 0; dev->queues && i < dev->nqueues; i++) {
		struct bb_queue *q = &dev->queues[i];

		if (!q->map)
			continue;
		mapped = true;
		bb_queue_run(q);	/* publishes the answers first */
	}
	/* Disconnecting: the state machine waits for the last one. */
	if (!mapped && !bb_dev_inflight(dev))
		bb_dev_update(dev);
}

bool bb_io_discard_step(struct bb_backend *be)
{
	struct bb_slot *s = be->discards;
	struct bb_req *r;
	uint64_t n;
	int rc;

	if (!s)
		return false;
	be->discards = s->next_free;
	if (!be->discards)
		be->discards_tail = &be->discards;
	r = &s->req;
	n = r->nr_sectors < be->cfg.discard_chunk ? r->nr_sectors : be->cfg.discard_chunk;
	/* Ring gone (closed, failed, domain dead): nobody will read the answer; stop. */
	rc = s->q->map ? bb_target_discard(s->q->dev, r->sector, n) : -EIO;
	r->sector += n;
	r->nr_sectors -= n;
	if (rc == 0 && r->nr_sectors) {
		/* More to do: to the back, behind the other guests' discards. */
		s->next_free = NULL;
		*be->discards_tail = s;
		be->discards_tail = &s->next_free;
	} else {
		struct bb_dev *dev = s->q->dev;

		finish(s, rc == 0 ? BLKIF_RSP_OKAY :
			  rc == -EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR);
		after(dev);
	}
	return be->discards != NULL;
}

void bb_io_flush_retry(struct bb_backend *be)
{
	struct bb_dev *dev;

	for (dev = be->devs; dev; dev = dev->next) {
		if (!dev->flush_waiting)
			continue;
		if (be->aio.inflight >= be->aio.depth)
			return;
		dev->flush_waiting = false;
		flush_start(dev, dev->flush_cur);
		if (!dev->flush_waiting)
			after(dev);	/* answered at once (an error): publish, go on */
	}
}

/*
 * A write of a mapped file that went by pwritev: its pages hold data now; on tmpfs mapped into
 * our page tables (writable: they exist, nothing is allocated or dirtied) so that our copies of
 * them take no fault later, as after a copy of our own (target.c says why not elsewhere).
 */
static void written_past_map(struct bb_dev *dev, uint64_t off, uint64_t len)
{
	uint64_t start = off & ~(uint64_t)(BB_PAGE_SIZE - 1);

	bb_populated_mark(&dev->pop, off, len);
	if (!dev->map_shmem)
		return;
	dev->be->aio.syscalls++;
	(void)madvise(dev->map + start, off + len - start, MADV_POPULATE_WRITE);
}

/* Ends @s's I/O (answers, or goes on with a flush); the caller then runs after(). */
static void complete(struct bb_slot *s, int64_t res)
{
	struct bb_queue *q = s->q;
	struct bb_dev *dev = q->dev;
	struct bb_req *r = &s->req;
	uint64_t len = r->nr_sectors << BB_SECTOR_SHIFT;
	int16_t status = BLKIF_RSP_OKAY;

	switch (s->cb.aio_lio_opcode) {
	case IOCB_CMD_PREAD:
	case IOCB_CMD_PREADV:
		if (!q->map || res != (int64_t)len || move_data(s, true))
			status = BLKIF_RSP_ERROR;
		break;
	case IOCB_CMD_PWRITE:
	case IOCB_CMD_PWRITEV:
		if (res == (int64_t)len && dev->pop.leaves)
			written_past_map(dev, r->sector << BB_SECTOR_SHIFT, len);
		if (res != (int64_t)len) {
			status = BLKIF_RSP_ERROR;
		} else if (s->flush_next) {
			s->flush_next = false;
			flush_join(s);
			return;
		}
		break;
	case IOCB_CMD_FDSYNC:
		/* @s leads the batch flush_done() answers. */
		flush_done(dev, res == -EINVAL ? flush_now(dev) :
				res < 0 ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY);
		return;
	}
	finish(s, status);
}

void bb_io_complete(struct bb_backend *be, const struct io_event *ev, unsigned int n)
{
	struct bb_dev *dev;
	unsigned int i;

	/* Every completion first, then each device's rings once: one push, one pass. */
	for (i = 0; i < n; i++) {
		struct bb_slot *s = (struct bb_slot *)(uintptr_t)ev[i].data;

		s->q->dev->completed = true;
		complete(s, (int64_t)ev[i].res);
	}
	for (dev = be->devs; dev; dev = dev->next) {
		if (dev->completed) {
			dev->completed = false;
			after(dev);
		}
	}
}

/* Submits the reads and writes a ring pass started, in one call. */
static void submit_batch(struct bb_queue *q)
{
	struct bb_aio *a = &q->dev->be->aio;
	unsigned int done = 0;

	while (done < q->nbatch) {
		int rc = bb_aio_submit_n(a, q->batch + done, q->nbatch - done);

		if (rc > 0) {
			done += rc;
			continue;
		}
		/* The first one was refused: answered, the others tried again. */
		finish((struct bb_slot *)(uintptr_t)q->batch[done]->aio_data, BLKIF_RSP_ERROR);
		done++;
	}
	q->nbatch = 0;
}

/* One request out of the ring: answered at once, or started in a slot. */
static void take(struct bb_queue *q, const blkif_request_t *src)
{
	struct bb_slot *s = q->free;
	int rc;

	q->free = s->next_free;
	q->inflight++;
	q->dev->nr_inflight++;
	q->dev->stat_requests++;
	q->dev->be->stat_requests++;
	rc = bb_req_parse(&q->dev->lim, src, &s->req);
	if (rc == BB_PARSE_INDIRECT)
		rc = fetch_indirect(q, &s->req);
	if (rc != BB_PARSE_OK) {
		finish(s, rc);
		return;
	}
	start(q, s);
}

void bb_queue_run(struct bb_queue *q)
{
	struct bb_dev *dev = q->dev;
	struct bb_backend *be = dev->be;
	blkif_request_t req;
	unsigned int idx = q->idx, taken = 0;
	bool quiet;

	if (!q->map || q->ring.broken)
		return;
	q->starved = false;
	for (;;) {
		while (q->free) {
			int rc;

			/* No room in the AIO context, or this device has its share of it. */
			if (be->aio.inflight + q->nbatch >= be->aio.depth ||
			    dev->nr_inflight >= bb_dev_share(be)) {
				q->starved = true;
				break;
			}
			/*
			 * Requests answered in the pass (inline I/O, errors) free their slots at
			 * once: a frontend refilling the ring as fast as we answer would keep us
			 * here for ever. A pool's worth per call; the eventfd brings us back
			 * after the other descriptors had their turn.
			 */
			if (taken++ == be->cfg.pool) {
				q->starved = true;
				bb_aio_kick(&be->aio);
				break;
			}
			rc = bb_ring_next(&q->ring, &req);
			if (rc < 0)
				break;
			if (rc == 0)
				break;
			take(q, &req);
		}
		submit_batch(q);
		/*
		 * Everything taken is answered and the ring is empty: the guest we notify will
		 * likely send its next request once it has our answers (a reader or writer one
		 * request at a time). On one CPU keel runs it, boosted, only when dom0 blocks or
		 * has had its ratelimit (1 ms): dom0's vCPU yields to it instead, and its next
		 * request, made without an event (no_event), is on the ring when the yield
		 * returns. That takes dom0's event interrupt, the data thread's wake-up, its
		 * evtchn read and unmask write out of such a request. The loop looks at the ring
		 * again after the yield (the final check re-arms the event when it is empty), and
		 * the pool's bound above ends a turn whatever the guest does.
		 */
		quiet = be->yield && !q->inflight && !q->starved && !q->ring.broken &&
			!bb_ring_has_requests(&q->ring);
		if (quiet)
			bb_ring_no_event(&q->ring);
		if (push(q) && quiet) {
			be->stat_yields++;
			be->yield(be);
			continue;
		}
		if (q->ring.broken)
			break;
		if (!q->free || q->starved)
			return;	/* completions call us again */
		if (!bb_ring_final_check(&q->ring))
			return;
	}
	/*
	 * The frontend overran the ring: fail the whole device (error node, state 5) as for a bad
	 * key, rather than leave it Connected with a dead queue. This is the last use of @q:
	 * bb_dev_fatal() unmaps every ring and, with no I/O in flight, frees the queues (@q
	 * included); the callers re-check dev->queues after us. Said once: an unmapped ring is
	 * never run again.
	 */
	bb_dev_fatal(dev, -EPROTO, "queue %u: req_prod overruns the ring", idx);
}
