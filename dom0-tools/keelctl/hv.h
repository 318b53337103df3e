/* keelctl's view of the hypervisor: keel_domctl and foreign mappings behind a small ops struct. */
#ifndef KEELCTL_HV_H
#define KEELCTL_HV_H

#include <stdbool.h>
#include <stdint.h>
#include <public/keel_domctl.h>
#include "cpulist.h"

#define DOMID_ANY	0x7ff4	/* DOMID_INVALID: create picks an id */
#define HV_MAX_DOMAINS	64	/* keel runs at most 64 domains at once (any ids) */
#define HV_TEXT_MAX	4096	/* u.text.size limit */
#define HV_PAGE_SIZE	4096u

struct hv;

/*
 * What a hypervisor backend provides: the real one issues hypercalls through Linux's
 * /dev/xen/privcmd (hv_privcmd.c); tests substitute a fake. Every call returns 0 or -errno.
 */
struct hv_ops {
	/* Issues @op (version filled in); results are written back into it. */
	int (*domctl)(struct hv *hv, struct keel_domctl *op);
	/* Maps the @n frames @gfns of @domid contiguously at *@addr, writable. */
	int (*map)(struct hv *hv, uint16_t domid, const uint64_t *gfns, unsigned int n,
		   void **addr);
	/* Undoes one map() of @n frames at @addr. */
	int (*unmap)(struct hv *hv, void *addr, unsigned int n);
	void (*close)(struct hv *hv);
};

struct hv {
	const struct hv_ops *ops;
};

/* Opens the real hypervisor (/dev/xen/privcmd); NULL with a message printed. */
struct hv *hv_open_privcmd(void);
void hv_close(struct hv *hv);

/* The command's name ("set_memory") for messages. */
const char *hv_cmd_name(uint32_t cmd);

int hv_domctl(struct hv *hv, struct keel_domctl *op);
/* Commands with no arguments: unpause, pause, destroy. */
int hv_simple(struct hv *hv, uint32_t cmd, uint16_t domid);
int hv_create(struct hv *hv, unsigned int max_vcpus, uint16_t *domid);
int hv_set_memory(struct hv *hv, uint16_t domid, uint64_t mem_kb);
/* The RAM @domid may have from now on (Xen's max_mem): a page multiple. */
int hv_set_max_mem(struct hv *hv, uint16_t domid, uint64_t max_kb);
int hv_set_boot(struct hv *hv, uint16_t domid, uint64_t entry, const char *cmdline,
		uint64_t ramdisk_gpa, uint64_t ramdisk_size);
int hv_set_sched(struct hv *hv, uint16_t domid, uint32_t weight, uint32_t cap);
int hv_set_actions(struct hv *hv, uint16_t domid, uint8_t on_poweroff, uint8_t on_reboot,
		   uint8_t on_crash);
int hv_shutdown(struct hv *hv, uint16_t domid, uint32_t reason);
int hv_getinfo(struct hv *hv, uint16_t domid, struct keel_domctl_info *info);
/* Every live domain, by id: fills up to @max entries and sets *@nr. */
int hv_list(struct hv *hv, struct keel_domctl_info *infos, unsigned int max, unsigned int *nr);
int hv_physinfo(struct hv *hv, struct keel_domctl *out);
/* vCPU @vcpu of @domid: state, CPU, time (u.vcpu), and its hard affinity in *@affinity. */
int hv_getvcpuinfo(struct hv *hv, uint16_t domid, uint32_t vcpu, struct keel_domctl *out,
		   struct cpuset *affinity);
/* Its hard affinity: the CPUs of @set (any of keel's 256); -EINVAL for one keel lacks. */
int hv_setvcpuaffinity(struct hv *hv, uint16_t domid, uint32_t vcpu, const struct cpuset *set);
/* @domid's VM-exit and hypercall counts so far. */
int hv_getstats(struct hv *hv, uint16_t domid, struct keel_domstats *out);

/*
 * One console_read (domain @domid) or readlog: up to @size bytes from stream position
 * *@pos into @buf. On return *@pos is the position of the first byte copied, *@nr how many,
 * *@head the stream's end. @flags: u.text.flags in (readlog: KEEL_TEXT_clear).
 */
int hv_read_text(struct hv *hv, uint32_t cmd, uint16_t domid, void *buf, uint32_t size,
		 uint64_t *pos, uint32_t *nr, uint64_t *head, uint32_t flags);
/* Where a console reader is in a domain's output, and what its last console_read said. */
struct hv_console_window {
	uint64_t instance;	/* in: the domain's (0: the id's newest); out: the one read */
	uint64_t pos;		/* in: wanted; out: of the first byte copied */
	uint64_t head;		/* out: bytes it ever wrote */
	uint32_t nr;		/* out: bytes copied */
	bool gone;		/* out: destroyed, its output is complete */
};

/* One console_read of @domid: up to @size bytes from w->pos into @buf. */
int hv_console_read(struct hv *hv, uint16_t domid, void *buf, uint32_t size,
		    struct hv_console_window *w);
/* console_write: *@nr is set to the bytes the console ring took. */
int hv_console_write(struct hv *hv, uint16_t domid, const void *buf, uint32_t size,
		     uint32_t *nr);

#endif
