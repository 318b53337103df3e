/* The hostile-cpu guest's parts: each checks one kind of thing a guest kernel may try on its CPU. */
#ifndef HOSTILE_H
#define HOSTILE_H

#include "guest.h"

/*
 * Run @insn (an asm string; operands as for asm) with an exception fixup:
 * evaluates to the vector it raised, or NO_FAULT.
 */
#define TRY_INSN(insn, ...)						\
	({								\
		fault_reset();						\
		asm volatile("1: " insn "\n2:\n" _ASM_EXTABLE(1b, 2b)	\
			     __VA_ARGS__);				\
		last_fault.vector;					\
	})

#define X86_CR0_AM BIT(18)
#define X86_EFLAGS_TF BIT(8)
#define X86_EFLAGS_AC BIT(18)

/* user.c: CPL3 in this guest (user segments, a TSS, the identity map made user-accessible). */
void user_init(void);
/* Run @fn at CPL3 on a stack of its own, interrupts off; back at CPL0 when it returns. */
void run_user(void (*fn)(void));

/* insn.c: VMX and SVM instructions at the current CPL (also run from CPL3). */
struct vmx_result {
	unsigned int count;	/* how many ran */
	const char *wrong;	/* the first that raised no #UD, or NULL */
	int vector;		/* what it raised */
};
void vmx_instruction_faults(struct vmx_result *r);

/* The checks, in the order main.c runs them. */
void check_cr8(void);
void check_vmx_instructions(void);
void check_instructions(void);
void check_cr4(void);
void check_msrs(void);
void check_debug_registers(void);
void check_tsc(void);
void check_cpl3(void);

/* events.c-backed helpers (main.c): the timer VIRQ and a wait for it. */
unsigned int timer_ticks(void);
/* Arm a Xen timer @ns ahead and HLT until it fires (at most a second): did it? */
bool sleep_on_timer(u64 ns);

#endif
