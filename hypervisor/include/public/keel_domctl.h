/*
 * keel_domctl: keel's domain-control hypercall (__HYPERVISOR_keel_op, 48)
 * for the privileged domain's toolstack. Documented in docs/domctl.md.
 * Plain C99 with fixed-width types so dom0 user space can include it.
 */
#ifndef KEEL_PUBLIC_DOMCTL_H
#define KEEL_PUBLIC_DOMCTL_H

#if __STDC_HOSTED__
#include <stdint.h>
#else				/* inside keel and its test guests (freestanding) */
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
#endif

#define KEEL_DOMCTL_VERSION 2	/* 2: affinity as Xen's xenctl_bitmap */
#define KEEL_MAX_CPUS 256	/* host CPUs: affinity bitmaps' bits */

/* Commands (struct keel_domctl.cmd). */
#define KEEL_DOMCTL_create	1	/* new empty paused domain: u.create */
#define KEEL_DOMCTL_set_memory	2	/* populate its RAM once: u.memory */
#define KEEL_DOMCTL_set_boot	3	/* PVH entry, command line, ramdisk: u.boot */
#define KEEL_DOMCTL_unpause	4
#define KEEL_DOMCTL_pause	5
#define KEEL_DOMCTL_destroy	6
#define KEEL_DOMCTL_getinfo	7	/* u.info */
#define KEEL_DOMCTL_list	8	/* u.list */
#define KEEL_DOMCTL_set_sched	9	/* u.sched */
#define KEEL_DOMCTL_set_actions	10	/* u.actions */
#define KEEL_DOMCTL_shutdown	11	/* u.shutdown: as if the guest asked */
#define KEEL_DOMCTL_physinfo	12	/* u.physinfo; domain is ignored */
#define KEEL_DOMCTL_console_read 13	/* u.text: the console output keel kept of it */
#define KEEL_DOMCTL_console_write 14	/* u.text: bytes for its console input ring */
#define KEEL_DOMCTL_readlog	15	/* u.text: keel's own log (dmesg); domain ignored */
#define KEEL_DOMCTL_getstats	16	/* u.stats: a domain's VM exits and hypercalls so far */
#define KEEL_DOMCTL_dump_vcpus	17	/* print its vCPUs' wake-up state on keel's console */
#define KEEL_DOMCTL_getvcpuinfo	22	/* u.vcpu: one vCPU's state, CPU, time, affinity */
#define KEEL_DOMCTL_setvcpuaffinity 23	/* u.vcpu: in: vcpu, affinity */
#define KEEL_DOMCTL_set_max_mem	26	/* u.max_mem: the RAM it may have (Xen's max_mem) */

/* u.vcpu.state */
#define KEEL_VCPU_down		0	/* not started, or parked by INIT */
#define KEEL_VCPU_runnable	1	/* waiting for a CPU, or running (u.vcpu.running) */
#define KEEL_VCPU_blocked	2	/* waiting for an event */

/* u.actions values (xl's on_poweroff / on_reboot / on_crash). */
#define KEEL_ACTION_destroy	0
#define KEEL_ACTION_restart	1	/* the toolstack rebuilds it; keel preserves it */
#define KEEL_ACTION_preserve	2

/* u.text.flags */
#define KEEL_TEXT_gone		(1u << 0)	/* destroyed: its output is complete */
#define KEEL_TEXT_clear		(1u << 1)	/* readlog, in: then forget what it read */

/* u.physinfo.flags: may a backend do I/O straight from/to grant-mapped pages? */
#define KEEL_PHYS_dom0_owns_devices	(1u << 0)	/* dom0 drives DMA-capable devices */
#define KEEL_PHYS_dma_translated	(1u << 1)	/* their DMA goes through dom0's p2m */

/* keel_domctl_info.flags */
#define KEEL_DOMINF_privileged	(1u << 0)
#define KEEL_DOMINF_paused	(1u << 1)
#define KEEL_DOMINF_running	(1u << 2)	/* some vCPU is on a CPU now */
#define KEEL_DOMINF_shutdown	(1u << 3)	/* shutdown_reason says why */
#define KEEL_DOMINF_crashed	(1u << 4)
#define KEEL_DOMINF_dying	(1u << 5)
#define KEEL_DOMINF_blocked	(1u << 6)	/* every vCPU waits for an event */

struct keel_domctl_info {
	uint16_t domid;
	uint16_t flags;			/* KEEL_DOMINF_* */
	uint32_t shutdown_reason;	/* SHUTDOWN_* when KEEL_DOMINF_shutdown */
	uint32_t nr_vcpus;
	uint32_t nr_online_vcpus;
	uint64_t mem_kb;		/* guest RAM */
	uint64_t cpu_time_ns;		/* run so far, all vCPUs */
	uint32_t weight, cap;
	uint64_t console_pfn;		/* PV console ring page (guest frame) */
	uint64_t xenstore_pfn;
	uint32_t console_port;		/* the domain's ports for them */
	uint32_t xenstore_port;
	uint64_t cur_kb;		/* RAM charged to it now (xl's current memory) */
	uint64_t uptime_ns;		/* since it was created (xl uptime) */
};

/*
 * KEEL_DOMCTL_getstats: counts since the domain was created, its vCPUs summed. exits[] by
 * the architecture's exit reason (x86: VMX basic exit reason; larger reasons are not
 * counted there, only in exits_total), hypercalls[] by hypercall number (numbers >=
 * KEEL_STATS_HCALLS - 1 in the last entry); a preempted hypercall counts once per
 * continuation. Read without stopping the domain: a snapshot, each counter exact.
 */
#define KEEL_STATS_EXITS	128
#define KEEL_STATS_HCALLS	64

struct keel_domstats {
	uint64_t exits_total;
	uint64_t hypercalls_total;
	uint64_t exits[KEEL_STATS_EXITS];
	uint64_t hypercalls[KEEL_STATS_HCALLS];
	uint32_t nr_vcpus;
	uint32_t pad;
};

struct keel_domctl {
	uint32_t cmd;			/* KEEL_DOMCTL_* */
	uint32_t version;		/* KEEL_DOMCTL_VERSION */
	uint16_t domain;		/* target; create: wanted id or DOMID_INVALID (the
					 * next after the last picked, as Xen's) */
	uint16_t pad[3];
	union {
		struct {
			uint32_t max_vcpus;	/* 1..8 */
			uint32_t flags;		/* none defined: 0 */
		} create;
		struct {
			uint64_t mem_kb;	/* >= 4096, a whole number of pages */
		} memory;
		struct {
			uint64_t entry;		/* PVH entry point (guest-physical, < 4 GiB) */
			uint64_t cmdline;	/* caller-virtual NUL-terminated string; 0: none */
			uint64_t ramdisk_gpa;	/* loaded by the caller; size 0: none */
			uint64_t ramdisk_size;
		} boot;
		struct keel_domctl_info info;
		struct {
			uint64_t buffer;	/* caller-virtual array of keel_domctl_info */
			uint32_t max;		/* its entries */
			uint32_t nr;		/* out: filled, from id u.list.first */
			uint16_t first;		/* lowest domain id to report */
		} list;
		struct {
			uint32_t weight;	/* 1..65535 */
			uint32_t cap;		/* percent of one CPU; 0 = none */
		} sched;
		struct {
			uint8_t on_poweroff, on_reboot, on_crash;	/* KEEL_ACTION_* */
		} actions;
		struct {
			uint32_t reason;	/* SHUTDOWN_* */
		} shutdown;
		struct {
			uint32_t nr_cpus;
			uint32_t nr_domains;
			uint64_t total_pages;
			uint64_t free_pages;	/* keel's allocator */
			uint32_t flags;		/* KEEL_PHYS_* */
			uint32_t pad;
		} physinfo;
		/*
		 * A byte stream keel keeps (a domain's console output, keel's
		 * log): positions count bytes ever written to it, only the
		 * newest ones are kept. Reads copy from u.text.offset;
		 * console_write ignores offset and head. A domain's
		 * console output outlives it for a while (docs/domctl.md):
		 * instance names which domain of an id is meant.
		 */
		struct {
			uint64_t buffer;	/* caller-virtual bytes */
			uint64_t offset;	/* in: position wanted; out: of the
						 * first byte copied (later when the
						 * wanted ones are gone) */
			uint64_t head;		/* out: bytes ever written */
			uint32_t size;		/* buffer bytes, <= 4096 */
			uint32_t nr;		/* out: copied, or taken by the ring */
			uint64_t instance;	/* console_read: in: the domain's
						 * instance, 0 for the id's newest;
						 * out: the instance read */
			uint32_t flags;		/* out: KEEL_TEXT_*; readlog,
						 * in: KEEL_TEXT_clear */
			uint32_t pad;		/* unused */
		} text;
		struct {
			uint64_t buffer;	/* caller-virtual struct keel_domstats */
			uint32_t size;		/* sizeof(struct keel_domstats) */
			uint32_t pad;
		} stats;
		/*
		 * getvcpuinfo and setvcpuaffinity: vCPU @vcpu of the
		 * domain (any domain, dom0 too). The hard affinity is a
		 * Xen xenctl_bitmap: @nr_bits bits at @bitmap, host CPU N
		 * bit N % 8 of byte N / 8. set reads them once, as Xen:
		 * only the bytes of the host's CPUs, bits past those
		 * ignored; none of the host's CPUs is -EINVAL. Both write
		 * the affinity in force back there (the host's CPUs), the
		 * rest as none up to KEEL_MAX_CPUS bits; bytes past those
		 * are left alone (@nr_bits 0: neither reads nor writes).
		 */
		struct {
			uint32_t vcpu;		/* in: 0..nr_vcpus - 1 */
			uint32_t state;		/* out: KEEL_VCPU_* */
			uint32_t cpu;		/* out: the CPU running it or whose queue holds it */
			uint32_t running;	/* out: 1 while on a CPU */
			uint64_t cpu_time_ns;	/* out: run so far */
			uint64_t bitmap;	/* caller-virtual: the hard affinity */
			uint32_t nr_bits;	/* in: at @bitmap, any number */
			uint32_t pad;
		} vcpu;
		/* set_max_mem: its XENMEM_maximum_reservation; below what it has, it can
		 * only give memory back (Xen's ratchet) */
		struct {
			uint64_t max_kb;	/* a whole number of pages, <= 64 GiB */
		} max_mem;
		uint8_t raw[80];
	} u;
};

#endif
