/*
 * VM-exit dispatch: every basic exit reason of the SDM (Vol. 3D, Appendix
 * C) has a name and an answer here, as docs/vmexits.md lists them: handled,
 * answered with the fault hardware or Xen gives, or (for exits keel's
 * controls never cause) unexpected, which crashes the domain as Xen does.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/mmio.h>
#include <asm/processor.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

/* A handler: false to return to the scheduler (blocked, yielding, or the domain stopped). */
typedef bool (*exit_handler_t)(struct vcpu *v);

struct exit_reason {
	const char *name;
	exit_handler_t handle;	/* NULL: keel's controls never cause it */
};

/* The privilege level the guest ran at (SS.DPL, as Xen's vmx_get_cpl()). */
static unsigned int guest_cpl(void)
{
	return (vmread(GUEST_SS_AR_BYTES) >> 5) & 3;
}

#define CS_AR_L BIT(13)			/* a 64-bit code segment */
/* The guest's linear-address width: keel offers no 5-level paging (CR4.LA57). */
#define GUEST_VADDR_BITS 48

/* Does the guest run 64-bit code (IA-32e mode and CS.L)? Else its EIP has 32 bits. */
static bool guest_64bit(void)
{
	return (vmread(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE) &&
	       (vmread(GUEST_CS_AR_BYTES) & CS_AR_L);
}

static u64 canonical(u64 addr)
{
	return (u64)((s64)(addr << (64 - GUEST_VADDR_BITS)) >>
		     (64 - GUEST_VADDR_BITS));
}

/*
 * Step over the exiting instruction to @rip; the STI/MOV SS interrupt
 * shadow @intr holds ends with it. The guest chooses where that instruction is, at any CPL, and VM
 * entry fails on a RIP the mode cannot hold: outside 64-bit mode EIP wraps
 * at 4 GiB, as the CPU wraps it; in 64-bit mode a next RIP in the canonical
 * hole is #GP(0) with the RIP made canonical at CPL>0, and at CPL0 the
 * domain's crash, as Xen answers it (XSA-170).
 */
static void skip_to(u64 rip, u64 intr)
{
	if (!guest_64bit()) {
		rip = (u32)rip;
	} else if (rip != canonical(rip)) {
		if (!guest_cpl()) {
			domain_crash(this_cpu()->curr->domain,
				     "RIP past the canonical hole at CPL0");
			return;
		}
		rip = canonical(rip);
		vmx_inject_exception(X86_EXC_GP, true, 0);
	}
	vmwrite(GUEST_RIP, rip);
	if (intr & 3)
		vmwrite(GUEST_INTERRUPTIBILITY_INFO, intr & ~3ULL);
}

void vmx_skip_instruction(void)
{
	vmx_skip_bytes(vmread(VM_EXIT_INSTRUCTION_LEN));
}

/* Step over an instruction of @len bytes that keel decoded itself (MMIO). */
void vmx_skip_bytes(u64 len)
{
	skip_to(vmread(GUEST_RIP) + len, vmread(GUEST_INTERRUPTIBILITY_INFO));
}

void vmx_inject_exception(unsigned int vector, bool has_error, u32 error)
{
	u32 pending = vmread(VM_ENTRY_INTR_INFO);
	u32 info;

	/*
	 * An event this exit interrupted is queued again already: an
	 * interrupt or NMI goes first (a fault recurs after it); two
	 * exceptions combine as the CPU combines them.
	 */
	if (pending & INTR_INFO_VALID) {
		int combined = exc_combine(INTR_INFO_VECTOR(pending), vector);

		if (INTR_INFO_TYPE(pending) != INTR_TYPE_HW_EXCEPTION)
			return;
		if (combined == EXC_TRIPLE_FAULT) {
			vmwrite(VM_ENTRY_INTR_INFO, 0);
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
	info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector;
	if (has_error) {
		info |= INTR_INFO_DELIVER_CODE;
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmwrite(VM_ENTRY_INTR_INFO, info);
}

/* Give the guest the exception that exited (#DB, #AC) as if keel had not looked. */
void vmx_reflect_exception(u32 intr_info)
{
	unsigned int vector = INTR_INFO_VECTOR(intr_info);
	u32 type = INTR_INFO_TYPE(intr_info);

	if (type == INTR_TYPE_HW_EXCEPTION) {
		vmx_inject_exception(vector, intr_info & INTR_INFO_DELIVER_CODE,
				     vmread(VM_EXIT_INTR_ERROR_CODE));
		return;
	}
	/* INT1 (ICEBP) and INT3/INTO: delivered with their instruction length. */
	if (vmread(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID)
		return;
	vmwrite(VM_ENTRY_INSTRUCTION_LEN, vmread(VM_EXIT_INSTRUCTION_LEN));
	vmwrite(VM_ENTRY_INTR_INFO, INTR_INFO_VALID | type | vector);
}

static bool inject_ud(struct vcpu *v)
{
	vmx_inject_exception(X86_EXC_UD, false, 0);
	return true;
}

static bool inject_gp(struct vcpu *v)
{
	vmx_inject_exception(X86_EXC_GP, true, 0);
	return true;
}

/* Xen's exit_and_crash: a keel bug at CPL0 stops the domain; at CPL>0 the guest gets #UD. */
static bool unexpected_exit(struct vcpu *v, unsigned int basic, const char *name)
{
	char why[96];

	if (guest_cpl()) {
		pr_warn("d%uv%u: unexpected VM exit %u (%s) at CPL%u: #UD\n",
			v->domain->id, v->id, basic, name, guest_cpl());
		return inject_ud(v);
	}
	snprintf(why, sizeof(why), "unexpected VM exit, reason %u (%s)",
		 basic, name);
	vmcs_dump(v);
	domain_crash(v->domain, why);
	return false;
}

static bool handle_exception_nmi(struct vcpu *v)
{
	u32 info = vmread(VM_EXIT_INTR_INFO);

	/* A host NMI (NMI exiting); keel sends none itself. */
	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
		pr_warn("NMI while d%uv%u ran; ignored\n", v->domain->id, v->id);
		return true;
	}
	/* The exception bitmap has #DB and #AC only (vmcs.c): XSA-156. */
	switch (INTR_INFO_VECTOR(info)) {
	case X86_EXC_DB:
		debugreg_debug_exception(v, info);
		return true;
	case X86_EXC_AC:
		vmx_reflect_exception(info);
		return true;
	default:
		return unexpected_exit(v, EXIT_REASON_EXCEPTION_NMI,
				       "exception not intercepted");
	}
}

static bool handle_external_interrupt(struct vcpu *v)
{
	/*
	 * Acknowledged on exit: do_irq() handles and EOIs it (timer, kick
	 * IPI); then back to the caller, which runs timers and looks again
	 * at what to run.
	 */
	do_irq(vmread(VM_EXIT_INTR_INFO) & 0xff);
	return false;
}

static bool handle_triple_fault(struct vcpu *v)
{
	vmcs_dump(v);
	domain_triple_fault(v, "triple fault");
	return false;
}

/* An INIT signal to this CPU (not the guest's: its INIT IPIs are the vLAPIC's). */
static bool handle_init(struct vcpu *v)
{
	pr_warn("CPU%u: INIT signal while d%uv%u ran; ignored, as Xen does\n",
		smp_processor_id(), v->domain->id, v->id);
	return true;
}

static bool handle_interrupt_window(struct vcpu *v)
{
	vmx_set_intr_window(false);
	return true;
}

/*
 * Hardware task switches exist only outside long mode. Xen emulates
 * them; keel does not, and says so (docs/vmexits.md). Its kernel's task
 * switch crashes the domain; one asked for at CPL>0 must not: an IRET
 * with EFLAGS.NT set, which any process can make, exits before the CPU
 * checks the back link. It gets #TS with that selector, the CPU's answer
 * for a null back link, and its kernel deals with the process.
 */
static bool handle_task_switch(struct vcpu *v)
{
	u16 selector = vmread(EXIT_QUALIFICATION) & 0xffff;
	char why[96];

	if (guest_cpl()) {
		vmx_inject_exception(X86_EXC_TS, true, selector & ~3u);
		return true;
	}
	snprintf(why, sizeof(why),
		 "task switch to TSS selector %#x (not emulated)", selector);
	domain_crash(v->domain, why);
	return false;
}

static bool handle_cpuid(struct vcpu *v)
{
	return !emulate_cpuid(v);
}

static bool handle_hlt(struct vcpu *v)
{
	vmx_skip_instruction();
	/* An AP halted with interrupts off waits for INIT/SIPI: down, as Xen's hvm_hlt. */
	if (v->id && !(vmread(GUEST_RFLAGS) & X86_EFLAGS_IF)) {
		vlapic_park_ap(v, "HLT with interrupts off");
		return false;
	}
	vcpu_block(v);
	return v->state == VCPU_RUNNABLE;
}

/* INVD and WBINVD: no device of a guest does DMA, so neither has work to do (Xen's answer without passthrough). */
static bool handle_wbinvd(struct vcpu *v)
{
	vmx_skip_instruction();
	return true;
}

/* Only when the CPU forces INVLPG exiting: drop that page of the vCPU's VPID. */
static bool handle_invlpg(struct vcpu *v)
{
	vmx_skip_instruction();
	vmx_flush_vpid(v);
	return true;
}

/* Only with RDTSC exiting, which keel does not set: the guest's own TSC. */
static bool handle_rdtsc(struct vcpu *v)
{
	u64 tsc = tsc_read(v);

	v->arch.regs.rax = (u32)tsc;
	v->arch.regs.rdx = tsc >> 32;
	vmx_skip_instruction();
	return true;
}

static bool handle_io(struct vcpu *v)
{
	return vmx_handle_io(v);
}

static bool handle_rdmsr(struct vcpu *v)
{
	return !emulate_rdmsr(v);
}

static bool handle_wrmsr(struct vcpu *v)
{
	return !emulate_wrmsr(v);
}

static bool handle_pause(struct vcpu *v)
{
	/* A spin-wait: let the vCPU it waits for run (vmcs.c). */
	vmx_skip_instruction();
	vcpu_yield(v, false);
	return false;
}

/*
 * MMIO a handler claims is emulated (mmio.c), a hardware domain's access
 * to a hole refused; otherwise the guest crashes, as on Xen without an
 * ioreq server.
 */
static bool handle_ept_violation(struct vcpu *v)
{
	u64 q = vmread(EXIT_QUALIFICATION);
	u64 gpa = vmread(GUEST_PHYSICAL_ADDRESS);
	const char *reason;
	char why[200];

	if (mmio_handle(v, gpa, q, &reason))
		return v->domain->state == DOMAIN_RUNNING;
	snprintf(why, sizeof(why),
		 "EPT violation: %s of guest-physical %#llx at rip %#llx (qualification %#llx): %s",
		 q & BIT(1) ? "write" : q & BIT(2) ? "instruction fetch" : "read",
		 (unsigned long long)gpa,
		 (unsigned long long)vmread(GUEST_RIP), (unsigned long long)q,
		 reason);
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

	skip_to(rip + vmread(VM_EXIT_INSTRUCTION_LEN), intr);
	if (v->domain->state != DOMAIN_RUNNING)
		return false;	/* its next RIP crashed it */
	/* Hypercalls are for the guest kernel only (SS.DPL, like Xen's HVM check). */
	if (guest_cpl()) {
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
	if (emulate_cr_access(v))
		return unexpected_exit(v, EXIT_REASON_CR_ACCESS,
				       "control register keel does not intercept");
	return true;
}

/* keel wrote an EPT entry the CPU rejects: its bug, not the guest's. */
static bool handle_ept_misconfig(struct vcpu *v)
{
	char why[128];

	snprintf(why, sizeof(why),
		 "EPT misconfiguration at guest-physical %#llx (a keel bug: an EPT entry the CPU rejects)",
		 (unsigned long long)vmread(GUEST_PHYSICAL_ADDRESS));
	vmcs_dump(v);
	domain_crash(v->domain, why);
	return false;
}

static bool handle_preemption_timer(struct vcpu *v)
{
	return false;		/* a timer of this CPU is due (vmx_run.c) */
}

/* Nested virtualisation is off: every VMX instruction is #UD, as Xen answers. */
#define VMX_INSN(reason, name) [reason] = { name, inject_ud }

static const struct exit_reason exit_reasons[EXIT_REASON_MAX + 1] = {
	[EXIT_REASON_EXCEPTION_NMI] = { "exception/NMI", handle_exception_nmi },
	[EXIT_REASON_EXTERNAL_INTERRUPT] = { "external interrupt", handle_external_interrupt },
	[EXIT_REASON_TRIPLE_FAULT] = { "triple fault", handle_triple_fault },
	[EXIT_REASON_INIT] = { "INIT", handle_init },
	[EXIT_REASON_SIPI] = { "SIPI", NULL },
	[EXIT_REASON_IO_SMI] = { "I/O SMI", NULL },
	[EXIT_REASON_OTHER_SMI] = { "other SMI", NULL },
	[EXIT_REASON_INTERRUPT_WINDOW] = { "interrupt window", handle_interrupt_window },
	[EXIT_REASON_NMI_WINDOW] = { "NMI window", NULL },
	[EXIT_REASON_TASK_SWITCH] = { "task switch", handle_task_switch },
	[EXIT_REASON_CPUID] = { "CPUID", handle_cpuid },
	[EXIT_REASON_GETSEC] = { "GETSEC", inject_ud },
	[EXIT_REASON_HLT] = { "HLT", handle_hlt },
	[EXIT_REASON_INVD] = { "INVD", handle_wbinvd },
	[EXIT_REASON_INVLPG] = { "INVLPG", handle_invlpg },
	[EXIT_REASON_RDPMC] = { "RDPMC", inject_gp },
	[EXIT_REASON_RDTSC] = { "RDTSC", handle_rdtsc },
	[EXIT_REASON_RSM] = { "RSM", NULL },
	[EXIT_REASON_VMCALL] = { "VMCALL", handle_hypercall },
	VMX_INSN(EXIT_REASON_VMCLEAR, "VMCLEAR"),
	VMX_INSN(EXIT_REASON_VMLAUNCH, "VMLAUNCH"),
	VMX_INSN(EXIT_REASON_VMPTRLD, "VMPTRLD"),
	VMX_INSN(EXIT_REASON_VMPTRST, "VMPTRST"),
	VMX_INSN(EXIT_REASON_VMREAD, "VMREAD"),
	VMX_INSN(EXIT_REASON_VMRESUME, "VMRESUME"),
	VMX_INSN(EXIT_REASON_VMWRITE, "VMWRITE"),
	VMX_INSN(EXIT_REASON_VMXOFF, "VMXOFF"),
	VMX_INSN(EXIT_REASON_VMXON, "VMXON"),
	[EXIT_REASON_CR_ACCESS] = { "CR access", handle_cr_access },
	[EXIT_REASON_DR_ACCESS] = { "MOV DR", vmx_handle_dr_access },
	[EXIT_REASON_IO_INSTRUCTION] = { "I/O", handle_io },
	[EXIT_REASON_MSR_READ] = { "RDMSR", handle_rdmsr },
	[EXIT_REASON_MSR_WRITE] = { "WRMSR", handle_wrmsr },
	/* VM-entry failures: vmx_handle_exit() answers them before the table. */
	[EXIT_REASON_INVALID_STATE] = { "invalid guest state", NULL },
	[EXIT_REASON_MSR_LOADING] = { "MSR loading", NULL },
	[EXIT_REASON_MWAIT] = { "MWAIT", inject_ud },
	[EXIT_REASON_MONITOR_TRAP_FLAG] = { "monitor trap flag", NULL },
	[EXIT_REASON_MONITOR] = { "MONITOR", inject_ud },
	[EXIT_REASON_PAUSE] = { "PAUSE", handle_pause },
	[EXIT_REASON_MACHINE_CHECK] = { "machine check in VM entry", NULL },
	[EXIT_REASON_TPR_BELOW_THRESHOLD] = { "TPR below threshold", NULL },
	[EXIT_REASON_APIC_ACCESS] = { "APIC access", NULL },
	[EXIT_REASON_VIRTUALIZED_EOI] = { "virtualized EOI", NULL },
	[EXIT_REASON_GDTR_IDTR] = { "GDTR/IDTR access", NULL },
	[EXIT_REASON_LDTR_TR] = { "LDTR/TR access", NULL },
	[EXIT_REASON_EPT_VIOLATION] = { "EPT violation", handle_ept_violation },
	[EXIT_REASON_EPT_MISCONFIG] = { "EPT misconfiguration", handle_ept_misconfig },
	VMX_INSN(EXIT_REASON_INVEPT, "INVEPT"),
	[EXIT_REASON_RDTSCP] = { "RDTSCP", inject_ud },
	[EXIT_REASON_PREEMPTION_TIMER] = { "preemption timer", handle_preemption_timer },
	VMX_INSN(EXIT_REASON_INVVPID, "INVVPID"),
	[EXIT_REASON_WBINVD] = { "WBINVD", handle_wbinvd },
	[EXIT_REASON_XSETBV] = { "XSETBV", inject_ud },
	[EXIT_REASON_APIC_WRITE] = { "APIC write", NULL },
	[EXIT_REASON_RDRAND] = { "RDRAND", NULL },
	[EXIT_REASON_INVPCID] = { "INVPCID", inject_ud },
	VMX_INSN(EXIT_REASON_VMFUNC, "VMFUNC"),
	[EXIT_REASON_ENCLS] = { "ENCLS", inject_ud },
	[EXIT_REASON_RDSEED] = { "RDSEED", NULL },
	[EXIT_REASON_PML_FULL] = { "page-modification log full", NULL },
	[EXIT_REASON_XSAVES] = { "XSAVES", inject_ud },
	[EXIT_REASON_XRSTORS] = { "XRSTORS", inject_ud },
	[EXIT_REASON_PCONFIG] = { "PCONFIG", inject_ud },
	[EXIT_REASON_SPP] = { "SPP event", NULL },
	[EXIT_REASON_UMWAIT] = { "UMWAIT", inject_ud },
	[EXIT_REASON_TPAUSE] = { "TPAUSE", inject_ud },
	[EXIT_REASON_LOADIWKEY] = { "LOADIWKEY", inject_ud },
	[EXIT_REASON_ENCLV] = { "ENCLV", inject_ud },
	[EXIT_REASON_ENQCMD_PASID] = { "ENQCMD PASID translation", NULL },
	[EXIT_REASON_ENQCMDS_PASID] = { "ENQCMDS PASID translation", NULL },
	[EXIT_REASON_BUS_LOCK] = { "bus lock", NULL },
	[EXIT_REASON_NOTIFY] = { "notify", NULL },
	[EXIT_REASON_SEAMCALL] = { "SEAMCALL", inject_ud },
	[EXIT_REASON_TDCALL] = { "TDCALL", inject_ud },
};

const char *vmx_exit_name(unsigned int basic)
{
	if (basic > EXIT_REASON_MAX || !exit_reasons[basic].name)
		return "reserved";
	return exit_reasons[basic].name;
}

static bool entry_failed(struct vcpu *v, u32 reason)
{
	pr_err("vmx: VM entry of d%uv%u failed, exit reason %#x (%s)\n",
	       v->domain->id, v->id, reason, vmx_exit_name(reason & 0xffff));
	vmcs_explain_failure();
	vmcs_dump(v);
	domain_crash(v->domain, "VM entry failed");
	return false;
}

bool vmx_handle_exit(struct vcpu *v)
{
	u32 reason = vmread(VM_EXIT_REASON);
	u32 basic = reason & 0xffff;

	if (basic <= EXIT_REASON_MAX)
		v->arch.exit_count[basic]++;
	if (reason & EXIT_REASON_ENTRY_FAILED)
		return entry_failed(v, reason);
	/* A task switch's own event is not delivered again (Xen's rule too). */
	if (basic != EXIT_REASON_TASK_SWITCH)
		vmx_requeue_vectoring_event();
	if (basic > EXIT_REASON_MAX || !exit_reasons[basic].handle)
		return unexpected_exit(v, basic, vmx_exit_name(basic));
	return exit_reasons[basic].handle(v);
}
