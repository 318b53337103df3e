/* A readable dump of a vCPU's VMCS, for failed VM entries and crashed guests. */
#include <keel/domain.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

struct named_field {
	const char *name;
	enum vmcs_field field;
};

static const struct named_field fields[] = {
	{ "rip", GUEST_RIP }, { "rsp", GUEST_RSP }, { "rflags", GUEST_RFLAGS },
	{ "cr0", GUEST_CR0 }, { "cr0 shadow", CR0_READ_SHADOW },
	{ "cr3", GUEST_CR3 }, { "cr4", GUEST_CR4 },
	{ "cr4 shadow", CR4_READ_SHADOW }, { "efer", GUEST_IA32_EFER },
	{ "cs", GUEST_CS_SELECTOR }, { "cs base", GUEST_CS_BASE },
	{ "cs limit", GUEST_CS_LIMIT }, { "cs ar", GUEST_CS_AR_BYTES },
	{ "ss", GUEST_SS_SELECTOR }, { "ss ar", GUEST_SS_AR_BYTES },
	{ "ds ar", GUEST_DS_AR_BYTES }, { "tr ar", GUEST_TR_AR_BYTES },
	{ "ldtr ar", GUEST_LDTR_AR_BYTES },
	{ "gdtr base", GUEST_GDTR_BASE }, { "gdtr limit", GUEST_GDTR_LIMIT },
	{ "idtr base", GUEST_IDTR_BASE }, { "idtr limit", GUEST_IDTR_LIMIT },
	{ "interruptibility", GUEST_INTERRUPTIBILITY_INFO },
	{ "activity", GUEST_ACTIVITY_STATE },
	{ "entry intr info", VM_ENTRY_INTR_INFO },
	{ "pin controls", PIN_BASED_VM_EXEC_CONTROL },
	{ "cpu controls", CPU_BASED_VM_EXEC_CONTROL },
	{ "secondary controls", SECONDARY_VM_EXEC_CONTROL },
	{ "exit controls", VM_EXIT_CONTROLS },
	{ "entry controls", VM_ENTRY_CONTROLS },
	{ "eptp", EPT_POINTER },
	{ "exit reason", VM_EXIT_REASON },
	{ "exit qualification", EXIT_QUALIFICATION },
	{ "instruction error", VM_INSTRUCTION_ERROR },
};

void vmcs_dump(struct vcpu *v)
{
	const struct guest_regs *r = &v->arch.regs;

	pr_err("d%uv%u VMCS:\n", v->domain->id, v->id);
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i += 3) {
		char line[160];
		int n = 0;

		for (unsigned int j = i; j < i + 3 && j < ARRAY_SIZE(fields); j++)
			n += snprintf(line + n, sizeof(line) - n, "  %-18s %016llx",
				      fields[j].name,
				      (unsigned long long)vmread(fields[j].field));
		pr_err("%s\n", line);
	}
	pr_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
	       (unsigned long long)r->rax, (unsigned long long)r->rbx,
	       (unsigned long long)r->rcx, (unsigned long long)r->rdx);
	pr_err("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n",
	       (unsigned long long)r->rsi, (unsigned long long)r->rdi,
	       (unsigned long long)r->rbp, (unsigned long long)r->r8);
}
