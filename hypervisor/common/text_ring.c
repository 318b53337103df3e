/* A byte stream keeping only its newest bytes: append, and read from a stream position. */
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/text_ring.h>

void text_ring_init(struct text_ring *r, char *buf, u32 size)
{
	r->buf = buf;
	r->size = size;
	r->head = 0;
	r->start = 0;
}

void text_ring_put(struct text_ring *r, const char *s, size_t n)
{
	size_t keep = MIN(n, (size_t)r->size);
	u64 at = r->head + n - keep;	/* what does not fit is overwritten anyway */

	r->head += n;
	s += n - keep;
	while (keep) {
		u32 off = at % r->size;
		size_t chunk = MIN(keep, (size_t)(r->size - off));

		memcpy(r->buf + off, s, chunk);
		at += chunk;
		s += chunk;
		keep -= chunk;
	}
}

long text_ring_read(const struct text_ring *r, u64 *pos, char *buf, size_t size)
{
	u64 oldest = MAX(r->head > r->size ? r->head - r->size : 0, r->start);
	size_t n, done = 0;

	if (*pos > r->head)
		return -EINVAL;
	if (*pos < oldest)
		*pos = oldest;
	n = MIN(size, (size_t)(r->head - *pos));
	while (done < n) {
		u32 off = (*pos + done) % r->size;
		size_t chunk = MIN(n - done, (size_t)(r->size - off));

		memcpy(buf + done, r->buf + off, chunk);
		done += chunk;
	}
	return n;
}

void text_ring_discard(struct text_ring *r, u64 upto)
{
	r->start = MAX(r->start, MIN(upto, r->head));
}
