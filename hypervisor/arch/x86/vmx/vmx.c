/* VT-x bring-up on every CPU: detection, IA32_FEATURE_CONTROL, capability report and VMXON. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/processor.h>
#include <asm/vmx.h>
#include <asm/spec_ctrl.h>
#include <asm/vmx_internal.h>

/* The boot CPU's; every other CPU must have the same. */
struct vmx_caps vmx_caps;

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static int vmx_unavailable(const char *why)
{
	char vendor[13];
	struct cpuid_regs r = cpuid(0);

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	pr_err("VT-x not available: %s (CPU vendor %s)\n", why, vendor);
	return -ENODEV;
}

/* Enable VMXON outside SMX if firmware left the MSR unlocked. */
static int vmx_feature_control(void)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
		pr_info("vmx: IA32_FEATURE_CONTROL of CPU%u was unlocked; locked with VMX enabled\n",
			smp_processor_id());
	} else if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		return vmx_unavailable("disabled by firmware (IA32_FEATURE_CONTROL is locked with VMX off; enable VT-x in the firmware setup)");
	}
	return 0;
}

static void vmx_read_caps(struct vmx_caps *c)
{
	bool true_ctls;

	memset(c, 0, sizeof(*c));
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->pin_allowed1 = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				MSR_IA32_VMX_PINBASED_CTLS) >> 32;
	c->cpu_allowed1 = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				MSR_IA32_VMX_PROCBASED_CTLS) >> 32;
	c->exit_allowed1 = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				 MSR_IA32_VMX_EXIT_CTLS) >> 32;
	c->entry_allowed1 = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				  MSR_IA32_VMX_ENTRY_CTLS) >> 32;
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	if (c->cpu_allowed1 & CPU_SECONDARY_CONTROLS) {
		c->cpu2_allowed1 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32;
		if (c->cpu2_allowed1 & (CPU2_EPT | CPU2_VPID))
			c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
}

static void vmx_report_caps(const struct vmx_caps *c)
{
	u64 ev = c->ept_vpid;

	pr_info("vmx: VMCS revision %#x, %llu bytes, memory type %s, true controls %s\n",
		VMX_BASIC_REVISION(c->basic),
		(unsigned long long)VMX_BASIC_VMCS_SIZE(c->basic),
		VMX_BASIC_MEMTYPE(c->basic) == VMX_MEMTYPE_WB ? "WB" : "UC",
		yes(c->basic & VMX_BASIC_TRUE_CTLS));
	pr_info("vmx: EPT: %s; 4-level walk %s, WB %s, 2M pages %s, 1G pages %s, INVEPT %s (single-context %s, all-context %s), A/D bits %s\n",
		yes(c->cpu2_allowed1 & CPU2_EPT), yes(ev & EPT_CAP_WALK_4),
		yes(ev & EPT_CAP_WB), yes(ev & EPT_CAP_2M), yes(ev & EPT_CAP_1G),
		yes(ev & EPT_CAP_INVEPT), yes(ev & EPT_CAP_INVEPT_SINGLE),
		yes(ev & EPT_CAP_INVEPT_ALL), yes(ev & EPT_CAP_AD));
	pr_info("vmx: VPID: %s; INVVPID %s (address %s, single-context %s, all-context %s)\n",
		yes(c->cpu2_allowed1 & CPU2_VPID), yes(ev & VPID_CAP_INVVPID),
		yes(ev & VPID_CAP_INVVPID_ADDR),
		yes(ev & VPID_CAP_INVVPID_SINGLE),
		yes(ev & VPID_CAP_INVVPID_ALL));
	pr_info("vmx: unrestricted guest: %s\n",
		yes(c->cpu2_allowed1 & CPU2_UNRESTRICTED_GUEST));
	pr_info("vmx: preemption timer: %s (TSC / %u)\n",
		yes(c->pin_allowed1 & PIN_PREEMPTION_TIMER),
		1u << VMX_MISC_PREEMPT_RATE(c->misc));
	pr_info("vmx: MSR bitmaps: %s, I/O bitmaps: %s, TPR shadow: %s\n",
		yes(c->cpu_allowed1 & CPU_MSR_BITMAPS),
		yes(c->cpu_allowed1 & CPU_IO_BITMAPS),
		yes(c->cpu_allowed1 & CPU_TPR_SHADOW));
	pr_info("vmx: posted interrupts: %s, virtual-interrupt delivery: %s, APIC-register virtualization: %s, x2APIC virtualization: %s\n",
		yes(c->pin_allowed1 & PIN_POSTED_INTERRUPTS),
		yes(c->cpu2_allowed1 & CPU2_VIRT_INTR_DELIVERY),
		yes(c->cpu2_allowed1 & CPU2_APIC_REGISTER_VIRT),
		yes(c->cpu2_allowed1 & CPU2_VIRT_X2APIC));
}

/* What keel cannot run guests without; NULL when all is there. */
static const char *vmx_missing(const struct vmx_caps *c)
{
	if (VMX_BASIC_MEMTYPE(c->basic) != VMX_MEMTYPE_WB)
		return "VMCS memory type is not write-back";
	if (!(c->cpu_allowed1 & CPU_SECONDARY_CONTROLS))
		return "no secondary processor-based controls";
	if (!(c->cpu2_allowed1 & CPU2_EPT))
		return "no EPT";
	if (!(c->ept_vpid & EPT_CAP_WALK_4) || !(c->ept_vpid & EPT_CAP_WB))
		return "EPT lacks 4-level walks or write-back paging structures";
	if (!(c->ept_vpid & EPT_CAP_INVEPT))
		return "no INVEPT";
	if (!(c->cpu2_allowed1 & CPU2_UNRESTRICTED_GUEST))
		return "no unrestricted guest";
	return NULL;
}

/*
 * Set CR0/CR4 to what VMX operation requires, with FXSAVE/FXRSTOR usable
 * for switching guests' FPU and SSE state, and execute VMXON on this CPU's
 * region.
 */
static int vmx_on(void *vmxon_region)
{
	u64 cr0 = (read_cr0() | X86_CR0_MP) & ~(X86_CR0_EM | X86_CR0_TS);
	u64 cr4 = read_cr4() | X86_CR4_VMXE | X86_CR4_OSFXSR;
	u64 phys;
	u8 failed;

	cr0 |= rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	cr0 &= rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	cr4 |= rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	cr4 &= rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	write_cr0(cr0);
	write_cr4(cr4);

	*(u32 *)vmxon_region = VMX_BASIC_REVISION(vmx_caps.basic);
	phys = virt_to_phys(vmxon_region);
	asm volatile("vmxon %1; setna %0"
		     : "=qm"(failed) : "m"(phys) : "cc", "memory");
	if (failed) {
		pr_err("vmx: VMXON failed on CPU%u (CR0 %#llx CR4 %#llx)\n",
		       smp_processor_id(), (unsigned long long)cr0,
		       (unsigned long long)cr4);
		return -EIO;
	}
	return 0;
}

int vmx_virt_init(void)
{
	const char *missing;
	int rc;

	if (!(cpuid(1).ecx & CPUID1_ECX_VMX))
		return vmx_unavailable("CPUID.1:ECX.VMX is clear, this CPU has no VT-x");
	rc = vmx_feature_control();
	if (rc)
		return rc;
	vmx_read_caps(&vmx_caps);
	vmx_report_caps(&vmx_caps);
	missing = vmx_missing(&vmx_caps);
	if (missing)
		return vmx_unavailable(missing);
	this_x86_cpu()->vmxon_region = alloc_page();
	if (!this_x86_cpu()->vmxon_region)
		return -ENOMEM;
	rc = vmx_on(this_x86_cpu()->vmxon_region);
	if (rc)
		return rc;
	pr_info("vmx: VMXON succeeded on CPU0, VMX root operation entered\n");
	spec_ctrl_init();
	return 0;
}

int vmx_cpu_init(void)
{
	unsigned int cpu = smp_processor_id();
	struct vmx_caps caps;
	int rc;

	if (!(cpuid(1).ecx & CPUID1_ECX_VMX)) {
		pr_err("vmx: CPU%u has no VT-x\n", cpu);
		return -ENODEV;
	}
	rc = vmx_feature_control();
	if (rc)
		return rc;
	vmx_read_caps(&caps);
	if (memcmp(&caps, &vmx_caps, sizeof(caps))) {
		pr_err("vmx: CPU%u's VT-x capabilities differ from the boot CPU's\n",
		       cpu);
		return -ENODEV;
	}
	rc = vmx_on(this_x86_cpu()->vmxon_region);
	if (rc)
		return rc;
	pr_info("vmx: VMXON succeeded on CPU%u\n", cpu);
	return 0;
}
