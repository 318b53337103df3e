/* The x86 (VT-x) part of a domain. */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <keel/types.h>

struct arch_domain {
	u64 eptp;		/* EPT pointer: root | WB | 4-level walk */
	u64 ept_stale;		/* CPUs that must INVEPT before running it */
};

#endif
