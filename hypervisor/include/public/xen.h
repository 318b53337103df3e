/*
 * The Xen guest ABI keel implements: hypercall numbers and the shared-info
 * and vcpu_info layouts (x86-64). Values are the ABI's facts, as in Xen's
 * public headers; tests/unit/test_abi_layout.c checks them against those.
 */
#ifndef PUBLIC_XEN_H
#define PUBLIC_XEN_H

#include <keel/types.h>

#define __HYPERVISOR_set_timer_op 15
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_vm_assist 21
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op 34
#define __HYPERVISOR_keel_op 48	/* keel's own domain control (arch-specific range) */
#define NR_HYPERCALLS 64

#define CONSOLEIO_write 0
#define CONSOLEIO_read 1

/* vm_assist (21): the one assist a PVH guest may ask for. */
#define VMASST_CMD_enable 0
#define VMASST_CMD_disable 1
#define VMASST_TYPE_runstate_update_flag 5

typedef u16 domid_t;
#define DOMID_FIRST_RESERVED 0x7ff0
#define DOMID_SELF 0x7ff0
#define DOMID_XEN 0x7ff2
#define DOMID_INVALID 0x7ff4

#define XEN_LEGACY_MAX_VCPUS 32

struct vcpu_time_info {
	u32 version;
	u32 pad0;
	u64 tsc_timestamp;
	u64 system_time;
	u32 tsc_to_system_mul;
	s8 tsc_shift;
	s8 flags;
	u8 pad1[2];
};
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0)

struct arch_vcpu_info {
	u64 cr2;
	u64 pad;
};

struct vcpu_info {
	u8 evtchn_upcall_pending;
	u8 evtchn_upcall_mask;
	u64 evtchn_pending_sel;
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};

struct arch_shared_info {
	u64 max_pfn;
	u64 pfn_to_mfn_frame_list_list;
	u64 nmi_reason;
	u64 p2m_cr3;
	u64 p2m_vaddr;
	u64 p2m_generation;
};

#define EVTCHN_2L_NR_CHANNELS (64 * 64)

struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	u64 evtchn_pending[64];
	u64 evtchn_mask[64];
	u32 wc_version;
	u32 wc_sec;
	u32 wc_nsec;
	u32 wc_sec_hi;
	struct arch_shared_info arch;
};

/* Runstate area (VCPUOP_register_runstate_memory_area). */
#define RUNSTATE_running 0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked 2
#define RUNSTATE_offline 3
struct vcpu_runstate_info {
	int state;
	u64 state_entry_time;
	u64 time[4];
};
/* In state_entry_time while keel rewrites the area (VMASST_TYPE_runstate_update_flag). */
#define XEN_RUNSTATE_UPDATE (1ULL << 63)

#endif
