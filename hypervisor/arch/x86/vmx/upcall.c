/* Interrupt delivery into the guest: event upcalls and the vLAPIC's vectors, with interrupt-window exits. */
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/vlapic.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

#define CPU_INTR_WINDOW_EXITING_BIT BIT(2)
#define INTR_SHADOW_MASK 3	/* blocking by STI or MOV SS */

void vmx_set_intr_window(bool on)
{
	u64 ctl = vmread(CPU_BASED_VM_EXEC_CONTROL);
	u64 want = on ? ctl | CPU_INTR_WINDOW_EXITING_BIT :
			ctl & ~CPU_INTR_WINDOW_EXITING_BIT;

	if (want != ctl)
		vmwrite(CPU_BASED_VM_EXEC_CONTROL, want);
}

/* An event the exit interrupted half-delivered must be delivered again. */
void vmx_requeue_vectoring_event(void)
{
	u32 info = vmread(IDT_VECTORING_INFO);

	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(VM_ENTRY_INTR_INFO, info & ~BIT(12));
	if (info & INTR_INFO_DELIVER_CODE)
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE,
			vmread(IDT_VECTORING_ERROR_CODE));
	vmwrite(VM_ENTRY_INSTRUCTION_LEN, vmread(VM_EXIT_INSTRUCTION_LEN));
}

/*
 * Before entry: deliver an event upcall (the callback vector, which
 * bypasses the vLAPIC as XENFEAT_hvm_callback_vector promises) or the
 * vLAPIC's highest deliverable vector, or ask for an exit as soon as the
 * guest can take interrupts.
 */
void vmx_deliver_interrupts(struct vcpu *v)
{
	unsigned int upcall = 0;	/* the callback vector, if an upcall is due */
	int lapic = vlapic_pending_vector(v);

	if (v->vcpu_info && v->vcpu_info->evtchn_upcall_pending)
		upcall = vcpu_upcall_vector(v);
	if (!upcall && lapic < 0) {
		vmx_set_intr_window(false);
		return;
	}
	if ((vmread(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID) ||
	    !(vmread(GUEST_RFLAGS) & X86_EFLAGS_IF) ||
	    (vmread(GUEST_INTERRUPTIBILITY_INFO) & INTR_SHADOW_MASK)) {
		vmx_set_intr_window(true);
		return;
	}
	if (!upcall) {
		vlapic_ack(v, lapic);
		upcall = lapic;
	}
	vmwrite(VM_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT_INTR | upcall);
	vmx_set_intr_window(false);
}

bool arch_vcpu_has_pending_interrupt(const struct vcpu *v)
{
	return vlapic_pending_vector(v) >= 0;
}
