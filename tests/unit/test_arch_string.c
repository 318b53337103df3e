/* Host tests of keel's x86 block copy and fill (asm/string.h): every length, offset, overlap. */
#include <string.h>
#include <asm/string.h>
#include "host.h"

#define SPAN 96

static void test_copy_every_length_and_offset(void **state)
{
	u8 src[SPAN + 16], dst[SPAN + 16], want[SPAN + 16];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (u8)(i * 37 + 5);
	for (size_t so = 0; so < 8; so++)
		for (size_t doff = 0; doff < 8; doff++)
			for (size_t n = 0; n <= SPAN; n++) {
				memset(dst, 0xee, sizeof(dst));
				memset(want, 0xee, sizeof(want));
				memcpy(want + doff, src + so, n);
				arch_memcpy_fwd(dst + doff, src + so, n);
				assert_memory_equal(dst, want, sizeof(dst));
			}
}

/* memmove's forward case: the destination below the source, overlapping. */
static void test_copy_down_overlapping(void **state)
{
	u8 buf[SPAN + 16], want[SPAN + 16];

	for (size_t gap = 1; gap < 12; gap++)
		for (size_t n = 0; n + gap <= SPAN; n++) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = want[i] = (u8)(i * 11 + 3);
			memmove(want, want + gap, n);
			arch_memcpy_fwd(buf, buf + gap, n);
			assert_memory_equal(buf, want, sizeof(buf));
		}
}

static void test_fill(void **state)
{
	u8 buf[SPAN + 16], want[SPAN + 16];

	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= SPAN; n++) {
			memset(buf, 0x11, sizeof(buf));
			memset(want, 0x11, sizeof(want));
			memset(want + off, 0xa7, n);
			arch_memset(buf + off, 0xa7, n);
			assert_memory_equal(buf, want, sizeof(buf));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_every_length_and_offset),
		cmocka_unit_test(test_copy_down_overlapping),
		cmocka_unit_test(test_fill),
	};

	return cmocka_run_group_tests_name("arch_string", tests, NULL, NULL);
}
