/*
 * svm_enter(struct guest_regs *regs, u64 vmcb_pa, u64 host_pa): run the
 * guest until its next #VMEXIT. GIF is clear from before VMLOAD until
 * keel's own FS, GS and TR are back (VMLOAD of @host_pa), so no interrupt
 * or NMI runs on the guest's; IF is set for VMRUN, since with
 * V_INTR_MASKING the host's IF decides whether a physical interrupt
 * exits the guest, and clear again before STGI. RAX travels in the VMCB (svm_run.c); the
 * other registers in *regs. After the exit the return stack buffer is
 * overwritten before keel's first RET, as vmx_entry.S does, and before
 * STGI: an NMI that came while the guest ran is taken right there.
 */

#include <asm/rsb.h>

#define R(n) (8 * (n))

	.text
	.globl svm_enter
svm_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdi			/* regs, at 8(%rsp) after the exit */
	pushq	%rdx			/* host_pa, at (%rsp) */
	clgi
	sti				/* held by GIF: VMRUN's host IF lets them exit the guest */
	movq	%rdx, %rax
	vmsave				/* keel's FS, GS, TR, LDTR and syscall MSRs */
	movq	%rsi, %rax
	vmload				/* the guest's */
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
	vmrun
	vmsave				/* RAX is the VMCB's address again */
	pushq	%rdi
	movq	16(%rsp), %rdi
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
	popq	%rax			/* host_pa */
	vmload
	OVERWRITE_RSB			/* before STGI: a held NMI runs keel's RETs there */
	cli				/* keel's interrupt comes at svm_exit.c's sti */
	stgi
	addq	$8, %rsp		/* regs */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
