/*
 * Host interrupts: the APIC timer and kick IPIs bring a CPU back to its
 * scheduler loop; device vectors run the handler their allocation named.
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/percpu.h>
#include <keel/spinlock.h>
#include <keel/types.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/irqflags.h>
#include <asm/intremap.h>
#include <asm/ioapic.h>
#include <asm/vmx_internal.h>

struct irq_action {
	irq_fn fn;
	void *data;
	unsigned int running;	/* do_irq() is in fn (irq_vector_free_sync) */
};

static struct irq_action actions[APIC_DEVICE_VECTOR_LAST + 1];
static DEFINE_SPINLOCK(vector_lock);

int irq_vector_alloc(irq_fn fn, void *data)
{
	int vector = -ENOSPC;

	spin_lock(&vector_lock);
	for (unsigned int v = APIC_ALLOC_VECTOR_FIRST; v <= APIC_DEVICE_VECTOR_LAST; v++) {
		if (!actions[v].fn) {
			actions[v].data = data;
			__atomic_store_n(&actions[v].fn, fn, __ATOMIC_RELEASE);
			vector = v;
			break;
		}
	}
	spin_unlock(&vector_lock);
	return vector;
}

void irq_vector_free(unsigned int vector)
{
	if (vector < APIC_ALLOC_VECTOR_FIRST || vector > APIC_DEVICE_VECTOR_LAST)
		return;
	iommu_ir_free(vector);	/* its IRTE, before another source gets it */
	__atomic_store_n(&actions[vector].fn, NULL, __ATOMIC_RELEASE);
}

void irq_vector_free_sync(unsigned int vector)
{
	if (vector < APIC_ALLOC_VECTOR_FIRST || vector > APIC_DEVICE_VECTOR_LAST)
		return;
	iommu_ir_free(vector);
	__atomic_store_n(&actions[vector].fn, NULL, __ATOMIC_SEQ_CST);
	/* A handler that loaded fn before the store may still use its data. */
	while (__atomic_load_n(&actions[vector].running, __ATOMIC_SEQ_CST))
		arch_cpu_relax();
}

u32 irq_dest_apic_id(void)
{
	return pcpus[0]->apic_id;
}

/*
 * From an external-interrupt exit (acknowledged on exit) or the idle
 * loop's sti/hlt: never with a lock held, so handlers may take locks.
 */
void do_irq(unsigned int vector)
{
	irq_fn fn;

	/* The loop runs timers and reschedules; the interrupt just got us there. */
	if (vector == APIC_KICK_VECTOR)
		this_x86_cpu()->kicks++;
	if (vector == APIC_TIMER_VECTOR || vector == APIC_KICK_VECTOR)
		apic_eoi();
	if (vector < APIC_ALLOC_VECTOR_FIRST || vector > APIC_DEVICE_VECTOR_LAST)
		return;		/* spurious (APIC or 8259): no EOI */
	__atomic_add_fetch(&actions[vector].running, 1, __ATOMIC_SEQ_CST);
	fn = __atomic_load_n(&actions[vector].fn, __ATOMIC_SEQ_CST);
	if (fn)
		fn(vector, actions[vector].data);
	__atomic_sub_fetch(&actions[vector].running, 1, __ATOMIC_RELEASE);
	apic_eoi();
}

void arch_idle(void)
{
	/* sti's one-instruction shadow makes "sti; hlt" race-free. */
	asm volatile("sti; hlt; cli" : : : "memory");
}

void arch_send_ipi(unsigned int cpu)
{
	if (cpu < MAX_CPUS && pcpus[cpu] && READ_ONCE(pcpus[cpu]->online))
		apic_send_ipi(pcpus[cpu]->apic_id, APIC_DM_FIXED |
			      APIC_LEVEL_ASSERT | APIC_KICK_VECTOR);
}

/* The 8259 PICs' ports: command, and data (the mask once initialised). */
#define PIC_MASTER_CMD 0x20
#define PIC_MASTER_IMR 0x21
#define PIC_SLAVE_CMD 0xa0
#define PIC_SLAVE_IMR 0xa1
#define PIC_ICW1_INIT 0x11	/* edge, cascade, ICW4 follows */

/*
 * Keel takes interrupts from its local APIC only. The BIOS leaves the
 * 8259s unmasked at real-mode vectors 0x08-0x0f, behind the APIC's
 * virtual-wire LINT0: the PIT's IRQ0 would reach an idle CPU as vector 8,
 * keel's #DF entry.
 */
int arch_irq_init(void)
{
	if (!smp_processor_id()) {
		/* Off the exception vectors (ICW1-4), then all masked. */
		outb(PIC_MASTER_CMD, PIC_ICW1_INIT);
		outb(PIC_SLAVE_CMD, PIC_ICW1_INIT);
		outb(PIC_MASTER_IMR, PIC_VECTOR_BASE);
		outb(PIC_SLAVE_IMR, PIC_VECTOR_BASE + 8);
		outb(PIC_MASTER_IMR, 4);	/* the slave on IRQ2 */
		outb(PIC_SLAVE_IMR, 2);
		outb(PIC_MASTER_IMR, 1);	/* 8086 mode */
		outb(PIC_SLAVE_IMR, 1);
		ioapic_init();
	}
	outb(PIC_MASTER_IMR, 0xff);
	outb(PIC_SLAVE_IMR, 0xff);
	return apic_init();
}
