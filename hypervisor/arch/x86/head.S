/*
 * Boot entry: the multiboot2 header, the 32-bit entry GRUB jumps to (long
 * mode with early page tables), and start64, where every loader enters the
 * 64-bit core.
 */
#include <keel/image.h>
#include <keel/multiboot2.h>
#include <asm/desc.h>

#define PHYS(sym) ((sym) - KEEL_VIRT_BASE)
#define COM1 0x3f8

	.section .boot.header, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.balign 8
	.short MB2_HEADER_TAG_END, 0
	.long 8
mb2_header_end:

	/* Found by keel.efi: how to enter the core from a 64-bit loader. */
	.balign 8
	.globl keel_image_header
keel_image_header:
	.quad KEEL_IMAGE_MAGIC0
	.quad start64
	.quad KEEL_VIRT_BASE + KEEL_LOAD_PHYS
	.quad KEEL_LOAD_PHYS
	.quad __image_end - (KEEL_VIRT_BASE + KEEL_LOAD_PHYS)

	.section .boot.text, "ax"
	.code32
	.globl start32
start32:
	cli
	cld
	movl	%eax, %ebp		/* loader magic */
	movl	%ebx, %esi		/* multiboot2 information */
	movl	$PHYS(boot_stack_top), %esp

	/* Long mode is required; say so on the serial port if it is absent. */
	pushfl
	popl	%eax
	movl	%eax, %ecx
	xorl	$0x200000, %eax		/* can EFLAGS.ID be toggled? */
	pushl	%eax
	popfl
	pushfl
	popl	%eax
	cmpl	%eax, %ecx
	je	no_long_mode
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	no_long_mode

	/* The top-level tables must start empty whatever the loader left there. */
	movl	$PHYS(boot_pml4), %edi
	xorl	%eax, %eax
	movl	$3 * 1024, %ecx
	rep stosl
	movl	$PHYS(boot_pd), %ebx
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax		/* present, writable, 2 MiB */
	movl	%eax, (%ebx, %ecx, 8)
	movl	%ecx, %eax
	shrl	$11, %eax		/* bits 32+ of the address */
	movl	%eax, 4(%ebx, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	1b
	movl	$PHYS(boot_pdpt_low), %ebx
	movl	$PHYS(boot_pd) + 0x3, %eax
	movl	%eax, 0(%ebx)
	addl	$0x1000, %eax
	movl	%eax, 8(%ebx)
	addl	$0x1000, %eax
	movl	%eax, 16(%ebx)
	addl	$0x1000, %eax
	movl	%eax, 24(%ebx)
	movl	$PHYS(boot_pdpt_high), %ebx
	movl	$PHYS(boot_pd) + 0x3, %eax
	movl	%eax, 510 * 8(%ebx)
	movl	$PHYS(boot_pml4), %ebx
	movl	$PHYS(boot_pdpt_low) + 0x3, %eax
	movl	%eax, 0(%ebx)
	movl	$PHYS(boot_pdpt_high) + 0x3, %eax
	movl	%eax, 511 * 8(%ebx)

	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	$PHYS(boot_pml4), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	orl	$0x100, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax	/* PG | PE */
	movl	%eax, %cr0
	lgdt	boot_gdt_desc
	ljmp	$GDT_CODE_SEL, $start64_low

no_long_mode:
	movl	$no_long_mode_msg, %ebx
1:	movb	(%ebx), %al
	testb	%al, %al
	jz	2f
	movw	$COM1, %dx
	outb	%al, %dx
	outb	%al, $0xe9
	incl	%ebx
	jmp	1b
2:	cli
	hlt
	jmp	2b

	.code64
start64_low:
	movl	%ebp, %edi		/* upper halves are undefined after the switch */
	movl	%esi, %esi
	movabsq	$start64, %rax
	jmp	*%rax

	.section .boot.data, "a"
no_long_mode_msg:
	.asciz	"keel: this CPU has no 64-bit long mode; keel needs an x86-64 CPU with VT-x\r\n"
	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 64-bit code */
	.quad	0x00cf92000000ffff	/* data */
boot_gdt_desc:
	.short	boot_gdt_desc - boot_gdt - 1
	.long	boot_gdt

/*
 * 64-bit entry of every loader: EDI = loader magic, RSI = its information
 * (physical). Runs on the loader's page tables, which map the first 4 GiB
 * (all RAM for keel.efi) at 0 and the image in the top 2 GiB.
 */
	.text
	.globl start64
start64:
	movabsq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	/* Early direct map: PML4 slot 256 shares slot 0's identity map. */
	movq	%cr3, %rax
	andq	$~0xfff, %rax
	movq	(%rax), %rcx
	movq	%rcx, 256 * 8(%rax)
	movq	%rax, %cr3
	movl	%edi, %edi
	call	x86_start
	ud2

	.bss
	.balign 4096
boot_pml4:
	.skip	4096
boot_pdpt_low:
	.skip	4096
boot_pdpt_high:
	.skip	4096
boot_pd:
	.skip	4 * 4096
	.globl boot_stack_top
boot_stack:
	.skip	KEEL_STACK_SIZE
boot_stack_top:
