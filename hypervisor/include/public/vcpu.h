/* vcpu_op hypercall: sub-ops and structures keel implements (Xen's values). */
#ifndef PUBLIC_VCPU_H
#define PUBLIC_VCPU_H

#include <keel/types.h>

#define VCPUOP_is_up 3
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer 6
#define VCPUOP_stop_periodic_timer 7
#define VCPUOP_set_singleshot_timer 8
#define VCPUOP_stop_singleshot_timer 9
#define VCPUOP_register_vcpu_info 10
#define VCPUOP_register_vcpu_time_memory_area 13

struct vcpu_register_runstate_memory_area {
	u64 addr;		/* guest-virtual address of a vcpu_runstate_info */
};

struct vcpu_set_periodic_timer {
	u64 period_ns;
};

struct vcpu_set_singleshot_timer {
	u64 timeout_abs_ns;
	u32 flags;
};
#define VCPU_SSHOTTMR_future (1 << 0)	/* fail with -ETIME if already past */

struct vcpu_register_vcpu_info {
	u64 mfn;		/* guest frame holding the vcpu_info */
	u32 offset;		/* its offset in that frame */
	u32 rsvd;
};

/* A guest-virtual vcpu_time_info kept up to date alongside vcpu_info's (for the vDSO). */
struct vcpu_register_time_memory_area {
	u64 addr;
};

#endif
