/*
 * vmx_enter(struct guest_regs *regs, int launched): load the guest's
 * registers and VMLAUNCH/VMRESUME. Returns 0 after the next VM exit (guest
 * registers saved back into *regs), or 1 if the VM entry itself failed.
 * When spec_ctrl.c asks for it, VERW clears the CPU's buffers last of all,
 * once nothing but the guest's own registers is loaded (MDS). After an exit
 * the return stack buffer is overwritten before keel's first RET.
 */

#include <asm/rsb.h>

#define R(n) (8 * (n))

	.text
	.globl vmx_enter
vmx_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rsi			/* launched, found at 8(%rsp) */
	pushq	%rdi			/* regs, found at (%rsp) after an exit */
	movq	$0x6c14, %rax		/* HOST_RSP */
	vmwrite	%rsp, %rax
	movq	R(0)(%rdi), %rax
	movq	R(1)(%rdi), %rbx
	movq	R(2)(%rdi), %rcx
	movq	R(3)(%rdi), %rdx
	movq	R(4)(%rdi), %rsi
	movq	R(6)(%rdi), %rbp
	movq	R(7)(%rdi), %r8
	movq	R(8)(%rdi), %r9
	movq	R(9)(%rdi), %r10
	movq	R(10)(%rdi), %r11
	movq	R(11)(%rdi), %r12
	movq	R(12)(%rdi), %r13
	movq	R(13)(%rdi), %r14
	movq	R(14)(%rdi), %r15
	movq	R(5)(%rdi), %rdi
	testb	$1, spec_verw_on_entry(%rip)	/* RFLAGS is the guest's after entry */
	jz	1f
	verw	spec_verw_sel(%rip)
1:	cmpl	$0, 8(%rsp)
	jne	2f
	vmlaunch
	jmp	3f
2:	vmresume
3:	popq	%rdi			/* the entry failed */
	movl	$1, %eax
	jmp	4f

	.globl vmx_exit_entry
vmx_exit_entry:
	pushq	%rdi
	movq	8(%rsp), %rdi
	movq	%rax, R(0)(%rdi)
	movq	%rbx, R(1)(%rdi)
	movq	%rcx, R(2)(%rdi)
	movq	%rdx, R(3)(%rdi)
	movq	%rsi, R(4)(%rdi)
	movq	%rbp, R(6)(%rdi)
	movq	%r8, R(7)(%rdi)
	movq	%r9, R(8)(%rdi)
	movq	%r10, R(9)(%rdi)
	movq	%r11, R(10)(%rdi)
	movq	%r12, R(11)(%rdi)
	movq	%r13, R(12)(%rdi)
	movq	%r14, R(13)(%rdi)
	movq	%r15, R(14)(%rdi)
	popq	%rax
	movq	%rax, R(5)(%rdi)
	popq	%rdi
	OVERWRITE_RSB
	xorl	%eax, %eax
4:	addq	$8, %rsp		/* launched */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
