/* Event upcalls into the guest: inject the callback vector when the guest can take it. */
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

#define CPU_INTR_WINDOW_EXITING_BIT BIT(2)
#define INTR_SHADOW_MASK 3	/* blocking by STI or MOV SS */

void vmx_set_intr_window(bool on)
{
	u64 ctl = vmread(CPU_BASED_VM_EXEC_CONTROL);

	vmwrite(CPU_BASED_VM_EXEC_CONTROL, on ? ctl | CPU_INTR_WINDOW_EXITING_BIT :
				ctl & ~CPU_INTR_WINDOW_EXITING_BIT);
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
 * Before entry: if events are pending for @v and it has an upcall vector,
 * inject it as an external interrupt, or ask for an exit as soon as the
 * guest can take interrupts.
 */
void vmx_deliver_upcall(struct vcpu *v)
{
	unsigned int vector = vcpu_upcall_vector(v);

	if (!vector || !v->vcpu_info || !v->vcpu_info->evtchn_upcall_pending ||
	    (vmread(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID))
		return;
	if ((vmread(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	    !(vmread(GUEST_INTERRUPTIBILITY_INFO) & INTR_SHADOW_MASK)) {
		vmwrite(VM_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT_INTR |
			vector);
		vmx_set_intr_window(false);
	} else {
		vmx_set_intr_window(true);
	}
}
