/* keel-netpeer's protocol core: verify and ack incoming streams, send requested ones go-back-N. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "peer.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

uint32_t peer_crc32(uint32_t crc, const void *buf, uint32_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

uint32_t peer_stream_len(uint32_t id, uint32_t seq)
{
	uint32_t max = PEER_UDP_MAX - PEER_HDR;
	uint32_t x = (seq * 2654435761u) ^ (id * 40503u);

	switch (seq % 4) {
	case 0:
		return max;
	case 1:
		return 1 + x % 64;
	default:
		return 1 + x % max;
	}
}

uint8_t peer_stream_byte(uint32_t id, uint32_t seq, uint32_t i)
{
	uint32_t x = id * 0x9e3779b9u ^ seq * 0x85ebca6bu ^ i * 0xc2b2ae35u;

	return (uint8_t)(x ^ x >> 13 ^ x >> 24);
}

static uint32_t payload(uint32_t id, uint32_t seq, uint8_t *out)
{
	uint32_t len = peer_stream_len(id, seq);

	for (uint32_t i = 0; i < len; i++)
		out[i] = peer_stream_byte(id, seq, i);
	return len;
}

uint32_t peer_stream_crc(uint32_t id, uint32_t count)
{
	uint8_t buf[PEER_UDP_MAX];
	uint32_t crc = 0;

	for (uint32_t seq = 0; seq < count; seq++)
		crc = peer_crc32(crc, buf, payload(id, seq, buf));
	return crc;
}

void peer_init(struct peer *p)
{
	memset(p->s, 0, sizeof(p->s));
	p->damaged = p->finished = 0;
}

static void __attribute__((format(printf, 2, 3))) say(struct peer *p, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!p->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->log(p->ctx, line);
}

static struct peer_stream *find(struct peer *p, uint32_t ip, uint32_t id, bool sending,
				bool make)
{
	struct peer_stream *free = NULL;

	for (unsigned int i = 0; i < PEER_STREAMS; i++) {
		struct peer_stream *s = &p->s[i];

		if (s->used && s->ip == ip && s->id == id && s->sending == sending)
			return s;
		if (!free && (!s->used || s->done))
			free = s;
	}
	if (!make || !free)
		return NULL;
	memset(free, 0, sizeof(*free));
	free->used = true;
	free->ip = ip;
	free->id = id;
	free->sending = sending;
	return free;
}

static void send_ack(struct peer *p, struct peer_stream *s)
{
	uint8_t a[16];

	put32(a, PEER_ACK);
	put32(a + 4, s->id);
	put32(a + 8, s->next);
	put32(a + 12, s->bad);
	p->send(p->ctx, s->ip, s->port, a, sizeof(a));
}

static void data_input(struct peer *p, uint32_t ip, uint16_t port, const uint8_t *d,
		       uint32_t len)
{
	uint32_t id = get32(d + 4), seq = get32(d + 8), count = get32(d + 12);
	uint32_t plen = get32(d + 16) >> 16;
	struct peer_stream *s = find(p, ip, id, false, true);
	bool ok;

	if (!s)
		return;
	if (!s->count) {
		s->count = count;
		s->port = port;
	}
	ok = count == s->count && seq < count && plen == len - PEER_HDR &&
	     plen == peer_stream_len(id, seq) && peer_crc32(0, d + PEER_HDR, plen) == get32(d + 20);
	for (uint32_t i = 0; ok && i < plen; i++)
		ok = d[PEER_HDR + i] == peer_stream_byte(id, seq, i);
	if (!ok) {
		s->bad++;
		p->damaged++;
		say(p, "stream %u: datagram %u damaged (%u bytes)", id, seq, len);
		return;
	}
	if (seq == s->next && !s->done) {
		s->next++;
		s->bytes += plen;
		s->crc = peer_crc32(s->crc, d + PEER_HDR, plen);
		if (s->next == s->count) {
			s->done = true;
			p->finished++;
			say(p, "stream %u from %u.%u.%u.%u: %u datagrams, %u bytes, crc32 %08x, "
			     "%u damaged", id, ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255,
			     s->count, s->bytes, s->crc, s->bad);
		}
		if (s->done || !(s->next % 8))
			send_ack(p, s);
	} else {
		send_ack(p, s);
	}
}

static void send_data(struct peer *p, struct peer_stream *s, uint32_t seq)
{
	uint8_t d[PEER_UDP_MAX];
	uint32_t len = payload(s->id, seq, d + PEER_HDR);

	put32(d, PEER_DATA);
	put32(d + 4, s->id);
	put32(d + 8, seq);
	put32(d + 12, s->count);
	put32(d + 16, len << 16);
	put32(d + 20, peer_crc32(0, d + PEER_HDR, len));
	p->send(p->ctx, s->ip, s->port, d, PEER_HDR + len);
}

void peer_input(struct peer *p, uint32_t ip, uint16_t port, const uint8_t *d, uint32_t len,
		uint64_t now_ns)
{
	struct peer_stream *s;
	uint32_t magic;

	if (len < 16)
		return;
	magic = get32(d);
	if (magic == PEER_DATA && len >= PEER_HDR) {
		data_input(p, ip, port, d, len);
	} else if (magic == PEER_REQ) {
		s = find(p, ip, get32(d + 4), true, false);
		if (s)
			return;		/* already sending it */
		s = find(p, ip, get32(d + 4), true, true);
		if (!s)
			return;
		s->port = port;
		s->count = get32(d + 8);
		s->progress_ns = now_ns;
		peer_tick(p, now_ns);
	} else if (magic == PEER_ACK) {
		uint32_t next = get32(d + 8);

		s = find(p, ip, get32(d + 4), true, false);
		if (!s || next > s->sent)
			return;
		if (next > s->acked)
			s->acked = next;
		if (s->acked == s->count && !s->done) {
			s->done = true;
			p->finished++;
			say(p, "stream %u to %u.%u.%u.%u: %u datagrams acked, crc32 %08x, %u resent",
			     s->id, ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, s->count,
			     peer_stream_crc(s->id, s->count), s->resent);
		}
		peer_tick(p, now_ns);
	}
}

void peer_tick(struct peer *p, uint64_t now_ns)
{
	for (unsigned int i = 0; i < PEER_STREAMS; i++) {
		struct peer_stream *s = &p->s[i];

		if (!s->used || !s->sending || s->done)
			continue;
		if (s->acked != s->last_acked) {
			s->last_acked = s->acked;
			s->progress_ns = now_ns;
		} else if (now_ns - s->progress_ns > PEER_RESEND_NS) {
			s->cursor = s->acked;	/* go back */
			s->progress_ns = now_ns;
		}
		if (s->cursor < s->acked)
			s->cursor = s->acked;
		while (s->cursor < s->count && s->cursor < s->acked + PEER_WINDOW) {
			if (s->cursor < s->sent)
				s->resent++;
			send_data(p, s, s->cursor++);
			if (s->cursor > s->sent)
				s->sent = s->cursor;
		}
	}
}
