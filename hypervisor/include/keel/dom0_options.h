/* dom0's resources and kind as given on the command line (Xen's dom0_mem=, dom0_max_vcpus=, dom0=). */
#ifndef KEEL_DOM0_OPTIONS_H
#define KEEL_DOM0_OPTIONS_H

#include <keel/types.h>

struct dom0_options {
	u64 mem;		/* bytes; 0 = builder's default */
	u64 mem_min;		/* bytes; 0 = no lower bound */
	u64 mem_max;		/* bytes; 0 = no upper bound */
	unsigned int vcpus_min;
	unsigned int vcpus_max;	/* 0 = builder's default */
	bool virt;		/* dom0=virtual; default dom0=pvh: it owns the machine */
};

extern struct dom0_options dom0_options;

#endif
