/* VM-exit dispatch: counts every exit by reason and handles the ones keel expects. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

/* Step over the exiting instruction; its STI/MOV SS interrupt shadow ends with it. */
void vmx_skip_instruction(void)
{
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(VM_EXIT_INSTRUCTION_LEN));
	vmwrite(GUEST_INTERRUPTIBILITY_INFO,
		vmread(GUEST_INTERRUPTIBILITY_INFO) & ~3ULL);
}

void vmx_inject_exception(unsigned int vector, bool has_error, u32 error)
{
	u32 info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector;

	if (has_error) {
		info |= INTR_INFO_DELIVER_CODE;
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmwrite(VM_ENTRY_INTR_INFO, info);
}

static bool handle_ept_violation(struct vcpu *v)
{
	u64 q = vmread(EXIT_QUALIFICATION);
	char why[160];

	snprintf(why, sizeof(why),
		 "EPT violation: %s of guest-physical %#llx at rip %#llx (qualification %#llx)",
		 q & BIT(1) ? "write" : q & BIT(2) ? "instruction fetch" : "read",
		 (unsigned long long)vmread(GUEST_PHYSICAL_ADDRESS),
		 (unsigned long long)vmread(GUEST_RIP), (unsigned long long)q);
	domain_crash(v->domain, why);
	return false;
}

static bool handle_hypercall(struct vcpu *v)
{
	struct guest_regs *r = &v->arch.regs;
	unsigned long args[5] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
	u64 rip = vmread(GUEST_RIP);
	u64 intr = vmread(GUEST_INTERRUPTIBILITY_INFO);
	long rc;

	vmx_skip_instruction();
	/* Hypercalls are for the guest kernel only (CS.DPL, like Xen's HVM check). */
	if ((vmread(GUEST_SS_AR_BYTES) >> 5) & 3) {
		r->rax = -EPERM;
		return true;
	}
	rc = do_hypercall(v, r->rax, args);
	if (v->hcall_preempted) {
		/*
		 * A continuation (keel/hypercall.h): the registers hold the
		 * rest of the call; the VMCALL runs again once the scheduler
		 * loop has done what was pending.
		 */
		v->hcall_preempted = false;
		vmwrite(GUEST_RIP, rip);
		vmwrite(GUEST_INTERRUPTIBILITY_INFO, intr);
		return false;
	}
	r->rax = rc;
	return v->domain->state == DOMAIN_RUNNING;
}

static bool handle_cr_access(struct vcpu *v)
{
	if (emulate_cr_access(v)) {
		domain_crash(v->domain, "unsupported control-register access");
		return false;
	}
	return true;
}

bool vmx_handle_exit(struct vcpu *v)
{
	u32 reason = vmread(VM_EXIT_REASON);
	u32 basic = reason & 0xffff;

	if (basic <= EXIT_REASON_MAX)
		v->arch.exit_count[basic]++;
	vmx_requeue_vectoring_event();
	if (reason & EXIT_REASON_ENTRY_FAILED) {
		pr_err("vmx: VM entry of d%uv%u failed, exit reason %#x\n",
		       v->domain->id, v->id, reason);
		vmcs_explain_failure();
		vmcs_dump(v);
		domain_crash(v->domain, "VM entry failed");
		return false;
	}
	switch (basic) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		/*
		 * Acknowledged on exit: do_irq() handles and EOIs it (timer,
		 * kick IPI); then back to the caller, which runs timers and
		 * looks again at what to run.
		 */
		do_irq(vmread(VM_EXIT_INTR_INFO) & 0xff);
		return false;
	case EXIT_REASON_EXCEPTION_NMI:
		/* Only host NMIs exit (the exception bitmap is empty); keel uses none. */
		if (((vmread(VM_EXIT_INTR_INFO) >> 8) & 7) == 2) {
			pr_warn("NMI while d%uv%u ran; ignored\n", v->domain->id, v->id);
			return true;
		}
		break;
	case EXIT_REASON_PREEMPTION_TIMER:
		return false;		/* a timer of this CPU is due (vmx_run.c) */
	case EXIT_REASON_INTERRUPT_WINDOW:
		vmx_set_intr_window(false);
		return true;
	case EXIT_REASON_TRIPLE_FAULT:
		vmcs_dump(v);
		domain_crash(v->domain, "triple fault");
		return false;
	case EXIT_REASON_CPUID:
		return !emulate_cpuid(v);
	case EXIT_REASON_HLT:
		vmx_skip_instruction();
		vcpu_block(v);
		return v->state == VCPU_RUNNABLE;
	case EXIT_REASON_VMCALL:
		return handle_hypercall(v);
	case EXIT_REASON_CR_ACCESS:
		return handle_cr_access(v);
	case EXIT_REASON_IO_INSTRUCTION:
		return vmx_handle_io(v);
	case EXIT_REASON_MSR_READ:
		return !emulate_rdmsr(v);
	case EXIT_REASON_MSR_WRITE:
		return !emulate_wrmsr(v);
	case EXIT_REASON_EPT_VIOLATION:
		return handle_ept_violation(v);
	case EXIT_REASON_PAUSE:
		/* A spin-wait: let the vCPU it waits for run (vmcs.c). */
		vmx_skip_instruction();
		vcpu_yield(v);
		return false;
	case EXIT_REASON_MWAIT:
	case EXIT_REASON_MONITOR:
		vmx_inject_exception(6, false, 0);	/* #UD: not offered */
		return true;
	case EXIT_REASON_XSETBV:
		vmx_inject_exception(13, true, 0);
		return true;
	default:
		break;
	}
	{
		char why[64];

		snprintf(why, sizeof(why), "unexpected VM exit, reason %u", basic);
		vmcs_dump(v);
		domain_crash(v->domain, why);
		return false;
	}
}
