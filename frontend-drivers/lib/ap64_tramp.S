/*
 * The AP trampoline of ap64.c, copied to AP64_BASE: real mode (startup
 * IPI) to protected mode to long mode on the page tables whose address
 * ap64.c patched in, then to ap64_entry in the image.
 */
#include "ap64.h"

#define REL(x) (AP64_BASE + (x) - ap64_tramp)

#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18

	.section .rodata
	.balign 16
	.globl ap64_tramp, ap64_tramp_end, ap64_tramp_cr3, ap64_tramp_entry
	.code16
ap64_tramp:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	lgdtl	REL(tramp_gdt_desc)
	movl	%cr0, %eax
	orl	$0x1, %eax			/* PE */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $REL(tramp32)

	.code32
tramp32:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	movl	REL(ap64_tramp_cr3), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	orl	$0x100, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80010001, %eax		/* PG, WP, PE */
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $REL(tramp64)

	.code64
tramp64:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movq	REL(ap64_tramp_entry), %rax
	jmp	*%rax

	.balign 8
tramp_gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* SEL_CODE64 */
	.quad 0x00cf92000000ffff	/* SEL_DATA */
	.quad 0x00cf9a000000ffff	/* SEL_CODE32 */
tramp_gdt_desc:
	.word	tramp_gdt_desc - tramp_gdt - 1
	.long	REL(tramp_gdt)
	.balign 8
ap64_tramp_cr3:
	.quad	0
ap64_tramp_entry:
	.quad	0
ap64_tramp_end:

/* In the image, long mode: the vCPU's own stack and the boot vCPU's IDT, then C. */
	.text
	.globl ap64_entry
ap64_entry:
	movq	ap64_stack_top(%rip), %rsp
	lidt	ap64_idtr(%rip)
	xorl	%ebp, %ebp
	call	ap64_main
1:	cli
	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
