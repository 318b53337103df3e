/*
 * The verified UDP stream between a netfront guest and its peer (dom0's keel-netpeer, or another
 * guest): numbered datagrams whose payload is a pattern of (stream, seq) with its CRC-32, sent
 * go-back-N in a window, acknowledged cumulatively. A datagram that arrives damaged is an
 * integrity failure, never a retransmission.
 */
#ifndef NETFRONT_GUEST_STREAM_H
#define NETFRONT_GUEST_STREAM_H

#include "net.h"

#define STREAM_PORT_PEER 7000
#define STREAM_PORT_GUEST 7001
#define STREAM_DATA 0x4b4e4454u		/* "KNDT" */
#define STREAM_ACK 0x4b4e414bu		/* "KNAK" */
#define STREAM_REQ 0x4b4e5251u		/* "KNRQ": send me stream id, count */
#define STREAM_HDR 24			/* magic, id, seq, count, len + pad, crc (be32 each) */
#define STREAM_WINDOW 32

struct stream_rx {
	u32 id, count, next, bad, dup, bytes;
	u32 crc;			/* CRC-32 of every payload in order */
	bool done;
};

struct stream_tx {
	u32 id, count, acked, sent, resent, acks, bad_acks;
	u32 crc;			/* CRC-32 of every payload in order, once all are acked */
};

/* Payload length and byte @i of datagram @seq of stream @id (the peer computes the same). */
u32 stream_len(u32 id, u32 seq);
u8 stream_byte(u32 id, u32 seq, u32 i);
u32 crc32_update(u32 crc, const void *buf, u32 len);

/* The UDP callback: DATA into @n's stream_rx (udp_arg), ACKs into its stream_tx. */
void stream_udp(struct net *n, u32 src_ip, u16 sport, u16 dport, const u8 *data, u32 len);

struct stream_ends {
	struct stream_rx rx;
	struct stream_tx tx;
};

/* Send stream @id of @count datagrams to the peer until all are acknowledged or @timeout_ns. */
bool stream_send(struct net *n, struct stream_ends *e, u32 id, u32 count, u64 timeout_ns);
/* Ask the peer for stream @id of @count datagrams; receive and verify it all, or time out. */
bool stream_receive(struct net *n, struct stream_ends *e, u32 id, u32 count, u64 timeout_ns);

#endif
