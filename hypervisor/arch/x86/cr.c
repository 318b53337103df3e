/*
 * Control-register exits: MOV to and from CR0/CR3/CR4/CR8, CLTS and LMSW,
 * checked as the CPU checks them (#GP), with the read shadows kept right.
 * CR8 is the vLAPIC's task priority: it never reaches the host's APIC.
 */
#include <keel/errno.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/vlapic.h>
#include <asm/vmcs.h>
#include <asm/vmx_internal.h>

#define X86_CR0_NW BIT(29)
#define X86_CR0_CD BIT(30)
#define CR3_NOFLUSH BIT(63)
#define GPR_RSP 4

enum cr_access_type { MOV_TO_CR, MOV_FROM_CR, CLTS, LMSW };

static u64 *gpr(struct guest_regs *r, unsigned int n)
{
	u64 *regs[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp, &r->rsi,
		&r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13,
		&r->r14, &r->r15,
	};

	return regs[n & 15];
}

/* Register @n of the exit's qualification; RSP lives in the VMCS. */
static u64 get_gpr(struct vcpu *v, unsigned int n)
{
	return n == GPR_RSP ? vmread(GUEST_RSP) : *gpr(&v->arch.regs, n);
}

static void set_gpr(struct vcpu *v, unsigned int n, u64 val)
{
	if (n == GPR_RSP)
		vmwrite(GUEST_RSP, val);
	else
		*gpr(&v->arch.regs, n) = val;
}

/* The guest's view is @val; the real register keeps the bits VMX forces. */
static void write_cr(enum vmcs_field real, enum vmcs_field shadow,
		     enum vmcs_field mask_field, u64 val)
{
	u64 mask = vmread(mask_field);

	vmwrite(shadow, val);
	vmwrite(real, (val & ~mask) | (vmread(real) & mask));
}

/* CR0 as the guest sees it: its own bits, the shadow for the ones keel owns. */
static u64 guest_cr0(void)
{
	u64 mask = vmread(CR0_GUEST_HOST_MASK);

	return (vmread(GUEST_CR0) & ~mask) | (vmread(CR0_READ_SHADOW) & mask);
}

/* The #GP checks of MOV to CR0 (SDM Vol. 2, MOV—Move to/from Control Registers). */
static int set_cr0(u64 val)
{
	u64 old = guest_cr0();

	if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
		return -EINVAL;
	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) &&
	    (vmread(GUEST_IA32_EFER) & EFER_LME) &&
	    !(vmread(GUEST_CR4) & X86_CR4_PAE))
		return -EINVAL;
	/* Paging stays on in 64-bit mode (CS.L): only compatibility mode may leave it. */
	if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) &&
	    (vmread(GUEST_IA32_EFER) & EFER_LMA) &&
	    (vmread(GUEST_CS_AR_BYTES) & BIT(13)))
		return -EINVAL;
	write_cr(GUEST_CR0, CR0_READ_SHADOW, CR0_GUEST_HOST_MASK, val);
	vmx_update_long_mode();
	return 0;
}

/*
 * A CR4 write exits only when it sets a bit keel owns (vmcs.c): VMXE or a
 * feature the guest's CPUID does not offer (PKE, OSXSAVE, PCIDE, SMXE,
 * UMIP, LA57, ...). Each of those is reserved to the guest: #GP.
 */
static int set_cr4(u64 val)
{
	if (val & vmread(CR4_GUEST_HOST_MASK))
		return -EINVAL;
	write_cr(GUEST_CR4, CR4_READ_SHADOW, CR4_GUEST_HOST_MASK, val);
	return 0;
}

/* Only when the CPU forces CR3-load exiting (no true controls): no PCIDs offered. */
static int set_cr3(struct vcpu *v, u64 val)
{
	unsigned int width = vcpu_cpuid(v, 0x80000008, 0).eax & 0xff;

	if ((val & CR3_NOFLUSH) || (width && width < 64 && (val >> width)))
		return -EINVAL;
	vmwrite(GUEST_CR3, val);
	vmx_flush_vpid(v);
	return 0;
}

/* CR8 bits 3:0 are TPR bits 7:4; the rest are reserved. */
static int set_cr8(struct vcpu *v, u64 val)
{
	if (val & ~0xfULL)
		return -EINVAL;
	vlapic_set_tpr(v, val << 4);
	return 0;
}

static int mov_to_cr(struct vcpu *v, unsigned int cr, u64 val)
{
	switch (cr) {
	case 0:
		return set_cr0(val);
	case 3:
		return set_cr3(v, val);
	case 4:
		return set_cr4(val);
	case 8:
		return set_cr8(v, val);
	default:
		return -ENOSYS;		/* no other CR exits */
	}
}

static int mov_from_cr(struct vcpu *v, unsigned int cr, u64 *val)
{
	switch (cr) {
	case 3:
		*val = vmread(GUEST_CR3);
		return 0;
	case 8:
		*val = vlapic_get_tpr(v) >> 4;
		return 0;
	default:
		return -ENOSYS;		/* CR0/CR4 reads never exit */
	}
}

/*
 * 0 when handled (the instruction done, or a #GP injected); -ENOSYS for an
 * access keel's controls never make exit.
 */
int emulate_cr_access(struct vcpu *v)
{
	u64 q = vmread(EXIT_QUALIFICATION), val = 0;
	unsigned int cr = q & 15, reg = (q >> 8) & 15;
	u64 cr0 = guest_cr0();
	int rc;

	switch ((q >> 4) & 3) {
	case MOV_TO_CR:
		rc = mov_to_cr(v, cr, get_gpr(v, reg));
		break;
	case MOV_FROM_CR:
		rc = mov_from_cr(v, cr, &val);
		if (!rc)
			set_gpr(v, reg, val);
		break;
	case CLTS:
		rc = set_cr0(cr0 & ~X86_CR0_TS);
		break;
	default:	/* LMSW: sets PE (never clears it), MP, EM, TS */
		val = (q >> 16) & (X86_CR0_PE | X86_CR0_MP | X86_CR0_EM |
				   X86_CR0_TS);
		rc = set_cr0((cr0 & ~(X86_CR0_MP | X86_CR0_EM | X86_CR0_TS)) |
			     val);
		break;
	}
	if (rc == -ENOSYS)
		return rc;
	if (rc)
		vmx_inject_exception(X86_EXC_GP, true, 0);
	else
		vmx_skip_instruction();
	return 0;
}
