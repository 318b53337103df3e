/* Exception entry stubs: save the registers into struct cpu_regs and call do_exception(). */
#include <asm/apic.h>
#include <asm/cpu_regs.h>

	.macro EXCEPTION vec, has_error
	.globl exception_\vec
exception_\vec:
	.if \has_error == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exception_common
	.endm

	.text
	EXCEPTION 0, 0
	EXCEPTION 1, 0
	EXCEPTION 2, 0
	EXCEPTION 3, 0
	EXCEPTION 4, 0
	EXCEPTION 5, 0
	EXCEPTION 6, 0
	EXCEPTION 7, 0
	EXCEPTION 8, 1
	EXCEPTION 9, 0
	EXCEPTION 10, 1
	EXCEPTION 11, 1
	EXCEPTION 12, 1
	EXCEPTION 13, 1
	EXCEPTION 14, 1
	EXCEPTION 15, 0
	EXCEPTION 16, 0
	EXCEPTION 17, 1
	EXCEPTION 18, 0
	EXCEPTION 19, 0
	EXCEPTION 20, 0
	EXCEPTION 21, 1
	EXCEPTION 22, 0
	EXCEPTION 23, 0
	EXCEPTION 24, 0
	EXCEPTION 25, 0
	EXCEPTION 26, 0
	EXCEPTION 27, 0
	EXCEPTION 28, 0
	EXCEPTION 29, 1
	EXCEPTION 30, 1
	EXCEPTION 31, 0

exception_common:
	SAVE_CPU_REGS
	movq	%rsp, %rdi
	cld
	call	do_exception
	RESTORE_CPU_REGS
	addq	$16, %rsp		/* vector and error code */
	iretq

	.section .rodata
	.balign 8
	.globl exception_stubs
exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	exception_\v
	.endr

/* Host interrupt stubs: save the caller-saved registers and call do_irq(vector). */
	.macro IRQ vec
	.globl irq_\vec
irq_\vec:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movl	$\vec, %edi
	cld
	call	do_irq
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq
	.endm

	.text
	IRQ 0xf0
	IRQ 0xf1
	IRQ 0xff

/*
 * Device vectors (the PIC's remapped range and the host vector
 * allocator's, irq_vector.c): 16-byte stubs that push their vector.
 */
	.p2align 4
	.globl device_irq_stubs
device_irq_stubs:
	vec = APIC_DEVICE_VECTOR_FIRST
	.rept APIC_DEVICE_VECTOR_LAST - APIC_DEVICE_VECTOR_FIRST + 1
	.p2align 4
	pushq	$vec
	jmp	device_irq_common
	vec = vec + 1
	.endr

device_irq_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movzbl	72(%rsp), %edi		/* the stub's vector */
	cld
	subq	$8, %rsp		/* the ABI's 16-byte alignment at the call */
	call	do_irq
	addq	$8, %rsp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$8, %rsp
	iretq
