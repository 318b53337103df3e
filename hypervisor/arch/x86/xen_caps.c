/* What guests x86 keel runs, as xen_version's capabilities string names them. */
#include <keel/arch.h>

/*
 * Xen's string for a hypervisor without PV and with HVM (keel's PVH
 * domains are HVM ones), trailing blank included: 32-bit, PAE and
 * 64-bit HVM guests.
 */
const char *arch_xen_caps(void)
{
	return "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ";
}
