/* Guest state VMX leaves in the CPU (FPU/SSE, CR2, syscall MSRs): saved and restored when a CPU changes vCPU. */
#include <keel/percpu.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/vmx_internal.h>

#define FXSAVE_FCW_RESET 0x037f		/* x87 control word after FNINIT */
#define FXSAVE_MXCSR_RESET 0x1f80	/* all SSE exceptions masked */

/* Neither the VMCS nor keel touches these: the CPU holds the running guest's values. */
static const u32 context_msrs[VCPU_CONTEXT_MSRS] = {
	0xc0000081, 0xc0000082, 0xc0000083,	/* STAR, LSTAR, CSTAR */
	0xc0000084,				/* SFMASK */
	0xc0000102,				/* KERNEL_GS_BASE */
};

void vcpu_context_init(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	memset(a->fpu, 0, sizeof(a->fpu));
	*(u16 *)&a->fpu[0] = FXSAVE_FCW_RESET;
	*(u32 *)&a->fpu[24] = FXSAVE_MXCSR_RESET;
	a->cr2 = 0;
	memset(a->context_msr, 0, sizeof(a->context_msr));
}

void vcpu_context_save(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	asm volatile("fxsave64 %0" : "=m"(a->fpu));
	a->cr2 = read_cr2();
	for (unsigned int i = 0; i < VCPU_CONTEXT_MSRS; i++)
		a->context_msr[i] = rdmsr(context_msrs[i]);
}

void vcpu_context_restore(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	asm volatile("fxrstor64 %0" : : "m"(a->fpu));
	write_cr2(a->cr2);
	for (unsigned int i = 0; i < VCPU_CONTEXT_MSRS; i++)
		wrmsr(context_msrs[i], a->context_msr[i]);
}
