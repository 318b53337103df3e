/* Linux native AIO by raw system calls (no libaio), completions signalled on an eventfd. */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "aio.h"

int bb_aio_init(struct bb_aio *a, unsigned int depth)
{
	memset(a, 0, sizeof(*a));
	a->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->efd < 0)
		return -errno;
	if (syscall(SYS_io_setup, depth, &a->ctx) < 0) {
		int err = -errno;

		close(a->efd);
		a->efd = -1;
		return err;
	}
	a->depth = depth;
	return 0;
}

void bb_aio_fini(struct bb_aio *a)
{
	if (a->ctx)
		syscall(SYS_io_destroy, a->ctx);	/* waits for what is in flight */
	if (a->efd >= 0)
		close(a->efd);
	a->ctx = 0;
	a->efd = -1;
}

void bb_aio_prep(struct bb_aio *a, struct iocb *cb, int fd, uint16_t cmd, void *buf,
		 uint64_t len, uint64_t off, void *data)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_data = (uint64_t)(uintptr_t)data;
	cb->aio_lio_opcode = cmd;
	cb->aio_fildes = fd;
	cb->aio_buf = (uint64_t)(uintptr_t)buf;
	cb->aio_nbytes = len;
	cb->aio_offset = off;
	cb->aio_flags = IOCB_FLAG_RESFD;
	cb->aio_resfd = a->efd;
}

int bb_aio_submit(struct bb_aio *a, struct iocb *cb)
{
	struct iocb *list[1] = { cb };
	long rc;

	if (a->inflight >= a->depth)
		return -EAGAIN;
	a->syscalls++;
	rc = syscall(SYS_io_submit, a->ctx, 1L, list);
	if (rc < 0)
		return -errno;
	if (rc != 1)
		return -EAGAIN;
	a->inflight++;
	return 0;
}

int bb_aio_submit_n(struct bb_aio *a, struct iocb **cbs, unsigned int n)
{
	long rc;

	if (!n)
		return 0;
	if (a->inflight + n > a->depth)
		return -EAGAIN;
	a->syscalls++;
	rc = syscall(SYS_io_submit, a->ctx, (long)n, cbs);
	if (rc < 0)
		return -errno;
	a->inflight += rc;
	return (int)rc;
}

int64_t bb_aio_run(const struct iocb *cb)
{
	void *buf = (void *)(uintptr_t)cb->aio_buf;
	off_t off = (off_t)cb->aio_offset;
	ssize_t n;

	switch (cb->aio_lio_opcode) {
	case IOCB_CMD_PREAD:
		n = pread(cb->aio_fildes, buf, cb->aio_nbytes, off);
		break;
	case IOCB_CMD_PWRITE:
		n = pwrite(cb->aio_fildes, buf, cb->aio_nbytes, off);
		break;
	case IOCB_CMD_PREADV:
		n = preadv(cb->aio_fildes, buf, (int)cb->aio_nbytes, off);
		break;
	case IOCB_CMD_PWRITEV:
		n = pwritev(cb->aio_fildes, buf, (int)cb->aio_nbytes, off);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 ? -errno : n;
}

void bb_aio_kick(struct bb_aio *a)
{
	uint64_t one = 1;

	a->syscalls++;
	(void)!write(a->efd, &one, sizeof(one));
}

/*
 * The completion ring the kernel maps at the context's address (fs/aio.c's struct aio_ring):
 * it appends events at tail, and takes head as user space leaves it, which lets a process
 * consume completions without io_getevents (as fio's userspace_reap does).
 */
struct aio_user_ring {
	unsigned int id, nr, head, tail;
	unsigned int magic, compat_features, incompat_features, header_length;
	struct io_event events[];
};
#define AIO_RING_MAGIC 0xa10a10a1u

/* Up to @max events off the ring, or -1 when it is not the layout we know. */
static int reap_user(struct bb_aio *a, struct io_event *ev, unsigned int max)
{
	struct aio_user_ring *r = (struct aio_user_ring *)(uintptr_t)a->ctx;
	unsigned int head, tail, n = 0;

	if (r->magic != AIO_RING_MAGIC || r->incompat_features || !r->nr)
		return -1;
	head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	/* The events before tail were written before it (the kernel's smp_wmb). */
	tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	if (head >= r->nr || tail >= r->nr)
		return -1;
	while (head != tail && n < max) {
		ev[n++] = r->events[head];
		head = head + 1 == r->nr ? 0 : head + 1;
	}
	/* The slots are the kernel's again only once we have read them. */
	__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
	return (int)n;
}

int bb_aio_reap(struct bb_aio *a, struct io_event *ev, unsigned int max)
{
	struct timespec zero = { 0, 0 };
	uint64_t cnt;
	long rc;

	a->syscalls++;
	if (read(a->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return -errno;
	if (!a->inflight)
		return 0;
	rc = reap_user(a, ev, max);
	if (rc < 0) {
		a->syscalls++;
		rc = syscall(SYS_io_getevents, a->ctx, 0L, (long)max, ev, &zero);
		if (rc < 0)
			return -errno;
	}
	a->inflight -= rc;
	return rc;
}
