/* Into CPL3 at any CS:RIP and back: user_enter(rip, cs, stack_top); the user's INT 0x81 or #GP returns. */
#define SEL_UDATA 0x23

	.section .text
	.globl user_enter, user_resume
user_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_saved_rsp(%rip)
	pushq $SEL_UDATA		/* ss */
	pushq %rdx			/* rsp */
	pushfq				/* rflags: interrupts as they are (off) */
	pushq %rsi			/* cs */
	pushq %rdi			/* rip */
	xorl %eax, %eax			/* CPUID leaf 0 */
	xorl %ecx, %ecx
	xorl %ebx, %ebx
	iretq

user_resume:				/* CPL0 again (resume_kernel) */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .bss
	.balign 8
	.globl user_saved_rsp
user_saved_rsp:
	.skip 8

	.section .note.GNU-stack, "", @progbits
