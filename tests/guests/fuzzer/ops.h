/* The fuzzer's call builders, one file per family, and the Xen numbers keel's public headers may not have yet. */
#ifndef FUZZER_OPS_H
#define FUZZER_OPS_H

#include "fuzzer.h"

/* Xen's ABI, named here so that keel's headers can add them without a clash. */
#define FZ_HYPERCALL_PAGE_MSR 0x40000000
#define FZ_XENMEM_increase_reservation 0
#define FZ_XENMEM_decrease_reservation 1
#define FZ_XENMEM_maximum_ram_page 2
#define FZ_XENMEM_current_reservation 3
#define FZ_XENMEM_maximum_reservation 4
#define FZ_XENMEM_populate_physmap 6
#define FZ_XENMEM_exchange 11
#define FZ_XENMEM_maximum_gpfn 14
#define FZ_XENMAPSPACE_gmfn 2
#define FZ_XENMAPSPACE_gmfn_range 3
#define FZ_EVTCHNOP_set_limit 14
#define FZ_SCHEDOP_watchdog 6
#define FZ_SCHEDOP_pin_override 7
#define FZ_MULTICALL 13
#define FZ_SCHED_OP_COMPAT 6

/* Problems the fuzzer found beyond the audit's 19, numbered on for "known=". */
#define FZ_FINDING_NONCANONICAL 20	/* docs/security-guest-fuzz.md */
#define FZ_FINDING_PERIOD_OVERFLOW 21

struct fz_memory_reservation {
	u64 extent_start;		/* guest handle of xen_pfn_t[] */
	u64 nr_extents;
	u32 extent_order;
	u32 mem_flags;
	u16 domid;
	u16 pad[3];
};

struct fz_memory_exchange {
	struct fz_memory_reservation in, out;
	u64 nr_exchanged;
};

struct fz_evtchn_init_control {
	u64 control_gfn;
	u32 offset;
	u32 vcpu;
	u8 link_bits;
	u8 pad[7];
};

struct fz_sched_remote_shutdown {
	u16 domain_id;
	u16 pad;
	u32 reason;
};

/* Scratch space to build an argument in before put() copies it. */
extern u8 tmp[8192];

/* Is @dom another existing domain (dom0 or the peer), by number? */
static inline bool other_domain(u16 dom)
{
	return dom == 0 || dom == S.peer;
}

/* A frame for an op that maps or frees @1 << @order frames from @gfn: none of ours in reach. */
u64 gen_extent(unsigned int order);

/* A timeout for poll, block or a timer that keel reaches at most 2 ms after @now. */
u64 soon_after(u64 now);

void op_raw(void);
void op_xen_version(void);
void op_console_io(void);
void op_sched(void);
void op_vcpu(void);
void op_set_timer(void);
void op_hvm(void);
void op_keel(void);
void op_hypercall_page(void);
void op_memory(void);
void op_gnttab(void);
void op_evtchn(void);
void op_poke(void);
void op_sequence(void);
void op_noncanonical(void);

#endif
