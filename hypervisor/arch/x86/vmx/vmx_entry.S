/*
 * vmx_enter(struct guest_regs *regs, int launched): load the guest's
 * registers and VMLAUNCH/VMRESUME. After each VM exit the guest's registers
 * are saved back into *regs, the return stack buffer is overwritten before
 * keel's first RET, every register the guest left is zeroed, and vmx_exit()
 * (vmx_run.c) handles the exit: while it
 * says VMX_RUN_ENTER the guest is entered again from here (the lean path),
 * else vmx_enter() returns what it said. It returns VMX_RUN_FAILED if a VM
 * entry itself failed. When spec_ctrl.c asks for it, VERW clears the CPU's
 * buffers last of all, once nothing but the guest's own registers is loaded
 * (MDS).
 */

#include <asm/guest_gprs.h>
#include <asm/rsb.h>
#include <asm/vmx_run.h>

	.text
	.globl vmx_enter
vmx_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rsi			/* keeps vmx_exit()'s stack 16-byte aligned */
	pushq	%rsi			/* launched, found at 8(%rsp) */
	pushq	%rdi			/* regs, found at (%rsp) after an exit */
	movq	$0x6c14, %rax		/* HOST_RSP */
	vmwrite	%rsp, %rax
.Lenter:
	movq	GREG(0)(%rdi), %rax
	LOAD_GUEST_GPRS
	testb	$1, spec_verw_on_entry(%rip)	/* RFLAGS is the guest's after entry */
	jz	1f
	verw	spec_verw_sel(%rip)
1:	cmpl	$0, 8(%rsp)
	jne	2f
	vmlaunch
	jmp	3f
2:	vmresume
3:	popq	%rdi			/* the entry failed */
	movl	$VMX_RUN_FAILED, %eax
	jmp	4f

	.globl vmx_exit_entry
vmx_exit_entry:
	pushq	%rdi
	movq	8(%rsp), %rdi
	movq	%rax, GREG(0)(%rdi)
	SAVE_GUEST_GPRS
	popq	%rax
	movq	%rax, GREG(5)(%rdi)
	OVERWRITE_RSB
	CLEAR_GUEST_GPRS		/* no guest value reaches keel's C code */
	call	vmx_exit
	movq	(%rsp), %rdi		/* regs */
	movl	$1, 8(%rsp)		/* launched */
	cmpl	$VMX_RUN_ENTER, %eax
	jz	.Lenter
	addq	$8, %rsp		/* regs */
4:	addq	$16, %rsp		/* launched and the pad */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
