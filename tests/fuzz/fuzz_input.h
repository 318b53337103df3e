/* Reading a fuzzer's input as a stream of numbers and byte strings (zeros once it runs out). */
#ifndef TESTS_FUZZ_INPUT_H
#define TESTS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static inline void fi_bytes(struct fuzz_input *in, void *dst, size_t n)
{
	size_t take = n < in->left ? n : in->left;

	memcpy(dst, in->p, take);
	memset((uint8_t *)dst + take, 0, n - take);
	in->p += take;
	in->left -= take;
}

static inline uint8_t fi_u8(struct fuzz_input *in)
{
	uint8_t v;

	fi_bytes(in, &v, 1);
	return v;
}

static inline uint16_t fi_u16(struct fuzz_input *in)
{
	uint16_t v;

	fi_bytes(in, &v, 2);
	return v;
}

static inline uint32_t fi_u32(struct fuzz_input *in)
{
	uint32_t v;

	fi_bytes(in, &v, 4);
	return v;
}

static inline uint64_t fi_u64(struct fuzz_input *in)
{
	uint64_t v;

	fi_bytes(in, &v, 8);
	return v;
}

/* A malloc'ed copy of exactly the @n next bytes (fewer at the end): ASan sees overreads. */
static inline uint8_t *fi_copy(struct fuzz_input *in, size_t n, size_t *got)
{
	size_t take = n < in->left ? n : in->left;
	uint8_t *buf = malloc(take ? take : 1);

	memcpy(buf, in->p, take);
	in->p += take;
	in->left -= take;
	*got = take;
	return buf;
}

/*
 * A malloc'ed copy of @size bytes of @data: nothing is readable past its end (ASan), and it is
 * 16-byte aligned as the buffers keel parses are (at least 8).
 */
static inline void *fuzz_dup(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	memcpy(buf, data, size);
	return buf;
}

#endif
