/* The host local APIC (x2APIC, or xAPIC through MMIO): its timer drives keel's timers. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/page.h>
#include <keel/pagetable.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <asm/apic.h>
#include <asm/processor.h>
#include <asm/vmx_internal.h>
#include <asm/x86_page.h>

#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define APIC_BASE_EXTD BIT(10)
#define APIC_BASE_EN BIT(11)
#define CPUID1_ECX_X2APIC BIT(21)
#define CPUID1_ECX_TSC_DEADLINE BIT(24)

#define APIC_ID 0x020
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0
#define ICR_SEND_PENDING BIT(12)
#define MSR_X2APIC_ICR 0x830
#define LVT_MASKED BIT(16)
#define LVT_TSC_DEADLINE (2u << 17)
#define MAX_TIMER_DELTA (1000 * NSEC_PER_SEC)

/* Chosen by the boot CPU; every other CPU must match. */
static bool probed;
static bool x2apic;
static bool tsc_deadline;
static u64 xapic_phys;
static volatile u32 *xapic_mmio;
static u64 apic_timer_hz;	/* when there is no TSC-deadline mode */

static u32 apic_read(u32 reg)
{
	return x2apic ? (u32)rdmsr(0x800 + (reg >> 4)) : xapic_mmio[reg / 4];
}

static void apic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		xapic_mmio[reg / 4] = v;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

bool apic_is_x2apic(void)
{
	return x2apic;
}

int apic_send_ipi(u32 apic_id, u32 icr_low)
{
	u64 give_up;

	if (x2apic) {
		wrmsr(MSR_X2APIC_ICR, (u64)apic_id << 32 | icr_low);
		return 0;
	}
	if (apic_id > XAPIC_MAX_ID)
		return -EINVAL;
	apic_write(APIC_ICR_HIGH, apic_id << 24);
	apic_write(APIC_ICR_LOW, icr_low);
	give_up = arch_read_tsc() + tsc_hz / 1000;
	while (apic_read(APIC_ICR_LOW) & ICR_SEND_PENDING)
		if (arch_read_tsc() > give_up)
			return -EBUSY;
	return 0;
}

/* Measure the APIC timer (divide by 1) against the TSC over 10 ms. */
static u64 calibrate_apic_timer(void)
{
	u64 start = arch_read_tsc(), wait = tsc_hz / 100;

	apic_write(APIC_TIMER_DIV, 0xb);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_TIMER_INIT, 0xffffffff);
	while (arch_read_tsc() - start < wait)
		;
	return (u64)(0xffffffff - apic_read(APIC_TIMER_CUR)) * 100;
}

/* The boot CPU picks the APIC mode and timer and maps the xAPIC registers. */
static int apic_probe(u64 base)
{
	struct cpuid_regs r = cpuid(1);

	x2apic = r.ecx & CPUID1_ECX_X2APIC;
	tsc_deadline = r.ecx & CPUID1_ECX_TSC_DEADLINE;
	xapic_phys = base & X86_PTE_ADDR;
	if (!x2apic) {
		if (pt_map(&host_page_table, DIRECTMAP_BASE + xapic_phys,
			   xapic_phys, PAGE_SIZE, X86_PTE_P | X86_PTE_RW |
			   X86_PTE_PCD | X86_PTE_PWT | X86_PTE_NX, 0))
			return -ENOMEM;
		xapic_mmio = phys_to_virt(xapic_phys);
	}
	return 0;
}

/* Can this (non-boot) CPU's APIC work the way the boot CPU set up? */
static bool apic_matches_boot_cpu(u64 base)
{
	u32 ecx = cpuid(1).ecx;

	return (!x2apic || (ecx & CPUID1_ECX_X2APIC)) &&
	       (!tsc_deadline || (ecx & CPUID1_ECX_TSC_DEADLINE)) &&
	       (x2apic || (base & X86_PTE_ADDR) == xapic_phys);
}

int apic_init(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	bool boot_cpu = !probed;
	int rc;

	if (boot_cpu) {
		rc = apic_probe(base);
		if (rc)
			return rc;
	} else if (!apic_matches_boot_cpu(base)) {
		pr_err("apic: CPU%u's local APIC lacks the boot CPU's %s mode or timer\n",
		       smp_processor_id(), x2apic ? "x2APIC" : "xAPIC");
		return -ENODEV;
	}
	wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN |
	      (x2apic ? APIC_BASE_EXTD : 0));
	apic_write(APIC_SVR, BIT(8) | APIC_SPURIOUS_VECTOR);
	if (tsc_deadline) {
		apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | APIC_TIMER_VECTOR);
	} else {
		if (boot_cpu)
			apic_timer_hz = calibrate_apic_timer();
		apic_write(APIC_TIMER_DIV, 0xb);
		apic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR);
	}
	this_cpu()->apic_id = x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
	if (boot_cpu)
		pr_info("apic: %s, timer %s\n", x2apic ? "x2APIC" : "xAPIC",
			tsc_deadline ? "TSC-deadline" : "one-shot");
	probed = true;
	return 0;
}

void arch_timer_program(u64 deadline)
{
	u64 now = now_ns(), delta;

	if (deadline == TIMER_NONE) {
		if (tsc_deadline)
			wrmsr(MSR_IA32_TSC_DEADLINE, 0);
		else
			apic_write(APIC_TIMER_INIT, 0);
		return;
	}
	/* Far deadlines are cut short (the timer code re-arms): no overflow below. */
	delta = MIN(deadline > now ? deadline - now : 1, MAX_TIMER_DELTA);
	if (tsc_deadline) {
		wrmsr(MSR_IA32_TSC_DEADLINE, arch_read_tsc() +
		      delta * (tsc_hz / 1000) / 1000000 + 1);
	} else {
		u64 count = delta * (apic_timer_hz / 1000) / 1000000;

		apic_write(APIC_TIMER_INIT, (u32)MIN(MAX(count, 1ULL), 0xffffffffULL));
	}
}
