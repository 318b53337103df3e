/*
 * The smp guest's AP code, copied to AP_START and started there in real
 * mode by INIT and a startup IPI: it sets its own CR2, KERNEL_GS_BASE and
 * x87 state, tells the boot vCPU, waits while that one changes its own,
 * then checks that its values survived and halts.
 */
#include "smp.h"

	.section .rodata
	.code16
	.globl ap_start, ap_end
ap_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	fninit
	fld1
	movl	$AP_CR2, %eax
	movl	%eax, %cr2
	movl	$MSR_KERNEL_GS_BASE, %ecx
	movl	$AP_KERNEL_GS, %eax
	xorl	%edx, %edx
	wrmsr
	movl	$AP_RUNNING, AP_FLAG
1:	pause
	cmpl	$BSP_CHANGED, AP_FLAG
	jne	1b

	movl	$AP_STATE_LOST, %ebx
	movl	%cr2, %eax
	cmpl	$AP_CR2, %eax
	jne	2f
	movl	$MSR_KERNEL_GS_BASE, %ecx
	rdmsr
	cmpl	$AP_KERNEL_GS, %eax
	jne	2f
	fnstcw	AP_FLAG + 4
	cmpw	$AP_FCW, AP_FLAG + 4
	jne	2f
	movl	$AP_STATE_KEPT, %ebx
2:	movl	%ebx, AP_FLAG
3:	hlt
	jmp	3b
ap_end:
	.code64
