/* CPUID as a guest sees it: the Xen leaves at 0x40000000 and host leaves filtered to what keel supports. */
#include <keel/domain.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <asm/hvm.h>
#include <asm/processor.h>
#include <asm/vmx.h>
#include <asm/vmx_internal.h>

#define XEN_CPUID_BASE 0x40000000
#define XEN_CPUID_MAX (XEN_CPUID_BASE + 5)
#define XEN_VERSION_LEAF ((4u << 16) | 17)
#define XEN_HVM_CPUID_VCPU_ID_PRESENT BIT(3)

/* Leaf 1 ECX: SSE3 PCLMULQDQ SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES F16C RDRAND. */
#define LEAF1_ECX_KEEP 0x62d83203u
/* Leaf 1 EDX: FPU VME DE PSE TSC MSR PAE CX8 SEP PGE CMOV PAT PSE36 CLFSH MMX FXSR SSE SSE2. */
#define LEAF1_EDX_KEEP 0x078ba97fu
/* Leaf 7 EBX: FSGSBASE BMI1 SMEP BMI2 ERMS RDSEED ADX SMAP CLFLUSHOPT. */
#define LEAF7_EBX_KEEP 0x009c0389u
/* 0x80000001 ECX: LAHF, ABM, PREFETCHW; EDX: SYSCALL, NX, 1G pages, LM. */
#define EXT1_ECX_KEEP 0x00000121u
#define EXT1_EDX_KEEP 0x24100800u
#define CPUID1_ECX_X2APIC BIT(21)
#define CPUID1_EDX_APIC BIT(9)
#define CPUID1_ECX_TSC_DEADLINE BIT(24)
#define CPUID6_EAX_ARAT BIT(2)
#define TOPOLOGY_LEVEL_SMT 1
#define TOPOLOGY_LEVEL_CORE 2
/*
 * Leaf 0x16, the processor's base and maximum frequency in MHz: keel's
 * calibrated TSC. Linux's native_calibrate_cpu_early() then takes cpu_khz
 * from it instead of polling PIT channel 2 (quick_pit_calibrate(): some
 * 100,000 port reads, each an exit, that fail anyway on keel's PIT-less
 * platform). The leaves between 0xd and 0x16 stay zero.
 */
#define FREQ_LEAF 0x16

/*
 * Leaf 0xb, the x2APIC topology: the domain's vCPUs are the cores of one
 * package, one thread each, x2APIC ID = vCPU id. Linux then puts them in
 * one package and gives its APs the boot CPU's delay calibration rather
 * than timing each AP against jiffies another vCPU keeps.
 */
static struct cpuid_regs topology_leaf(const struct vcpu *v, u32 sub)
{
	struct cpuid_regs r = { 0, 0, sub & 0xff, v->id };
	unsigned int cores = v->domain->nr_vcpus, width = 0;

	while ((1u << width) < cores)
		width++;
	if (sub == 0) {
		r.ebx = 1;
		r.ecx |= TOPOLOGY_LEVEL_SMT << 8;
	} else if (sub == 1) {
		r.eax = width;
		r.ebx = cores;
		r.ecx |= TOPOLOGY_LEVEL_CORE << 8;
	}
	return r;
}

struct cpuid_regs vcpu_cpuid(const struct vcpu *v, u32 leaf, u32 sub)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };
	u32 max_basic = cpuid(0).eax, max_ext = cpuid(0x80000000).eax;

	if (leaf >= XEN_CPUID_BASE && leaf < 0x80000000) {
		switch (leaf) {
		case XEN_CPUID_BASE:
			r.eax = XEN_CPUID_MAX;
			r.ebx = 0x566e6558;	/* "XenV" */
			r.ecx = 0x65584d4d;	/* "MMXe" */
			r.edx = 0x4d4d566e;	/* "nVMM" */
			break;
		case XEN_CPUID_BASE + 1:
			r.eax = XEN_VERSION_LEAF;
			break;
		case XEN_CPUID_BASE + 2:
			r.eax = 1;		/* hypercall pages */
			r.ebx = XEN_CPUID_BASE;	/* hypercall-page MSR */
			break;
		case XEN_CPUID_BASE + 4:
			r.eax = XEN_HVM_CPUID_VCPU_ID_PRESENT;
			r.ebx = v->id;
			break;
		}
		return r;
	}
	if (leaf == FREQ_LEAF) {
		r.eax = r.ebx = (tsc_hz + 500000) / 1000000;
		return r;
	}
	if ((leaf < 0x80000000 && leaf > max_basic) ||
	    (leaf >= 0x80000000 && leaf > max_ext))
		return r;
	r = cpuid_count(leaf, sub);
	switch (leaf) {
	case 0:
		r.eax = FREQ_LEAF;
		break;
	case 1:
		r.ebx = (v->id << 24) | (r.ebx & 0xff00);	/* APIC ID, CLFLUSH size */
		r.ecx = (r.ecx & LEAF1_ECX_KEEP) | CPUID1_ECX_HYPERVISOR |
			CPUID1_ECX_X2APIC;
		/*
		 * A hardware domain's Linux then needs no PIT (apic_needs_pit()),
		 * which it has not: its vIOAPIC has no timer behind GSI 2.
		 */
		if (is_hardware_domain(v->domain))
			r.ecx |= CPUID1_ECX_TSC_DEADLINE;
		r.edx = (r.edx & LEAF1_EDX_KEEP) | CPUID1_EDX_APIC;
		break;
	case 2:
	case 4:
		break;		/* cache descriptions */
	case 6:			/* power management: only the always-running APIC timer */
		r = (struct cpuid_regs){ is_hardware_domain(v->domain) ?
					 CPUID6_EAX_ARAT : 0, 0, 0, 0 };
		break;
	case 7:
		r.eax = 0;
		r.ebx = sub ? 0 : r.ebx & LEAF7_EBX_KEEP;
		r.ecx = r.edx = 0;
		break;
	case 0xb:
		r = topology_leaf(v, sub);
		break;
	case 0x80000000:
		r.eax = MIN(r.eax, 0x80000008u);
		break;
	case 0x80000001:
		r.eax = r.ebx = 0;
		r.ecx &= EXT1_ECX_KEEP;
		r.edx &= EXT1_EDX_KEEP;
		break;
	case 0x80000002:
	case 0x80000003:
	case 0x80000004:
	case 0x80000006:
		break;		/* brand string, L2 cache */
	case 0x80000008:
		r.eax &= 0xffff;	/* address sizes */
		/* AMD's core count (NC): one package of the domain's vCPUs, as leaf 0xb says */
		r.ecx = hvm_svm ? v->domain->nr_vcpus - 1 : 0;
		r.ebx = r.edx = 0;
		break;
	default:
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	}
	return r;
}

/*
 * The CR4 bits @v may set: those of the features its CPUID offers, as
 * Xen's hvm_cr4_guest_valid_bits() derives them, and only what VMX
 * operation allows. VMXE, SMXE, PKE, OSXSAVE, PCIDE, UMIP, LA57, CET and
 * the rest stay reserved (#GP).
 */
u64 guest_cr4_valid(const struct vcpu *v)
{
	struct cpuid_regs l1 = vcpu_cpuid(v, 1, 0), l7 = vcpu_cpuid(v, 7, 0);
	u64 valid = X86_CR4_TSD | X86_CR4_PCE;

	if (l1.edx & BIT(1))
		valid |= X86_CR4_VME | X86_CR4_PVI;
	if (l1.edx & BIT(2))
		valid |= X86_CR4_DE;
	if (l1.edx & BIT(3))
		valid |= X86_CR4_PSE;
	if (l1.edx & BIT(6))
		valid |= X86_CR4_PAE;
	if (l1.edx & BIT(7))
		valid |= X86_CR4_MCE;
	if (l1.edx & BIT(13))
		valid |= X86_CR4_PGE;
	if (l1.edx & BIT(24))
		valid |= X86_CR4_OSFXSR;
	if (l1.edx & BIT(25))
		valid |= X86_CR4_OSXMMEXCPT;
	if (l1.ecx & BIT(17))
		valid |= X86_CR4_PCIDE;
	if (l1.ecx & BIT(26))
		valid |= X86_CR4_OSXSAVE;
	if (l7.ebx & BIT(0))
		valid |= X86_CR4_FSGSBASE;
	if (l7.ebx & BIT(7))
		valid |= X86_CR4_SMEP;
	if (l7.ebx & BIT(20))
		valid |= X86_CR4_SMAP;
	if (l7.ecx & BIT(2))
		valid |= X86_CR4_UMIP;
	if (l7.ecx & BIT(3))
		valid |= X86_CR4_PKE;
	return hvm_svm ? valid : valid & rdmsr(MSR_IA32_VMX_CR4_FIXED1);
}

int emulate_cpuid(struct vcpu *v)
{
	struct guest_regs *g = &v->arch.regs;
	struct cpuid_regs r = vcpu_cpuid(v, g->rax, g->rcx);

	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	hvm_skip_insn(2);
	return 0;
}
