/* Assembler macros saving and restoring the general registers as struct cpu_regs lays them out. */
#ifndef ASM_CPU_REGS_H
#define ASM_CPU_REGS_H

#ifdef __ASSEMBLER__
/* Pushes RAX first, so R15 ends lowest: the order of struct cpu_regs (asm/processor.h). */
	.macro SAVE_CPU_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm

	.macro RESTORE_CPU_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	.endm
#endif

#endif
