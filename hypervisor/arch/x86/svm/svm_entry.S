/*
 * svm_enter(struct guest_regs *regs, u64 vmcb_pa, u64 host_pa): run the
 * guest until its next #VMEXIT. GIF is clear from before VMLOAD until
 * keel's own FS, GS and TR are back (VMLOAD of @host_pa), so no interrupt
 * or NMI runs on the guest's; IF is set for VMRUN, since with
 * V_INTR_MASKING the host's IF decides whether a physical interrupt
 * exits the guest, and clear again before STGI. RAX travels in the VMCB (svm_run.c); the
 * other registers in *regs. After the exit the return stack buffer is
 * overwritten before keel's first RET, as vmx_entry.S does, and before
 * STGI: an NMI that came while the guest ran is taken right there. No
 * guest value is left in a register (asm/guest_gprs.h).
 */

#include <asm/guest_gprs.h>
#include <asm/rsb.h>

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
	LOAD_GUEST_GPRS
	vmrun
	vmsave				/* RAX is the VMCB's address again */
	pushq	%rdi
	movq	16(%rsp), %rdi
	SAVE_GUEST_GPRS
	popq	%rax
	movq	%rax, GREG(5)(%rdi)
	popq	%rax			/* host_pa */
	vmload
	CLEAR_GUEST_GPRS
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
