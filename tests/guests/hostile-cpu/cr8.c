/* CR8: the vLAPIC's task priority. The host's TPR never sees it; the guest's own interrupts obey it. */
#include "hostile.h"

#define APIC_TPR 0x808
#define APIC_SVR 0x80f
#define APIC_IRR_BASE 0x820
#define APIC_SELF_IPI 0x83f
#define VEC_CLASS4 0x40

static volatile unsigned int hits;

static void vector_hit(struct cpu_regs *regs)
{
	hits++;
	wrmsr_safe(0x80b, 0);		/* EOI */
}

static u64 read_cr8(void)
{
	u64 v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static void write_cr8(u64 v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static bool pending_in_irr(unsigned int vec)
{
	u64 v = 0;

	rdmsr_safe(APIC_IRR_BASE + vec / 32, &v);
	return v & BIT(vec % 32);
}

void check_cr8(void)
{
	u64 tpr = 0;
	int vec;

	CHECK(read_cr8() == 0, "CR8 is %#lx at start", read_cr8());
	CHECK(wrmsr_safe(APIC_SVR, 0x1ff) == NO_FAULT, "enabling the vLAPIC");
	set_exception_handler(VEC_CLASS4, vector_hit);

	write_cr8(15);
	CHECK(read_cr8() == 15, "CR8 reads %#lx after writing 15", read_cr8());
	rdmsr_safe(APIC_TPR, &tpr);
	CHECK(tpr == 0xf0, "x2APIC TPR %#lx after CR8 = 15, want 0xf0", tpr);

	/* Priority 15 masks every vLAPIC vector: the self-IPI waits. */
	irq_enable();
	wrmsr_safe(APIC_SELF_IPI, VEC_CLASS4);
	asm volatile("nop; nop");
	CHECK(hits == 0, "vector %#x delivered at CR8 15", VEC_CLASS4);
	CHECK(pending_in_irr(VEC_CLASS4), "vector %#x not pending in IRR",
	      VEC_CLASS4);

	/*
	 * The event upcall is no vLAPIC vector (Xen's callback vector): the
	 * timer still ends HLT. Had CR8 reached the host APIC, its timer
	 * vector would be masked and this CPU would never wake again.
	 */
	CHECK(sleep_on_timer(2 * NS_PER_MS), "no timer event in HLT at CR8 15");
	printf("guest: CR8 = 15: HLT still ended by the Xen timer\n");

	write_cr8(4);
	irq_enable();
	asm volatile("nop; nop");
	CHECK(hits == 0, "vector %#x delivered at CR8 4 (same class)",
	      VEC_CLASS4);
	write_cr8(3);
	asm volatile("nop; nop");
	CHECK(hits == 1, "vector %#x delivered %u times at CR8 3, want 1",
	      VEC_CLASS4, hits);
	irq_disable();

	/* The other way round: TPR written, CR8 read. */
	wrmsr_safe(APIC_TPR, 0x20);
	CHECK(read_cr8() == 2, "CR8 %#lx after TPR 0x20", read_cr8());
	vec = TRY_INSN("mov %0, %%cr8", : : "r"(0x10ULL) : "memory");
	CHECK(vec == X86_EXC_GP, "CR8 = 0x10 (reserved bits): vector %d, want #GP",
	      vec);
	write_cr8(0);
	CHECK(read_cr8() == 0, "CR8 back to 0 reads %#lx", read_cr8());
	set_exception_handler(VEC_CLASS4, NULL);
}
