/* VT-x capability MSRs, control bits and VMX instructions. */
#ifndef ASM_VMX_H
#define ASM_VMX_H

#include <keel/types.h>

#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490

#define VMX_BASIC_REVISION(b) ((u32)(b) & 0x7fffffff)
#define VMX_BASIC_VMCS_SIZE(b) (((b) >> 32) & 0x1fff)
#define VMX_BASIC_MEMTYPE(b) (((b) >> 50) & 0xf)
#define VMX_BASIC_TRUE_CTLS BIT(55)
#define VMX_MEMTYPE_WB 6

/* Pin-based controls */
#define PIN_EXT_INTR_EXITING BIT(0)
#define PIN_NMI_EXITING BIT(3)
#define PIN_VIRTUAL_NMIS BIT(5)
#define PIN_PREEMPTION_TIMER BIT(6)
#define PIN_POSTED_INTERRUPTS BIT(7)

/* Primary processor-based controls */
#define CPU_INTR_WINDOW_EXITING BIT(2)
#define CPU_USE_TSC_OFFSETTING BIT(3)
#define CPU_HLT_EXITING BIT(7)
#define CPU_INVLPG_EXITING BIT(9)
#define CPU_MWAIT_EXITING BIT(10)
#define CPU_RDPMC_EXITING BIT(11)
#define CPU_RDTSC_EXITING BIT(12)
#define CPU_CR3_LOAD_EXITING BIT(15)
#define CPU_CR3_STORE_EXITING BIT(16)
#define CPU_CR8_LOAD_EXITING BIT(19)
#define CPU_CR8_STORE_EXITING BIT(20)
#define CPU_TPR_SHADOW BIT(21)
#define CPU_MOV_DR_EXITING BIT(23)
#define CPU_UNCOND_IO_EXITING BIT(24)
#define CPU_IO_BITMAPS BIT(25)
#define CPU_IO_BITMAPS BIT(25)
#define CPU_MSR_BITMAPS BIT(28)
#define CPU_MONITOR_EXITING BIT(29)
#define CPU_PAUSE_EXITING BIT(30)
#define CPU_SECONDARY_CONTROLS BIT(31)

/* Secondary processor-based controls */
#define CPU2_VIRT_APIC_ACCESSES BIT(0)
#define CPU2_EPT BIT(1)
#define CPU2_RDTSCP BIT(3)
#define CPU2_VIRT_X2APIC BIT(4)
#define CPU2_VPID BIT(5)
#define CPU2_WBINVD_EXITING BIT(6)
#define CPU2_UNRESTRICTED_GUEST BIT(7)
#define CPU2_APIC_REGISTER_VIRT BIT(8)
#define CPU2_VIRT_INTR_DELIVERY BIT(9)
#define CPU2_PAUSE_LOOP_EXITING BIT(10)
#define CPU2_INVPCID BIT(12)
#define CPU2_XSAVES BIT(20)

/* IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_EXEC_ONLY BIT(0)
#define EPT_CAP_WALK_4 BIT(6)
#define EPT_CAP_UC BIT(8)
#define EPT_CAP_WB BIT(14)
#define EPT_CAP_2M BIT(16)
#define EPT_CAP_1G BIT(17)
#define EPT_CAP_INVEPT BIT(20)
#define EPT_CAP_AD BIT(21)
#define EPT_CAP_INVEPT_SINGLE BIT(25)
#define EPT_CAP_INVEPT_ALL BIT(26)
#define VPID_CAP_INVVPID BIT(32)
#define VPID_CAP_INVVPID_ADDR BIT(40)
#define VPID_CAP_INVVPID_SINGLE BIT(41)
#define VPID_CAP_INVVPID_ALL BIT(42)

#define VMX_MISC_PREEMPT_RATE(m) ((m) & 0x1f)

/* What this CPU's VT-x offers, read once from the capability MSRs. */
struct vmx_caps {
	u64 basic;
	u32 pin_allowed1, cpu_allowed1, cpu2_allowed1;
	u32 exit_allowed1, entry_allowed1;
	u64 ept_vpid;
	u64 misc;
};

extern struct vmx_caps vmx_caps;

#endif
