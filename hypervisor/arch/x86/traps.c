/* Exceptions taken inside keel: a full register dump, then the machine stops. */
#include <keel/arch.h>
#include <keel/printk.h>
#include <keel/stop.h>
#include <keel/page.h>
#include <asm/processor.h>
#include <asm/x86_page.h>

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization exception",
	"#CP control protection",
};

/* Up to 16 words from the faulting stack, never past the end of its page. */
static void dump_stack(u64 rsp)
{
	const u64 *sp = (const u64 *)rsp;
	int words = MIN(16, (int)((PAGE_SIZE - (rsp & (PAGE_SIZE - 1))) / 8));

	/* Only walk the stack when it is plainly keel's own mapped memory. */
	if (rsp < DIRECTMAP_BASE || rsp & 7)
		return;
	pr_err("stack at %016llx:\n", (unsigned long long)rsp);
	for (int i = 0; i < words; i++)
		printk(LOG_ERR, "%s%016llx%s", i % 4 ? " " : "  ",
		       (unsigned long long)sp[i],
		       i % 4 == 3 || i == words - 1 ? "\n" : "");
}

void do_exception(struct cpu_regs *r)
{
	static bool in_fault;
	const char *name = r->vector < 32 && exception_names[r->vector] ?
			   exception_names[r->vector] : "reserved";

	if (in_fault) {
		pr_err("FATAL: nested %s at rip %016llx while reporting a fault\n",
		       name, (unsigned long long)r->rip);
		keel_stop(KEEL_STATUS_FAULT);
	}
	in_fault = true;
	pr_err("FATAL: exception %llu (%s) in keel, error code %#llx\n",
	       (unsigned long long)r->vector, name,
	       (unsigned long long)r->error_code);
	pr_err("rip %04llx:%016llx rflags %016llx\n",
	       (unsigned long long)r->cs, (unsigned long long)r->rip,
	       (unsigned long long)r->rflags);
	pr_err("rsp %04llx:%016llx\n", (unsigned long long)r->ss,
	       (unsigned long long)r->rsp);
	pr_err("rax %016llx rbx %016llx rcx %016llx\n",
	       (unsigned long long)r->rax, (unsigned long long)r->rbx,
	       (unsigned long long)r->rcx);
	pr_err("rdx %016llx rsi %016llx rdi %016llx\n",
	       (unsigned long long)r->rdx, (unsigned long long)r->rsi,
	       (unsigned long long)r->rdi);
	pr_err("rbp %016llx r8  %016llx r9  %016llx\n",
	       (unsigned long long)r->rbp, (unsigned long long)r->r8,
	       (unsigned long long)r->r9);
	pr_err("r10 %016llx r11 %016llx r12 %016llx\n",
	       (unsigned long long)r->r10, (unsigned long long)r->r11,
	       (unsigned long long)r->r12);
	pr_err("r13 %016llx r14 %016llx r15 %016llx\n",
	       (unsigned long long)r->r13, (unsigned long long)r->r14,
	       (unsigned long long)r->r15);
	pr_err("cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n",
	       (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
	       (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	dump_stack(r->rsp);
	keel_stop(KEEL_STATUS_FAULT);
}
