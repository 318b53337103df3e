/* Declarations shared inside arch/x86/svm; not for generic code. */
#ifndef ASM_SVM_INTERNAL_H
#define ASM_SVM_INTERNAL_H

#include <keel/cpumask.h>
#include <keel/types.h>

struct vcpu;
struct vmcb;
struct guest_regs;

extern u32 svm_max_asid;
extern bool svm_nrips;
extern bool svm_flush_by_asid;	/* TLB_CONTROL_FLUSH_ASID works (CPUID 0x8000000A EDX[6]) */
/* An I/O permission map (12 KiB) on which every port exits. */
extern u8 *svm_iopm_all;
extern cpumask_t npt_flush_all_pending;

void svm_enter(struct guest_regs *regs, u64 vmcb_pa, u64 host_pa);
int svm_vmcb_init(struct vcpu *v, u32 entry, u32 start_info);
void svm_vmcb_free(struct vcpu *v);
/* @v as INIT then SIPI leave an AP: real mode at sipi_vector << 12. */
void svm_restart_ap(struct vcpu *v);
/* MOV to CR@cr's length and source register @reg in @insn, or 0 (svm_exit.c). */
unsigned int svm_decode_mov_to_cr(const u8 *insn, unsigned int avail, bool is64,
				  unsigned int *cr, unsigned int *reg);
/* Handle @v's #VMEXIT; false to return to the scheduler. */
bool svm_handle_exit(struct vcpu *v, struct vmcb *vmcb);

#endif
