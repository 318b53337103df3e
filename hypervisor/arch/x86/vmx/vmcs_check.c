/*
 * Why a VM entry failed: the VMCS rules keel's setup can break, checked in
 * software so the report names the field, as a hardware error number does not.
 */
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/vmcs.h>
#include <asm/vmx.h>
#include <asm/vmx_internal.h>

#define AR_TYPE(ar) ((ar) & 15)
#define AR_S BIT(4)
#define AR_DPL(ar) (((ar) >> 5) & 3)
#define AR_P BIT(7)
#define AR_L BIT(13)
#define AR_DB BIT(14)
#define AR_UNUSABLE BIT(16)
#define RFLAGS_RESERVED_ZERO 0xffffffffffc08028ULL
#define EFER_LMA BIT(10)

struct control_msr {
	const char *name;
	enum vmcs_field field;
	u32 msr, true_msr;
};

static const struct control_msr controls[] = {
	{ "pin-based controls", PIN_BASED_VM_EXEC_CONTROL,
	  MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS },
	{ "processor-based controls", CPU_BASED_VM_EXEC_CONTROL,
	  MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS },
	{ "secondary controls", SECONDARY_VM_EXEC_CONTROL,
	  MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_PROCBASED_CTLS2 },
	{ "VM-exit controls", VM_EXIT_CONTROLS,
	  MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS },
	{ "VM-entry controls", VM_ENTRY_CONTROLS,
	  MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS },
};

static bool check_controls(void)
{
	bool true_ctls = vmx_caps.basic & VMX_BASIC_TRUE_CTLS;

	for (unsigned int i = 0; i < ARRAY_SIZE(controls); i++) {
		u64 cap = rdmsr(true_ctls ? controls[i].true_msr : controls[i].msr);
		u32 v = vmread(controls[i].field);

		if ((v & (u32)cap) != (u32)cap || (v & ~(u32)(cap >> 32))) {
			pr_err("vmx: bad field: %s %#x (must set %#x, may set %#x)\n",
			       controls[i].name, v, (u32)cap, (u32)(cap >> 32));
			return false;
		}
	}
	return true;
}

static bool bad(const char *what, u64 value)
{
	pr_err("vmx: bad field: %s (%#llx)\n", what, (unsigned long long)value);
	return false;
}

static bool check_guest_state(void)
{
	u64 cr0 = vmread(GUEST_CR0), cr4 = vmread(GUEST_CR4);
	u64 efer = vmread(GUEST_IA32_EFER), rflags = vmread(GUEST_RFLAGS);
	bool ia32e = vmread(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE;
	u64 cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0) & ~(X86_CR0_PE | X86_CR0_PG);
	u32 cs = vmread(GUEST_CS_AR_BYTES), tr = vmread(GUEST_TR_AR_BYTES);
	u32 ss = vmread(GUEST_SS_AR_BYTES), ldtr = vmread(GUEST_LDTR_AR_BYTES);

	if ((cr0 & cr0_fixed0) != cr0_fixed0 ||
	    (cr0 & ~rdmsr(MSR_IA32_VMX_CR0_FIXED1)))
		return bad("guest CR0 breaks the VMX fixed bits", cr0);
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return bad("guest CR0 has PG without PE", cr0);
	if ((cr4 & rdmsr(MSR_IA32_VMX_CR4_FIXED0)) != rdmsr(MSR_IA32_VMX_CR4_FIXED0) ||
	    (cr4 & ~rdmsr(MSR_IA32_VMX_CR4_FIXED1)))
		return bad("guest CR4 breaks the VMX fixed bits", cr4);
	if (ia32e != !!(efer & EFER_LMA))
		return bad("guest EFER.LMA disagrees with the IA-32e mode entry control", efer);
	if (ia32e && (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE)))
		return bad("IA-32e mode guest without CR0.PG and CR4.PAE", cr4);
	if (!(rflags & BIT(1)) || (rflags & RFLAGS_RESERVED_ZERO))
		return bad("guest RFLAGS reserved bits", rflags);
	if ((cs & AR_UNUSABLE) || !(cs & AR_P) || !(cs & AR_S) || !(AR_TYPE(cs) & 8))
		return bad("guest CS access rights: not a present code segment", cs);
	if (ia32e && (cs & AR_L) && (cs & AR_DB))
		return bad("guest CS access rights: L and D/B both set", cs);
	if (!(ss & AR_UNUSABLE) && (!(ss & AR_P) || AR_DPL(ss) != AR_DPL(cs)))
		return bad("guest SS access rights: not present, or DPL differs from CS", ss);
	if ((tr & AR_UNUSABLE) || !(tr & AR_P) || (tr & AR_S) ||
	    (AR_TYPE(tr) != 11 && (ia32e || AR_TYPE(tr) != 3)))
		return bad("guest TR access rights: not a busy TSS", tr);
	if (!(ldtr & AR_UNUSABLE) && (AR_TYPE(ldtr) != 2 || !(ldtr & AR_P)))
		return bad("guest LDTR access rights", ldtr);
	if (vmread(GUEST_GDTR_LIMIT) > 0xffff || vmread(GUEST_IDTR_LIMIT) > 0xffff)
		return bad("guest GDTR/IDTR limit above 0xffff", vmread(GUEST_GDTR_LIMIT));
	if (vmread(GUEST_ACTIVITY_STATE) > 3)
		return bad("guest activity state", vmread(GUEST_ACTIVITY_STATE));
	if (vmread(VMCS_LINK_POINTER) != ~0ULL)
		return bad("VMCS link pointer is not ~0", vmread(VMCS_LINK_POINTER));
	return true;
}

void vmcs_explain_failure(void)
{
	if (check_controls() && check_guest_state())
		pr_err("vmx: no rule keel checks is broken; see the VMCS dump\n");
}
