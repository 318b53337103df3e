/* The virtual local APIC each vCPU gets, in x2APIC mode only (MSRs 0x800-0x8ff). */
#ifndef ASM_VLAPIC_H
#define ASM_VLAPIC_H

#include <keel/types.h>

#define VLAPIC_LVT_COUNT 6	/* timer, thermal, PMC, LINT0, LINT1, error */

struct vlapic {
	u32 tpr;
	u32 svr;
	u32 esr;
	u32 lvt[VLAPIC_LVT_COUNT];
	u32 timer_init;
	u32 timer_divide;
	u64 tsc_deadline;	/* IA32_TSC_DEADLINE (hardware domain), kept */
	u32 irr[8] __aligned(8);	/* read as four u64 by vlapic_pending_vector() */
	u32 isr[8], tmr[8];
};

struct vcpu;

void vlapic_reset(struct vcpu *v);
/* AP @t stops (INIT, or HLT with interrupts off) until a SIPI restarts it; @why is logged. */
void vlapic_park_ap(struct vcpu *t, const char *why);
/* RDMSR/WRMSR of x2APIC MSR @msr: 0, or -EINVAL for a #GP. */
int vlapic_read_msr(struct vcpu *v, u32 msr, u64 *val);
int vlapic_write_msr(struct vcpu *v, u32 msr, u64 val);
/* The task priority register (CR8 is its bits 7:4). */
u8 vlapic_get_tpr(const struct vcpu *v);
void vlapic_set_tpr(struct vcpu *v, u8 tpr);
/* Make fixed interrupt @vector pending on @v and wake it. */
void vlapic_set_irq(struct vcpu *v, u8 vector);
/* The same, from an IOAPIC: @level sets its TMR bit, so that its EOI reaches the vIOAPIC. */
void vlapic_set_irq_level(struct vcpu *v, u8 vector, bool level);
/* The vector to inject next (above the processor priority), or -1. */
int vlapic_pending_vector(const struct vcpu *v);
/* Print its registers and what it would deliver (KEEL_DOMCTL_dump_vcpus). */
void vlapic_dump(const struct vcpu *v);
/* @vector is being delivered: IRR to ISR. */
void vlapic_ack(struct vcpu *v, u8 vector);

#endif
