/*
 * rip-wrap: an instruction keel emulates at the very end of the address
 * space, run by the guest's own user space. At CPL3 in compatibility mode
 * (a 32-bit code segment whose base makes EIP 0xfffffffe land in a page of
 * ours, as any 32-bit process can arrange with modify_ldt), CPUID's next
 * EIP is 0: keel must wrap it as the CPU does, not hand VM entry a RIP of
 * 2^32, which fails it and crashes the whole domain. At CPL3 in 64-bit
 * mode, CPUID ending at the top of the lower canonical half leaves a
 * non-canonical RIP: the guest gets #GP with that RIP made canonical, as
 * Xen gives it (XSA-170), and its kernel goes on.
 */
#include <asm/desc.h>
#include <asm/x86_page.h>
#include "guest.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x23		/* GDT index 4, RPL 3 */
#define SEL_UCODE 0x2b		/* GDT index 5, RPL 3: 64-bit */
#define SEL_UCODE32 0x33	/* GDT index 6, RPL 3: compatibility mode */
#define SEL_TSS 0x38		/* GDT index 7 (two slots) */
#define USER_RETURN_VECTOR 0x81
#define STACK_SIZE 8192
#define CPUID_GENU cpuid(0).ebx	/* "Genu" on Intel, "Auth" on AMD */
#define PAGE_SIZE 4096
#define TOP_OF_LOWER_HALF 0x00007ffffffff000ULL	/* its last page */

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

static u64 gdt[9] __aligned(16) = {
	0,
	0x00af9a000000ffffULL,	/* kernel code, 64-bit (head.S's) */
	0x00cf92000000ffffULL,	/* kernel data */
	0x00cf9a000000ffffULL,	/* 32-bit code */
	0x00cff2000000ffffULL,	/* user data, DPL 3 */
	0x00affa000000ffffULL,	/* user code, 64-bit, DPL 3 */
	0,			/* user code, 32-bit, DPL 3: base set below */
};
static struct tss64 tss __aligned(16);
static u8 kernel_stack[STACK_SIZE] __aligned(16);
static u8 user_stack[STACK_SIZE] __aligned(16);
/* The user code pages, and tables mapping the second at TOP_OF_LOWER_HALF. */
static u8 code32[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 code64[PAGE_SIZE] __aligned(PAGE_SIZE);
static u64 pdpt_top[512] __aligned(PAGE_SIZE);
static u64 pd_top[512] __aligned(PAGE_SIZE);
static u64 pt_top[512] __aligned(PAGE_SIZE);

extern u64 pml4[], pd[];
/* rip-wrap's entry.S */
void user_enter(u64 rip, u64 cs, void *stack_top);
extern u64 user_saved_rsp;
extern const char user_resume[];

/* What ended the user's run. */
static struct {
	u64 vector, error_code, rip, cs, rbx;
} seen;

static void resume_kernel(struct cpu_regs *regs)
{
	seen.vector = regs->vector;
	seen.error_code = regs->error_code;
	seen.rip = regs->rip;
	seen.cs = regs->cs;
	seen.rbx = regs->rbx;
	regs->rip = (u64)user_resume;
	regs->cs = SEL_KCODE;
	regs->ss = SEL_KDATA;
	regs->rsp = user_saved_rsp;
}

/* A #GP from CPL3 ends the user's run; one from the kernel is a failure. */
static void gp_handler(struct cpu_regs *regs)
{
	if ((regs->cs & 3) != 3) {
		exception_report(regs);
		printf("guest: FAIL #GP in the kernel\n");
		guest_shutdown(SHUTDOWN_crash);
	}
	resume_kernel(regs);
}

static u64 code_descriptor32(u32 base)
{
	return 0x00cffa000000ffffULL | (u64)(base & 0xffffff) << 16 |
	       (u64)(base >> 24) << 56;
}

static void setup(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uptr)gdt }, idtr;
	u64 base = (uptr)&tss, limit = sizeof(tss) - 1;
	u64 *pdpt = (u64 *)(uptr)(pml4[0] & ~0xfffULL);
	u64 user = X86_PTE_P | X86_PTE_RW | X86_PTE_US;
	struct idt_entry *idt;

	tss.rsp[0] = (uptr)kernel_stack + STACK_SIZE;
	tss.iomap_base = sizeof(tss);
	/* EIP 0xfffffffe is code32[0]; EIP 0 (after the wrap) code32[2]. */
	gdt[6] = code_descriptor32((u32)(uptr)code32 + 2);
	gdt[7] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ULL << 40 |
		 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[8] = base >> 32;
	asm volatile("lgdt %0; ltr %w1" : : "m"(gdtr), "r"(SEL_TSS) : "memory");

	/* The identity map becomes user-accessible (no SMEP/SMAP here). */
	pml4[0] |= X86_PTE_US;
	for (unsigned int i = 0; i < 4; i++)
		pdpt[i] |= X86_PTE_US;
	for (unsigned int i = 0; i < 4 * 512; i++)
		pd[i] |= X86_PTE_US;
	/* code64 at the last page below the non-canonical hole. */
	pml4[255] = (uptr)pdpt_top | user;
	pdpt_top[511] = (uptr)pd_top | user;
	pd_top[511] = (uptr)pt_top | user;
	pt_top[511] = (uptr)code64 | user;
	write_cr3(read_cr3());

	/* CPUID, then INT 0x81 back to the kernel (reached only by a wrap). */
	memcpy(code32, "\x0f\xa2\xcd\x81", 4);
	/* CPUID in the page's last two bytes: nothing follows in 64-bit mode. */
	memcpy(code64 + PAGE_SIZE - 2, "\x0f\xa2", 2);

	asm volatile("sidt %0" : "=m"(idtr));
	idt = (struct idt_entry *)idtr.base;
	idt[USER_RETURN_VECTOR].type_attr |= 3 << 5;	/* DPL 3 */
	set_exception_handler(USER_RETURN_VECTOR, resume_kernel);
	set_exception_handler(X86_EXC_GP, gp_handler);
}

static void run_user(u64 rip, u64 cs)
{
	memset(&seen, 0, sizeof(seen));
	user_enter(rip, cs, user_stack + STACK_SIZE);
}

int guest_main(const char *cmdline)
{
	setup();

	/* Compatibility mode: CPUID at EIP 0xfffffffe, INT 0x81 at EIP 0. */
	run_user(0xfffffffeULL, SEL_UCODE32);
	CHECK(seen.vector == USER_RETURN_VECTOR && seen.cs == SEL_UCODE32,
	      "CPL3 compatibility mode: vector %lu from cs %#lx, want INT %#x",
	      seen.vector, seen.cs, USER_RETURN_VECTOR);
	CHECK(seen.rip == 2, "CPL3 compatibility mode: INT returned to EIP %#lx, want 2 (EIP wrapped)",
	      seen.rip);
	CHECK((u32)seen.rbx == CPUID_GENU, "CPUID at EIP 0xfffffffe: EBX %#lx",
	      seen.rbx);
	printf("guest: CPL3 compatibility mode: CPUID at EIP 0xfffffffe, EIP wrapped to 0\n");

	/* 64-bit mode: CPUID ends at 0x7fffffffffff; the next RIP is not canonical. */
	run_user(TOP_OF_LOWER_HALF + PAGE_SIZE - 2, SEL_UCODE);
	CHECK(seen.vector == X86_EXC_GP && seen.error_code == 0 &&
	      seen.cs == SEL_UCODE,
	      "CPL3 64-bit CPUID before the canonical hole: vector %lu (error %#lx) from cs %#lx, want #GP(0) from CPL3",
	      seen.vector, seen.error_code, seen.cs);
	/*
	 * Xen's RIP for it, made canonical. Hardware refuses VM entry with
	 * the raw 0x800000000000; Bochs enters and faults on the fetch.
	 */
	CHECK(seen.rip == 0xffff800000000000ULL,
	      "CPL3 64-bit #GP at rip %#lx, want 0xffff800000000000 (Xen's)",
	      seen.rip);
	CHECK((u32)seen.rbx == CPUID_GENU, "CPUID at 0x7ffffffffffe: EBX %#lx",
	      seen.rbx);
	printf("guest: CPL3 64-bit mode: CPUID before the canonical hole, #GP(0) at rip %#lx\n",
	       seen.rip);

	return test_result("rip-wrap");
}
