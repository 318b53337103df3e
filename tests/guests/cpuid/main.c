/*
 * cpuid: checks the CPUID view keel gives a PVH guest. The Xen leaves must
 * start at 0x40000000 with the "XenVMMXenVMM" signature and a maximum leaf
 * of at least 0x40000004; the version leaf (base + 1) must report major
 * version 4 or later, as Linux's xenbus expects. The vendor must be
 * GenuineIntel (Linux then picks VMCALL for hypercalls), CPUID.1:ECX bit 31
 * (hypervisor present) must be set, and VMX (CPUID.1:ECX bit 5) must be
 * hidden: keel offers no nested virtualisation. Leaf 0x16 must give a base
 * frequency (keel's TSC), so that Linux calibrates without the PIT. Leaves
 * base + 2 and + 4 are printed for information.
 */
#include "guest.h"

#define XEN_CPUID_MIN_MAX_LEAF 0x40000004
#define XEN_MIN_MAJOR 4

static void regs_to_string(char *s, u32 a, u32 b, u32 c)
{
	memcpy(s, &a, 4);
	memcpy(s + 4, &b, 4);
	memcpy(s + 8, &c, 4);
	s[12] = '\0';
}

static void check_xen_leaves(void)
{
	u32 base = xen_cpuid_base();
	struct cpuid_regs r;
	char sig[13];

	if (!CHECK(base, "no Xen CPUID leaves (\"%s\")", XEN_CPUID_SIGNATURE))
		return;
	CHECK(base == XEN_CPUID_FIRST, "Xen leaves at %#x, want %#x", base,
	      XEN_CPUID_FIRST);

	r = cpuid(base);
	regs_to_string(sig, r.ebx, r.ecx, r.edx);
	printf("guest: cpuid %#x: max leaf %#x, signature \"%s\"\n", base,
	       r.eax, sig);
	CHECK(r.eax >= base + (XEN_CPUID_MIN_MAX_LEAF - XEN_CPUID_FIRST),
	      "max Xen leaf %#x, want >= %#x", r.eax,
	      base + (XEN_CPUID_MIN_MAX_LEAF - XEN_CPUID_FIRST));

	r = cpuid(base + 1);
	printf("guest: cpuid %#x: version %u.%u\n", base + 1, r.eax >> 16,
	       r.eax & 0xffff);
	CHECK(r.eax >> 16 >= XEN_MIN_MAJOR, "Xen major version %u, want >= %u",
	      r.eax >> 16, XEN_MIN_MAJOR);

	r = cpuid(base + 2);
	printf("guest: cpuid %#x: %u hypercall page(s), MSR %#x\n", base + 2,
	       r.eax, r.ebx);
	r = cpuid(base + 4);
	printf("guest: cpuid %#x: eax %#x ebx %#x\n", base + 4, r.eax, r.ebx);
}

int guest_main(const char *cmdline)
{
	struct cpuid_regs r = cpuid(0);
	char vendor[13];

	regs_to_string(vendor, r.ebx, r.edx, r.ecx);
	printf("guest: cpuid 0: max leaf %#x, vendor \"%s\"\n", r.eax, vendor);
	CHECK(!strcmp(vendor, "GenuineIntel") || !strcmp(vendor, "AuthenticAMD"),
	      "vendor \"%s\", want GenuineIntel or AuthenticAMD", vendor);

	r = cpuid(1);
	printf("guest: cpuid 1: eax %#x ebx %#x ecx %#x edx %#x\n", r.eax, r.ebx,
	       r.ecx, r.edx);
	CHECK(r.ecx & CPUID1_ECX_HYPERVISOR,
	      "CPUID.1:ECX.hypervisor (bit 31) is clear");
	CHECK(!(r.ecx & CPUID1_ECX_VMX),
	      "CPUID.1:ECX.VMX (bit 5) is advertised to the guest");

	/* Linux's cpu_khz_from_cpuid(): without it, it polls the PIT. */
	r = cpuid(0);
	if (CHECK(r.eax >= 0x16, "max basic leaf %#x, want >= 0x16", r.eax)) {
		r = cpuid(0x16);
		printf("guest: cpuid 0x16: base %u MHz, max %u MHz\n", r.eax, r.ebx);
		CHECK(r.eax && r.eax == r.ebx,
		      "leaf 0x16: base %u MHz, max %u MHz", r.eax, r.ebx);
	}
	check_xen_leaves();
	return test_result("cpuid");
}
