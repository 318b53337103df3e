/* RDMSR/WRMSR of the MSRs that exit: the ones Xen answers are emulated, the rest get #GP. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/processor.h>
#include <asm/vlapic.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

#define MSR_IA32_TSC 0x10
#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_TSC_ADJUST 0x3b
#define MSR_IA32_UCODE_WRITE 0x79
#define MSR_IA32_UCODE_REV 0x8b
#define MSR_IA32_MCG_CAP 0x179
#define MSR_IA32_MCG_STATUS 0x17a
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_DEBUGCTL 0x1d9
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_XEN_HYPERCALL_PAGE 0x40000000
#define MSR_K8_INT_PENDING_MSG 0xc0010055

#define APIC_BASE_DEFAULT 0xfee00000ULL
#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_EXTD BIT(10)
#define APIC_BASE_ENABLE BIT(11)
#define X2APIC_MSR_FIRST 0x800
#define X2APIC_MSR_LAST 0x8ff
#define PLATFORM_ID_MASK (7ULL << 50)
#define MISC_ENABLE_FAST_STRING BIT(0)
#define MISC_ENABLE_BTS_UNAVAIL BIT(11)
#define MISC_ENABLE_PEBS_UNAVAIL BIT(12)
#define DEBUGCTL_LBR BIT(0)
#define DEBUGCTL_BTF BIT(1)
#define EFER_SCE BIT(0)
#define EFER_LMA BIT(10)

/* Keep EFER.LMA and the IA-32e entry control consistent with LME and CR0.PG. */
void vmx_update_long_mode(void)
{
	u64 efer = vmread(GUEST_IA32_EFER);
	u64 entry = vmread(VM_ENTRY_CONTROLS);

	if ((efer & EFER_LME) && (vmread(GUEST_CR0) & X86_CR0_PG)) {
		efer |= EFER_LMA;
		entry |= VM_ENTRY_IA32E_MODE;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~VM_ENTRY_IA32E_MODE;
	}
	vmwrite(GUEST_IA32_EFER, efer);
	vmwrite(VM_ENTRY_CONTROLS, entry);
}

/* The vLAPIC is in x2APIC mode from reset on: no MMIO to emulate. */
static u64 apic_base(const struct vcpu *v)
{
	return APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_EXTD |
	       (v->id == 0 ? APIC_BASE_BSP : 0);
}

/*
 * The MSRs Xen answers for an HVM guest without a vPMU or vMCE banks, as
 * Xen answers them (xen/arch/x86/msr.c, hvm.c, vmx.c); every other one is
 * a #GP, as on Xen by default.
 */
static int read_msr(struct vcpu *v, u32 msr, u64 *val)
{
	if (msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST)
		return vlapic_read_msr(v, msr, val);
	switch (mtrr_read(v, msr, val)) {
	case 0:
		return 0;
	case -EINVAL:
		return -EINVAL;
	}
	switch (msr) {
	case MSR_IA32_TSC:
		*val = tsc_read(v);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*val = v->arch.tsc_adjust;
		return 0;
	case MSR_EFER:
		*val = hvm_get(HVM_EFER);
		return 0;
	case MSR_IA32_APIC_BASE:
		*val = apic_base(v);
		return 0;
	case MSR_IA32_PLATFORM_ID:
		*val = rdmsr(MSR_IA32_PLATFORM_ID) & PLATFORM_ID_MASK;
		return 0;
	case MSR_IA32_UCODE_REV:
		*val = 0;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL |
		       MISC_ENABLE_PEBS_UNAVAIL;
		return 0;
	case MSR_IA32_DEBUGCTL:
		*val = hvm_get(HVM_DEBUGCTL);
		return 0;
	case MSR_K8_INT_PENDING_MSG:	/* AMD: Linux's erratum-400 check; C1E not active */
		if (!hvm_svm)
			return -EINVAL;
		*val = 0;
		return 0;
	case MSR_IA32_MCG_CAP:		/* no banks, no MCG_CTL */
	case MSR_IA32_MCG_STATUS:
		*val = 0;
		return 0;
	case MSR_IA32_TSC_DEADLINE:	/* offered to the hardware domain (cpuid.c) */
		if (!is_hardware_domain(v->domain))
			return -EINVAL;
		*val = v->arch.vlapic.tsc_deadline;
		return 0;
	default:
		return -EINVAL;
	}
}

static int write_msr(struct vcpu *v, u32 msr, u64 val)
{
	if (msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST)
		return vlapic_write_msr(v, msr, val);
	switch (mtrr_write(v, msr, val)) {
	case 0:
		return 0;
	case -EINVAL:
		return -EINVAL;
	}
	switch (msr) {
	case MSR_IA32_TSC_DEADLINE:
		if (!is_hardware_domain(v->domain))
			return -EINVAL;
		/* Kept, not armed, like the one-shot count: Linux's clock event is Xen's timer. */
		v->arch.vlapic.tsc_deadline = val;
		return 0;
	case MSR_IA32_APIC_BASE:
		/* Leaving x2APIC mode is not offered: only rewriting it is. */
		return val == apic_base(v) ? 0 : -EINVAL;
	case MSR_EFER:
		if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return -EINVAL;
		hvm_set(HVM_EFER, val);
		return 0;
	case MSR_IA32_TSC:
		tsc_write(v, val);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		tsc_adjust_write(v, val);
		return 0;
	case MSR_IA32_DEBUGCTL:
		/*
		 * LBR and BTF only, as Xen allows without a vPMU; LBR is
		 * discarded (reads back 0), as on CPUs without model-specific
		 * LBRs, and BTF only changes how the guest's own TF traps.
		 */
		if (val & ~(DEBUGCTL_LBR | DEBUGCTL_BTF))
			return -EINVAL;
		hvm_set(HVM_DEBUGCTL, val & DEBUGCTL_BTF);
		return 0;
	case MSR_IA32_MCG_STATUS:
		return val ? -EINVAL : 0;
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_UCODE_WRITE:	/* a microcode update: ignored, as on Xen */
		return 0;
	case MSR_XEN_HYPERCALL_PAGE:
		return hypercall_page_write(v->domain, val);
	default:
		return -EINVAL;
	}
}

int emulate_rdmsr(struct vcpu *v)
{
	struct guest_regs *g = &v->arch.regs;
	u64 val;

	if (read_msr(v, g->rcx, &val)) {
		hvm_inject_exception(X86_EXC_GP, true, 0);
		return 0;
	}
	g->rax = (u32)val;
	g->rdx = val >> 32;
	hvm_skip_insn(2);
	return 0;
}

int emulate_wrmsr(struct vcpu *v)
{
	struct guest_regs *g = &v->arch.regs;

	if (write_msr(v, g->rcx, ((u64)(u32)g->rdx << 32) | (u32)g->rax)) {
		hvm_inject_exception(X86_EXC_GP, true, 0);
		return 0;
	}
	hvm_skip_insn(2);
	return 0;
}
