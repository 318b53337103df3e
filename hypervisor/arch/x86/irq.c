/* Host interrupts: the APIC timer and kick IPIs only bring a CPU back to its scheduler loop. */
#include <keel/arch.h>
#include <keel/percpu.h>
#include <keel/types.h>
#include <asm/apic.h>
#include <asm/vmx_internal.h>

void do_irq(unsigned int vector)
{
	/* The loop runs timers and reschedules; the interrupt just got us there. */
	if (vector == APIC_TIMER_VECTOR || vector == APIC_KICK_VECTOR)
		apic_eoi();
	/* the spurious vector needs no EOI */
}

void arch_idle(void)
{
	/* sti's one-instruction shadow makes "sti; hlt" race-free. */
	asm volatile("sti; hlt; cli" : : : "memory");
}

void arch_send_ipi(unsigned int cpu)
{
	apic_send_ipi(pcpus[cpu].apic_id, APIC_KICK_VECTOR);
}

int arch_irq_init(void)
{
	return apic_init();
}
