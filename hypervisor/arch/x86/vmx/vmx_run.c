/* Running a vCPU on VT-x: VMCS lifetime, the enter/exit loop and the exit-count report. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/vlapic.h>
#include <asm/vmcs.h>
#include <asm/vmx.h>
#include <asm/processor.h>
#include <asm/spec_ctrl.h>
#include <asm/vmx_internal.h>
#include <asm/vmx_run.h>
#include <asm/vpid.h>

/* A vCPU not yet run anywhere: its first switch-in flushes its VPID and EPT there. */
#define NO_CPU (~0u)

int vmx_vcpu_init(struct vcpu *v, u32 entry, u32 start_info)
{
	int rc;

	if (!v->arch.vpid && vpid_alloc(&v->arch.vpid)) {
		pr_err("vmx: no VPID left for d%uv%u\n", v->domain->id, v->id);
		return -ENOSPC;
	}
	vlapic_reset(v);
	vcpu_context_init(v);
	debugreg_init(v);
	mtrr_init(v);
	tsc_vcpu_init(v);
	rc = vmcs_init(v, entry, start_info);
	/*
	 * Another vCPU may have held this VPID on any CPU, and a freed
	 * domain's EPT root may be this one's: every CPU flushes both before
	 * it first runs @v (switch-in, and ept_stale).
	 */
	v->arch.host_cpu = NO_CPU;
	return rc;
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	vmcs_free(v);
	vpid_free(v->arch.vpid);
	v->arch.vpid = 0;
}

/* Drop the guest translations @v's VPID tags on this CPU. */
void vmx_flush_vpid(struct vcpu *v)
{
	struct { u64 vpid, addr; } vd = { v->arch.vpid, 0 };

	asm volatile("invvpid %0, %1" : : "m"(vd), "r"(1ULL) : "cc", "memory");
}

void vmx_vcpu_switch_in(struct vcpu *v)
{
	/* An AP's VMCS is made when it first runs, after its startup IPI. */
	if (!v->arch.vmcs && vmx_vcpu_init(v, 0, 0)) {
		domain_crash(v->domain, "cannot set up a started vCPU");
		return;
	}
	spec_ctrl_switch_to(v->domain);
	vmcs_load(v);
	vcpu_context_restore(v);
	debugreg_switch_in(v);
	/*
	 * Built on another CPU (a domain-control hypercall), or last run on
	 * one, or never run: a VM exit here must land on this CPU's per-CPU
	 * data, TSS and stack guard, and translations cached here may be
	 * stale.
	 */
	if (v->arch.host_cpu != smp_processor_id()) {
		vmcs_set_host_state(v);
		vmx_flush_vpid(v);
		ept_flush_local(v->domain);
	}
}

void vmx_vcpu_switch_out(struct vcpu *v)
{
	if (!v->arch.vmcs)
		return;
	debugreg_switch_out(v);
	vcpu_context_save(v);
	v->arch.rip = vmread(GUEST_RIP);
	v->arch.rflags = vmread(GUEST_RFLAGS);
	vmcs_clear(v);
}

/*
 * End the guest's run at this CPU's next timer deadline (a time slice, or a
 * timer of another vCPU) with the VMX-preemption timer as well as the host
 * APIC timer. Hardware exits on the APIC timer's interrupt whatever the
 * guest does, but Bochs 2.7 does not while a guest it entered with
 * RFLAGS.IF clear keeps it clear: a vCPU spinning with interrupts off on
 * work of another vCPU (Linux's AP calibrating its delay loop against the
 * jiffies its BSP keeps) would never give the CPU back. A deadline is
 * converted to its TSC value once and kept for the entries after; one
 * more than a second ahead is cut to a second and converted again at
 * each entry (TIMER_NONE is never kept), so nothing overflows.
 */
static void arm_preemption_timer(struct vcpu *v)
{
	u64 deadline = timers_next_deadline(), tsc = arch_read_tsc(), ticks;

	if (!(vmread(PIN_BASED_VM_EXEC_CONTROL) & PIN_PREEMPTION_TIMER))
		return;
	if (deadline == TIMER_NONE) {
		vmwrite(VMX_PREEMPTION_TIMER_VALUE, 0xffffffff);
		return;
	}
	if (deadline != v->arch.timer_deadline) {
		u64 now = scale_delta(tsc - boot_tsc, &tsc_scale);
		u64 ahead = deadline > now ? deadline - now : 0;

		v->arch.timer_deadline = ahead <= NSEC_PER_SEC ? deadline : TIMER_NONE;
		v->arch.timer_tsc = tsc + MIN(ahead, NSEC_PER_SEC) * (tsc_hz / 1000) / 1000000;
	}
	ticks = v->arch.timer_tsc > tsc ? v->arch.timer_tsc - tsc : 0;
	vmwrite(VMX_PREEMPTION_TIMER_VALUE,
		MIN(ticks >> VMX_MISC_PREEMPT_RATE(vmx_caps.misc), 0xffffffffULL));
}

/* What every VM entry does last: interrupts, the preemption timer, EPT flushes, the L1D flag. */
static void prepare_entry(struct pcpu *c, struct vcpu *v)
{
	vmx_deliver_interrupts(v);
	arm_preemption_timer(v);
	ept_enter_guest(c, v->domain);
	spec_ctrl_enter_guest();
}

/*
 * Called by vmx_entry.S after each VM exit, the guest's registers saved and
 * the return stack buffer overwritten: handle the exit and, when the vCPU
 * goes on and no reschedule or restart is asked for, prepare the next entry
 * here and answer VMX_RUN_ENTER: the guest is entered again without leaving
 * vmx_enter(). Interrupts stay off throughout: one that comes meanwhile
 * exits the guest at once.
 */
int vmx_exit(void)
{
	struct pcpu *c = this_cpu();
	struct vcpu *v = c->curr;

	WRITE_ONCE(c->in_guest, false);
	v->arch.launched = true;
	if (!vmx_handle_exit(v))
		return VMX_RUN_STOP;
	if (!vcpu_runnable(v) || READ_ONCE(c->need_resched) ||
	    READ_ONCE(v->arch.restart))
		return VMX_RUN_AGAIN;
	prepare_entry(c, v);
	return VMX_RUN_ENTER;
}

void vmx_vcpu_run(struct vcpu *v)
{
	struct pcpu *c = this_cpu();

	if (!v->arch.vmcs)
		return;		/* its setup failed: the domain has crashed */
	vcpu_update_time(v);
	vcpu_set_runstate(v, RUNSTATE_running);
	while (vcpu_runnable(v) && !READ_ONCE(c->need_resched)) {
		int rc;

		/* Started again after INIT (vlapic.c), perhaps while still here. */
		if (READ_ONCE(v->arch.restart)) {
			WRITE_ONCE(v->arch.restart, false);
			vmcs_restart_ap(v);
			vlapic_reset(v);
			vmx_flush_vpid(v);	/* INIT flushes the TLB */
		}
		prepare_entry(c, v);
		rc = vmx_enter(&v->arch.regs, v->arch.launched);
		if (rc == VMX_RUN_FAILED) {
			WRITE_ONCE(c->in_guest, false);
			pr_err("vmx: VM%s of d%uv%u failed, instruction error %llu\n",
			       v->arch.launched ? "RESUME" : "LAUNCH",
			       v->domain->id, v->id,
			       (unsigned long long)vmread(VM_INSTRUCTION_ERROR));
			vmcs_explain_failure();
			vmcs_dump(v);
			domain_crash(v->domain, "VM entry failed");
			return;
		}
		ASSERT(rc == VMX_RUN_AGAIN || rc == VMX_RUN_STOP);
		if (rc == VMX_RUN_STOP)
			break;
	}
	if (v->runstate.state == RUNSTATE_running)
		vcpu_set_runstate(v, vcpu_runnable(v) ? RUNSTATE_runnable :
				  RUNSTATE_blocked);
}

void arch_vcpu_report(struct vcpu *v)
{
	u64 total = 0;

	for (unsigned int i = 0; i <= EXIT_REASON_MAX; i++)
		total += v->arch.exit_count[i];
	pr_info("d%uv%u: %llu VM exits\n", v->domain->id, v->id,
		(unsigned long long)total);
	for (unsigned int i = 0; i <= EXIT_REASON_MAX; i++)
		if (v->arch.exit_count[i])
			pr_info("d%uv%u:   %-20s %llu\n", v->domain->id, v->id,
				vmx_exit_name(i),
				(unsigned long long)v->arch.exit_count[i]);
}
