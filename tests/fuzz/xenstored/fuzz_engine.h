/*
 * The xenstored fuzzers' engine: the whole daemon in process (but main.c), reset per input,
 * with dom0's tools, dom0's kernel ring and guests' rings driven from the fuzzer's bytes,
 * and the store's invariants checked after every input.
 */
#ifndef XS_FUZZ_ENGINE_H
#define XS_FUZZ_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fuzzer's bytes, taken from the front; past the end every byte is 0. */
struct input {
	const uint8_t *data;
	size_t len, off;
};

static inline bool input_left(const struct input *in)
{
	return in->off < in->len;
}

uint8_t input_byte(struct input *in);
uint32_t input_u32(struct input *in);

/* Who talks to xenstored: two of dom0's tools, dom0's kernel, guests 5 and 6 (and 7). */
enum actor { TOOL0, TOOL1, KERNEL0, GUEST5, GUEST6, GUEST7, ACTORS };

/* How tools connect: an in-memory transport, or the real Unix socket (socket.c). */
enum tool_mode { TOOLS_IN_MEMORY, TOOLS_ON_SOCKET };

/* Once per process. */
void engine_init(enum tool_mode mode);
/* A fresh daemon: homes of 5, 6, 7, guests 5 and 6 introduced; @small: quotas to reach. */
void engine_reset(bool small_quotas);
/* Checks the store, every count and quota (abort() on a violation), then frees it all. */
void engine_finish(void);

/* Sends @len raw bytes as @who (a guest writes what its ring has room for). */
void engine_send(enum actor who, const void *data, size_t len);
/* Sends one request of @who built from the input (type, ids, arguments from a dictionary). */
void engine_request(enum actor who, struct input *in);
/* One command from the input: a request, raw bytes, ring indices, domain events... */
void engine_command(struct input *in);
/* One turn of xenstored's main loop, and what its clients then do with the replies. */
void engine_turn(void);

#endif
