/* Control-register exits: MOV to CR0/CR4 of bits VMX forces, with the read shadows kept right. */
#include <keel/errno.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

static u64 *gpr(struct guest_regs *r, unsigned int n)
{
	u64 *regs[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp, &r->rsi,
		&r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13,
		&r->r14, &r->r15,
	};

	return regs[n & 15];
}

/* The guest's view is @val; the real register keeps the bits VMX forces. */
static void write_cr(enum vmcs_field real, enum vmcs_field shadow,
		     enum vmcs_field mask_field, u64 val)
{
	u64 mask = vmread(mask_field);

	vmwrite(shadow, val);
	vmwrite(real, (val & ~mask) | (vmread(real) & mask));
}

int emulate_cr_access(struct vcpu *v)
{
	u64 q = vmread(EXIT_QUALIFICATION);
	unsigned int cr = q & 15, type = (q >> 4) & 3;
	u64 *reg = gpr(&v->arch.regs, (q >> 8) & 15);
	u64 val;

	if (type != 0 || !reg)	/* only MOV to CR; MOV from RSP is not expected */
		return -EINVAL;
	val = *reg;
	switch (cr) {
	case 0:
		if ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) {
			vmx_inject_exception(13, true, 0);
			return 0;
		}
		write_cr(GUEST_CR0, CR0_READ_SHADOW, CR0_GUEST_HOST_MASK, val);
		vmx_update_long_mode();
		break;
	case 4:
		if (val & X86_CR4_VMXE) {
			vmx_inject_exception(13, true, 0);
			return 0;
		}
		write_cr(GUEST_CR4, CR4_READ_SHADOW, CR4_GUEST_HOST_MASK, val);
		break;
	default:
		return -EINVAL;
	}
	vmx_skip_instruction();
	return 0;
}
