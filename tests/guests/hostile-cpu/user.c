/* CPL3 for the hostile-cpu guest: a GDT with user segments and a TSS, user pages, a way in and out. */
#include <asm/desc.h>
#include "hostile.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x23		/* GDT index 4, RPL 3 */
#define SEL_UCODE 0x2b		/* GDT index 5, RPL 3 */
#define SEL_TSS 0x30		/* GDT index 6 (two slots) */
#define USER_RETURN_VECTOR 0x81	/* INT from CPL3 back to the kernel */
#define PTE_USER BIT(2)
#define STACK_SIZE 8192

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

static u64 gdt[8] __aligned(16) = {
	0,
	0x00af9a000000ffffULL,	/* kernel code, 64-bit (head.S's) */
	0x00cf92000000ffffULL,	/* kernel data */
	0x00cf9a000000ffffULL,	/* 32-bit code */
	0x00cff2000000ffffULL,	/* user data, DPL 3 */
	0x00affa000000ffffULL,	/* user code, 64-bit, DPL 3 */
};
static struct tss64 tss __aligned(16);
static u8 kernel_stack[STACK_SIZE] __aligned(16);
static u8 user_stack[STACK_SIZE] __aligned(16);

extern u64 pml4[], pd[];
/* user_entry.S */
void user_enter(void (*fn)(void), void *stack_top);
extern u64 user_saved_rsp;
extern const char user_resume[];

/* The user's INT: resume the kernel where user_enter() left it. */
static void back_to_kernel(struct cpu_regs *regs)
{
	regs->rip = (u64)user_resume;
	regs->cs = SEL_KCODE;
	regs->ss = SEL_KDATA;
	regs->rsp = user_saved_rsp;
}

void user_init(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uptr)gdt }, idtr;
	u64 base = (uptr)&tss, limit = sizeof(tss) - 1;
	struct idt_entry *idt;
	u64 *pdpt = (u64 *)(uptr)(pml4[0] & ~0xfffULL);

	tss.rsp[0] = (uptr)kernel_stack + STACK_SIZE;
	tss.iomap_base = sizeof(tss);		/* no I/O bitmap */
	gdt[6] = (limit & 0xffff) | (base & 0xffffff) << 16 |
		 0x89ULL << 40 | ((limit >> 16) & 0xf) << 48 |
		 ((base >> 24) & 0xff) << 56;	/* present, available 64-bit TSS */
	gdt[7] = base >> 32;
	asm volatile("lgdt %0; ltr %w1" : : "m"(gdtr), "r"(SEL_TSS) : "memory");

	/* The whole identity map becomes user-accessible (no SMEP/SMAP here). */
	pml4[0] |= PTE_USER;
	for (unsigned int i = 0; i < 4; i++)
		pdpt[i] |= PTE_USER;
	for (unsigned int i = 0; i < 4 * 512; i++)
		pd[i] |= PTE_USER;
	write_cr3(read_cr3());

	asm volatile("sidt %0" : "=m"(idtr));
	idt = (struct idt_entry *)idtr.base;
	idt[USER_RETURN_VECTOR].type_attr |= 3 << 5;	/* DPL 3 */
	set_exception_handler(USER_RETURN_VECTOR, back_to_kernel);
}

void run_user(void (*fn)(void))
{
	irq_disable();
	user_enter(fn, user_stack + STACK_SIZE);
}
