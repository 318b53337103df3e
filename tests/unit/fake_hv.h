/* A fake keel for keelctl's host tests: domains with guest RAM in memory behind struct hv_ops. */
#ifndef TESTS_UNIT_FAKE_HV_H
#define TESTS_UNIT_FAKE_HV_H

#include <stdbool.h>
#include <stdint.h>
#include "hv.h"

#define FAKE_MAX_DOMAINS	HV_MAX_DOMAINS
#define FAKE_CONSOLE_SIZE	8192
#define FAKE_XENSTORE_PFN	0xfc001
#define FAKE_XENSTORE_PORT	2
#define FAKE_CONSOLE_PFN	0xfc000
#define FAKE_CONSOLE_PORT	1
#define FAKE_NR_CPUS		2	/* physinfo's */

struct fake_domain {
	bool exists;
	uint16_t flags;
	uint32_t shutdown_reason;
	unsigned int vcpus;
	uint64_t mem_kb;
	uint8_t *ram;			/* mem_kb KiB, once set_memory ran */
	uint64_t cur_kb;		/* what getinfo reports it has (a test balloons it) */
	uint64_t max_kb;		/* set_memory's size, then set_max_mem's */
	bool boot_set;
	uint64_t entry, ramdisk_gpa, ramdisk_size;
	char cmdline[1024];
	uint8_t on_poweroff, on_reboot, on_crash;
	uint32_t weight, cap;
	uint64_t cpu_time_ns;
	uint8_t console_out[FAKE_CONSOLE_SIZE];	/* what the guest "printed" */
	uint64_t console_head;
	uint8_t console_in[FAKE_CONSOLE_SIZE];	/* what console_write delivered */
	uint32_t console_in_len;
	uint64_t console_instance;		/* console_read's u.text.instance */
	struct keel_domstats stats;		/* what getstats answers */
	/* Per vCPU: what getvcpuinfo answers (affinity 0 reads as every CPU). */
	uint64_t affinity[8];
	uint32_t vcpu_state[8];			/* KEEL_VCPU_*; create: vCPU 0 runnable */
	uint64_t vcpu_time_ns[8];
	unsigned int pauses;			/* the toolstack's, the create's included */
	bool ran;				/* unpaused once: its vCPUs are all up */
	uint64_t uptime_ns;			/* what getinfo reports */
};

struct fake_hv {
	struct hv hv;
	struct fake_domain dom[FAKE_MAX_DOMAINS];
	uint16_t last_id;		/* the id create handed out last */
	/* Failure injection: command @fail_cmd fails with @fail_rc (0: none). */
	uint32_t fail_cmd;
	int fail_rc;
	/* map() fails with -ENOENT from its @fail_map_at-th call on (1-based; 0: never). */
	unsigned int fail_map_at;
	unsigned int map_calls, maps_outstanding;
	unsigned int calls[32];		/* per KEEL_DOMCTL_* */
	char log[8192];			/* readlog's text */
	uint64_t log_start;		/* dmesg -c cleared what is before it */
	uint64_t total_pages, free_pages;
	uint32_t console_ring_room;	/* console_write takes at most this per call */
	uint64_t instances;		/* console instances handed out */
	/* The console of the domain destroyed last, as keel keeps it (buried.exists). */
	struct fake_domain buried;
	uint16_t buried_id;
	/* Called at each console_read before keel answers: a guest acting between polls. */
	void (*before_console_read)(struct fake_hv *f, uint16_t domid);
	/* Called before each domctl (not within one it makes): another tool acting meanwhile. */
	void (*before_domctl)(struct fake_hv *f, struct keel_domctl *op);
	bool in_before_domctl;
};

void fake_hv_init(struct fake_hv *f);
void fake_hv_fini(struct fake_hv *f);
/* Live domains other than dom0. */
unsigned int fake_hv_domains(const struct fake_hv *f);
/* The guest "prints" @s on its console. */
void fake_console_print(struct fake_hv *f, uint16_t domid, const char *s);
/* The guest asks for shutdown @reason (SHUTDOWN_*): keel's action follows. */
void fake_guest_shutdown(struct fake_hv *f, uint16_t domid, uint32_t reason);

#endif
