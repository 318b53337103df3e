/* Byte transport over the xenstore ring page, as Linux's xb_write/xb_read: copy, barrier, publish, notify. */
#include <keel/errno.h>
#include "xs_port.h"
#include "xs_ring.h"

#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static u64 deadline_left(u64 end)
{
	u64 now = xs_now_ns();

	return now >= end ? 0 : end - now;
}

int xs_ring_send(volatile struct xs_ring_page *r, const void *buf, u32 len,
		  u64 timeout_ns)
{
	const char *p = buf;
	u64 end = xs_now_ns() + timeout_ns;

	while (len) {
		u32 cons = __atomic_load_n(&r->req_cons, __ATOMIC_ACQUIRE);
		u32 prod = r->req_prod;
		u32 used = prod - cons, n = 0;

		if (used > XS_RING_SIZE)
			return -EIO;
		mb();
		while (len && used + n < XS_RING_SIZE) {
			r->req[(prod + n) % XS_RING_SIZE] = *p++;
			n++;
			len--;
		}
		if (n) {
			mb();
			r->req_prod = prod + n;
			xs_port_notify();
			continue;
		}
		if (!deadline_left(end))
			/* Part of a message given or taken: the stream cannot be resumed. */
			return p == (char *)buf ? -ETIMEDOUT : -EIO;
		xs_port_wait(deadline_left(end));
	}
	return 0;
}

bool xs_ring_pending(volatile struct xs_ring_page *r)
{
	return __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE) != r->rsp_cons;
}

int xs_ring_recv(volatile struct xs_ring_page *r, void *buf, u32 len,
		 u64 timeout_ns)
{
	char *p = buf;
	u64 end = xs_now_ns() + timeout_ns;

	while (len) {
		u32 prod = __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE);
		u32 cons = r->rsp_cons;
		u32 avail = prod - cons, n = 0;

		if (avail > XS_RING_SIZE)
			return -EIO;
		mb();
		while (len && n < avail) {
			*p++ = r->rsp[(cons + n) % XS_RING_SIZE];
			n++;
			len--;
		}
		if (n) {
			mb();
			r->rsp_cons = cons + n;
			xs_port_notify();
			continue;
		}
		if (!deadline_left(end))
			/* Part of a message given or taken: the stream cannot be resumed. */
			return p == (char *)buf ? -ETIMEDOUT : -EIO;
		xs_port_wait(deadline_left(end));
	}
	return 0;
}
