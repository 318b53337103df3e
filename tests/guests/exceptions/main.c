/*
 * exceptions: checks that exceptions reach the guest's own IDT with the
 * right vector, RIP, error code and CR2, and that IRETQ resumes the guest
 * with its registers intact. Installed handlers catch #UD (ud2), #DE
 * (divide by zero), #BP (int3, a trap: RIP already past it) and #PF (read
 * and write of a 2 MiB page the guest unmapped from its identity map), each
 * advancing RIP past the 2-byte faulting instruction. Then the fixup table
 * catches #GP from a non-canonical read and #PF from the unmapped page
 * without any handler installed, and a read after remapping the page must
 * not fault.
 */
#include "guest.h"

#define PF_PAGE MiB(2)			/* the 2 MiB page made to fault */
#define PF_ADDR (PF_PAGE + 0x1234)
#define NON_CANONICAL ((u64)0x8000000000000000)
#define MARKER ((u64)0x5a5aa5a5deadbeef)

static volatile struct {
	unsigned int count;
	u64 vector, rip, error_code, cr2;
} seen;
static volatile unsigned int skip;	/* bytes to advance RIP by */

static void record(struct cpu_regs *regs)
{
	seen.count++;
	seen.vector = regs->vector;
	seen.rip = regs->rip;
	seen.error_code = regs->error_code;
	seen.cr2 = regs->vector == X86_EXC_PF ? read_cr2() : 0;
	regs->rip += skip;
}

static void expect(const char *what, unsigned int vec, u64 rip, u64 ec)
{
	printf("guest: %s: %u exception(s), last %lu (%s) at %#lx, error code %#lx\n",
	       what, seen.count, seen.vector, exception_name(seen.vector),
	       seen.rip, seen.error_code);
	CHECK(seen.count == 1, "%s: %u exceptions, want 1", what, seen.count);
	CHECK(seen.vector == vec, "%s: vector %lu, want %u", what, seen.vector,
	      vec);
	CHECK(seen.rip == rip, "%s: rip %#lx, want %#lx", what, seen.rip, rip);
	CHECK(seen.error_code == ec, "%s: error code %#lx, want %#lx", what,
	      seen.error_code, ec);
}

static void arm(unsigned int vec, unsigned int len)
{
	seen.count = 0;
	skip = len;
	set_exception_handler(vec, record);
}

static void test_ud(void)
{
	u64 insn, r12 = 0;

	arm(X86_EXC_UD, 2);
	asm volatile("mov %2, %%r12\n"
		     "1: ud2\n\t"
		     "lea 1b(%%rip), %0\n\t"
		     "mov %%r12, %1"
		     : "=&r"(insn), "=&r"(r12) : "r"(MARKER) : "r12", "memory");
	expect("ud2", X86_EXC_UD, insn, 0);
	CHECK(r12 == MARKER, "ud2: r12 %#lx after the exception, want %#lx",
	      r12, MARKER);
	set_exception_handler(X86_EXC_UD, NULL);
}

static void test_de(void)
{
	u32 eax = 1, edx = 0;
	u64 insn;

	arm(X86_EXC_DE, 2);
	asm volatile("1: divl %%ecx\n\t"	/* f7 f1 */
		     "lea 1b(%%rip), %0"
		     : "=&r"(insn), "+a"(eax), "+d"(edx) : "c"(0) : "memory");
	expect("divide by zero", X86_EXC_DE, insn, 0);
	set_exception_handler(X86_EXC_DE, NULL);
}

static void test_bp(void)
{
	u64 next;

	arm(X86_EXC_BP, 0);
	asm volatile("int3\n"
		     "1: lea 1b(%%rip), %0" : "=r"(next) : : "memory");
	expect("int3", X86_EXC_BP, next, 0);
	set_exception_handler(X86_EXC_BP, NULL);
}

static void test_pf(void)
{
	volatile u8 *p = (volatile u8 *)PF_ADDR;
	u64 insn;
	u8 val = 0x77;

	arm(X86_EXC_PF, 2);
	asm volatile("1: movb (%%rdi), %%al\n\t"	/* 8a 07 */
		     "lea 1b(%%rip), %0"
		     : "=&r"(insn), "+a"(val) : "D"(p) : "memory");
	expect("read of an unmapped page", X86_EXC_PF, insn, 0);
	CHECK(seen.cr2 == PF_ADDR, "read: cr2 %#lx, want %#lx", seen.cr2,
	      PF_ADDR);

	arm(X86_EXC_PF, 2);
	asm volatile("1: movb %%al, (%%rdi)\n\t"	/* 88 07 */
		     "lea 1b(%%rip), %0"
		     : "=&r"(insn) : "a"(val), "D"(p) : "memory");
	expect("write to an unmapped page", X86_EXC_PF, insn,
	       X86_PFEC_WRITE);
	CHECK(seen.cr2 == PF_ADDR, "write: cr2 %#lx, want %#lx", seen.cr2,
	      PF_ADDR);
	set_exception_handler(X86_EXC_PF, NULL);
}

static void test_fixups(void)
{
	u8 val;
	int vec;

	vec = read_u8_safe((const void *)NON_CANONICAL, &val);
	printf("guest: fixup: non-canonical read: vector %d, error code %#lx\n",
	       vec, last_fault.error_code);
	CHECK(vec == X86_EXC_GP, "non-canonical read: vector %d, want %d", vec,
	      X86_EXC_GP);
	CHECK(last_fault.error_code == 0,
	      "non-canonical read: error code %#lx, want 0",
	      last_fault.error_code);

	vec = write_u8_safe((void *)PF_ADDR, 0x42);
	printf("guest: fixup: unmapped write: vector %d, error code %#lx, cr2 %#lx\n",
	       vec, last_fault.error_code, last_fault.cr2);
	CHECK(vec == X86_EXC_PF, "unmapped write: vector %d, want %d", vec,
	      X86_EXC_PF);
	CHECK(last_fault.cr2 == PF_ADDR, "unmapped write: cr2 %#lx, want %#lx",
	      last_fault.cr2, PF_ADDR);

	identity_map_2m(PF_PAGE);
	vec = read_u8_safe((const void *)PF_ADDR, &val);
	CHECK(vec == NO_FAULT, "read after remapping: vector %d", vec);
}

int guest_main(const char *cmdline)
{
	if (!CHECK((uptr)__image_end <= PF_PAGE,
		   "image ends at %p, inside the page to unmap", __image_end))
		return test_result("exceptions");

	test_ud();
	test_de();
	test_bp();
	identity_unmap_2m(PF_PAGE);
	test_pf();
	test_fixups();
	return test_result("exceptions");
}
