/* Speculative-execution barriers as Xen's spec_ctrl applies them: IBPB between domains, L1D flush or VERW on VM entry. */
#include <keel/domain.h>
#include <keel/printk.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/spec_ctrl.h>
#include <asm/vmx_internal.h>

#define MSR_PRED_CMD 0x49
#define PRED_CMD_IBPB BIT(0)
#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_FLUSH_CMD 0x10b
#define FLUSH_CMD_L1D BIT(0)

static bool ibpb_between_domains;
static bool l1d_flush_on_entry;
/* Read by vmx_entry.S right before VMLAUNCH/VMRESUME. */
u8 spec_verw_on_entry;
u16 spec_verw_sel = GDT_DATA_SEL;

/* What the boot CPU enumerates decides for all CPUs (they must match for VMX anyway). */
void spec_ctrl_init(void)
{
	u32 edx = cpuid(0).eax >= 7 ? cpuid_count(7, 0).edx : 0;
	u64 caps = edx & CPUID7_EDX_ARCH_CAPS ? rdmsr(MSR_ARCH_CAPABILITIES) : 0;
	u32 ext8_ebx = cpuid(0x80000000).eax >= 0x80000008 ? cpuid(0x80000008).ebx : 0;
	struct spec_ctrl_policy p = spec_ctrl_decide(edx, ext8_ebx, caps);

	ibpb_between_domains = p.ibpb;
	l1d_flush_on_entry = p.l1d_flush;
	spec_verw_on_entry = p.verw;
	pr_info("spec: IBPB between domains: %s; on VM entry: %s\n",
		ibpb_between_domains ? "yes" : "no (not enumerated)",
		l1d_flush_on_entry ? "L1D flush" :
		spec_verw_on_entry ? "VERW" :
		"nothing (not vulnerable, or no flush enumerated)");
}

/* This CPU is about to run a vCPU of @d: no branch prediction of another domain may steer it. */
void spec_ctrl_switch_to(const struct domain *d)
{
	struct x86_cpu *c = this_x86_cpu();

	if (c->last_domain_uid == d->arch.uid)
		return;
	c->last_domain_uid = d->arch.uid;
	if (ibpb_between_domains)
		wrmsr(MSR_PRED_CMD, PRED_CMD_IBPB);
}

/* Last thing before each VM entry (VERW follows in vmx_entry.S). */
void spec_ctrl_enter_guest(void)
{
	if (l1d_flush_on_entry)
		wrmsr(MSR_FLUSH_CMD, FLUSH_CMD_L1D);
}
