/* AMD SVM: the VMCB layout (APM Vol. 2, Appendix B), intercept and exit codes keel uses. */
#ifndef ASM_SVM_H
#define ASM_SVM_H

#include <keel/types.h>

#define MSR_VM_CR 0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define VM_CR_SVMDIS BIT(4)
#define EFER_SVME BIT(12)
#define CPUID_EXT1_ECX_SVM BIT(2)
#define CPUID_SVM_NPT BIT(0)		/* 0x8000000A EDX */
#define CPUID_SVM_NRIPS BIT(3)
#define CPUID_SVM_FLUSH_BY_ASID BIT(6)

/* intercepts[0]: CR reads 0-15, writes 16-31; [1]: DRs; [2]: exceptions. */
#define ICPT_CR_WRITE(n) BIT(16 + (n))
/* intercepts[3] */
#define ICPT_INTR BIT(0)
#define ICPT_NMI BIT(1)
#define ICPT_INIT BIT(3)
#define ICPT_VINTR BIT(4)
#define ICPT_RDPMC BIT(15)
#define ICPT_CPUID BIT(18)
#define ICPT_INVD BIT(22)
#define ICPT_PAUSE BIT(23)
#define ICPT_HLT BIT(24)
#define ICPT_INVLPGA BIT(26)
#define ICPT_IOIO BIT(27)
#define ICPT_MSR BIT(28)
#define ICPT_TASK_SWITCH BIT(29)
#define ICPT_SHUTDOWN BIT(31)
/* intercepts[4] */
#define ICPT_VMRUN BIT(0)
#define ICPT_VMMCALL BIT(1)
#define ICPT_VMLOAD BIT(2)
#define ICPT_VMSAVE BIT(3)
#define ICPT_STGI BIT(4)
#define ICPT_CLGI BIT(5)
#define ICPT_SKINIT BIT(6)
#define ICPT_RDTSCP BIT(7)
#define ICPT_WBINVD BIT(9)
#define ICPT_MONITOR BIT(10)
#define ICPT_MWAIT BIT(11)
#define ICPT_XSETBV BIT(13)

#define V_TPR_MASK 0xfULL
#define V_IRQ BIT(8)
#define V_IGN_TPR BIT(20)
#define V_INTR_MASKING BIT(24)

#define TLB_CONTROL_FLUSH_ALL 1
#define TLB_CONTROL_FLUSH_ASID 3

/* EVENTINJ and EXITINTINFO */
#define EVENT_VALID BIT(31)
#define EVENT_HAS_ERROR BIT(11)
#define EVENT_TYPE_INTR (0u << 8)
#define EVENT_TYPE_NMI (2u << 8)
#define EVENT_TYPE_EXCEPTION (3u << 8)
#define EVENT_TYPE_SOFT (4u << 8)
#define EVENT_TYPE_MASK (7u << 8)

/* Exit codes (APM Vol. 2, Appendix C). */
#define SVM_EXIT_CR0_WRITE 0x10
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_INIT 0x63
#define SVM_EXIT_VINTR 0x64
#define SVM_EXIT_RDPMC 0x6f
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_INVD 0x76
#define SVM_EXIT_PAUSE 0x77
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_INVLPGA 0x7a
#define SVM_EXIT_IOIO 0x7b
#define SVM_EXIT_MSR 0x7c
#define SVM_EXIT_TASK_SWITCH 0x7d
#define SVM_EXIT_SHUTDOWN 0x7f
#define SVM_EXIT_VMRUN 0x80
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_VMLOAD 0x82
#define SVM_EXIT_VMSAVE 0x83
#define SVM_EXIT_STGI 0x84
#define SVM_EXIT_CLGI 0x85
#define SVM_EXIT_SKINIT 0x86
#define SVM_EXIT_RDTSCP 0x87
#define SVM_EXIT_WBINVD 0x89
#define SVM_EXIT_MONITOR 0x8a
#define SVM_EXIT_MWAIT 0x8b
#define SVM_EXIT_XSETBV 0x8d
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID (~0ULL)

struct vmcb_seg {
	u16 sel;
	u16 attrib;	/* type S DPL P in 7:0, AVL L DB G in 11:8 */
	u32 limit;
	u64 base;
} __packed;

struct vmcb {
	/* control area, 0x000 */
	u32 intercepts[5];
	u8 res0[0x3c - 0x14];
	u16 pause_filter_thresh, pause_filter_count;
	u64 iopm_base_pa, msrpm_base_pa, tsc_offset;
	u32 asid;
	u8 tlb_control, res1[3];
	u64 vintr;		/* 0x60: V_TPR, V_IRQ, ..., V_INTR_VECTOR 39:32 */
	u64 int_state;		/* bit 0: interrupt shadow */
	u64 exitcode, exitinfo1, exitinfo2, exitintinfo;
	u64 np_enable;		/* 0x90 */
	u64 res2[2];
	u64 eventinj;		/* 0xa8 */
	u64 n_cr3;
	u64 lbr_virt;
	u32 clean, res3;
	u64 nrip;		/* 0xc8 */
	u8 res4[0x400 - 0xd0];
	/* state save area, 0x400 */
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	u8 res5[0x4cb - 0x4a0];
	u8 cpl;
	u32 res6;
	u64 efer;		/* 0x4d0 */
	u8 res7[0x548 - 0x4d8];
	u64 cr4, cr3, cr0, dr7, dr6, rflags, rip;	/* 0x548 */
	u8 res8[0x5d8 - 0x580];
	u64 rsp;		/* 0x5d8 */
	u8 res9[0x5f8 - 0x5e0];
	u64 rax;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 cr2;		/* 0x640 */
	u8 res10[0x668 - 0x648];
	u64 g_pat, dbgctl;
	u8 res11[0x1000 - 0x678];
} __packed;

BUILD_BUG_ON(offsetof(struct vmcb, pause_filter_count) != 0x3e);
BUILD_BUG_ON(offsetof(struct vmcb, vintr) != 0x60);
BUILD_BUG_ON(offsetof(struct vmcb, eventinj) != 0xa8);
BUILD_BUG_ON(offsetof(struct vmcb, nrip) != 0xc8);
BUILD_BUG_ON(offsetof(struct vmcb, cpl) != 0x4cb);
BUILD_BUG_ON(offsetof(struct vmcb, efer) != 0x4d0);
BUILD_BUG_ON(offsetof(struct vmcb, rip) != 0x578);
BUILD_BUG_ON(offsetof(struct vmcb, rsp) != 0x5d8);
BUILD_BUG_ON(offsetof(struct vmcb, rax) != 0x5f8);
BUILD_BUG_ON(offsetof(struct vmcb, cr2) != 0x640);
BUILD_BUG_ON(offsetof(struct vmcb, g_pat) != 0x668);
BUILD_BUG_ON(sizeof(struct vmcb) != 0x1000);

#endif
