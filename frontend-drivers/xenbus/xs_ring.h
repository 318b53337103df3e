/* Byte transport over the xenstore ring page: write requests, read replies, with timeouts. */
#ifndef GUEST_XS_RING_H
#define GUEST_XS_RING_H

#include <keel/types.h>
#include "xs_proto.h"

/*
 * Copy @len bytes into the request ring, waiting for room; 0, or
 * -ETIMEDOUT after @timeout_ns, or -EIO when the daemon's indices are
 * impossible (more than a ring's worth apart).
 */
int xs_ring_send(volatile struct xs_ring_page *r, const void *buf, u32 len,
		  u64 timeout_ns);
/*
 * Copy @len bytes out of the reply ring, waiting for them; errors as above,
 * but a timeout after part of @len was taken is -EIO.
 */
int xs_ring_recv(volatile struct xs_ring_page *r, void *buf, u32 len,
		 u64 timeout_ns);
/* Whether the reply ring holds at least one byte. */
bool xs_ring_pending(volatile struct xs_ring_page *r);

#endif
