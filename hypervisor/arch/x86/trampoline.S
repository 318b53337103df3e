/*
 * The AP startup trampoline. smpboot.c copies trampoline_start..end to a
 * free page below 1 MiB and fills in trampoline_params; a startup IPI then
 * enters it in real mode at CS:IP = page >> 4 : 0. It goes to 32-bit
 * protected mode, turns on long mode with page tables of its own (below
 * 4 GiB: the identity-mapped low 2 MiB plus keel's direct map and image),
 * and jumps to ap_start64 in keel's image, which switches to keel's page
 * tables and calls smp_ap_start(). Position-independent: EBX holds the
 * page's physical address throughout.
 */
#include <asm/desc.h>

#define OFF(sym) ((sym) - trampoline_start)
#define GDT_CODE32_SEL 0x18
#define CR0_PE_ET_NE 0x31
#define CR0_PG_WP_NE_ET_PE 0x80010031
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080

	/* Copied, never run in place. */
	.section .rodata
	.balign 16
	.globl trampoline_start
trampoline_start:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movzwl	%ax, %ebx
	shll	$4, %ebx
	/* Point the GDT descriptor and both far jumps at this copy. */
	leal	OFF(tr_gdt)(%ebx), %eax
	movl	%eax, OFF(tr_gdt_desc) + 2
	leal	OFF(tr_start32)(%ebx), %eax
	movl	%eax, OFF(tr_jump32)
	leal	OFF(tr_start64)(%ebx), %eax
	movl	%eax, OFF(tr_jump64)
	lgdtl	OFF(tr_gdt_desc)
	movl	$CR0_PE_ET_NE, %eax	/* also clears CD and NW, set by INIT */
	movl	%eax, %cr0
	ljmpl	*OFF(tr_jump32)

	.code32
tr_start32:
	movl	$GDT_DATA_SEL, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	OFF(tr_low_cr3)(%ebx), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	movl	OFF(tr_efer)(%ebx), %eax	/* LME, and NXE as on the boot CPU */
	xorl	%edx, %edx
	wrmsr
	movl	$CR0_PG_WP_NE_ET_PE, %eax
	movl	%eax, %cr0
	ljmpl	*OFF(tr_jump64)(%ebx)

	.code64
tr_start64:
	movl	%ebx, %ebx		/* upper halves are undefined after the switch */
	movq	OFF(tr_stack_top)(%rbx), %rsp
	movq	OFF(tr_host_cr3)(%rbx), %rax
	jmpq	*OFF(tr_entry)(%rbx)

	.balign 8
tr_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* GDT_CODE_SEL: 64-bit code */
	.quad	0x00cf92000000ffff	/* GDT_DATA_SEL: data */
	.quad	0x00cf9a000000ffff	/* GDT_CODE32_SEL: 32-bit code */
tr_gdt_desc:
	.short	tr_gdt_desc - tr_gdt - 1
	.long	0
tr_jump32:
	.long	0
	.short	GDT_CODE32_SEL
tr_jump64:
	.long	0
	.short	GDT_CODE_SEL

	/* struct trampoline_params in smpboot.c: the same fields in the same order. */
	.balign 8
	.globl trampoline_params
trampoline_params:
tr_low_cr3:
	.long	0
tr_efer:
	.long	0
tr_host_cr3:
	.quad	0
tr_stack_top:
	.quad	0
tr_entry:
	.quad	0
	.globl trampoline_end
trampoline_end:

/*
 * In keel's image, reached through the trampoline's tables: RAX = keel's
 * page-table root, RSP = this CPU's stack (both mapped the same way in the
 * trampoline's tables and keel's).
 */
	.text
	.globl ap_start64
ap_start64:
	movq	%rax, %cr3
	xorl	%ebp, %ebp
	call	smp_ap_start
	ud2
