/* Host tests of the MMIO MOV decoder: the loads and stores Linux emits, and hostile byte strings. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <string.h>
#include <keel/errno.h>
#include <asm/mmio.h>
#include "host.h"

struct good {
	const char *what;
	u8 bytes[16];
	unsigned int n;
	enum mmio_kind kind;
	unsigned int len, size, reg_size, reg;
	bool high8;
	u64 imm;
};

static const struct good goods[] = {
	{ "mov (%rdi),%eax (readl)", { 0x8b, 0x07 }, 2, MMIO_LOAD, 2, 4, 4, 0 },
	{ "mov %esi,(%rdi) (writel)", { 0x89, 0x37 }, 2, MMIO_STORE, 2, 4, 4, 6 },
	{ "mov %r8d,0x10(%rax)", { 0x44, 0x89, 0x40, 0x10 }, 4, MMIO_STORE, 4, 4, 4, 8 },
	{ "mov 0x10(%r12),%r15 (readq)", { 0x4d, 0x8b, 0x7c, 0x24, 0x10 }, 5, MMIO_LOAD, 5, 8, 8, 15 },
	{ "mov %ax,(%rdx) (writew)", { 0x66, 0x89, 0x02 }, 3, MMIO_STORE, 3, 2, 2, 0 },
	{ "mov (%rdx),%al (readb)", { 0x8a, 0x02 }, 2, MMIO_LOAD, 2, 1, 1, 0 },
	{ "mov (%rdx),%bh", { 0x8a, 0x3a }, 2, MMIO_LOAD, 2, 1, 1, 3, true },
	{ "mov (%rdx),%dil (REX: not BH)", { 0x40, 0x8a, 0x3a }, 3, MMIO_LOAD, 3, 1, 1, 7 },
	{ "movzbl (%rdi),%eax", { 0x0f, 0xb6, 0x07 }, 3, MMIO_LOAD, 3, 1, 4, 0 },
	{ "movzwl 0x4(%rdi),%ecx", { 0x0f, 0xb7, 0x4f, 0x04 }, 4, MMIO_LOAD, 4, 2, 4, 1 },
	{ "movl $0x1,0x40(%rdi)", { 0xc7, 0x47, 0x40, 1, 0, 0, 0 }, 7, MMIO_STORE_IMM, 7, 4, 4, 0,
	  false, 1 },
	{ "movq $-1,(%rax)", { 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff }, 7, MMIO_STORE_IMM, 7, 8,
	  8, 0, false, ~0ULL },
	{ "movw $0x1234,(%rax)", { 0x66, 0xc7, 0x00, 0x34, 0x12 }, 5, MMIO_STORE_IMM, 5, 2, 2, 0,
	  false, 0x1234 },
	{ "movb $0x80,(%rcx)", { 0xc6, 0x01, 0x80 }, 3, MMIO_STORE_IMM, 3, 1, 1, 0, false, 0x80 },
	{ "mov 0x12345678(%rip),%eax", { 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12 }, 6, MMIO_LOAD, 6, 4,
	  4, 0 },
	{ "mov (,%rcx,4) disp32,%edx: SIB without base",
	  { 0x8b, 0x14, 0x8d, 0, 0, 0xc0, 0xfe }, 7, MMIO_LOAD, 7, 4, 4, 2 },
	{ "mov %eax,0x100(%rbx,%rsi,8)", { 0x89, 0x84, 0xf3, 0, 1, 0, 0 }, 7, MMIO_STORE, 7, 4, 4, 0 },
	{ "%fs: mov (%rax),%eax", { 0x64, 0x8b, 0x00 }, 3, MMIO_LOAD, 3, 4, 4, 0 },
	{ "15 bytes: the longest x86 allows",
	  { 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x8b,
	    0x07 }, 15, MMIO_LOAD, 15, 4, 4, 0 },
	{ "trailing bytes are not the instruction's", { 0x8b, 0x07, 0xc3, 0xcc }, 4, MMIO_LOAD, 2,
	  4, 4, 0 },
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct mmio_insn insn;

		print_message("%s\n", g->what);
		assert_int_equal(mmio_decode(g->bytes, g->n, &insn), 0);
		assert_int_equal(insn.kind, g->kind);
		assert_int_equal(insn.len, g->len);
		assert_int_equal(insn.size, g->size);
		assert_int_equal(insn.reg_size, g->reg_size);
		if (g->kind != MMIO_STORE_IMM) {
			assert_int_equal(insn.reg, g->reg);
			assert_int_equal(insn.high8, g->high8);
		}
		assert_int_equal(insn.imm, g->imm);
	}
}

struct bad {
	const char *what;
	u8 bytes[16];
	unsigned int n;
	int rc;
};

static const struct bad bads[] = {
	{ "empty", { 0 }, 0, -E2BIG },
	{ "only a prefix", { 0x66 }, 1, -E2BIG },
	{ "only REX", { 0x48 }, 1, -E2BIG },
	{ "no ModRM", { 0x8b }, 1, -E2BIG },
	{ "SIB cut off", { 0x8b, 0x04 }, 2, -E2BIG },
	{ "disp32 cut off (page end)", { 0x8b, 0x80, 0x00, 0x10 }, 4, -E2BIG },
	{ "imm32 cut off", { 0xc7, 0x00, 1, 2, 3 }, 5, -E2BIG },
	{ "0f alone", { 0x0f }, 1, -E2BIG },
	{ "register operand", { 0x89, 0xc0 }, 2, -EINVAL },
	{ "LOCK prefix", { 0xf0, 0x89, 0x07 }, 3, -EINVAL },
	{ "REP prefix", { 0xf3, 0x89, 0x07 }, 3, -EINVAL },
	{ "REX before a legacy prefix", { 0x48, 0x66, 0x89, 0x07 }, 4, -EINVAL },
	{ "address-size prefix", { 0x67, 0x8b, 0x07 }, 3, -EINVAL },
	{ "C7 /1 is not MOV", { 0xc7, 0x08, 0, 0, 0, 0 }, 6, -EINVAL },
	{ "movsx", { 0x0f, 0xbe, 0x07 }, 3, -EINVAL },
	{ "add", { 0x01, 0x07 }, 2, -EINVAL },
	{ "movs (string)", { 0xa5 }, 1, -EINVAL },
	{ "mov moffs", { 0xa1, 0, 0, 0, 0, 0, 0, 0, 0 }, 9, -EINVAL },
	{ "16 bytes: longer than x86 allows",
	  { 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26,
	    0x8b, 0x07 }, 16, -E2BIG },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct mmio_insn insn;

		print_message("%s\n", bads[i].what);
		assert_int_equal(mmio_decode(bads[i].bytes, bads[i].n, &insn), bads[i].rc);
	}
}

/* An instruction split over two pages: the first page alone is too short, both decode. */
static void test_page_split(void **state)
{
	const u8 insn_bytes[] = { 0x4d, 0x8b, 0x7c, 0x24, 0x10 };
	struct mmio_insn insn;

	(void)state;
	for (unsigned int cut = 0; cut < sizeof(insn_bytes); cut++)
		assert_int_equal(mmio_decode(insn_bytes, cut, &insn), -E2BIG);
	assert_int_equal(mmio_decode(insn_bytes, sizeof(insn_bytes), &insn), 0);
	assert_int_equal(insn.len, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_page_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
