/* The jump from keel.efi into the hypervisor core, after ExitBootServices. */
#include "loader.h"

#define CR4_PGE	BIT(7)

__noreturn void enter_core(u64 cr3, u64 entry, u64 bi_phys, u64 stack_top)
{
	u64 cr4;

	asm volatile("cli" ::: "memory");
	/* Load CR3 with CR4.PGE clear so no global firmware mapping survives. */
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" : : "r"(cr4 & ~CR4_PGE) : "memory");
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	/* A zero return address leaves RSP as after a call, for C code. */
	asm volatile("mov %0, %%rsp\n\t"
		     "pushq $0\n\t"
		     "xor %%ebp, %%ebp\n\t"
		     "jmp *%1"
		     : : "r"(stack_top), "r"(entry),
		       "D"((u64)KEEL_BOOTINFO_MAGIC), "S"(bi_phys)
		     : "memory");
	__builtin_unreachable();
}
