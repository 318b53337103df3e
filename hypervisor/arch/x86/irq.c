/* Host interrupts: the APIC timer raises a flag the main loop turns into timer runs. */
#include <keel/arch.h>
#include <keel/types.h>
#include <asm/apic.h>
#include <asm/vmx_internal.h>

static volatile bool timer_fired;

void do_irq(unsigned int vector)
{
	if (vector == APIC_TIMER_VECTOR) {
		timer_fired = true;
		apic_eoi();
	}
	/* the spurious vector needs no EOI */
}

void arch_idle(void)
{
	/* sti's one-instruction shadow makes "sti; hlt" race-free. */
	if (!timer_fired)
		asm volatile("sti; hlt; cli" : : : "memory");
	timer_fired = false;
}

int arch_irq_init(void)
{
	return apic_init();
}
