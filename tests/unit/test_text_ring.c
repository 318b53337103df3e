/* Host tests of the byte-stream ring (text_ring.c): positions, wrap-around, lost bytes and sizes. */
#include <string.h>
#include <keel/errno.h>
#include <keel/text_ring.h>
#include "host.h"

static char mem[16];
static struct text_ring ring;

static int setup(void **state)
{
	(void)state;
	memset(mem, '#', sizeof(mem));
	text_ring_init(&ring, mem, sizeof(mem));
	return 0;
}

/* Read from @pos into a NUL-terminated @out; the bytes copied. */
static long read_at(u64 *pos, char *out, size_t size)
{
	long n = text_ring_read(&ring, pos, out, size);

	if (n >= 0)
		out[n] = '\0';
	return n;
}

static void test_empty(void **state)
{
	char out[8];
	u64 pos = 0;

	(void)state;
	assert_int_equal(ring.head, 0);
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), 0);
	assert_int_equal(pos, 0);
	pos = 1;
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), -EINVAL);
	assert_int_equal(pos, 1);
}

static void test_positions(void **state)
{
	char out[32];
	u64 pos = 0;

	(void)state;
	text_ring_put(&ring, "hello ", 6);
	text_ring_put(&ring, "world", 5);
	assert_int_equal(ring.head, 11);
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), 11);
	assert_string_equal(out, "hello world");
	assert_int_equal(pos, 0);
	pos = 6;
	assert_int_equal(read_at(&pos, out, 3), 3);
	assert_string_equal(out, "wor");
	pos = 11;	/* at the head: nothing new yet */
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), 0);
	assert_int_equal(pos, 11);
	pos = 12;
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), -EINVAL);
	/* a zero-byte read says nothing but is fine anywhere up to the head */
	pos = 4;
	assert_int_equal(text_ring_read(&ring, &pos, NULL, 0), 0);
	assert_int_equal(pos, 4);
}

static void test_wraps(void **state)
{
	char out[32];
	u64 pos;

	(void)state;
	text_ring_put(&ring, "0123456789", 10);
	text_ring_put(&ring, "abcdefghij", 10);	/* crosses the end of mem */
	assert_int_equal(ring.head, 20);
	pos = 4;		/* the oldest kept */
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), 16);
	assert_string_equal(out, "456789abcdefghij");
	assert_int_equal(pos, 4);
	pos = 14;		/* a read across the end of mem */
	assert_int_equal(read_at(&pos, out, 4), 4);
	assert_string_equal(out, "efgh");
	/* mem itself holds the newest 16 bytes, wrapped */
	assert_memory_equal(mem, "ghij456789abcdef", 16);
}

static void test_offset_too_old(void **state)
{
	char out[32];
	u64 pos = 0;

	(void)state;
	for (int i = 0; i < 10; i++)
		text_ring_put(&ring, "abc", 3);
	assert_int_equal(ring.head, 30);
	/* bytes 0..13 are gone: the read starts at 14, and says so */
	assert_int_equal(read_at(&pos, out, 5), 5);
	assert_int_equal(pos, 14);
	assert_string_equal(out, "cabca");
	pos = 13;
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), 16);
	assert_int_equal(pos, 14);
	/* a reader that keeps up sees every byte once */
	pos = 30;
	text_ring_put(&ring, "xyz", 3);
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), 3);
	assert_string_equal(out, "xyz");
}

static void test_size_limits(void **state)
{
	char big[40], out[32];
	u64 pos = 0;

	(void)state;
	/* one put larger than the ring keeps only its tail */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = 'A' + i % 26;
	text_ring_put(&ring, "zz", 2);
	text_ring_put(&ring, big, sizeof(big));
	assert_int_equal(ring.head, 42);
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), 16);
	assert_int_equal(pos, 26);
	assert_memory_equal(out, big + 24, 16);
	/* exactly the ring's size */
	text_ring_put(&ring, "0123456789abcdef", 16);
	pos = 0;
	assert_int_equal(read_at(&pos, out, sizeof(out) - 1), 16);
	assert_int_equal(pos, 42);
	assert_string_equal(out, "0123456789abcdef");
	/* an empty put changes nothing */
	text_ring_put(&ring, "", 0);
	assert_int_equal(ring.head, 58);
}

/* A ring that keeps nothing (a domain without a console yet) still counts. */
static void test_zero_size(void **state)
{
	struct text_ring none;
	char out[4];
	u64 pos = 0;

	(void)state;
	text_ring_init(&none, NULL, 0);
	assert_int_equal(text_ring_read(&none, &pos, out, sizeof(out)), 0);
	text_ring_put(&none, "lost", 4);
	assert_int_equal(none.head, 4);
	assert_int_equal(text_ring_read(&none, &pos, out, sizeof(out)), 0);
	assert_int_equal(pos, 4);
}

/* An odd size works as well as a power of two. */
static void test_odd_size(void **state)
{
	struct text_ring odd;
	char buf[7], out[16];
	u64 pos = 0;
	long n;

	(void)state;
	text_ring_init(&odd, buf, sizeof(buf));
	for (int i = 0; i < 5; i++)
		text_ring_put(&odd, "0123", 4);
	n = text_ring_read(&odd, &pos, out, sizeof(out));
	assert_int_equal(n, 7);
	assert_int_equal(pos, 13);
	assert_memory_equal(out, "1230123", 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty, setup),
		cmocka_unit_test_setup(test_positions, setup),
		cmocka_unit_test_setup(test_wraps, setup),
		cmocka_unit_test_setup(test_offset_too_old, setup),
		cmocka_unit_test_setup(test_size_limits, setup),
		cmocka_unit_test_setup(test_zero_size, setup),
		cmocka_unit_test_setup(test_odd_size, setup),
	};

	return cmocka_run_group_tests_name("text_ring", tests, NULL, NULL);
}
