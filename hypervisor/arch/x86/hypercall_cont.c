/* Hypercall continuations on x86: the guest's argument registers take the call's progress. */
#include <keel/arch.h>
#include <keel/vcpu.h>

/* Xen's 64-bit HVM hypercall registers: RAX = number, then RDI, RSI, RDX, R10, R8. */
void arch_hypercall_continuation(struct vcpu *v, unsigned long nr,
				 const unsigned long *args, unsigned int nargs)
{
	struct guest_regs *r = &v->arch.regs;
	u64 *const regs[5] = { &r->rdi, &r->rsi, &r->rdx, &r->r10, &r->r8 };

	r->rax = nr;
	for (unsigned int i = 0; i < nargs && i < 5; i++)
		*regs[i] = args[i];
}
