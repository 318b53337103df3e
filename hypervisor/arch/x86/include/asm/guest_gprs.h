/* Assembler macros moving a guest's general registers between the CPU and struct guest_regs. */
#ifndef ASM_GUEST_GPRS_H
#define ASM_GUEST_GPRS_H

#ifdef __ASSEMBLER__
/* The offset of register @n in struct guest_regs (asm/vcpu.h): RAX, RBX, RCX, RDX, RSI, RDI, RBP, R8-R15. */
#define GREG(n) (8 * (n))

/*
 * Load the guest's RBX-R15 from the struct guest_regs %rdi points to, RDI last of all. RAX is
 * the caller's: vmx_entry.S loads it beside, SVM's VMRUN takes it from the VMCB.
 */
.macro LOAD_GUEST_GPRS
	movq	GREG(1)(%rdi), %rbx
	movq	GREG(2)(%rdi), %rcx
	movq	GREG(3)(%rdi), %rdx
	movq	GREG(4)(%rdi), %rsi
	movq	GREG(6)(%rdi), %rbp
	movq	GREG(7)(%rdi), %r8
	movq	GREG(8)(%rdi), %r9
	movq	GREG(9)(%rdi), %r10
	movq	GREG(10)(%rdi), %r11
	movq	GREG(11)(%rdi), %r12
	movq	GREG(12)(%rdi), %r13
	movq	GREG(13)(%rdi), %r14
	movq	GREG(14)(%rdi), %r15
	movq	GREG(5)(%rdi), %rdi
.endm

/*
 * Store the guest's RBX-R15 but RDI into the struct guest_regs %rdi points to. RDI (which the
 * caller set aside to point %rdi there) and RAX (VT-x: still in the CPU; SVM: in the VMCB)
 * are the caller's.
 */
.macro SAVE_GUEST_GPRS
	movq	%rbx, GREG(1)(%rdi)
	movq	%rcx, GREG(2)(%rdi)
	movq	%rdx, GREG(3)(%rdi)
	movq	%rsi, GREG(4)(%rdi)
	movq	%rbp, GREG(6)(%rdi)
	movq	%r8, GREG(7)(%rdi)
	movq	%r9, GREG(8)(%rdi)
	movq	%r10, GREG(9)(%rdi)
	movq	%r11, GREG(10)(%rdi)
	movq	%r12, GREG(11)(%rdi)
	movq	%r13, GREG(12)(%rdi)
	movq	%r14, GREG(13)(%rdi)
	movq	%r15, GREG(14)(%rdi)
.endm

/*
 * Once they are saved, zero the registers but %rdi (the pointer to them): no guest value
 * may steer keel's C code, even speculatively, nor pass for its frame pointer (RBP).
 */
.macro CLEAR_GUEST_GPRS
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
.endm
#endif

#endif
