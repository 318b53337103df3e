/* Descriptor tables: each CPU's GDT and TSS (with interrupt stacks), and the IDT they share. */
#include <keel/arch.h>
#include <keel/percpu.h>
#include <keel/string.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/stack_guard.h>
#include <asm/vmx_internal.h>

#define IDT_EXCEPTIONS 32

static const u64 gdt_template[GDT_ENTRIES] = {
	0,
	0x00af9a000000ffffULL,	/* 64-bit code, DPL 0 */
	0x00cf92000000ffffULL,	/* data, DPL 0 */
	0, 0,			/* TSS, filled per CPU */
};

static struct cpu_data boot_cpu_data;
static struct idt_entry idt[256] __aligned(16);
static u8 boot_ist_stacks[IST_COUNT][IST_STACK_SIZE] __aligned(16);

extern const u64 exception_stubs[IDT_EXCEPTIONS];
extern const char irq_0xf0[], irq_0xf1[], irq_0xff[], device_irq_stubs[];

static void set_tss_descriptor(u64 *gdt, const struct tss *tss)
{
	u64 base = (u64)tss, limit = sizeof(*tss) - 1;

	gdt[GDT_TSS_SEL / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			       (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
			       (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS_SEL / 8 + 1] = base >> 32;
}

static void set_gate(int vec, u64 handler, int ist)
{
	idt[vec] = idt_gate(handler, GDT_CODE_SEL, ist);
}

static int exception_ist(int vec)
{
	switch (vec) {
	case 2:
		return IST_NMI;
	case 8:
		return IST_DOUBLE_FAULT;
	case 18:
		return IST_MACHINE_CHECK;
	default:
		return 0;
	}
}

void x86_cpu_tables_init(unsigned int cpu, struct cpu_data *data, void *ist_stacks)
{
	struct x86_cpu *c = &data->x86;

	memset(&c->tss, 0, sizeof(c->tss));
	for (int i = 0; i < IST_COUNT; i++)
		c->tss.ist[i] = (u64)ist_stacks + (i + 1) * IST_STACK_SIZE;
	c->tss.iomap_base = sizeof(c->tss);
	memcpy(c->gdt, gdt_template, sizeof(c->gdt));
	set_tss_descriptor(c->gdt, &c->tss);
	data->pcpu.self = &data->pcpu;
	data->pcpu.id = cpu;
	data->pcpu.arch = c;
	pcpus[cpu] = &data->pcpu;
}

void x86_cpu_tables_load(unsigned int cpu)
{
	struct desc_ptr gdtr = { sizeof(x86_cpu(cpu)->gdt) - 1,
				 (u64)x86_cpu(cpu)->gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (u64)idt };

	asm volatile("lgdt %0" : : "m"(gdtr));
	asm volatile("pushq %0\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %1, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "xorl %%eax, %%eax\n\t"
		     "movl %%eax, %%fs\n\t"
		     "movl %%eax, %%gs"
		     : : "i"((u64)GDT_CODE_SEL), "i"(GDT_DATA_SEL) : "rax", "memory");
	asm volatile("ltr %w0" : : "r"(GDT_TSS_SEL));
	asm volatile("lidt %0" : : "m"(idtr));
	wrmsr(MSR_GS_BASE, (u64)pcpus[cpu]);
	x86_stack_guard_init();		/* libfdt's canary at %fs:0x28, per CPU */
}

void arch_cpu_init(void)
{
	for (int vec = 0; vec < IDT_EXCEPTIONS; vec++)
		set_gate(vec, exception_stubs[vec], exception_ist(vec));
	set_gate(APIC_TIMER_VECTOR, (u64)irq_0xf0, 0);
	set_gate(APIC_KICK_VECTOR, (u64)irq_0xf1, 0);
	set_gate(APIC_SPURIOUS_VECTOR, (u64)irq_0xff, 0);
	for (int vec = APIC_DEVICE_VECTOR_FIRST; vec <= APIC_DEVICE_VECTOR_LAST; vec++)
		set_gate(vec, (u64)device_irq_stubs +
			 (vec - APIC_DEVICE_VECTOR_FIRST) * 16, 0);

	x86_cpu_tables_init(0, &boot_cpu_data, boot_ist_stacks);
	x86_cpu_tables_load(0);
	pcpus[0]->online = true;
}

/* For the VMCS host state: this CPU's own TSS (its GDT comes from SGDT). */
u64 x86_tss_base(void)
{
	return (u64)&this_x86_cpu()->tss;
}
