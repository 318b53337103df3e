/* The speculative-execution policy, decided from CPUID and ARCH_CAPABILITIES alone (host-testable). */
#include <asm/spec_ctrl.h>

struct spec_ctrl_policy spec_ctrl_decide(u32 cpuid7_edx, u32 ext8_ebx, u64 arch_caps)
{
	bool l1tf = !(arch_caps & ARCH_CAPS_RDCL_NO);
	bool mds = !(arch_caps & ARCH_CAPS_MDS_NO);
	struct spec_ctrl_policy p = {
		.ibpb = (cpuid7_edx & CPUID7_EDX_IBRS_IBPB) || (ext8_ebx & CPUIDX8_EBX_IBPB),
		.l1d_flush = (cpuid7_edx & CPUID7_EDX_L1D_FLUSH) && l1tf &&
			     !(arch_caps & ARCH_CAPS_SKIP_L1DFL),
	};

	p.verw = (cpuid7_edx & CPUID7_EDX_MD_CLEAR) && mds && !p.l1d_flush;
	return p;
}
