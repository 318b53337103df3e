/* A byte stream keeping only its newest bytes (keel's log, a domain's console output). */
#ifndef KEEL_TEXT_RING_H
#define KEEL_TEXT_RING_H

#include <keel/types.h>

/*
 * Positions count bytes ever written: the stream's head is the position
 * of the next byte, and only the last @size bytes before it are kept.
 * Callers serialise access to one ring.
 */
struct text_ring {
	char *buf;
	u32 size;		/* bytes kept; 0 keeps nothing */
	u64 head;		/* bytes ever written */
	u64 start;		/* nothing before it is read (a cleared log) */
};

/* An empty stream keeping the last @size bytes in @buf. */
void text_ring_init(struct text_ring *r, char *buf, u32 size);
/* Append @n bytes (the oldest ones make room). */
void text_ring_put(struct text_ring *r, const char *s, size_t n);
/*
 * Copy up to @size bytes from stream position *@pos into @buf. When the
 * bytes at *@pos are no longer kept, *@pos moves forward to the oldest one
 * that is. Returns the bytes copied (0 at the head), or -EINVAL for a
 * position past the head.
 */
long text_ring_read(const struct text_ring *r, u64 *pos, char *buf, size_t size);
/* Forget the bytes before position @upto (at most the head): reads start there. */
void text_ring_discard(struct text_ring *r, u64 upto);

#endif
