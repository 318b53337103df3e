/* keel-netpeer's protocol core: the far end of the netfront guest's verified UDP streams (tests/guests/netfront/stream.h). */
#ifndef TESTS_NETPEER_PEER_H
#define TESTS_NETPEER_PEER_H

#include <stdbool.h>
#include <stdint.h>

#define PEER_PORT 7000
#define PEER_UDP_MAX 1472		/* 1500 - IPv4 - UDP */
#define PEER_HDR 24
#define PEER_WINDOW 32
#define PEER_STREAMS 8
#define PEER_RESEND_NS 200000000ULL
#define PEER_DATA 0x4b4e4454u		/* "KNDT" */
#define PEER_ACK 0x4b4e414bu		/* "KNAK" */
#define PEER_REQ 0x4b4e5251u		/* "KNRQ" */

/* A stream we receive (DATA from a guest) or send (after its REQ). */
struct peer_stream {
	bool used, sending, done;
	uint32_t ip;			/* the guest, host byte order */
	uint16_t port;
	uint32_t id, count;
	/* receiving */
	uint32_t next, bad, bytes, crc;
	/* sending */
	uint32_t acked, cursor, sent, resent, last_acked;
	uint64_t progress_ns;
};

struct peer {
	struct peer_stream s[PEER_STREAMS];
	/* Send @len bytes of UDP payload to @ip:@port from PEER_PORT; 0 or -1. */
	int (*send)(void *ctx, uint32_t ip, uint16_t port, const void *data, uint32_t len);
	void *ctx;
	/* One line per finished stream or damaged datagram (no newline); may be NULL. */
	void (*log)(void *ctx, const char *line);
	unsigned int damaged, finished;
};

/* The guest's pattern: payload length and byte @i of datagram @seq of stream @id. */
uint32_t peer_stream_len(uint32_t id, uint32_t seq);
uint8_t peer_stream_byte(uint32_t id, uint32_t seq, uint32_t i);
uint32_t peer_crc32(uint32_t crc, const void *buf, uint32_t len);
/* CRC-32 of stream @id's payloads in order (what both ends print). */
uint32_t peer_stream_crc(uint32_t id, uint32_t count);

void peer_init(struct peer *p);
/* A datagram from @ip:@port at time @now_ns. */
void peer_input(struct peer *p, uint32_t ip, uint16_t port, const uint8_t *d, uint32_t len,
		uint64_t now_ns);
/* Send what the windows allow, go back where acks stalled. */
void peer_tick(struct peer *p, uint64_t now_ns);

#endif
