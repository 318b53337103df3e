/* Speculative-execution mitigations between domains and on VM entry: what keel applies, and why. */
#ifndef ASM_SPEC_CTRL_H
#define ASM_SPEC_CTRL_H

#include <keel/types.h>

/* CPUID.(EAX=7,ECX=0):EDX bits and IA32_ARCH_CAPABILITIES bits the choice reads. */
#define CPUID7_EDX_MD_CLEAR BIT(10)
#define CPUID7_EDX_IBRS_IBPB BIT(26)
#define CPUID7_EDX_L1D_FLUSH BIT(28)
#define CPUID7_EDX_ARCH_CAPS BIT(29)
/* CPUID.0x80000008:EBX: AMD's own IBPB enumeration (leaf 7's EDX[26] is Intel's). */
#define CPUIDX8_EBX_IBPB BIT(12)
#define ARCH_CAPS_RDCL_NO BIT(0)
#define ARCH_CAPS_SKIP_L1DFL BIT(3)
#define ARCH_CAPS_MDS_NO BIT(5)

struct spec_ctrl_policy {
	bool ibpb;		/* IBPB when a CPU changes domain */
	bool l1d_flush;		/* MSR_FLUSH_CMD before VM entry (L1TF) */
	bool verw;		/* VERW right before VM entry (MDS) */
};

/*
 * Xen's choice for a CPU that enumerates @cpuid7_edx, @ext8_ebx (CPUID
 * 0x80000008 EBX, where AMD says IBPB) and, if it has the MSR, @arch_caps
 * (0 without): a part without RDCL_NO is taken to be
 * L1TF-prone, one without MDS_NO to leak through its buffers. The L1D flush
 * also clears the buffers on MD_CLEAR parts, so VERW is left out then.
 */
struct spec_ctrl_policy spec_ctrl_decide(u32 cpuid7_edx, u32 ext8_ebx, u64 arch_caps);

struct domain;
/* spec_ctrl.c: decide on the boot CPU (and say so); IBPB at a switch to @d; before VM entry. */
void spec_ctrl_init(void);
void spec_ctrl_switch_to(const struct domain *d);
void spec_ctrl_enter_guest(void);

#endif
