/* Instructions a guest may not have: VMX and SVM, GETSEC, XSETBV, MONITOR/MWAIT, RDTSCP (#UD), RDPMC (#GP), INVD/WBINVD (nothing). */
#include "hostile.h"

static u64 region[512] __aligned(4096);
static u64 desc[2];

/*
 * Every instruction of VMX and SVM operation, each at this CPL: #UD, and
 * the guest goes on. Counts them in @r; the first that did otherwise is
 * named there.
 */
void vmx_instruction_faults(struct vmx_result *r)
{
	u64 pa = (uptr)region, val = 0;
	u16 cs;
	int vec;

	asm volatile("mov %%cs, %0" : "=r"(cs));

/* Run @insn: #UD, or #GP where @gp_ok, else it is the first wrong one @r names. */
#define EXPECT_UD(name, gp_ok, insn, ...)					\
	do {								\
		vec = TRY_INSN(insn, __VA_ARGS__);			\
		r->count++;						\
		if (vec != X86_EXC_UD && !((gp_ok) && vec == X86_EXC_GP) && \
		    !r->wrong) {					\
			r->wrong = name;				\
			r->vector = vec;				\
		}							\
	} while (0)
#define VMX_UD(name, insn, ...) EXPECT_UD(name, false, insn, __VA_ARGS__)

	VMX_UD("VMXON", "vmxon %0", : : "m"(pa) : "memory");
	VMX_UD("VMCLEAR", "vmclear %0", : : "m"(pa) : "memory");
	VMX_UD("VMPTRLD", "vmptrld %0", : : "m"(pa) : "memory");
	VMX_UD("VMPTRST", "vmptrst %0", : "=m"(val) : : "memory");
	VMX_UD("VMREAD", "vmread %1, %0", : "=r"(val) : "r"(0x681eULL) : "cc");
	VMX_UD("VMWRITE", "vmwrite %1, %0", : : "r"(0x681eULL), "r"(val) : "cc");
	VMX_UD("VMLAUNCH", "vmlaunch", : : : "cc");
	VMX_UD("VMRESUME", "vmresume", : : : "cc");
	VMX_UD("VMXOFF", "vmxoff", : : : "cc");
	VMX_UD("INVEPT", "invept %0, %1", : : "m"(desc), "r"(2ULL) : "cc");
	VMX_UD("INVVPID", "invvpid %0, %1", : : "m"(desc), "r"(2ULL) : "cc");
	VMX_UD("VMFUNC", ".byte 0x0f, 0x01, 0xd4", : "+a"(val) : : "cc");
	/*
	 * AMD's: #UD on Intel; under SVM they exit at CPL0 (a guest runs with
	 * EFER.SVME set) and keel answers #UD, while at CPL3 the CPU's own
	 * privilege check comes first: #GP.
	 */
#define SVM_UD(name, insn, ...) EXPECT_UD(name, cs & 3, insn, __VA_ARGS__)

	SVM_UD("VMRUN", "vmrun", : : "a"(pa) : "memory");
	SVM_UD("VMLOAD", "vmload", : : "a"(pa) : "memory");
	SVM_UD("VMSAVE", "vmsave", : : "a"(pa) : "memory");
	SVM_UD("STGI", "stgi", : : : "memory");
	SVM_UD("CLGI", "clgi", : : : "memory");
	SVM_UD("SKINIT", "skinit", : : "a"(pa) : "memory");
	SVM_UD("INVLPGA", "invlpga", : : "a"(pa), "c"(0) : "memory");
#undef VMX_UD
#undef SVM_UD
#undef EXPECT_UD
}

void check_vmx_instructions(void)
{
	struct vmx_result r = { 0 };

	vmx_instruction_faults(&r);
	CHECK(!r.wrong, "%s at CPL0: vector %d, want #UD", r.wrong, r.vector);
	printf("guest: %u VMX and SVM instructions at CPL0: #UD each\n", r.count);
}

void check_instructions(void)
{
	u32 lo, hi;
	int vec;

	vec = TRY_INSN(".byte 0x0f, 0x37", : : "a"(0) : "cc");	/* GETSEC */
	CHECK(vec == X86_EXC_UD, "GETSEC: vector %d, want #UD", vec);
	vec = TRY_INSN("xsetbv", : : "c"(0), "a"(1), "d"(0));
	CHECK(vec == X86_EXC_UD, "XSETBV (XSAVE not offered): vector %d, want #UD",
	      vec);
	vec = TRY_INSN("monitor", : : "a"((uptr)region), "c"(0), "d"(0));
	CHECK(vec == X86_EXC_UD, "MONITOR: vector %d, want #UD", vec);
	vec = TRY_INSN("mwait", : : "a"(0), "c"(0));
	CHECK(vec == X86_EXC_UD, "MWAIT: vector %d, want #UD", vec);
	vec = TRY_INSN("rdtscp", : "=a"(lo), "=d"(hi) : : "rcx");
	CHECK(vec == X86_EXC_UD, "RDTSCP (not offered): vector %d, want #UD", vec);
	vec = TRY_INSN("rdpmc", : "=a"(lo), "=d"(hi) : "c"(0));
	CHECK(vec == X86_EXC_GP, "RDPMC (no vPMU): vector %d, want #GP", vec);
	vec = TRY_INSN("rdpmc", : "=a"(lo), "=d"(hi) : "c"(1u << 30));
	CHECK(vec == X86_EXC_GP, "RDPMC of a fixed counter: vector %d, want #GP",
	      vec);
	vec = TRY_INSN("wbinvd", : : : "memory");
	CHECK(vec == NO_FAULT, "WBINVD: vector %d", vec);
	vec = TRY_INSN("invd", : : : "memory");
	CHECK(vec == NO_FAULT, "INVD: vector %d", vec);
	printf("guest: GETSEC XSETBV MONITOR MWAIT RDTSCP: #UD; RDPMC: #GP; WBINVD INVD: done\n");
}

/* CR4 bits of features the guest's CPUID does not offer: #GP, CR4 unchanged. */
void check_cr4(void)
{
	static const struct { unsigned int bit; const char *name; } refused[] = {
		{ 11, "UMIP" }, { 12, "LA57" }, { 13, "VMXE" }, { 14, "SMXE" },
		{ 17, "PCIDE" }, { 18, "OSXSAVE" }, { 19, "KL" }, { 22, "PKE" },
		{ 23, "CET" }, { 24, "PKS" }, { 32, "reserved bit 32" },
	};
	u64 cr4 = read_cr4();

	CHECK(!(cr4 & X86_CR4_VMXE), "CR4 %#lx shows VMXE", cr4);
	for (unsigned int i = 0; i < ARRAY_SIZE(refused); i++) {
		u64 val = cr4 | BIT(refused[i].bit);
		int vec = TRY_INSN("mov %0, %%cr4", : : "r"(val) : "memory");

		CHECK(vec == X86_EXC_GP, "CR4.%s: vector %d, want #GP",
		      refused[i].name, vec);
		CHECK(read_cr4() == cr4, "CR4 %#lx after setting %s, was %#lx",
		      read_cr4(), refused[i].name, cr4);
	}
	/* PCE is the guest's to set: RDPMC still has no counters behind it. */
	write_cr4(cr4 | X86_CR4_PCE);
	CHECK(read_cr4() & X86_CR4_PCE, "CR4.PCE does not stick");
	write_cr4(cr4);
	printf("guest: CR4: %u refused bits raise #GP; PCE is the guest's\n",
	       (unsigned int)ARRAY_SIZE(refused));
}
