/* MSRs Xen lets a guest read or write harmlessly: no #GP, values as Xen gives them; unknown ones still #GP. */
#include "hostile.h"

#define MSR_PLATFORM_ID 0x17
#define MSR_TSC_ADJUST 0x3b
#define MSR_UCODE_WRITE 0x79
#define MSR_UCODE_REV 0x8b
#define MSR_MTRR_CAP 0xfe
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MCG_CTL 0x17b
#define MSR_MISC_ENABLE 0x1a0
#define MSR_DEBUGCTL 0x1d9
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_PHYSMASK0 0x201
#define MSR_MTRR_PHYSBASE7 0x20e
#define MSR_MTRR_FIX64K 0x250
#define MSR_MTRR_DEF_TYPE 0x2ff
#define DEBUGCTL_LBR BIT(0)
#define DEBUGCTL_BTF BIT(1)

static u64 rd(u32 msr)
{
	u64 v = 0;
	int vec = rdmsr_safe(msr, &v);

	CHECK(vec == NO_FAULT, "RDMSR %#x: vector %d", msr, vec);
	return v;
}

static void wr(u32 msr, u64 val)
{
	int vec = wrmsr_safe(msr, val);

	CHECK(vec == NO_FAULT, "WRMSR %#x = %#lx: vector %d", msr, val, vec);
}

static void gp_on_write(u32 msr, u64 val)
{
	int vec = wrmsr_safe(msr, val);

	CHECK(vec == X86_EXC_GP, "WRMSR %#x = %#lx: vector %d, want #GP", msr,
	      val, vec);
}

static void gp_on_read(u32 msr)
{
	u64 v;
	int vec = rdmsr_safe(msr, &v);

	CHECK(vec == X86_EXC_GP, "RDMSR %#x: vector %d, want #GP", msr, vec);
}

static void debugctl(void)
{
	CHECK(rd(MSR_DEBUGCTL) == 0, "DEBUGCTL %#lx at start", rd(MSR_DEBUGCTL));
	wr(MSR_DEBUGCTL, 0);
	wr(MSR_DEBUGCTL, DEBUGCTL_LBR);		/* discarded, as Xen does */
	CHECK(rd(MSR_DEBUGCTL) == 0, "DEBUGCTL %#lx after LBR", rd(MSR_DEBUGCTL));
	wr(MSR_DEBUGCTL, DEBUGCTL_BTF);
	CHECK(rd(MSR_DEBUGCTL) == DEBUGCTL_BTF, "DEBUGCTL %#lx after BTF",
	      rd(MSR_DEBUGCTL));
	wr(MSR_DEBUGCTL, 0);
	gp_on_write(MSR_DEBUGCTL, BIT(6));	/* TR: branch trace messages */
	gp_on_write(MSR_DEBUGCTL, BIT(7));	/* BTS */
	CHECK(rd(MSR_DEBUGCTL) == 0, "DEBUGCTL %#lx after refused writes",
	      rd(MSR_DEBUGCTL));
}

static void mtrrs(void)
{
	u64 cap = rd(MSR_MTRR_CAP);

	CHECK((cap & 0xff) == 8, "MTRRcap %#lx: %lu variable ranges, want 8",
	      cap, cap & 0xff);
	CHECK(!(cap & BIT(8)), "MTRRcap %#lx claims fixed ranges", cap);
	gp_on_write(MSR_MTRR_CAP, 0);
	gp_on_read(MSR_MTRR_FIX64K);

	CHECK(rd(MSR_MTRR_DEF_TYPE) == 0, "MTRRdefType %#lx at reset",
	      rd(MSR_MTRR_DEF_TYPE));
	wr(MSR_MTRR_DEF_TYPE, BIT(11) | 6);	/* enabled, write-back */
	CHECK(rd(MSR_MTRR_DEF_TYPE) == (BIT(11) | 6), "MTRRdefType %#lx",
	      rd(MSR_MTRR_DEF_TYPE));
	gp_on_write(MSR_MTRR_DEF_TYPE, 2);	/* no memory type 2 */
	gp_on_write(MSR_MTRR_DEF_TYPE, BIT(10) | 6);	/* FE without fixed ranges */

	wr(MSR_MTRR_PHYSBASE0, 0x80000000 | 0);		/* 2 GiB, uncached */
	wr(MSR_MTRR_PHYSMASK0, 0xf80000000ULL | BIT(11));
	CHECK(rd(MSR_MTRR_PHYSBASE0) == 0x80000000, "PHYSBASE0 %#lx",
	      rd(MSR_MTRR_PHYSBASE0));
	CHECK(rd(MSR_MTRR_PHYSMASK0) == (0xf80000000ULL | BIT(11)),
	      "PHYSMASK0 %#lx", rd(MSR_MTRR_PHYSMASK0));
	gp_on_write(MSR_MTRR_PHYSBASE7, 3);		/* no memory type 3 */
	gp_on_write(MSR_MTRR_PHYSBASE7, BIT(9));	/* reserved */
	gp_on_write(MSR_MTRR_PHYSMASK0, BIT(63));	/* beyond the address width */
	wr(MSR_MTRR_PHYSMASK0, 0);
	wr(MSR_MTRR_PHYSBASE0, 0);
	wr(MSR_MTRR_DEF_TYPE, 0);
}

void check_msrs(void)
{
	u64 misc = rd(MSR_MISC_ENABLE);

	debugctl();
	mtrrs();
	CHECK(misc & BIT(11), "MISC_ENABLE %#lx: BTS not marked unavailable", misc);
	CHECK(misc & BIT(12), "MISC_ENABLE %#lx: PEBS not marked unavailable", misc);
	wr(MSR_MISC_ENABLE, misc);
	CHECK(!(rd(MSR_PLATFORM_ID) & ~(7ULL << 50)), "PLATFORM_ID %#lx",
	      rd(MSR_PLATFORM_ID));
	gp_on_write(MSR_PLATFORM_ID, 0);
	wr(MSR_UCODE_REV, 0);			/* Linux's way to read the revision */
	rd(MSR_UCODE_REV);
	wr(MSR_UCODE_WRITE, 0);			/* a microcode load: ignored */
	gp_on_read(MSR_UCODE_WRITE);
	CHECK(rd(MSR_MCG_CAP) == 0, "MCG_CAP %#lx: no banks offered", rd(MSR_MCG_CAP));
	CHECK(rd(MSR_MCG_STATUS) == 0, "MCG_STATUS %#lx", rd(MSR_MCG_STATUS));
	wr(MSR_MCG_STATUS, 0);
	gp_on_write(MSR_MCG_CAP, 0);
	gp_on_read(MSR_MCG_CTL);		/* MCG_CAP.MCG_CTL_P is clear */
	CHECK(rd(MSR_TSC_ADJUST) == 0, "TSC_ADJUST %#lx at start", rd(MSR_TSC_ADJUST));

	/* Unknown MSRs: #GP, as on Xen by default. */
	gp_on_read(0x1a4);			/* MISC_FEATURE_CONTROL */
	gp_on_write(0x1a4, 0);
	gp_on_read(0xc0010015);			/* AMD HWCR on an Intel host */
	gp_on_read(0x12345678);
	gp_on_read(0x48b);			/* VMX capabilities: no nested VMX */
	printf("guest: DEBUGCTL, MTRRs, MISC_ENABLE, PLATFORM_ID, microcode, MCG_*, TSC_ADJUST answered; unknown MSRs #GP\n");
}
