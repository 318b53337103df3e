/* PVH entry: the Xen PHYS32_ENTRY note, then 32-bit protected mode to long mode and C. */
#include <public/elfnote.h>

#define CR0_PE		0x00000001
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100

#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18

#define PTE_P_RW	0x003
#define PDE_2M		0x083		/* present, writable, 2 MiB page */
#define NR_PDS		4		/* page directories: 4 x 1 GiB */

#define STACK_SIZE	0x4000

/*
 * The PVH entry note: the 32-bit physical entry point, zero-extended to a
 * 64-bit descriptor as in Linux. Xen and keel accept 4 or 8 bytes; QEMU
 * always reads 8 from a 64-bit ELF, and computes the padding from p_align,
 * so the note stays 4-byte aligned.
 */
	.section .note.Xen, "a"
	.balign 4
	.long 4				/* namesz */
	.long 8				/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY	/* type */
	.asciz "Xen"
	.quad pvh_start

/*
 * Entered in 32-bit protected mode, paging off, flat CS/DS, interrupts off,
 * EBX = guest-physical address of struct hvm_start_info.
 */
	.section .text.head, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	lgdt gdt_desc
	ljmp $SEL_CODE32, $1f
1:	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs

	/* Zero .bss (it holds the stack and page tables). EBX survives. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories. */
	movl $pdpt + PTE_P_RW, pml4
	movl $pd + PTE_P_RW, %eax
	xorl %ecx, %ecx
2:	movl %eax, pdpt(, %ecx, 8)
	addl $0x1000, %eax
	incl %ecx
	cmpl $NR_PDS, %ecx
	jb 2b

	/* 2 MiB identity pages for the first 4 GiB. */
	movl $PDE_2M, %eax
	xorl %ecx, %ecx
3:	movl %eax, pd(, %ecx, 8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $NR_PDS * 512, %ecx
	jb 3b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $start64

	.code64
start64:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq $stack_top, %rsp
	xorl %ebp, %ebp
	movl %ebx, %edi
	call guest_start
4:	cli
	hlt
	jmp 4b

	/* In .data: the CPU sets the descriptors' accessed bits. */
	.section .data
	.balign 16
	.globl gdt
gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* SEL_CODE64: 64-bit code */
	.quad 0x00cf92000000ffff	/* SEL_DATA: flat data */
	.quad 0x00cf9a000000ffff	/* SEL_CODE32: flat 32-bit code */
gdt_end:
	.balign 8
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.balign 4096
	.globl pml4, pd
pml4:
	.skip 4096
pdpt:
	.skip 4096
pd:
	.skip 4096 * NR_PDS
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
