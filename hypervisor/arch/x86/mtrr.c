/*
 * The MTRRs a vCPU sees: 8 variable ranges and the default type, kept per
 * vCPU and checked as the CPU checks them. They change nothing: memory
 * types come from EPT (write-back) and the guest's PAT.
 */
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/processor.h>
#include <asm/vmx_internal.h>

#define MSR_MTRR_CAP 0xfe
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MTRR_CAP_WC BIT(10)
#define MTRR_DEF_TYPE_E BIT(11)
#define MTRR_PHYSMASK_V BIT(11)

void mtrr_init(struct vcpu *v)
{
	memset(&v->arch.mtrr, 0, sizeof(v->arch.mtrr));
}

/* UC, WC, WT, WP, WB: the types the CPU accepts. */
static bool valid_type(u64 type)
{
	return type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
}

/* Address bits above the guest's physical address width are reserved. */
static u64 addr_mask(struct vcpu *v)
{
	unsigned int width = vcpu_cpuid(v, 0x80000008, 0).eax & 0xff;

	if (width < 36 || width > 52)
		width = 36;
	return (BIT(width) - 1) & ~0xfffULL;
}

static bool is_mtrr(u32 msr)
{
	return msr == MSR_MTRR_CAP || msr == MSR_MTRR_DEF_TYPE ||
	       (msr >= MSR_MTRR_PHYSBASE0 &&
		msr < MSR_MTRR_PHYSBASE0 + 2 * VMTRR_VAR_RANGES);
}

/* 0, -ENOENT for an MSR that is no MTRR, -EINVAL for a #GP. */
int mtrr_read(struct vcpu *v, u32 msr, u64 *val)
{
	if (!is_mtrr(msr))
		return -ENOENT;
	if (msr == MSR_MTRR_CAP)
		*val = MTRR_CAP_WC | VMTRR_VAR_RANGES;	/* no fixed ranges, no SMRR */
	else if (msr == MSR_MTRR_DEF_TYPE)
		*val = v->arch.mtrr.def_type;
	else
		*val = v->arch.mtrr.var[msr - MSR_MTRR_PHYSBASE0];
	return 0;
}

int mtrr_write(struct vcpu *v, u32 msr, u64 val)
{
	unsigned int i = msr - MSR_MTRR_PHYSBASE0;

	if (!is_mtrr(msr))
		return -ENOENT;
	switch (msr) {
	case MSR_MTRR_CAP:
		return -EINVAL;			/* read-only */
	case MSR_MTRR_DEF_TYPE:
		/* FE (bit 10) is reserved without fixed ranges. */
		if ((val & ~(MTRR_DEF_TYPE_E | 0xffULL)) ||
		    !valid_type(val & 0xff))
			return -EINVAL;
		v->arch.mtrr.def_type = val;
		return 0;
	}
	if (i % 2 == 0 && ((val & ~(addr_mask(v) | 0xffULL)) ||
			   !valid_type(val & 0xff)))
		return -EINVAL;			/* PHYSBASEn */
	if (i % 2 == 1 && (val & ~(addr_mask(v) | MTRR_PHYSMASK_V)))
		return -EINVAL;			/* PHYSMASKn */
	v->arch.mtrr.var[i] = val;
	return 0;
}
