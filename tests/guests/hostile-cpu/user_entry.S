/* Into CPL3 and back: user_enter(fn, stack_top) calls fn at CPL3; INT 0x81 from there returns. */
#define SEL_UDATA 0x23
#define SEL_UCODE 0x2b
#define USER_RETURN_VECTOR 0x81

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
	movq %rdi, %rax			/* fn, kept across IRETQ */
	pushq $SEL_UDATA		/* ss */
	pushq %rsi			/* rsp */
	pushfq				/* rflags: interrupts as they are (off) */
	pushq $SEL_UCODE		/* cs */
	leaq user_start(%rip), %rcx
	pushq %rcx			/* rip */
	iretq

user_start:				/* CPL3 */
	call *%rax
	int $USER_RETURN_VECTOR

user_resume:				/* CPL0 again (back_to_kernel) */
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
