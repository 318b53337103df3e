/* Hypervisor detection: scan the CPUID hypervisor range for Xen's signature. */
#include <asm/processor.h>
#include <keel/string.h>
#include "hypervisor.h"
#include "hypercall.h"

static bool present;
bool hypercall_vmmcall;

u32 xen_cpuid_base(void)
{
	for (u32 base = XEN_CPUID_FIRST; base <= XEN_CPUID_LAST;
	     base += XEN_CPUID_STEP) {
		struct cpuid_regs r = cpuid(base);
		char sig[12];

		memcpy(sig, &r.ebx, 4);
		memcpy(sig + 4, &r.ecx, 4);
		memcpy(sig + 8, &r.edx, 4);
		if (!memcmp(sig, XEN_CPUID_SIGNATURE, sizeof(sig)))
			return base;
	}
	return 0;
}

void hypervisor_detect(void)
{
	struct cpuid_regs r = cpuid(0);

	present = xen_cpuid_base() != 0;
	/* "AuthenticAMD" or "HygonGenuine": SVM's VMMCALL. */
	hypercall_vmmcall = (r.ebx == 0x68747541 && r.edx == 0x69746e65 &&
			     r.ecx == 0x444d4163) ||
			    (r.ebx == 0x6f677948 && r.edx == 0x6e65476e &&
			     r.ecx == 0x656e6975);
}

bool hypervisor_present(void)
{
	return present;
}
