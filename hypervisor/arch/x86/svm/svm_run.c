/* Running a vCPU on SVM: VMCB lifetime, ASIDs, interrupt injection, the VMRUN/#VMEXIT loop. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/processor.h>
#include <asm/spec_ctrl.h>
#include <asm/svm.h>
#include <asm/svm_internal.h>
#include <asm/vlapic.h>
#include <asm/vmx_internal.h>

#define NO_CPU (~0u)

static struct vmcb *cur_vmcb(void)
{
	return this_cpu()->curr->arch.vmcs;
}

int svm_vcpu_init(struct vcpu *v, u32 entry, u32 start_info)
{
	vlapic_reset(v);
	vcpu_context_init(v);
	debugreg_init(v);
	mtrr_init(v);
	tsc_vcpu_init(v);
	v->arch.host_cpu = NO_CPU;	/* its first run takes an ASID there */
	return svm_vmcb_init(v, entry, start_info);
}

void svm_vcpu_destroy(struct vcpu *v)
{
	svm_vmcb_free(v);
}

/*
 * The FPU/SSE image and DR0-3 are the only guest state the CPU keeps
 * outside the VMCB and VMSAVE's fields: switched here, every time.
 */
void svm_vcpu_switch_in(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	if (!a->vmcs && svm_vcpu_init(v, 0, 0)) {
		domain_crash(v->domain, "cannot set up a started vCPU");
		return;
	}
	spec_ctrl_switch_to(v->domain);
	/*
	 * AMD's FXRSTOR loads the x87 error pointers (FOP, FIP, FDP) only when
	 * the image has an exception pending (unless CPUID 0x80000008 EBX[2]
	 * says otherwise), so the last guest's would show through: load known
	 * ones first, as Xen does (XSA-52).
	 */
	asm volatile("fnclex; ffree %%st(7); fildl %0" : : "m"(*(const u32 *)a->fpu));
	asm volatile("fxrstor64 %0" : : "m"(a->fpu));
	asm volatile("mov %0, %%db0; mov %1, %%db1; mov %2, %%db2; mov %3, %%db3"
		     : : "r"(a->dr[0]), "r"(a->dr[1]), "r"(a->dr[2]), "r"(a->dr[3]));
	if (a->host_cpu != smp_processor_id()) {
		a->host_cpu = smp_processor_id();
		a->asid_gen = 0;	/* a new ASID here, flushed */
	}
}

void svm_vcpu_switch_out(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;
	struct vmcb *vmcb = a->vmcs;

	if (!vmcb)
		return;
	asm volatile("fxsave64 %0" : "=m"(a->fpu));
	asm volatile("mov %%db0, %0; mov %%db1, %1; mov %%db2, %2; mov %%db3, %3"
		     : "=r"(a->dr[0]), "=r"(a->dr[1]), "=r"(a->dr[2]), "=r"(a->dr[3]));
	a->rip = vmcb->rip;
	a->rflags = vmcb->rflags;
}

/*
 * An ASID of this CPU's generation; when they run out a new generation
 * starts. A new ASID may have tagged another vCPU's translations, and
 * QEMU has no flush by ASID: every new one flushes the whole TLB, as does
 * a p2m change (npt.c).
 */
static void svm_enter_guest(struct pcpu *c, struct vcpu *v, struct vmcb *vmcb)
{
	struct x86_cpu *x = this_x86_cpu();
	bool flush = false;

	if (v->arch.asid_gen != x->asid_gen) {
		if (x->asid_next >= svm_max_asid) {
			x->asid_gen++;
			x->asid_next = 1;
		}
		v->arch.asid = x->asid_next++;
		v->arch.asid_gen = x->asid_gen;
		flush = true;
	}
	WRITE_ONCE(c->in_guest, true);
	smp_mb();
	if (cpumask_test_and_clear_atomic(&npt_flush_all_pending, c->id))
		flush = true;
	if (cpumask_test_and_clear_atomic(&v->domain->arch.ept_stale, c->id))
		flush = true;
	vmcb->asid = v->arch.asid;
	vmcb->tlb_control = flush ? TLB_CONTROL_FLUSH_ALL :
			    v->arch.flush_asid ? TLB_CONTROL_FLUSH_ASID : 0;
	v->arch.flush_asid = false;
	vmcb->clean = 0;
}

static void set_intr_window(struct vmcb *vmcb, bool on)
{
	if (on) {
		vmcb->vintr |= V_IRQ | V_IGN_TPR;
		vmcb->intercepts[3] |= ICPT_VINTR;
	} else {
		vmcb->vintr &= ~(V_IRQ | V_IGN_TPR);
		vmcb->intercepts[3] &= ~ICPT_VINTR;
	}
}

/*
 * The event upcall vector, else the vLAPIC's highest deliverable vector,
 * through EVENTINJ; when the guest cannot take one now, a virtual
 * interrupt (V_IRQ, ignoring V_TPR) whose VINTR intercept says it can.
 */
static void svm_deliver_interrupts(struct vcpu *v, struct vmcb *vmcb)
{
	unsigned int vector = vcpu_upcall_vector(v);
	int lapic = vlapic_pending_vector(v);
	bool upcall_due = vector && v->vcpu_info &&
			  v->vcpu_info->evtchn_upcall_pending;

	if (!upcall_due && lapic < 0) {
		set_intr_window(vmcb, false);
		return;
	}
	if ((vmcb->eventinj & EVENT_VALID) || !(vmcb->rflags & X86_EFLAGS_IF) ||
	    (vmcb->int_state & 1)) {
		set_intr_window(vmcb, true);
		return;
	}
	if (!upcall_due) {
		vlapic_ack(v, lapic);
		vector = lapic;
	}
	vmcb->eventinj = EVENT_VALID | EVENT_TYPE_INTR | vector;
	set_intr_window(vmcb, false);
}

void svm_vcpu_run(struct vcpu *v)
{
	struct pcpu *c = this_cpu();
	struct vmcb *vmcb = v->arch.vmcs;
	u64 vmcb_pa;

	if (!vmcb)
		return;		/* its setup failed: the domain has crashed */
	vmcb_pa = virt_to_phys(vmcb);
	vcpu_update_time(v);
	vcpu_set_runstate(v, RUNSTATE_running);
	while (vcpu_runnable(v) && !READ_ONCE(c->need_resched)) {
		if (READ_ONCE(v->arch.restart)) {
			WRITE_ONCE(v->arch.restart, false);
			svm_restart_ap(v);
			vlapic_reset(v);
			v->arch.asid_gen = 0;	/* INIT flushes the TLB */
		}
		svm_deliver_interrupts(v, vmcb);
		/* CR8 reads V_TPR; its writes exit (cr8_write()): keel's copy. */
		vmcb->vintr = (vmcb->vintr & ~V_TPR_MASK) | (vlapic_get_tpr(v) >> 4);
		svm_enter_guest(c, v, vmcb);
		vmcb->rax = v->arch.regs.rax;
		svm_enter(&v->arch.regs, vmcb_pa, this_x86_cpu()->svm_host_pa);
		WRITE_ONCE(c->in_guest, false);
		v->arch.regs.rax = vmcb->rax;
		if (!svm_handle_exit(v, vmcb))
			break;
	}
	if (v->runstate.state == RUNSTATE_running)
		vcpu_set_runstate(v, vcpu_runnable(v) ? RUNSTATE_runnable :
				  RUNSTATE_blocked);
}

#define EFER_LMA BIT(10)
#define SEG_L BIT(9)		/* the packed attributes' L bit */
#define GUEST_VADDR_BITS 48

u64 svm_get(enum hvm_reg r)
{
	struct vmcb *vmcb = cur_vmcb();

	switch (r) {
	case HVM_RIP:
		return vmcb->rip;
	case HVM_RSP:
		return vmcb->rsp;
	case HVM_RFLAGS:
		return vmcb->rflags;
	case HVM_CR0:
		return vmcb->cr0;
	case HVM_CR3:
		return vmcb->cr3;
	case HVM_CR4:
		return vmcb->cr4;
	case HVM_EFER:
		return vmcb->efer & ~EFER_SVME;
	case HVM_DEBUGCTL:
		return vmcb->dbgctl;
	}
	return 0;
}

/* EFER keeps SVME; LMA follows LME and CR0.PG as the CPU would set it. */
void svm_set(enum hvm_reg r, u64 val)
{
	struct vmcb *vmcb = cur_vmcb();

	switch (r) {
	case HVM_RSP:
		vmcb->rsp = val;
		break;
	case HVM_RFLAGS:
		vmcb->rflags = val;
		break;
	case HVM_EFER:
		val &= ~EFER_LMA;
		if ((val & EFER_LME) && (vmcb->cr0 & X86_CR0_PG))
			val |= EFER_LMA;
		vmcb->efer = val | EFER_SVME;
		break;
	case HVM_DEBUGCTL:
		vmcb->dbgctl = val;
		break;
	default:
		break;		/* CRs are the guest's own: keel does not write them */
	}
}

static u64 canonical(u64 addr)
{
	return (u64)((s64)(addr << (64 - GUEST_VADDR_BITS)) >>
		     (64 - GUEST_VADDR_BITS));
}

bool svm_guest_64bit(void)
{
	struct vmcb *vmcb = cur_vmcb();

	return (vmcb->efer & EFER_LMA) && (vmcb->cs.attrib & SEG_L);
}

/*
 * Move RIP on to @rip, with vmx_skip_bytes()'s rules: EIP wraps outside
 * 64-bit mode, a non-canonical next RIP is #GP at CPL>0 and the domain's
 * crash at CPL0.
 */
static void svm_skip_to(u64 rip)
{
	struct vmcb *vmcb = cur_vmcb();

	if (!svm_guest_64bit()) {
		rip = (u32)rip;
	} else if (rip != canonical(rip)) {
		if (!vmcb->cpl) {
			domain_crash(this_cpu()->curr->domain,
				     "RIP past the canonical hole at CPL0");
			return;
		}
		rip = canonical(rip);
		svm_inject_exception(X86_EXC_GP, true, 0);
	}
	vmcb->rip = rip;
	vmcb->int_state &= ~1ULL;
}

/* Step over an intercepted instruction of @len bytes (NRIP where the CPU saves it). */
void svm_skip_insn(unsigned int len)
{
	struct vmcb *vmcb = cur_vmcb();

	svm_skip_to(svm_nrips && vmcb->nrip ? vmcb->nrip : vmcb->rip + len);
}

/* An instruction keel decoded (MMIO): no NRIP on a nested page fault. */
void svm_skip_bytes(unsigned int len)
{
	svm_skip_to(cur_vmcb()->rip + len);
}

/* As vmx_inject_exception(): combined with an event being delivered again (#DF, triple fault). */
void svm_inject_exception(unsigned int vector, bool has_error, u32 error)
{
	struct vmcb *vmcb = cur_vmcb();
	u64 pending = vmcb->eventinj;

	if (pending & EVENT_VALID) {
		unsigned int first = pending & 0xff;

		int combined = exc_combine(first, vector);

		if ((pending & EVENT_TYPE_MASK) != EVENT_TYPE_EXCEPTION)
			return;
		if (combined == EXC_TRIPLE_FAULT) {
			vmcb->eventinj = 0;
			domain_triple_fault(this_cpu()->curr,
					    "triple fault (exception while delivering #DF)");
			return;
		}
		if (combined == X86_EXC_DF) {
			vector = X86_EXC_DF;
			has_error = true;
			error = 0;
		}
	}
	vmcb->eventinj = EVENT_VALID | EVENT_TYPE_EXCEPTION | vector |
			 (has_error ? EVENT_HAS_ERROR | ((u64)error << 32) : 0);
}
