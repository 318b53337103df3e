/* Domains: a guest's memory, vCPUs, shared info and lifecycle state. */
#ifndef KEEL_DOMAIN_H
#define KEEL_DOMAIN_H

#include <keel/guest_console.h>
#include <keel/p2m.h>
#include <keel/pagetable.h>
#include <keel/sched_credit.h>
#include <keel/spinlock.h>
#include <keel/schedule.h>
#include <keel/text_ring.h>
#include <keel/timer.h>
#include <keel/types.h>
#include <asm/domain.h>
#include <public/xen.h>

#define DOMAIN_MAX_VCPUS 64	/* vCPUs per domain (vLAPIC id = vCPU id) */
#define HVM_NR_PARAMS 40
#define DOMAIN_MAX_EVTCHNS 1024	/* ports by default: libxl's max_event_channels 1023 */
#define DOMAIN_MAX_CONTROLLER_PAUSES 255	/* Xen's limit on the toolstack's pauses */

/* What happens when a domain shuts down (xl's on_poweroff/on_reboot/on_crash). */
enum domain_action {
	ACTION_DESTROY,		/* free it (the default) */
	ACTION_RESTART,		/* build it again (boot-time domains) */
	ACTION_PRESERVE,	/* keep it, stopped, for dom0 to inspect and destroy */
};

enum domain_state {
	DOMAIN_RUNNING,
	DOMAIN_SHUTDOWN,	/* the guest asked to stop; reason in shutdown_reason */
	DOMAIN_CRASHED,		/* keel stopped it for misbehaving */
};

struct vcpu;
struct evtchn_domain;
struct grant_table;
struct xencons_interface;
struct hvm_memmap_table_entry;

struct domain {
	domid_t id;
	bool privileged;
	bool hardware;			/* dom0 with dom0=pvh: owns the machine */
	atomic_t refcnt;		/* the table's reference plus domain_get()s */
	spinlock_t lock;		/* state, pause count, vCPU list */
	bool dying;			/* out of the table: new lookups fail */
	enum domain_state state;
	unsigned int shutdown_reason;	/* SHUTDOWN_* when state is SHUTDOWN */
	unsigned int pause_count;	/* domain_pause()s not yet undone */
	unsigned int controller_pauses;	/* the toolstack's among them (Xen's controller_pause_count) */
	u64 created_ns;			/* now_ns() at domain_create(), for uptime */
	u8 on_poweroff, on_reboot, on_crash;	/* enum domain_action */
	struct tasklet shutdown_work;	/* acts on a shutdown outside its vCPUs */
	struct sched_dom sched_dom;
	u64 mem_size;			/* guest RAM; 0 until domain_set_memory() */
	u64 rsdp_gpa;			/* its ACPI tables; 0: none */
	u64 special_base, special_size;	/* keel's pages in its RAM (pvh_layout.h) */
	u64 boot_gpa;			/* its boot page(s) */
	const struct hvm_memmap_table_entry *memmap;	/* its e820; NULL: pvh_memmap() */
	unsigned int nr_memmap;

	/* The p2m (p2m.c, its only user): guest-physical to host-physical. */
	struct page_table p2m;
	spinlock_t p2m_lock;		/* p2m changes and keel's walks of it */
	struct pt_ops p2m_ops;		/* its tables, counted in p2m_tables */
	unsigned int p2m_tables;	/* tables it uses now (atomic) */
	unsigned int p2m_max_tables;	/* -ENOMEM beyond */
	u64 p2m_gpa_limit;		/* no entry at or above it */
	u64 max_pages;			/* RAM frames it may have charged to it */
	u64 tot_frames;			/* frames charged to it now (frame.c, atomic) */
	u64 p2m_unreachable;		/* XENMEM_increase_reservation's frames, chained */

	unsigned int nr_vcpus;
	struct vcpu *vcpus[DOMAIN_MAX_VCPUS];

	struct shared_info *shared_info;	/* keel's page; in the p2m once placed */
	u64 shared_info_gpa;			/* P2M_NO_GPA until XENMEM_add_to_physmap */
	struct evtchn_domain *evtchn;		/* event channels (evtchn.c) */
	struct grant_table *grant_table;	/* grant_table.c */
	u64 hvm_params[HVM_NR_PARAMS];
	unsigned int vm_assist;		/* 1 << VMASST_TYPE_* it enabled (vm_assist.c; atomic) */
	struct xencons_interface *console_ring;	/* keel's mapping of the PV console */
	u32 console_port;
	struct timer console_poll;		/* typed input while the ring is full */
	struct timer console_flush;		/* prints an unfinished line that waited */
	spinlock_t console_lock;	/* the ring's keel-side indices and the below */
	struct text_ring console_out;	/* its newest console output, for console_read */
	u64 console_instance;		/* names this domain of its id in console_read */
	bool console_closed;		/* its output went to console_keep.c (table lock) */
	struct guest_console console_print;	/* what of it reaches keel's console */
	struct arch_domain arch;
};

/* Whether @d turned on VMASST_TYPE_@type with vm_assist (vm_assist.c). */
static inline bool vm_assist_enabled(const struct domain *d, unsigned int type)
{
	return __atomic_load_n(&d->vm_assist, __ATOMIC_RELAXED) & (1u << type);
}

/*
 * The live domain @id with a reference held, or NULL (no such domain, or
 * dying). Every domain_get() is matched by a domain_put().
 */
struct domain *domain_get(domid_t id);
void domain_put(struct domain *d);
/* Another reference to @d, which the caller already holds one to. */
void domain_hold(struct domain *d);
/*
 * Domain @id, live or dying, for a caller that holds a reference to it
 * (a mapping of its pages): no reference taken. Ids are not reused
 * until the domain is freed.
 */
struct domain *domain_held(domid_t id);
/* The same by id (a frame's owner) without a lock, for a holder of a reference. */
struct domain *domain_in_slot(unsigned int slot);

/*
 * Domain @id, live or dying, with a reference held, while its console
 * output is still its own (console_closed unset), or NULL.
 */
struct domain *domain_get_console(domid_t id);

/* Does @d own the host's devices, its RAM mapped 1:1 (dom0=pvh)? */
static inline bool is_hardware_domain(const struct domain *d)
{
	return d->hardware;
}

/* Guest-physical address of keel's special page @n (PVH_SPECIAL_*) in @d. */
static inline u64 domain_special_gpa(const struct domain *d, unsigned int n)
{
	return d->special_base + ((u64)n << 12);
}

/*
 * A new domain @id (DOMID_INVALID: the next id after the last one picked, as
 * Xen's) with @nr_vcpus vCPUs (down) and no memory; NULL if the id is taken.
 */
struct domain *domain_create(domid_t id, unsigned int nr_vcpus);
/* Give @d its guest RAM (the PVH layout for @mem_size) once: 0, -EEXIST or -ENOMEM. */
int domain_set_memory(struct domain *d, u64 mem_size);
void domain_destroy(struct domain *d);
/* Back [start, end) of @d's guest-physical space with zeroed host RAM. */
int domain_populate(struct domain *d, u64 start, u64 end);
/*
 * Stop the domain for misbehaving: report @why and mark it crashed. Its
 * vCPUs stop; the on_crash action runs from a tasklet.
 */
void domain_crash(struct domain *d, const char *why);
/* The domain asked to stop (SHUTDOWN_*): its vCPUs stop, then its action runs. */
void domain_shutdown(struct domain *d, unsigned int reason);
/*
 * @v triple faulted (@how: the CPU's or keel's word for it): as Xen's
 * hvm_triple_fault(), the domain shuts down with the reason its
 * HVM_PARAM_TRIPLE_FAULT_REASON holds (reboot unless a toolstack chose).
 */
void domain_triple_fault(struct vcpu *v, const char *how);
/* Stop every vCPU of @d (and wait until none runs) / let them run again. */
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);
/*
 * The toolstack's pause and unpause (Xen's domain_pause_by_systemcontroller):
 * they nest, up to DOMAIN_MAX_CONTROLLER_PAUSES (then -EOVERFLOW); an unpause
 * the toolstack has no pause for is -EINVAL. A toolstack domain is created
 * with one, which its first unpause undoes.
 */
int domain_pause_by_controller(struct domain *d);
int domain_unpause_by_controller(struct domain *d);
/*
 * The next live domain with id >= *@id, with a reference held, and *@id
 * set past it; NULL when there is none. For walking all domains.
 */
struct domain *domain_next(domid_t *id);
/* Tell dom0 (VIRQ_DOM_EXC) that a domain was created, stopped or destroyed. */
void domain_notify_change(void);
/* The hardware domain (dom0) ended: keel decides (main.c); takes a reference. */
void control_domain_ended(struct domain *d);
/*
 * Boot-time domain @id asked to restart and was destroyed: build it again
 * from its boot description (main.c); the id must be free by then.
 */
void domain_rebuild(domid_t id);
/* No domain is left and none controls keel: stop (main.c). */
void last_domain_ended(void);
const char *shutdown_reason_name(unsigned int reason);

/*
 * Guest-physical memory access through the p2m, each page held by a
 * reference for the copy: -EFAULT where nothing is mapped or, for writes,
 * where the p2m does not let the guest write either (a read-only grant).
 */
int copy_to_guest_phys(struct domain *d, u64 gpa, const void *src, u64 len);
int copy_from_guest_phys(struct domain *d, void *dst, u64 gpa, u64 len);
int clear_guest_phys(struct domain *d, u64 gpa, u64 len);
/*
 * Keel's mapping of @d's own RAM page at @gpa, or NULL; no reference is
 * taken. Only for pages that cannot go away meanwhile: keel's special
 * pages (no guest operation removes them) and the pages of a domain that
 * has not run yet. Anything else takes p2m_get_page() (keel/p2m.h).
 */
void *guest_page(struct domain *d, u64 gpa);

#endif
