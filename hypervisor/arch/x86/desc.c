/* The boot CPU's GDT, TSS (with interrupt stacks) and IDT. */
#include <keel/arch.h>
#include <keel/percpu.h>
#include <keel/string.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/stack_guard.h>
#include <asm/vmx_internal.h>

#define IST_STACK_SIZE 4096
#define IDT_EXCEPTIONS 32

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

static u64 gdt[5] __aligned(16) = {
	0,
	0x00af9a000000ffffULL,	/* 64-bit code, DPL 0 */
	0x00cf92000000ffffULL,	/* data, DPL 0 */
	0, 0,			/* TSS, filled at run time */
};
static struct tss tss __aligned(16);
static struct idt_entry idt[256] __aligned(16);
static u8 ist_stacks[IST_COUNT][IST_STACK_SIZE] __aligned(16);

extern const u64 exception_stubs[IDT_EXCEPTIONS];
extern const char irq_0xf0[], irq_0xf1[], irq_0xff[];

static void set_tss_descriptor(void)
{
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;

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

void arch_cpu_init(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (u64)gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (u64)idt };

	for (int i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (u64)ist_stacks[i] + IST_STACK_SIZE;
	tss.iomap_base = sizeof(tss);
	set_tss_descriptor();
	for (int vec = 0; vec < IDT_EXCEPTIONS; vec++)
		set_gate(vec, exception_stubs[vec], exception_ist(vec));
	set_gate(0xf0, (u64)irq_0xf0, 0);
	set_gate(0xf1, (u64)irq_0xf1, 0);
	set_gate(0xff, (u64)irq_0xff, 0);

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

	pcpus[0].self = &pcpus[0];
	pcpus[0].online = true;
	wrmsr(MSR_GS_BASE, (u64)&pcpus[0]);
	x86_stack_guard_init();
}

u64 x86_tss_base(void)
{
	return (u64)&tss;
}
