/* AMD SVM bring-up on every CPU: nested paging and ASIDs checked, EFER.SVME, the host save areas. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/processor.h>
#include <asm/spec_ctrl.h>
#include <asm/svm.h>
#include <asm/svm_internal.h>

u32 svm_max_asid;	/* ASIDs 1 .. svm_max_asid - 1 are the guests' */
bool svm_nrips;		/* the CPU saves the next RIP on exits (NRIP save) */
bool svm_flush_by_asid;
u8 *svm_iopm_all;

static int svm_unusable(const char *why)
{
	pr_err("VT-x not available, and AMD SVM %s\n", why);
	return -ENODEV;
}

#define CPUID1_ECX_XSAVE BIT(26)

/*
 * CR4 writes do not exit, so a guest may set CR4.OSXSAVE and run with
 * this CPU's XCR0: make it x87|SSE, what FXSAVE switches between guests,
 * whatever a loader (keel.efi's firmware) left there. With AVX enabled a
 * guest would read the YMM upper halves another guest left.
 */
static void xcr0_x87_sse(void)
{
	u64 cr4 = read_cr4();

	if (!(cpuid(1).ecx & CPUID1_ECX_XSAVE))
		return;
	write_cr4(cr4 | X86_CR4_OSXSAVE);
	asm volatile("xsetbv" : : "a"(3), "d"(0), "c"(0) : "memory");
	write_cr4(cr4);
}

/* EFER.SVME, this CPU's host save area and the page keel's own FS, GS, TR are kept in. */
static int svm_on(void)
{
	struct x86_cpu *c = this_x86_cpu();
	void *host;

	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return svm_unusable("is disabled by firmware (VM_CR.SVMDIS)");
	host = alloc_page();
	if (!host)
		return -ENOMEM;
	memset(host, 0, PAGE_SIZE);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	write_cr0((read_cr0() | X86_CR0_MP) & ~(X86_CR0_EM | X86_CR0_TS));
	write_cr4(read_cr4() | X86_CR4_OSFXSR);
	xcr0_x87_sse();
	memset(c->vmxon_region, 0, PAGE_SIZE);
	wrmsr(MSR_VM_HSAVE_PA, virt_to_phys(c->vmxon_region));
	c->svm_host_pa = virt_to_phys(host);
	c->asid_next = 1;
	c->asid_gen = 1;
	return 0;
}

int svm_virt_init(void)
{
	struct cpuid_regs l = cpuid(0x8000000a);
	int rc;

	if (!(l.edx & CPUID_SVM_NPT))
		return svm_unusable("has no nested paging (CPUID 0x8000000A EDX.NP)");
	if (l.ebx < 2)
		return svm_unusable("offers no ASID for guests");
	svm_max_asid = l.ebx;
	svm_nrips = l.edx & CPUID_SVM_NRIPS;
	svm_flush_by_asid = l.edx & CPUID_SVM_FLUSH_BY_ASID;
	pr_info("svm: SVM revision %u, %u ASIDs, nested paging yes, NRIP save %s, decode assists %s, flush by ASID %s\n",
		l.eax & 0xff, l.ebx, svm_nrips ? "yes" : "no",
		l.edx & BIT(7) ? "yes" : "no", svm_flush_by_asid ? "yes" : "no");
	this_x86_cpu()->vmxon_region = alloc_page();
	svm_iopm_all = alloc_pages(2);
	if (!this_x86_cpu()->vmxon_region || !svm_iopm_all)
		return -ENOMEM;
	memset(svm_iopm_all, 0xff, 4 * PAGE_SIZE);
	rc = svm_on();
	if (rc)
		return rc;
	pr_info("svm: EFER.SVME set on CPU0, SVM enabled\n");
	spec_ctrl_init();
	return 0;
}

int svm_cpu_init(void)
{
	unsigned int cpu = smp_processor_id();
	int rc;

	if (!(cpuid(0x80000001).ecx & CPUID_EXT1_ECX_SVM) ||
	    cpuid(0x8000000a).ebx != svm_max_asid) {
		pr_err("svm: CPU%u's SVM differs from the boot CPU's\n", cpu);
		return -ENODEV;
	}
	rc = svm_on();
	if (rc)
		return rc;
	pr_info("svm: EFER.SVME set on CPU%u\n", cpu);
	return 0;
}
