/* The x86 (VT-x) part of a vCPU: its VMCS, the registers VMX does not keep, and exit counts. */
#ifndef ASM_VCPU_H
#define ASM_VCPU_H

#include <keel/types.h>
#include <asm/vlapic.h>
#include <asm/vmcs.h>

/* Guest registers saved by vmx_enter() on every exit (order fixed by vmx_entry.S). */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

#define VCPU_CONTEXT_MSRS 5
#define VMTRR_VAR_RANGES 8

/* The MTRRs a vCPU reads back (mtrr.c); EPT's memory types ignore them. */
struct vmtrr {
	u64 def_type;
	u64 var[2 * VMTRR_VAR_RANGES];	/* PHYSBASE0, PHYSMASK0, ... */
};

struct arch_vcpu {
	/* State VMX does not switch, kept while another vCPU runs (vcpu_context.c). */
	u8 fpu[512] __aligned(16);	/* FXSAVE image */
	u64 cr2;
	u64 context_msr[VCPU_CONTEXT_MSRS];
	struct guest_regs regs;
	void *vmcs;		/* VT-x's VMCS, or SVM's VMCB (struct vmcb) */
	void *msr_bitmap;
	bool launched;
	/*
	 * The CPU whose host state (per-CPU pointer, TSS, stack guard) the
	 * VMCS holds: the one that built it, then the one it last ran on.
	 */
	unsigned int host_cpu;
	u8 sipi_vector;		/* an AP started by SIPI: its real-mode page; 0 = BSP */
	bool wait_sipi;		/* parked by INIT (or HLT, IF=0) after it ran: a SIPI starts it */
	bool restart;		/* started again by SIPI: SIPI state at its next run */
	u8 ap_lines;		/* its down/SIPI lines printed so far (vlapic.c) */
	u16 vpid;		/* from vpid.c; 0 until the VMCS is made */
	u32 asid, asid_gen;	/* SVM: its ASID on host_cpu, of that CPU's generation */
	bool flush_asid;	/* SVM: flush that ASID's TLB at the next VMRUN */
	/*
	 * Debug registers (debugreg.c): DR0-3 and DR6 are in the CPU only
	 * while dr_loaded; else here, and MOV DR exits. DR7 is in the VMCS;
	 * dr7 is its copy from the last switch-out.
	 */
	u64 dr[4], dr6, dr7;
	bool dr_loaded;
	u64 rip, rflags;	/* the guest's, at its last switch-out (vcpu_dump()) */
	u64 tsc_adjust;		/* IA32_TSC_ADJUST: on top of its domain's TSC (tsc.c) */
	u64 timer_deadline, timer_tsc;	/* the preemption timer's, in ns and TSC (vmx_run.c) */
	struct vmtrr mtrr;
	u64 exit_count[EXIT_REASON_MAX + 1];
	struct vlapic vlapic;
};

#endif
