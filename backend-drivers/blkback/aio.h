/* Linux native AIO by raw system calls, completions signalled on an eventfd. */
#ifndef BLKBACK_AIO_H
#define BLKBACK_AIO_H

#include <stdint.h>
#include <linux/aio_abi.h>

struct bb_aio {
	aio_context_t ctx;
	int efd;		/* readable when completions are waiting */
	unsigned int depth;	/* io_setup's nr */
	unsigned int inflight;
	uint64_t syscalls;	/* made on its behalf (stats: the daemon's system calls) */
};

/* 0 or -errno. */
int bb_aio_init(struct bb_aio *a, unsigned int depth);
void bb_aio_fini(struct bb_aio *a);

/* Fills @cb for one operation (IOCB_CMD_PREAD[V], PWRITE[V], FDSYNC) with @data as its cookie. */
void bb_aio_prep(struct bb_aio *a, struct iocb *cb, int fd, uint16_t cmd, void *buf,
		 uint64_t len, uint64_t off, void *data);
/* Submits one iocb: 0 or -errno (-EAGAIN when the context is full). */
int bb_aio_submit(struct bb_aio *a, struct iocb *cb);
/* Submits @n iocbs in one call: how many were taken (the first ones), or -errno for none. */
int bb_aio_submit_n(struct bb_aio *a, struct iocb **cbs, unsigned int n);
/*
 * Runs @cb's read or write (PREAD, PWRITE, PREADV, PWRITEV) now, synchronously: what
 * io_getevents would report as its res (bytes, or -errno).
 */
int64_t bb_aio_run(const struct iocb *cb);
/* Makes the eventfd readable again (completions left for the next turn of the loop). */
void bb_aio_kick(struct bb_aio *a);
/*
 * Up to @max completions without waiting, read off the kernel's completion ring (no
 * io_getevents unless its layout is not the one we know): their count, or -errno.
 */
int bb_aio_reap(struct bb_aio *a, struct io_event *ev, unsigned int max);

#endif
