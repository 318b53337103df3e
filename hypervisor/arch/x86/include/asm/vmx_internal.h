/* Declarations shared inside arch/x86 (VT-x, descriptor tables, console); not for generic code. */
#ifndef ASM_VMX_INTERNAL_H
#define ASM_VMX_INTERNAL_H

#include <keel/types.h>

struct domain;
struct vcpu;
struct domain;
struct guest_regs;

/* VT-x on a CPU other than the boot CPU: the boot CPU's features, then VMXON. */
int vmx_cpu_init(void);

/*
 * vmx_entry.S: enter @regs' vCPU (the VMCS loaded here) until an exit
 * vmx_exit() does not answer VMX_RUN_ENTER; returns that answer, or
 * VMX_RUN_FAILED (asm/vmx_run.h).
 */
int vmx_enter(struct guest_regs *regs, int launched);
void vmx_exit_entry(void);
int vmx_exit(void);

int vmcs_init(struct vcpu *v, u32 entry, u32 start_info);
void vmcs_free(struct vcpu *v);
/* @v (its VMCS loaded here) as INIT then SIPI leave an AP: real mode at sipi_vector << 12. */
void vmcs_restart_ap(struct vcpu *v);
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
/*
 * Inject a hardware exception at the next VM entry, combined with one the
 * exit interrupted as the CPU combines them (#DF); reflect one that exited.
 */
void vmx_inject_exception(unsigned int vector, bool has_error, u32 error);
void vmx_reflect_exception(u32 intr_info);
void vmx_skip_instruction(void);
void vmx_skip_bytes(u64 len);
/* The SDM's name of basic exit reason @basic, for reports. */
const char *vmx_exit_name(unsigned int basic);
/* INVVPID of @v's VPID on this CPU. */
void vmx_flush_vpid(struct vcpu *v);
void vmx_set_intr_window(bool on);
void vmx_requeue_vectoring_event(void);
void vmx_deliver_interrupts(struct vcpu *v);

int emulate_cpuid(struct vcpu *v);
/* CPUID leaf @leaf/@sub as @v sees it; the CR4 bits its features allow. */
struct cpuid_regs vcpu_cpuid(const struct vcpu *v, u32 leaf, u32 sub);
u64 guest_cr4_valid(const struct vcpu *v);
bool vmx_handle_io(struct vcpu *v);
/* One IN (the value read) or OUT of @size bytes at @port (io_emul.c). */
u32 emulate_port_io(struct vcpu *v, u16 port, unsigned int size, bool in, u32 val);
int emulate_cr_access(struct vcpu *v);
void vmx_update_long_mode(void);
int emulate_rdmsr(struct vcpu *v);
int emulate_wrmsr(struct vcpu *v);

/* Debug registers, switched lazily (debugreg.c). */
void debugreg_init(struct vcpu *v);
void debugreg_switch_in(struct vcpu *v);
void debugreg_switch_out(struct vcpu *v);
bool vmx_handle_dr_access(struct vcpu *v);
void debugreg_debug_exception(struct vcpu *v, u32 intr_info);

/* The guest's MTRRs (mtrr.c): 0, -ENOENT (not an MTRR) or -EINVAL (#GP). */
void mtrr_init(struct vcpu *v);
int mtrr_read(struct vcpu *v, u32 msr, u64 *val);
int mtrr_write(struct vcpu *v, u32 msr, u64 val);

/* Guest TSCs (tsc.c): set up before the VMCS; reads and writes of the MSRs. */
void tsc_vcpu_init(struct vcpu *v);
u64 tsc_offset(const struct vcpu *v);
u64 tsc_read(const struct vcpu *v);
void tsc_write(struct vcpu *v, u64 val);
void tsc_adjust_write(struct vcpu *v, u64 val);

u64 x86_tss_base(void);
void x86_console_flush(void);
void do_irq(unsigned int vector);

#endif
