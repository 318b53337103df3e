/* Domains: creation with populated guest RAM, shutdown, crash and destruction. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/foreign_map.h>
#include <keel/frame.h>
#include <keel/grant_table.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <keel/pvh_layout.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/hvm_op.h>
#include <public/sched.h>

#define DOMAIN_ORDER 1	/* struct domain lives in two pages */

BUILD_BUG_ON(sizeof(struct domain) > (PAGE_SIZE << DOMAIN_ORDER));

static const char *const shutdown_names[] = {
	[SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
	[SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
	[SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};

const char *shutdown_reason_name(unsigned int reason)
{
	return reason < ARRAY_SIZE(shutdown_names) ? shutdown_names[reason] :
						      "unknown";
}

/*
 * Back [start, end) of guest-physical space with fresh zeroed host RAM
 * charged to @d: 2 MiB leaves where it can (frames are still counted and
 * referenced one by one), 4 KiB pages elsewhere.
 */
int domain_populate(struct domain *d, u64 start, u64 end)
{
	for (u64 gpa = start; gpa < end;) {
		unsigned int order = 0;
		int rc;

		if (IS_ALIGNED(gpa, LARGE_PAGE_SIZE) &&
		    end - gpa >= LARGE_PAGE_SIZE)
			order = LARGE_PAGE_SHIFT - PAGE_SHIFT;
		rc = p2m_populate(d, gpa, order);
		if (rc == -ENOMEM && order) {
			order = 0;	/* no 2 MiB of host RAM in one piece */
			rc = p2m_populate(d, gpa, order);
		}
		if (rc) {
			pr_err("d%u: cannot populate %#llx: error %d\n", d->id,
			       (unsigned long long)gpa, rc);
			return rc;
		}
		gpa += PAGE_SIZE << order;
	}
	return 0;
}

/* UTC at system time 0, for the guest's clock (even version: stable). */
static void set_wallclock(struct shared_info *si)
{
	si->wc_version = 2;
	si->wc_sec = (u32)boot_wallclock_sec;
	si->wc_sec_hi = boot_wallclock_sec >> 32;
	si->wc_nsec = 0;
}

/*
 * The domain table, by id (a domain's id is its frame owner): every domain
 * not yet freed, dying ones too, whose id is not given out again before.
 * Dying ones are left to domain_held() and the frame owners. A page of
 * DOMTAB_IDS entries per block of ids, allocated with its block's first
 * domain and freed with its last: memory follows the domains there are.
 */
#define DOMTAB_IDS (PAGE_SIZE / sizeof(struct domain *))
#define DOMTAB_PAGES ((DOMID_FIRST_RESERVED + DOMTAB_IDS - 1) / DOMTAB_IDS)

static struct domain **domain_table[DOMTAB_PAGES];
static u16 domtab_used[DOMTAB_PAGES];	/* domains in each page */
static domid_t last_domid;	/* Xen's rover: the id picked last */
static DEFINE_SPINLOCK(domain_table_lock);

BUILD_BUG_ON(DOMID_FIRST_RESERVED > FRAME_MAX_OWNERS);

/* The not yet freed domain @id, or NULL; without a lock for a holder of a reference. */
static struct domain *table_entry(domid_t id)
{
	struct domain **page;

	if (id >= DOMID_FIRST_RESERVED)
		return NULL;
	page = READ_ONCE(domain_table[id / DOMTAB_IDS]);
	return page ? READ_ONCE(page[id % DOMTAB_IDS]) : NULL;
}

struct domain *domain_get(domid_t id)
{
	struct domain *d;

	spin_lock(&domain_table_lock);
	d = table_entry(id);
	if (d && !d->dying)
		atomic_inc_return(&d->refcnt);
	else
		d = NULL;
	spin_unlock(&domain_table_lock);
	return d;
}

struct domain *domain_held(domid_t id)
{
	struct domain *d;

	spin_lock(&domain_table_lock);
	d = table_entry(id);
	spin_unlock(&domain_table_lock);
	return d;
}

struct domain *domain_in_slot(unsigned int slot)
{
	return slot < DOMID_FIRST_RESERVED ? table_entry(slot) : NULL;
}

u64 *frame_owner_count(unsigned int owner)
{
	struct domain *d = domain_in_slot(owner);

	return d ? &d->tot_frames : NULL;
}

void domain_hold(struct domain *d)
{
	int now = atomic_inc_return(&d->refcnt);

	ASSERT(now > 1);	/* the caller held one already */
}

static void domain_free(struct domain *d);
static void shutdown_work(void *data);

void domain_put(struct domain *d)
{
	int left = atomic_dec_return(&d->refcnt);

	ASSERT(left >= 0);
	if (left == 0)
		domain_free(d);
}

struct domain *domain_get_console(domid_t id)
{
	struct domain *d;

	/* Closed under this lock before the table's reference goes: refcnt > 0 here. */
	spin_lock(&domain_table_lock);
	d = table_entry(id);
	if (d && !d->console_closed)
		atomic_inc_return(&d->refcnt);
	else
		d = NULL;
	spin_unlock(&domain_table_lock);
	return d;
}

/*
 * As Xen's domain_create(): the first id after the last one picked that no
 * domain holds, wrapping below DOMID_FIRST_RESERVED to 1; DOMID_INVALID
 * when every one is taken.
 */
static domid_t next_free_id(void)
{
	domid_t id = last_domid;

	for (unsigned int i = 0; i < DOMID_FIRST_RESERVED; i++) {
		if (++id >= DOMID_FIRST_RESERVED)
			id = 1;
		if (!table_entry(id))
			return last_domid = id;
	}
	return DOMID_INVALID;
}

/*
 * Enter @d under @id (DOMID_INVALID: the next free id), with its console
 * instance: 0, -EEXIST (id taken or none free) or -ENOMEM.
 */
static int domain_table_insert(struct domain *d, domid_t id)
{
	static u64 instances;
	struct domain **page, **fresh = alloc_page();
	int rc = -EEXIST;

	spin_lock(&domain_table_lock);
	if (id == DOMID_INVALID)
		id = next_free_id();
	if (id < DOMID_FIRST_RESERVED && !table_entry(id)) {
		page = domain_table[id / DOMTAB_IDS];
		if (!page && fresh) {
			memset(fresh, 0, PAGE_SIZE);
			WRITE_ONCE(domain_table[id / DOMTAB_IDS], fresh);
			page = fresh;
			fresh = NULL;
		}
		rc = page ? 0 : -ENOMEM;
	}
	if (!rc) {
		d->id = id;
		WRITE_ONCE(page[id % DOMTAB_IDS], d);
		domtab_used[id / DOMTAB_IDS]++;
		d->console_instance = ++instances;
	}
	spin_unlock(&domain_table_lock);
	if (fresh)
		free_page(fresh);
	return rc;
}

/* @d is freed: its id is free again, and its page of the table with the last one. */
static void domain_table_free(struct domain *d)
{
	unsigned int n = d->id / DOMTAB_IDS;
	struct domain **page;

	spin_lock(&domain_table_lock);
	page = domain_table[n];
	ASSERT(page && page[d->id % DOMTAB_IDS] == d);
	WRITE_ONCE(page[d->id % DOMTAB_IDS], NULL);
	if (--domtab_used[n])
		page = NULL;
	else
		WRITE_ONCE(domain_table[n], NULL);
	spin_unlock(&domain_table_lock);
	if (page)
		free_page(page);
}

/*
 * Mark @d dying (new lookups fail): true for the one caller that does so,
 * false for any later one (it is being destroyed already).
 */
static bool domain_table_remove(struct domain *d)
{
	bool first;

	spin_lock(&domain_table_lock);
	first = !d->dying;
	d->dying = true;
	spin_unlock(&domain_table_lock);
	return first;
}

struct domain *domain_create(domid_t id, unsigned int nr_vcpus)
{
	struct domain *d = alloc_pages(DOMAIN_ORDER);

	if (!d)
		return NULL;
	atomic_set(&d->refcnt, 1);
	d->created_ns = now_ns();
	spin_lock_init(&d->lock);
	spin_lock_init(&d->console_lock);
	d->shared_info_gpa = P2M_NO_GPA;
	d->special_base = PVH_SPECIAL_GPA(0);
	d->special_size = PVH_SPECIAL_PAGES * PAGE_SIZE;
	d->boot_gpa = PVH_BOOT_PAGE_GPA;
	/* Xen's default (hvm_domain_initialise()); a toolstack may choose another. */
	d->hvm_params[HVM_PARAM_TRIPLE_FAULT_REASON] = SHUTDOWN_reboot;
	if (domain_table_insert(d, id)) {
		free_pages(d, DOMAIN_ORDER);
		return NULL;
	}
	d->state = DOMAIN_RUNNING;
	tasklet_init(&d->shutdown_work, shutdown_work, d);
	console_domain_init(d);
	if (p2m_init(d))
		goto fail;
	arch_domain_set_p2m(d);
	d->shared_info = alloc_page();
	if (!d->shared_info || evtchn_domain_init(d, DOMAIN_MAX_EVTCHNS) ||
	    grant_table_init(d))
		goto fail;
	set_wallclock(d->shared_info);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		d->vcpus[i] = vcpu_create(d, i);
		if (!d->vcpus[i])
			goto fail;
		d->nr_vcpus++;
	}
	sched_domain_add(d);
	domain_notify_change();
	return d;
fail:
	domain_destroy(d);
	return NULL;
}

int domain_set_memory(struct domain *d, u64 mem_size)
{
	struct hvm_memmap_table_entry map[PVH_MAX_MEMMAP];
	unsigned int n = pvh_memmap(mem_size, map);
	u64 pages = 0;

	if (d->mem_size)
		return -EEXIST;
	d->mem_size = mem_size;
	for (unsigned int i = 0; i < n; i++)
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
			pages += PFN_DOWN(map[i].size);
	/* Also the boot page, the legacy space Linux scans, keel's special pages. */
	pages += PFN_DOWN(PVH_LEGACY_END - PVH_BOOT_PAGE_GPA) + PVH_SPECIAL_PAGES;
	/* What it is given now is the most it may have (its max_pages). */
	p2m_set_allocation(d, pages, pvh_ram_end(mem_size));
	for (unsigned int i = 0; i < n; i++)
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM &&
		    domain_populate(d, map[i].addr, map[i].addr + map[i].size))
			return -ENOMEM;
	if (domain_populate(d, PVH_BOOT_PAGE_GPA, PVH_LEGACY_END) ||
	    domain_populate(d, PVH_SPECIAL_GPA(0), PVH_SPECIAL_GPA(PVH_SPECIAL_PAGES)))
		return -ENOMEM;
	ASSERT(p2m_tot_pages(d) == pages);
	return 0;
}

/*
 * Take @d out of the table, stop it for good and close what links it to
 * other domains; its memory goes with the last reference. Only the first
 * caller does it and drops the table's reference: a toolstack destroy
 * racing the shutdown tasklet, a rebuild or dom0's end is harmless.
 */
void domain_destroy(struct domain *d)
{
	if (!domain_table_remove(d))
		return;
	/* The table's reference, and the caller's when it is not that one. */
	ASSERT(atomic_read(&d->refcnt) > 0);
	domain_pause(d);
	sched_domain_remove(d);
	/* Off every CPU and out of the scheduler: no hypercall of its own re-arms these. */
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_kill_timers(d->vcpus[i]);
	console_domain_destroy(d);
	/* Its output is console_keep.c's now: console_read looks there. */
	spin_lock(&domain_table_lock);
	d->console_closed = true;
	spin_unlock(&domain_table_lock);
	p2m_release_foreign(d);
	if (d->evtchn)
		evtchn_domain_destroy(d);
	grant_table_release_mappings(d);
	domain_put(d);
}

/*
 * A copy another domain began through its mapping of one of @d's grants
 * before the unmap that dropped @d's last reference (copy_to_guest() on
 * that domain's other vCPU) holds the frame for one memcpy, without a
 * reference to @d: its put_page() frees the frame and charges @d's count,
 * found through @d's table slot. So the slot waits for those puts, as
 * long as a copy of a page can take. False if a frame is still held after
 * a second (a leak, or a copying CPU stalled that long).
 */
static bool borrowed_frames_back(struct domain *d)
{
	u64 end = now_ns() + NSEC_PER_SEC;

	while (p2m_tot_pages(d)) {
		if (now_ns() >= end)
			return false;
		arch_cpu_relax();
	}
	return true;
}

/*
 * The last reference is gone: nobody maps, pins or copies the domain's
 * frames any more (each of those holds a domain reference; a copy's frame
 * alone is waited for), so every frame charged to it is freed here. Its
 * id is free again only then.
 */
static void domain_free(struct domain *d)
{
	bool returned;

	ASSERT(d->dying);
	ASSERT(atomic_read(&d->refcnt) == 0);
	/*
	 * First: a hardware domain's host interrupts (its devices' lines and
	 * MSIs) are delivered to its vCPUs from any CPU's do_irq() until
	 * their pins and vectors are gone, so those go before the vCPUs do.
	 */
	arch_domain_free(d);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_destroy(d->vcpus[i]);
	evtchn_domain_free(d);
	p2m_teardown(d);
	returned = borrowed_frames_back(d);
	if (d->shared_info)
		free_page(d->shared_info);
	console_ring_free(d);
	grant_table_destroy(d);
	if (!returned) {
		/*
		 * Kept, dying, with its id: a late put_page() then charges this
		 * count and no other domain's. A leak, never a corruption.
		 */
		pr_err("d%u: %llu frame(s) still held a second after its last reference went: its id stays taken\n",
		       d->id, (unsigned long long)p2m_tot_pages(d));
		return;
	}
	domain_table_free(d);
	free_pages(d, DOMAIN_ORDER);
}

struct domain *domain_next(domid_t *id)
{
	struct domain *d = NULL;

	spin_lock(&domain_table_lock);
	for (unsigned int i = *id; i < DOMID_FIRST_RESERVED && !d; i++) {
		if (!domain_table[i / DOMTAB_IDS])
			i = ALIGN_UP(i + 1, DOMTAB_IDS) - 1;	/* the next page */
		else if ((d = table_entry(i)) && d->dying)
			d = NULL;
	}
	if (d) {
		atomic_inc_return(&d->refcnt);
		*id = d->id + 1;
	}
	spin_unlock(&domain_table_lock);
	return d;
}

void domain_notify_change(void)
{
	struct domain *d0 = domain_get(0);

	if (!d0)
		return;
	if (d0->nr_vcpus && !d0->dying)
		send_guest_virq(d0->vcpus[0], VIRQ_DOM_EXC);
	domain_put(d0);
}

static unsigned int shutdown_action(const struct domain *d)
{
	if (d->state == DOMAIN_CRASHED)
		return d->on_crash;
	switch (d->shutdown_reason) {
	case SHUTDOWN_reboot:
		return d->on_reboot;
	case SHUTDOWN_crash:
		return d->on_crash;
	default:
		return d->on_poweroff;
	}
}

static const char *const action_names[] = {
	[ACTION_DESTROY] = "destroyed", [ACTION_RESTART] = "restarted",
	[ACTION_PRESERVE] = "preserved",
};

/* Take @d's vCPUs off their CPUs without waiting: is every one off, its state saved? */
static bool domain_off_cpus(struct domain *d)
{
	bool off = true;

	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		off &= vcpu_sleep_try(d->vcpus[i]);
	return off;
}

/*
 * Runs from CPU0's scheduler loop, with the reference domain_stop() took.
 * It never waits for a vCPU: one still on a CPU (in a long hypercall, it
 * leaves at its next preemption point) has the tasklet run again on a
 * later pass, so that CPU0's timers, tasklets and its own vCPU go on.
 */
static void shutdown_work(void *data)
{
	struct domain *d = data, *last;
	unsigned int action = shutdown_action(d);
	domid_t id;

	ASSERT(d->state != DOMAIN_RUNNING);
	if (d->dying) {
		domain_put(d);		/* destroyed meanwhile (the toolstack) */
		return;
	}
	/* Preserved, it stays as it is: nothing to wait for. */
	if ((d->id == 0 || action != ACTION_PRESERVE) && !domain_off_cpus(d)) {
		tasklet_schedule(&d->shutdown_work);
		return;
	}
	if (d->id == 0) {
		control_domain_ended(d);	/* drops the reference */
		return;
	}
	pr_info("d%u: %s after %s\n", d->id, action_names[action],
		d->state == DOMAIN_CRASHED ? "a crash" :
		shutdown_reason_name(d->shutdown_reason));
	if (action != ACTION_PRESERVE)
		domain_destroy(d);
	id = d->id;
	/* Ours: with it the domain goes, unless another domain maps its pages. */
	domain_put(d);
	if (action == ACTION_RESTART)
		domain_rebuild(id);
	/* Without a control domain, keel's work ends with the last domain. */
	id = 0;
	last = domain_next(&id);
	if (last)
		domain_put(last);
	else
		last_domain_ended();
}

/* Move a running @d to @state: stop its vCPUs and queue the action once. */
static void domain_stop(struct domain *d, enum domain_state state,
			unsigned int reason)
{
	spin_lock(&d->lock);
	if (d->state != DOMAIN_RUNNING) {
		spin_unlock(&d->lock);
		return;
	}
	d->shutdown_reason = reason;
	d->state = state;
	spin_unlock(&d->lock);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_sleep(d->vcpus[i]);
	domain_notify_change();
	domain_hold(d);		/* dropped by the tasklet */
	tasklet_schedule(&d->shutdown_work);
}

void domain_crash(struct domain *d, const char *why)
{
	pr_err("d%u crashed: %s\n", d->id, why);
	domain_stop(d, DOMAIN_CRASHED, SHUTDOWN_crash);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
	pr_info("d%u: shutdown requested, reason %s\n", d->id,
		shutdown_reason_name(reason));
	domain_stop(d, DOMAIN_SHUTDOWN, reason);
}

void domain_triple_fault(struct vcpu *v, const char *how)
{
	struct domain *d = v->domain;
	unsigned int reason = READ_ONCE(d->hvm_params[HVM_PARAM_TRIPLE_FAULT_REASON]);

	pr_warn("d%uv%u: %s: shutdown reason %s (HVM_PARAM_TRIPLE_FAULT_REASON)\n",
		d->id, v->id, how, shutdown_reason_name(reason));
	/* What Xen's domain_crash() is: a shutdown for SHUTDOWN_crash. */
	if (reason == SHUTDOWN_crash)
		domain_crash(d, how);
	else
		domain_shutdown(d, reason);
}

/* Every vCPU of @d off its CPU, its state saved. */
static void domain_wait_off_cpus(struct domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_sleep_sync(d->vcpus[i]);
}

/* Undo one pause of @d: true when it may run now (d->lock held). */
static bool unpause_locked(struct domain *d)
{
	ASSERT(spin_is_locked(&d->lock));
	/* domain_destroy() marks it dying before its own pause: that one stays. */
	return !d->dying && d->pause_count && --d->pause_count == 0;
}

static void domain_wake(struct domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_wake(d->vcpus[i]);
}

void domain_pause(struct domain *d)
{
	spin_lock(&d->lock);
	d->pause_count++;
	spin_unlock(&d->lock);
	domain_wait_off_cpus(d);
}

void domain_unpause(struct domain *d)
{
	bool resumed;

	spin_lock(&d->lock);
	resumed = unpause_locked(d);
	spin_unlock(&d->lock);
	if (resumed)
		domain_wake(d);
}

int domain_pause_by_controller(struct domain *d)
{
	spin_lock(&d->lock);
	if (d->controller_pauses >= DOMAIN_MAX_CONTROLLER_PAUSES) {
		spin_unlock(&d->lock);
		return -EOVERFLOW;
	}
	d->controller_pauses++;
	d->pause_count++;
	spin_unlock(&d->lock);
	domain_wait_off_cpus(d);
	return 0;
}

int domain_unpause_by_controller(struct domain *d)
{
	bool resumed;

	spin_lock(&d->lock);
	if (!d->controller_pauses) {
		spin_unlock(&d->lock);
		return -EINVAL;
	}
	d->controller_pauses--;
	resumed = unpause_locked(d);
	spin_unlock(&d->lock);
	if (resumed)
		domain_wake(d);
	return 0;
}
