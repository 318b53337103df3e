/* The guest IDT: stubs for all 256 vectors, dispatch to fixups, test handlers or a crash report. */
#include "console.h"
#include "extable.h"
#include "shutdown.h"
#include "traps.h"
#include <public/sched.h>
#include <asm/desc.h>

#define NR_VECTORS 256		/* 0-31 exceptions, the rest interrupts */

static struct idt_entry idt[NR_VECTORS] __aligned(16);
static exception_handler_t handlers[NR_VECTORS];
static unsigned int depth;

extern const u64 trap_stubs[NR_VECTORS];
void trap_dispatch(struct cpu_regs *regs);

BUILD_BUG_ON(sizeof(struct idt_entry) != 16);
BUILD_BUG_ON(sizeof(struct cpu_regs) % 16 != 0);

static const char *const names[NR_EXCEPTIONS] = {
	[X86_EXC_DE] = "#DE", [X86_EXC_DB] = "#DB", [X86_EXC_NMI] = "NMI",
	[X86_EXC_BP] = "#BP", [X86_EXC_OF] = "#OF", [X86_EXC_BR] = "#BR",
	[X86_EXC_UD] = "#UD", [X86_EXC_NM] = "#NM", [X86_EXC_DF] = "#DF",
	[X86_EXC_TS] = "#TS", [X86_EXC_NP] = "#NP", [X86_EXC_SS] = "#SS",
	[X86_EXC_GP] = "#GP", [X86_EXC_PF] = "#PF", [X86_EXC_MF] = "#MF",
	[X86_EXC_AC] = "#AC", [X86_EXC_MC] = "#MC", [X86_EXC_XM] = "#XM",
	[X86_EXC_VE] = "#VE", [X86_EXC_CP] = "#CP", [28] = "#HV",
	[29] = "#VC", [30] = "#SX",
};

const char *exception_name(unsigned int vec)
{
	if (vec < NR_EXCEPTIONS && names[vec])
		return names[vec];
	return vec < NR_EXCEPTIONS ? "reserved" : "interrupt";
}

void traps_init(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uptr)idt };
	u16 cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned int v = 0; v < NR_VECTORS; v++)
		idt[v] = idt_gate(trap_stubs[v], cs, 0);
	asm volatile("lidt %0" : : "m"(idtr));
}

exception_handler_t set_exception_handler(unsigned int vec,
					  exception_handler_t fn)
{
	exception_handler_t old;

	if (vec >= NR_VECTORS)
		return NULL;
	old = handlers[vec];
	handlers[vec] = fn;
	return old;
}

void exception_report(const struct cpu_regs *r)
{
	printf("guest: exception %lu (%s) at rip %#lx, error code %#lx\n",
	       r->vector, exception_name(r->vector), r->rip, r->error_code);
	printf("guest:   rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
	       r->rax, r->rbx, r->rcx, r->rdx);
	printf("guest:   rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n",
	       r->rsi, r->rdi, r->rbp, r->rsp);
	printf("guest:   r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n",
	       r->r8, r->r9, r->r10, r->r11);
	printf("guest:   r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n",
	       r->r12, r->r13, r->r14, r->r15);
	printf("guest:   cs %04lx ss %04lx rflags %08lx cr0 %08lx cr2 %016lx cr3 %08lx cr4 %08lx\n",
	       r->cs, r->ss, r->rflags, read_cr0(), read_cr2(), read_cr3(),
	       read_cr4());
}

void trap_dispatch(struct cpu_regs *regs)
{
	unsigned int vec = regs->vector;

	/*
	 * A fixup for this instruction beats everything else. Not for
	 * interrupts: their RIP is the next instruction, which did not fault.
	 */
	if (vec < NR_EXCEPTIONS && extable_fixup(regs))
		return;

	if (depth++) {
		printf("guest: exception %u (%s) at rip %#lx while handling another\n",
		       vec, exception_name(vec), regs->rip);
		guest_shutdown(SHUTDOWN_crash);
	}
	if (vec < NR_VECTORS && handlers[vec]) {
		handlers[vec](regs);
	} else {
		exception_report(regs);
		printf("guest: unhandled exception, crashing\n");
		guest_shutdown(SHUTDOWN_crash);
	}
	depth--;
}
