/* Finding the Xen-compatible hypervisor through its CPUID leaves. */
#ifndef GUEST_HYPERVISOR_H
#define GUEST_HYPERVISOR_H

#include <keel/types.h>

#define XEN_CPUID_FIRST 0x40000000
#define XEN_CPUID_LAST 0x4000ff00
#define XEN_CPUID_STEP 0x100
#define XEN_CPUID_SIGNATURE "XenVMMXenVMM"

/*
 * The first CPUID base in 0x40000000..0x4000ff00 (step 0x100) whose
 * signature is "XenVMMXenVMM", or 0 when there is none (e.g. plain QEMU).
 */
u32 xen_cpuid_base(void);

/* Look for the hypervisor once; hypercalls are made only if it is there. */
void hypervisor_detect(void);
bool hypervisor_present(void);

#endif
