/*
 * lapic: the virtual local APIC keel gives every vCPU, in x2APIC mode as
 * Linux finds it: CPUID advertises APIC and x2APIC, IA32_APIC_BASE reads
 * enabled + x2APIC + BSP, and the ID, version and logical (cluster) ID
 * registers hold what Linux expects. Self-IPIs through the SELF_IPI MSR
 * and through the ICR "self" shorthand are delivered once interrupts are
 * on, with the vector in service (ISR) until EOI; a task priority above
 * the vector holds it pending in IRR until the TPR drops. Writes to
 * read-only registers, reads of write-only ones, a non-zero EOI and
 * leaving x2APIC mode raise #GP, as on hardware.
 */
#include "guest.h"

#define MSR_APIC_BASE 0x1b
#define X2APIC(reg) (0x800 + ((reg) >> 4))
#define APIC_ID X2APIC(0x20)
#define APIC_VERSION X2APIC(0x30)
#define APIC_TPR X2APIC(0x80)
#define APIC_EOI X2APIC(0xb0)
#define APIC_LDR X2APIC(0xd0)
#define APIC_SVR X2APIC(0xf0)
#define APIC_ISR(v) X2APIC(0x100 + ((v) / 32) * 0x10)
#define APIC_IRR(v) X2APIC(0x200 + ((v) / 32) * 0x10)
#define APIC_ICR X2APIC(0x300)
#define APIC_SELF_IPI X2APIC(0x3f0)
#define VEC_A 0x40
#define VEC_B 0x41

static volatile unsigned int hits[256];
static volatile bool in_service_seen;

static bool bit_set(u32 msr, unsigned int vec)
{
	u64 v = 0;

	rdmsr_safe(msr, &v);
	return v & (1u << (vec % 32));
}

static void handler(struct cpu_regs *regs)
{
	unsigned int vec = regs->vector;

	hits[vec]++;
	in_service_seen = bit_set(APIC_ISR(vec), vec);
	wrmsr_safe(APIC_EOI, 0);
}

static u64 rd(u32 msr)
{
	u64 v = 0;

	CHECK(rdmsr_safe(msr, &v) == NO_FAULT, "rdmsr %#x faulted", msr);
	return v;
}

int guest_main(const char *cmdline)
{
	struct cpuid_regs c = cpuid(1);
	u64 base = rd(MSR_APIC_BASE), v;

	CHECK((c.ecx & BIT(21)) && (c.edx & BIT(9)), "CPUID.1 lacks APIC/x2APIC");
	CHECK((base & 0xfffff000) == 0xfee00000 && (base & BIT(11)) &&
	      (base & BIT(10)) && (base & BIT(8)), "APIC base %#llx",
	      (unsigned long long)base);
	CHECK(rd(APIC_ID) == 0, "APIC ID");
	CHECK((rd(APIC_VERSION) & 0xff) == 0x14, "APIC version");
	CHECK(rd(APIC_LDR) == 1, "LDR %#llx", (unsigned long long)rd(APIC_LDR));
	CHECK(wrmsr_safe(APIC_SVR, 0x1ff) == NO_FAULT, "enabling the APIC");
	CHECK(wrmsr_safe(APIC_TPR, 0x20) == NO_FAULT && rd(APIC_TPR) == 0x20,
	      "TPR does not hold its value");
	wrmsr_safe(APIC_TPR, 0);

	set_exception_handler(VEC_A, handler);
	set_exception_handler(VEC_B, handler);
	asm volatile("sti");
	wrmsr_safe(APIC_SELF_IPI, VEC_A);
	asm volatile("nop");
	CHECK(hits[VEC_A] == 1, "SELF_IPI delivered %u times", hits[VEC_A]);
	CHECK(in_service_seen, "vector not in service during its handler");
	CHECK(!bit_set(APIC_ISR(VEC_A), VEC_A), "ISR still set after EOI");

	wrmsr_safe(APIC_ICR, (1u << 18) | VEC_B);	/* shorthand: self */
	asm volatile("nop");
	CHECK(hits[VEC_B] == 1, "ICR self IPI delivered %u times", hits[VEC_B]);

	wrmsr_safe(APIC_TPR, 0x50);			/* masks class 4 */
	wrmsr_safe(APIC_SELF_IPI, VEC_A);
	asm volatile("nop");
	CHECK(hits[VEC_A] == 1, "delivered despite TPR 0x50");
	CHECK(bit_set(APIC_IRR(VEC_A), VEC_A), "masked vector not pending in IRR");
	wrmsr_safe(APIC_TPR, 0);
	asm volatile("nop");
	CHECK(hits[VEC_A] == 2, "not delivered after TPR dropped (%u)", hits[VEC_A]);
	asm volatile("cli");

	CHECK(wrmsr_safe(APIC_EOI, 1) == X86_EXC_GP, "non-zero EOI accepted");
	CHECK(rdmsr_safe(APIC_EOI, &v) == X86_EXC_GP, "EOI readable");
	CHECK(wrmsr_safe(APIC_ID, 5) == X86_EXC_GP, "APIC ID writable");
	CHECK(rdmsr_safe(0x8ff, &v) == X86_EXC_GP, "reserved register readable");
	CHECK(wrmsr_safe(MSR_APIC_BASE, 0xfee00000 | BIT(11)) == X86_EXC_GP,
	      "leaving x2APIC mode accepted");
	return test_result("lapic");
}
