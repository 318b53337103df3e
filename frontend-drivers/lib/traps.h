/* Guest trap and interrupt handling: the IDT for all 256 vectors and per-vector handlers a test may install. */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include <asm/processor.h>

#define X86_EXC_DE 0
#define X86_EXC_DB 1
#define X86_EXC_NMI 2
#define X86_EXC_BP 3
#define X86_EXC_OF 4
#define X86_EXC_BR 5
#define X86_EXC_UD 6
#define X86_EXC_NM 7
#define X86_EXC_DF 8
#define X86_EXC_TS 10
#define X86_EXC_NP 11
#define X86_EXC_SS 12
#define X86_EXC_GP 13
#define X86_EXC_PF 14
#define X86_EXC_MF 16
#define X86_EXC_AC 17
#define X86_EXC_MC 18
#define X86_EXC_XM 19
#define X86_EXC_VE 20
#define X86_EXC_CP 21
#define NR_EXCEPTIONS 32

/* #PF error-code bits. */
#define X86_PFEC_PRESENT BIT(0)
#define X86_PFEC_WRITE BIT(1)
#define X86_PFEC_USER BIT(2)

/*
 * Called with the saved registers; returning resumes at regs->rip (a
 * fault handler advances it past the faulting instruction, a trap such
 * as #BP already points after it). regs->cs/ss/rflags/rsp are restored
 * by IRETQ too.
 */
typedef void (*exception_handler_t)(struct cpu_regs *regs);

void traps_init(void);

/* Install @fn for @vec (NULL: back to the report-and-crash default). Returns the old one. */
exception_handler_t set_exception_handler(unsigned int vec,
					  exception_handler_t fn);

/* "#UD", "#GP", ...; "reserved" for unnamed exceptions, "interrupt" for vectors 32 and up. */
const char *exception_name(unsigned int vec);

/* Print "guest: exception N (name) at rip ..., error code ..." and the registers. */
void exception_report(const struct cpu_regs *regs);

#endif
