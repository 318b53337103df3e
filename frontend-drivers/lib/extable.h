/* Expected faults: the exception-fixup table, the last recorded fault and *_safe helpers. */
#ifndef GUEST_EXTABLE_H
#define GUEST_EXTABLE_H

/*
 * An instruction listed in the table resumes at its fixup address when it
 * faults, and the fault is recorded in last_fault. The *_safe helpers
 * return the vector, or NO_FAULT.
 */

#include <asm/processor.h>

#define NO_FAULT (-1)

/* In asm: "1: insn\n2:\n" _ASM_EXTABLE(1b, 2b) */
#define _ASM_EXTABLE(fault, fixup)					\
	".pushsection .ex_table, \"a\"\n\t"				\
	".balign 8\n\t"							\
	".quad " #fault ", " #fixup "\n\t"				\
	".popsection\n\t"

struct ex_entry {
	u64 fault;
	u64 fixup;
};

struct fault_record {
	int vector;		/* NO_FAULT after fault_reset() */
	u64 error_code;
	u64 rip;		/* of the faulting instruction */
	u64 cr2;		/* for #PF */
};

extern volatile struct fault_record last_fault;

void fault_reset(void);

/* From trap_dispatch(): apply a fixup for regs->rip. Returns true if there was one. */
bool extable_fixup(struct cpu_regs *regs);

static inline int rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;

	fault_reset();
	asm volatile("1: rdmsr\n2:\n" _ASM_EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = (u64)hi << 32 | lo;
	return last_fault.vector;
}

static inline int wrmsr_safe(u32 msr, u64 val)
{
	fault_reset();
	asm volatile("1: wrmsr\n2:\n" _ASM_EXTABLE(1b, 2b)
		     : : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
	return last_fault.vector;
}

static inline int read_u8_safe(const volatile void *p, u8 *val)
{
	u8 v = 0;

	fault_reset();
	asm volatile("1: movb (%1), %0\n2:\n" _ASM_EXTABLE(1b, 2b)
		     : "+q"(v) : "r"(p) : "memory");
	*val = v;
	return last_fault.vector;
}

static inline int write_u8_safe(volatile void *p, u8 val)
{
	fault_reset();
	asm volatile("1: movb %0, (%1)\n2:\n" _ASM_EXTABLE(1b, 2b)
		     : : "q"(val), "r"(p) : "memory");
	return last_fault.vector;
}

#endif
