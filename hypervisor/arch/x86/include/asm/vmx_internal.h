/* Declarations shared inside arch/x86 (VT-x, descriptor tables, console); not for generic code. */
#ifndef ASM_VMX_INTERNAL_H
#define ASM_VMX_INTERNAL_H

#include <keel/types.h>

struct domain;
struct vcpu;
struct guest_regs;

/* VT-x on a CPU other than the boot CPU: the boot CPU's features, then VMXON. */
int vmx_cpu_init(void);

int vmx_enter(struct guest_regs *regs, int launched);
void vmx_exit_entry(void);

int vmcs_init(struct vcpu *v, u32 entry, u32 start_info);
void vmcs_free(struct vcpu *v);
/* Make @v's VMCS current on this CPU / write it back to memory (not launched). */
void vmcs_load(struct vcpu *v);
void vmcs_clear(struct vcpu *v);
/* Rewrite the loaded VMCS (@v's) host state for this CPU. */
void vmcs_set_host_state(struct vcpu *v);
struct pcpu;
/* INVEPT @d's translations on this CPU; the check before entering @d's vCPUs. */
void ept_flush_local(struct domain *d);
void ept_enter_guest(struct pcpu *c, struct domain *d);
void vmcs_dump(struct vcpu *v);
void vmcs_explain_failure(void);

/*
 * The FPU/SSE registers, CR2 and syscall MSRs VMX leaves in the CPU:
 * vcpu_context_init() sets @v's reset values, _restore() puts them in the
 * CPU when @v is switched in, _save() takes them back at switch-out.
 */
void vcpu_context_init(struct vcpu *v);
void vcpu_context_save(struct vcpu *v);
void vcpu_context_restore(struct vcpu *v);

/*
 * Handle the VM exit just taken by @v; false to return to the scheduler
 * (@v blocked, yields the CPU, or its domain stopped).
 */
bool vmx_handle_exit(struct vcpu *v);
void vmx_inject_exception(unsigned int vector, bool has_error, u32 error);
void vmx_skip_instruction(void);
void vmx_set_intr_window(bool on);
void vmx_requeue_vectoring_event(void);
void vmx_deliver_interrupts(struct vcpu *v);

int emulate_cpuid(struct vcpu *v);
bool vmx_handle_io(struct vcpu *v);
int emulate_cr_access(struct vcpu *v);
void vmx_update_long_mode(void);
int emulate_rdmsr(struct vcpu *v);
int emulate_wrmsr(struct vcpu *v);

u64 x86_tss_base(void);
void x86_console_flush(void);
void do_irq(unsigned int vector);

#endif
