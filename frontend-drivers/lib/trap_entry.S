/* Entry stubs for all 256 vectors (exceptions and interrupts): build a struct cpu_regs and call trap_dispatch(). */
#include <asm/cpu_regs.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || \
			   (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.macro trap_stub vec
	.section .text
	.balign 16
1:
	.ifeq HAS_ERROR_CODE(\vec)
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
	.section .rodata
	.quad 1b
	.endm

	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.altmacro
	vec = 0
	.rept 256
	trap_stub %vec
	vec = vec + 1
	.endr
	.noaltmacro

/*
 * The frame is 22 quadwords, so RSP stays 16-byte aligned for the call
 * (the CPU aligned it before pushing SS). The handler may change the
 * saved registers, RIP included, before the return.
 */
	.section .text
trap_common:
	SAVE_CPU_REGS
	cld
	movq %rsp, %rdi
	call trap_dispatch
	RESTORE_CPU_REGS
	addq $16, %rsp			/* vector, error code */
	iretq

	.section .note.GNU-stack, "", @progbits
