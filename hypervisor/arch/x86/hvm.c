/* The arch hooks that differ between VT-x and SVM: each picks the backend arch_virt_init() chose. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>
#include <asm/vlapic.h>
#include <asm/vtd.h>

bool hvm_svm;

/*
 * SVM when CPUID says AMD's extension is there (0x80000001 ECX.SVM), else
 * VT-x; neither: one line naming both.
 */
int arch_virt_init(void)
{
	char vendor[13];
	struct cpuid_regs r = cpuid(0);

	if (cpuid(0x80000000).eax >= 0x8000000a &&
	    (cpuid(0x80000001).ecx & CPUID_EXT1_ECX_SVM)) {
		hvm_svm = true;
		return svm_virt_init();
	}
	if (cpuid(1).ecx & CPUID1_ECX_VMX)
		return vmx_virt_init();
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	pr_err("VT-x not available, nor AMD SVM: this CPU (vendor %s) has neither\n",
	       vendor);
	return -ENODEV;
}

/* A CPU other than the boot CPU: the boot CPU's choice. */
int hvm_cpu_init(void)
{
	return hvm_svm ? svm_cpu_init() : vmx_cpu_init();
}

int arch_vcpu_init(struct vcpu *v, u32 entry, u32 start_info)
{
	return hvm_svm ? svm_vcpu_init(v, entry, start_info) :
			 vmx_vcpu_init(v, entry, start_info);
}

void arch_vcpu_destroy(struct vcpu *v)
{
	if (hvm_svm)
		svm_vcpu_destroy(v);
	else
		vmx_vcpu_destroy(v);
}

void arch_vcpu_switch_in(struct vcpu *v)
{
	if (hvm_svm)
		svm_vcpu_switch_in(v);
	else
		vmx_vcpu_switch_in(v);
}

void arch_vcpu_switch_out(struct vcpu *v)
{
	if (hvm_svm)
		svm_vcpu_switch_out(v);
	else
		vmx_vcpu_switch_out(v);
}

void arch_vcpu_run(struct vcpu *v)
{
	if (hvm_svm)
		svm_vcpu_run(v);
	else
		vmx_vcpu_run(v);
}

/* Where a vCPU stopped is kept in v->arch on either backend. */
void arch_vcpu_dump(const struct vcpu *v)
{
	if (!READ_ONCE(v->is_running))
		pr_info("d%uv%u: switched out at rip %#llx, rflags %#llx (IF %u)\n",
			v->domain->id, v->id, (unsigned long long)v->arch.rip,
			(unsigned long long)v->arch.rflags,
			!!(v->arch.rflags & X86_EFLAGS_IF));
	vlapic_dump(v);
}

const struct pt_format *arch_p2m_format(void)
{
	return hvm_svm ? &npt_format : ept_format_get();
}

u64 arch_p2m_attr(unsigned int access)
{
	return hvm_svm ? npt_attr(access) : ept_attr(access);
}

u64 arch_p2m_foreign_attr(unsigned int access)
{
	return arch_p2m_attr(access & ~P2M_OWNED) | P2M_FOREIGN_BIT;
}

unsigned int arch_p2m_access(u64 attr)
{
	return hvm_svm ? npt_access(attr) : ept_access(attr);
}

/*
 * A new root: its frame may be a freed p2m's, whose translations other
 * CPUs may still cache. Every CPU flushes before it first runs @d.
 */
void arch_domain_set_p2m(struct domain *d)
{
	if (!hvm_svm)
		ept_set_p2m(d);
	cpumask_set_all_atomic(&d->arch.ept_stale, MAX_CPUS, MAX_CPUS);
}

void arch_p2m_teardown(struct domain *d)
{
	vtd_p2m_teardown(d);
	if (hvm_svm)
		npt_p2m_teardown(d);
	else
		ept_p2m_teardown(d);
}

void arch_p2m_flush(struct domain *d)
{
	if (hvm_svm)
		npt_p2m_flush(d);
	else
		ept_p2m_flush(d);
	vtd_p2m_flush(d);
}

void arch_p2m_changed(struct domain *d, u64 gpa, u64 hpa, u64 size, u64 attr)
{
	vtd_p2m_changed(d, gpa, hpa, size, attr);
}

static const enum vmcs_field hvm_vmcs_field[] = {
	[HVM_RIP] = GUEST_RIP, [HVM_RSP] = GUEST_RSP, [HVM_RFLAGS] = GUEST_RFLAGS,
	[HVM_CR0] = GUEST_CR0, [HVM_CR3] = GUEST_CR3,
	[HVM_CR4] = GUEST_CR4, [HVM_EFER] = GUEST_IA32_EFER,
	[HVM_DEBUGCTL] = GUEST_IA32_DEBUGCTL,
};

void arch_hypercall_insn(u8 insn[3])
{
	static const u8 vmcall[3] = { 0x0f, 0x01, 0xc1 }, vmmcall[3] = { 0x0f, 0x01, 0xd9 };

	memcpy(insn, hvm_svm ? vmmcall : vmcall, 3);
}

u64 hvm_get(enum hvm_reg r)
{
	return hvm_svm ? svm_get(r) : vmread(hvm_vmcs_field[r]);
}

void hvm_set(enum hvm_reg r, u64 val)
{
	if (hvm_svm) {
		svm_set(r, val);
		return;
	}
	vmwrite(hvm_vmcs_field[r], val);
	if (r == HVM_EFER)
		vmx_update_long_mode();
}

void hvm_skip_insn(unsigned int len)
{
	if (hvm_svm)
		svm_skip_insn(len);
	else
		vmx_skip_instruction();
}

void hvm_skip_bytes(unsigned int len)
{
	if (hvm_svm)
		svm_skip_bytes(len);
	else
		vmx_skip_bytes(len);
}

#define CS_AR_L BIT(13)		/* VT-x's access rights: a 64-bit code segment */

bool hvm_guest_64bit(void)
{
	if (hvm_svm)
		return svm_guest_64bit();
	return (vmread(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE) &&
	       (vmread(GUEST_CS_AR_BYTES) & CS_AR_L);
}

void hvm_set_tsc_offset(struct vcpu *v, u64 offset)
{
	if (hvm_svm)
		((struct vmcb *)v->arch.vmcs)->tsc_offset = offset;
	else
		vmwrite(TSC_OFFSET, offset);
}

void hvm_inject_exception(unsigned int vector, bool has_error, u32 error)
{
	if (hvm_svm)
		svm_inject_exception(vector, has_error, error);
	else
		vmx_inject_exception(vector, has_error, error);
}
