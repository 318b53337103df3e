/* Host interrupts: the APIC timer and kick IPIs only bring a CPU back to its scheduler loop. */
#include <keel/arch.h>
#include <keel/percpu.h>
#include <keel/types.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/vmx_internal.h>

void do_irq(unsigned int vector)
{
	/* The loop runs timers and reschedules; the interrupt just got us there. */
	if (vector == APIC_KICK_VECTOR)
		this_x86_cpu()->kicks++;
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
	if (cpu < MAX_CPUS && READ_ONCE(pcpus[cpu].online))
		apic_send_ipi(pcpus[cpu].apic_id, APIC_DM_FIXED |
			      APIC_LEVEL_ASSERT | APIC_KICK_VECTOR);
}

void arch_send_ipi_mask(u64 mask)
{
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (mask & BIT(cpu))
			arch_send_ipi(cpu);
}

/* The 8259 PICs' data ports: writing all ones masks every IRQ. */
#define PIC_MASTER_IMR 0x21
#define PIC_SLAVE_IMR 0xa1

/*
 * Keel takes interrupts from its local APIC only. The BIOS leaves the
 * 8259s unmasked at real-mode vectors 0x08-0x0f, behind the APIC's
 * virtual-wire LINT0: the PIT's IRQ0 would reach an idle CPU as vector 8,
 * keel's #DF entry.
 */
int arch_irq_init(void)
{
	outb(PIC_MASTER_IMR, 0xff);
	outb(PIC_SLAVE_IMR, 0xff);
	return apic_init();
}
