/* Grant tables v1: shared entries, pins, maptrack handles and the grant_table_op hypercall, as Xen does them for PVH. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/grant_table.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/param.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>

/*
 * Lifetime: a mapping holds a reference to the granting domain, so the
 * granter's struct domain and its table outlive every mapping of its
 * pages. The granted frame itself is held by a frame reference
 * (keel/frame.h) from the first pin to the last unpin, and the mapper's
 * p2m entry holds one more: when the granter gives the page up
 * (XENMEM_decrease_reservation, add_to_physmap over it) only its own p2m
 * entry goes, and the frame lives on until nobody uses it. A dying
 * mapper gives its mappings back in domain_destroy()
 * (grant_table_release_mappings()), which also breaks the cycle of a
 * domain mapping its own grants.
 *
 * Locking: each table has one lock for its entries' pins, its frames and
 * its maptrack; no code holds two tables' locks at once. The guest
 * writes its entries concurrently: flags change by compare-and-swap.
 */

#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GNTTABOP_CMD_MASK 0xfff	/* above: Xen's continuation argument */
#define MAX_PINS 0x80		/* per kind and entry, as Xen's 8-bit counts */
#define NO_HANDLE (~0U)
#define INVALID_GFN (~0ULL)

BUILD_BUG_ON(GNTTAB_NO_GPA != P2M_NO_GPA);

/* Keel's shadow of an entry while someone maps it or copies through it. */
struct grant_active {
	u64 hpa;		/* the granted frame, referenced while pinned */
	domid_t domid;		/* the domain holding the pins */
	u8 read_pins;		/* read-only maps and copies out of it */
	u8 write_pins;		/* writable maps and copies into it */
};
#define ACTIVE_ORDER 1		/* one shared frame's active entries: 8 KiB */
BUILD_BUG_ON(ENTRIES_PER_FRAME * sizeof(struct grant_active) !=
	     PAGE_SIZE << ACTIVE_ORDER);

/* A grant this domain maps: its index is the handle. */
struct grant_mapping {
	struct domain *granter;	/* referenced while mapped */
	u64 gpa;		/* where the mapper's p2m has it */
	u64 hpa;
	grant_ref_t ref;	/* when free: the next free handle */
	u32 flags;		/* GNTMAP_*; 0 when free */
};
#define MAPTRACK_PER_FRAME (PAGE_SIZE / sizeof(struct grant_mapping))

struct grant_table {
	spinlock_t lock;
	unsigned int nr_frames;
	unsigned int max_frames;
	grant_entry_v1_t *shared[GNTTAB_MAX_FRAMES_LIMIT];
	struct grant_active *active[GNTTAB_MAX_FRAMES_LIMIT];
	u64 frame_gpa[GNTTAB_MAX_FRAMES_LIMIT];	/* GNTTAB_NO_GPA: not placed */
	unsigned int nr_maptrack_frames;
	u32 maptrack_free;			/* head of the free handles */
	struct grant_mapping *maptrack[GNTTAB_MAX_MAPTRACK_FRAMES];
};
BUILD_BUG_ON(sizeof(struct grant_table) > PAGE_SIZE);

/* The flags and domid of an entry, updated together as Xen does. */
union grant_combo {
	u32 raw;
	struct {
		u16 flags;
		domid_t domid;
	};
};

static unsigned int max_frames = GNTTAB_DEFAULT_MAX_FRAMES;

/* gnttab_max_frames=<n>: the largest table a domain may grow (Xen's option). */
static int parse_gnttab_max_frames(const char *value)
{
	u64 n;

	if (!value || parse_uint(value, &value, &n) || *value ||
	    n < GNTTAB_INITIAL_FRAMES || n > GNTTAB_MAX_FRAMES_LIMIT)
		return -EINVAL;
	max_frames = n;
	return 0;
}
custom_param("gnttab_max_frames", parse_gnttab_max_frames);

static unsigned int nr_entries(const struct grant_table *gt)
{
	return gt->nr_frames * ENTRIES_PER_FRAME;
}

static grant_entry_v1_t *shared_entry(struct grant_table *gt, grant_ref_t ref)
{
	return &gt->shared[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

static struct grant_active *active_entry(struct grant_table *gt,
					 grant_ref_t ref)
{
	return &gt->active[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

static struct grant_mapping *maptrack_entry(struct grant_table *gt,
					    grant_handle_t handle)
{
	return &gt->maptrack[handle / MAPTRACK_PER_FRAME]
			    [handle % MAPTRACK_PER_FRAME];
}

static unsigned int maptrack_limit(const struct grant_table *gt)
{
	return gt->nr_maptrack_frames * MAPTRACK_PER_FRAME;
}

/* Grow @gt to @nr frames (caller holds the lock): 0 or -ENOMEM. */
static int grow_table(struct grant_table *gt, unsigned int nr)
{
	for (unsigned int i = gt->nr_frames; i < nr; i++) {
		gt->shared[i] = alloc_page();
		gt->active[i] = alloc_pages(ACTIVE_ORDER);
		if (!gt->shared[i] || !gt->active[i]) {
			if (gt->shared[i])
				free_page(gt->shared[i]);
			if (gt->active[i])
				free_pages(gt->active[i], ACTIVE_ORDER);
			return -ENOMEM;
		}
		gt->frame_gpa[i] = GNTTAB_NO_GPA;
		gt->nr_frames = i + 1;
	}
	return 0;
}

int grant_table_init(struct domain *d)
{
	struct grant_table *gt = alloc_page();

	if (!gt)
		return -ENOMEM;
	spin_lock_init(&gt->lock);
	gt->max_frames = max_frames;
	gt->maptrack_free = NO_HANDLE;
	d->grant_table = gt;
	return grow_table(gt, GNTTAB_INITIAL_FRAMES);
}

void grant_table_seed(struct domain *d, u32 ref, u16 to, u64 gfn)
{
	grant_entry_v1_t *e = shared_entry(d->grant_table, ref);

	e->frame = gfn;
	e->domid = to;
	smp_mb();	/* frame and domid before the flags make it valid */
	WRITE_ONCE(e->flags, GTF_permit_access);
}

void grant_table_destroy(struct domain *d)
{
	struct grant_table *gt = d->grant_table;

	if (!gt)
		return;
	for (unsigned int i = 0; i < gt->nr_frames; i++) {
		free_page(gt->shared[i]);
		free_pages(gt->active[i], ACTIVE_ORDER);
	}
	for (unsigned int i = 0; i < gt->nr_maptrack_frames; i++)
		free_page(gt->maptrack[i]);
	free_page(gt);
	d->grant_table = NULL;
}

int grant_table_frame(struct domain *d, u64 idx, u64 *hpa, u64 **placed)
{
	struct grant_table *gt = d->grant_table;
	int rc = 0;

	spin_lock(&gt->lock);
	if (idx >= gt->max_frames)
		rc = -EINVAL;
	else if (idx >= gt->nr_frames)
		rc = grow_table(gt, idx + 1);
	if (!rc) {
		*hpa = virt_to_phys(gt->shared[idx]);
		*placed = &gt->frame_gpa[idx];	/* frames never shrink */
	}
	spin_unlock(&gt->lock);
	return rc;
}

/*
 * Mark entry @e in use for @ldom (GTF_reading, and GTF_writing unless
 * @readonly). @first: nobody pins it yet, so it must grant @ldom access
 * (and, for a map, the whole page). Retries a few times when the guest
 * changes the entry under us, as Xen does.
 */
static s16 set_status(grant_entry_v1_t *e, domid_t ldom, bool readonly,
		      bool map, bool first)
{
	u16 mask = GTF_type_mask | (map ? GTF_sub_page : 0);
	union grant_combo cur = { .raw = READ_ONCE(*(u32 *)e) };

	for (int tries = 0; tries < 5; tries++) {
		union grant_combo new = cur;

		if (first && ((cur.flags & mask) != GTF_permit_access ||
			      cur.domid != ldom))
			return GNTST_general_error;
		if (!readonly && (cur.flags & GTF_readonly))
			return GNTST_general_error;
		new.flags |= GTF_reading | (readonly ? 0 : GTF_writing);
		if (__atomic_compare_exchange_n((u32 *)e, &cur.raw, new.raw,
						false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return GNTST_okay;
	}
	return GNTST_general_error;	/* the guest keeps changing it */
}

/* Drop GTF_writing / GTF_reading once the last such pin of @act is gone. */
static void clear_status(grant_entry_v1_t *e, struct grant_active *act,
			 bool readonly)
{
	u16 clear = 0;

	if (!readonly && !act->write_pins)
		clear |= GTF_writing;
	if (!act->read_pins && !act->write_pins)
		clear |= GTF_reading;
	if (clear)
		__atomic_fetch_and(&e->flags, (u16)~clear, __ATOMIC_SEQ_CST);
}

/*
 * @d's own RAM page at @gfn, referenced (taken under @d's p2m lock, so
 * no physmap change can free it meanwhile): its host address, or
 * GNTST_bad_page. The caller put_page()s it.
 */
static s16 ram_frame(struct domain *d, u64 gfn, u64 *hpa)
{
	if (gfn >= PFN_DOWN(PT_ADDR_LIMIT) ||
	    p2m_get_page(d, PFN_PHYS(gfn), P2M_OWNED, hpa, NULL))
		return GNTST_bad_page;
	return GNTST_okay;
}

/*
 * Pin @rd's grant @ref for domain @ldom (a read pin if @readonly): the
 * host frame in *@hpa. @map: for a mapping, which must cover the whole
 * page and use no cache attributes (Xen refuses those for HVM mappers).
 * The first pin takes a reference to the frame, the last unpin drops it.
 */
static s16 pin_grant(struct domain *rd, grant_ref_t ref, domid_t ldom,
		     bool readonly, bool map, u64 *hpa)
{
	struct grant_table *gt = rd->grant_table;
	struct grant_active *act;
	grant_entry_v1_t *e;
	bool pinned;
	s16 rc = GNTST_okay;

	spin_lock(&gt->lock);
	if (ref >= nr_entries(gt)) {
		rc = GNTST_bad_gntref;
		goto out;
	}
	act = active_entry(gt, ref);
	e = shared_entry(gt, ref);
	pinned = act->read_pins || act->write_pins;
	if ((pinned && act->domid != ldom) || act->read_pins >= MAX_PINS ||
	    act->write_pins >= MAX_PINS ||
	    (map && (READ_ONCE(e->flags) & (GTF_PWT | GTF_PCD | GTF_PAT)))) {
		rc = GNTST_general_error;
		goto out;
	}
	if (!pinned || (!readonly && !act->write_pins)) {
		rc = set_status(e, ldom, readonly, map, !pinned);
		if (rc)
			goto out;
		if (!pinned) {
			rc = ram_frame(rd, READ_ONCE(e->frame), &act->hpa);
			if (rc) {
				clear_status(e, act, readonly);
				goto out;
			}
			act->domid = ldom;
		}
	}
	if (readonly)
		act->read_pins++;
	else
		act->write_pins++;
	*hpa = act->hpa;
out:
	spin_unlock(&gt->lock);
	return rc;
}

static void unpin_grant(struct domain *rd, grant_ref_t ref, bool readonly)
{
	struct grant_table *gt = rd->grant_table;
	struct grant_active *act;
	u64 unpinned = 0;

	spin_lock(&gt->lock);
	act = active_entry(gt, ref);
	ASSERT(readonly ? act->read_pins : act->write_pins);
	if (readonly)
		act->read_pins--;
	else
		act->write_pins--;
	clear_status(shared_entry(gt, ref), act, readonly);
	if (!act->read_pins && !act->write_pins)
		unpinned = act->hpa;
	spin_unlock(&gt->lock);
	/* Every mapping of it is gone and flushed: the pins' reference goes. */
	if (unpinned)
		put_page(unpinned);
}

/* The domain @id names for @cd (DOMID_SELF allowed), referenced, or NULL. */
static struct domain *domain_by_any_id(struct domain *cd, domid_t id)
{
	if (id == DOMID_SELF) {
		domain_hold(cd);
		return cd;
	}
	return domain_get(id);
}

/* May @cd inspect or size @d's table? Itself, or a privileged domain. */
static bool may_control(const struct domain *cd, const struct domain *d)
{
	return cd == d || cd->privileged;
}

/* A free maptrack handle of @gt, adding a frame of them if needed. */
static grant_handle_t get_handle(struct grant_table *gt)
{
	grant_handle_t handle;

	spin_lock(&gt->lock);
	if (gt->maptrack_free == NO_HANDLE &&
	    gt->nr_maptrack_frames < GNTTAB_MAX_MAPTRACK_FRAMES) {
		struct grant_mapping *frame = alloc_page();
		unsigned int base = maptrack_limit(gt);

		if (frame) {
			for (unsigned int i = 0; i < MAPTRACK_PER_FRAME; i++)
				frame[i].ref = i + 1 < MAPTRACK_PER_FRAME ?
					       base + i + 1 : NO_HANDLE;
			gt->maptrack[gt->nr_maptrack_frames++] = frame;
			gt->maptrack_free = base;
		}
	}
	handle = gt->maptrack_free;
	if (handle != NO_HANDLE)
		gt->maptrack_free = maptrack_entry(gt, handle)->ref;
	spin_unlock(&gt->lock);
	return handle;
}

/* Free @handle (caller holds the lock). */
static void put_handle_locked(struct grant_table *gt, grant_handle_t handle)
{
	struct grant_mapping *m = maptrack_entry(gt, handle);

	m->flags = 0;
	m->granter = NULL;
	m->ref = gt->maptrack_free;
	gt->maptrack_free = handle;
}

static void put_handle(struct grant_table *gt, grant_handle_t handle)
{
	spin_lock(&gt->lock);
	put_handle_locked(gt, handle);
	spin_unlock(&gt->lock);
}

/*
 * Map @hpa at @gpa in @d's p2m: only into an empty GFN, never P2M_OWNED
 * (the mapper never frees the granter's page); p2m.c takes the entry's
 * reference.
 */
static s16 map_host(struct domain *d, u64 gpa, u64 hpa, bool readonly)
{
	return p2m_map_grant(d, gpa, hpa, readonly) ? GNTST_general_error :
						      GNTST_okay;
}

/*
 * Take mapping @m out of @d's p2m if it is still there: true if it was.
 * p2m.c flushes before it drops the entry's reference and frees the page
 * tables that held only it.
 */
static bool unmap_host(struct domain *d, const struct grant_mapping *m)
{
	return p2m_unmap_grant(d, m->gpa, m->hpa);
}

static s16 map_grant_ref(struct domain *ld, struct gnttab_map_grant_ref *op)
{
	struct grant_table *lgt = ld->grant_table;
	bool readonly = op->flags & GNTMAP_readonly;
	grant_handle_t handle;
	struct domain *rd;
	u64 hpa;
	s16 rc;

	if (!(op->flags & (GNTMAP_device_map | GNTMAP_host_map)))
		return GNTST_bad_gntref;
	/* A PVH guest maps into its p2m: no device or PTE mappings. */
	if (op->flags & (GNTMAP_device_map | GNTMAP_application_map |
			 GNTMAP_contains_pte))
		return GNTST_general_error;
	rd = domain_get(op->dom);	/* not DOMID_SELF, as in Xen */
	if (!rd)
		return GNTST_bad_domain;
	handle = get_handle(lgt);
	if (handle == NO_HANDLE) {
		domain_put(rd);
		return GNTST_no_device_space;
	}
	rc = pin_grant(rd, op->ref, ld->id, readonly, true, &hpa);
	if (!rc) {
		u64 gpa = op->host_addr & PAGE_MASK;

		spin_lock(&lgt->lock);
		rc = op->flags & ~(GNTMAP_host_map | GNTMAP_readonly) ?
		     GNTST_general_error : map_host(ld, gpa, hpa, readonly);
		if (!rc)
			*maptrack_entry(lgt, handle) = (struct grant_mapping){
				.granter = rd, .gpa = gpa, .hpa = hpa,
				.ref = op->ref, .flags = op->flags,
			};
		spin_unlock(&lgt->lock);
		if (rc)
			unpin_grant(rd, op->ref, readonly);
	}
	if (rc) {
		put_handle(lgt, handle);
		domain_put(rd);
		return rc;
	}
	op->handle = handle;
	/* No host addresses for guests: keel makes no device mappings. */
	op->dev_bus_addr = 0;
	return GNTST_okay;	/* the mapping keeps the reference to rd */
}

static s16 unmap_grant_ref(struct domain *ld,
			   const struct gnttab_unmap_grant_ref *op)
{
	struct grant_table *lgt = ld->grant_table;
	struct grant_mapping *m, done;
	s16 rc = GNTST_okay;

	spin_lock(&lgt->lock);
	m = op->handle < maptrack_limit(lgt) ? maptrack_entry(lgt, op->handle) :
					       NULL;
	if (!m || !m->flags) {
		rc = GNTST_bad_handle;
		goto unlock;
	}
	/*
	 * dev_bus_addr names a device mapping's address, which keel never
	 * makes (Xen checks it only for those): it is not compared with the
	 * host address either, which would make unmap an oracle for it.
	 */
	/* As in Xen, host_addr 0 leaves the host mapping (and handle) alone. */
	if (!op->host_addr)
		goto unlock;
	/* Out of the p2m and flushed before the pin (and its reference) goes. */
	if ((op->host_addr & PAGE_MASK) != m->gpa || !unmap_host(ld, m)) {
		rc = GNTST_general_error;
		goto unlock;
	}
	done = *m;
	put_handle_locked(lgt, op->handle);
	spin_unlock(&lgt->lock);

	unpin_grant(done.granter, done.ref, done.flags & GNTMAP_readonly);
	domain_put(done.granter);
	return GNTST_okay;
unlock:
	spin_unlock(&lgt->lock);
	return rc;
}

void grant_table_release_mappings(struct domain *d)
{
	struct grant_table *gt = d->grant_table;

	if (!gt)
		return;
	for (grant_handle_t h = 0; h < maptrack_limit(gt); h++) {
		struct grant_mapping done;

		/* Out of the p2m (if the guest left it there), then unpinned. */
		spin_lock(&gt->lock);
		done = *maptrack_entry(gt, h);
		if (done.flags) {
			unmap_host(d, &done);
			put_handle_locked(gt, h);
		}
		spin_unlock(&gt->lock);
		if (!done.flags)
			continue;
		unpin_grant(done.granter, done.ref,
			    done.flags & GNTMAP_readonly);
		domain_put(done.granter);
	}
}

/*
 * The domain one side of a copy batch names, looked up once while
 * consecutive ops name the same id: referenced until the batch ends or
 * yields (do_batch()), never kept past it.
 */
struct copy_dom {
	struct domain *d;	/* referenced, or NULL */
	domid_t id;		/* as the ops name it (DOMID_SELF too) */
};

/* One side of a copy: a pinned grant or a frame of the caller's own. */
struct copy_buf {
	struct domain *d;	/* held by the batch's struct copy_dom */
	bool pinned;		/* holds a pin on grant @ref of @d */
	bool held;		/* holds a reference to the frame @hpa */
	grant_ref_t ref;
	bool readonly;
	u64 hpa;
};

static void copy_dom_put(struct copy_dom *c)
{
	if (c->d)
		domain_put(c->d);
	c->d = NULL;
}

/* Domain @id for @cd, as domain_by_any_id() finds it: NULL if there is none. */
static struct domain *copy_dom_get(struct copy_dom *c, struct domain *cd,
				   domid_t id)
{
	if (!c->d || c->id != id) {
		copy_dom_put(c);
		c->d = domain_by_any_id(cd, id);
		c->id = id;
	}
	/* Dying since the lookup: what domain_get() would answer now. */
	if (c->d && id != DOMID_SELF && READ_ONCE(c->d->dying))
		return NULL;
	return c->d;
}

static s16 copy_lock_domain(struct domain *cd, const struct gnttab_copy_ptr *p,
			    bool gref, struct copy_dom *c, struct copy_buf *b)
{
	if (!gref && p->domid != DOMID_SELF)
		return GNTST_permission_denied;	/* only own frames by GMFN */
	b->d = copy_dom_get(c, cd, p->domid);
	return b->d ? GNTST_okay : GNTST_bad_domain;
}

static s16 copy_claim(struct domain *cd, const struct gnttab_copy_ptr *p,
		      bool gref, struct copy_buf *b)
{
	s16 rc;

	if (!gref) {
		rc = ram_frame(b->d, p->u.gmfn, &b->hpa);
		b->held = !rc;
		return rc;
	}
	rc = pin_grant(b->d, p->u.ref, cd->id, b->readonly, false, &b->hpa);
	if (!rc) {
		b->pinned = true;
		b->ref = p->u.ref;
	}
	return rc;
}

static void copy_release(struct copy_buf *b)
{
	if (b->held)
		put_page(b->hpa);
	if (b->pinned)
		unpin_grant(b->d, b->ref, b->readonly);
}

/* @doms: the batch's source and destination domains (struct copy_dom). */
static s16 grant_copy(struct domain *cd, const struct gnttab_copy *op,
		      struct copy_dom doms[2])
{
	struct copy_buf src = { .readonly = true }, dst = { .readonly = false };
	bool src_gref = op->flags & GNTCOPY_source_gref;
	bool dst_gref = op->flags & GNTCOPY_dest_gref;
	s16 rc;

	/* Xen's order of checks, so the same bad op gives the same code. */
	rc = copy_lock_domain(cd, &op->source, src_gref, &doms[0], &src);
	if (!rc)
		rc = copy_lock_domain(cd, &op->dest, dst_gref, &doms[1], &dst);
	if (!rc)
		rc = copy_claim(cd, &op->source, src_gref, &src);
	if (!rc)
		rc = copy_claim(cd, &op->dest, dst_gref, &dst);
	if (!rc && (op->source.offset + op->len > PAGE_SIZE ||
		    op->dest.offset + op->len > PAGE_SIZE))
		rc = GNTST_bad_copy_arg;
	if (!rc)
		memmove((u8 *)phys_to_virt(dst.hpa) + op->dest.offset,
			(u8 *)phys_to_virt(src.hpa) + op->source.offset,
			op->len);
	copy_release(&src);
	copy_release(&dst);
	return rc;
}

static long setup_table(struct vcpu *v, u64 arg, unsigned int count)
{
	struct gnttab_setup_table op;
	struct grant_table *gt;
	struct domain *d;

	if (count != 1)
		return -EINVAL;
	if (copy_from_guest(v, &op, arg, sizeof(op)))
		return -EFAULT;
	d = domain_by_any_id(v->domain, op.dom);
	if (!d) {
		op.status = GNTST_bad_domain;
		goto out;
	}
	gt = d->grant_table;
	op.status = GNTST_okay;
	if (!may_control(v->domain, d))
		op.status = GNTST_permission_denied;
	spin_lock(&gt->lock);
	if (!op.status && (op.nr_frames > gt->max_frames ||
			   (op.nr_frames > gt->nr_frames &&
			    grow_table(gt, op.nr_frames))))
		op.status = GNTST_general_error;
	spin_unlock(&gt->lock);
	/* A PVH domain learns the GFNs where its frames are (Xen's M2P). */
	for (u32 i = 0; !op.status && i < op.nr_frames; i++) {
		u64 gpa = READ_ONCE(gt->frame_gpa[i]);
		u64 gfn = gpa == GNTTAB_NO_GPA ? INVALID_GFN : PFN_DOWN(gpa);

		if (copy_to_guest(v, op.frame_list + i * sizeof(gfn), &gfn,
				  sizeof(gfn)))
			op.status = GNTST_bad_virt_addr;
	}
	domain_put(d);
out:
	return copy_to_guest(v, arg + offsetof(struct gnttab_setup_table, status),
			     &op.status, sizeof(op.status)) ? -EFAULT : 0;
}

static long query_size(struct vcpu *v, u64 arg, unsigned int count)
{
	struct gnttab_query_size op;
	struct domain *d;

	if (count != 1)
		return -EINVAL;
	if (copy_from_guest(v, &op, arg, sizeof(op)))
		return -EFAULT;
	d = domain_by_any_id(v->domain, op.dom);
	if (!d) {
		op.status = GNTST_bad_domain;
	} else if (!may_control(v->domain, d)) {
		op.status = GNTST_permission_denied;
	} else {
		op.nr_frames = READ_ONCE(d->grant_table->nr_frames);
		op.max_nr_frames = d->grant_table->max_frames;
		op.status = GNTST_okay;
	}
	if (d)
		domain_put(d);
	return copy_to_guest(v, arg, &op, sizeof(op)) ? -EFAULT : 0;
}

/* Version 1 is all keel offers: 2 is refused as by Xen with max-ver:1. */
static long set_version(struct vcpu *v, u64 arg)
{
	struct gnttab_set_version op;
	long rc = 0;

	if (copy_from_guest(v, &op, arg, sizeof(op)))
		return -EFAULT;
	if (op.version != 1 && op.version != 2)
		rc = -EINVAL;
	else if (op.version == 2)
		rc = -ENOSYS;
	op.version = 1;
	return copy_to_guest(v, arg, &op, sizeof(op)) ? -EFAULT : rc;
}

static long get_version(struct vcpu *v, u64 arg)
{
	struct gnttab_get_version op;
	struct domain *d;
	bool allowed;

	if (copy_from_guest(v, &op, arg, sizeof(op)))
		return -EFAULT;
	d = domain_by_any_id(v->domain, op.dom);
	if (!d)
		return -ESRCH;
	allowed = may_control(v->domain, d);
	domain_put(d);
	if (!allowed)
		return -EPERM;
	op.version = 1;
	return copy_to_guest(v, arg + offsetof(struct gnttab_get_version, version),
			     &op.version, sizeof(op.version)) ? -EFAULT : 0;
}

/*
 * map, unmap and copy: each of @count ops in turn, its status written
 * back. Every few ops a batch that has more to do yields to pending work:
 * it returns how many it did, and do_grant_table_op() makes a
 * continuation for the rest (keel/hypercall.h).
 */
static bool batch_preempt(unsigned int done)
{
	return done && !(done % HYPERCALL_PREEMPT_EVERY) &&
	       hypercall_preempt_check();
}

/*
 * A batch's array of ops in the caller's memory, reached a page at a
 * time: each page of the caller's own writable RAM is translated once
 * (guest_virt_get_page()) and held by a frame reference until the batch
 * moves past it, yields or ends; each op is copied out of it once and
 * checked in keel's copy, and its results are written back into it. An
 * op across a page end, or in a page the caller may not write or does
 * not own, goes through copy_from_guest()/copy_to_guest() as before: the
 * same statuses and the same -EFAULT either way.
 */
struct op_array {
	struct vcpu *v;
	u64 page;		/* the page last looked up, or NO_PAGE */
	bool held;		/* and held: its frame @hpa, referenced */
	u64 hpa;
};
#define NO_PAGE 1ULL		/* never a page's address */

static void op_array_put(struct op_array *a)
{
	if (a->held)
		put_page(a->hpa);
	a->held = false;
	a->page = NO_PAGE;
}

/* Keel's pointer to [@at, @at + @size) of the array, or NULL: copy it. */
static void *op_ptr(struct op_array *a, u64 at, size_t size)
{
	u64 page = at & PAGE_MASK;

	if ((at & ~PAGE_MASK) + size > PAGE_SIZE)
		return NULL;
	if (a->page != page) {
		op_array_put(a);
		a->page = page;
		a->held = !guest_virt_get_page(a->v, page, true, &a->hpa);
	}
	ASSERT(!a->held || !(a->hpa & ~PAGE_MASK));
	return a->held ? (u8 *)phys_to_virt(a->hpa) + (at & ~PAGE_MASK) : NULL;
}

/* Copy [@at, @at + @size) of the array into @buf, or @buf into it if @out. */
static int op_io(struct op_array *a, u64 at, void *buf, size_t size, bool out)
{
	void *p = op_ptr(a, at, size);

	if (!p)
		return out ? copy_to_guest(a->v, at, buf, size) :
			     copy_from_guest(a->v, buf, at, size);
	if (out)
		memcpy(p, buf, size);
	else
		memcpy(buf, p, size);
	return 0;
}

union batch_op {
	struct gnttab_map_grant_ref map;
	struct gnttab_unmap_grant_ref unmap;
	struct gnttab_copy copy;
};

/* @count ops of @size bytes at @arg: 0, the number done if it yields, -EFAULT. */
static long do_batch(struct vcpu *v, unsigned int cmd, u64 arg,
		     unsigned int count, size_t size)
{
	struct op_array ops = { .v = v, .page = NO_PAGE };
	struct copy_dom doms[2] = { { .d = NULL }, { .d = NULL } };
	long rc = 0;

	for (unsigned int i = 0; i < count; i++) {
		u64 at = arg + i * size;
		union batch_op op;
		size_t out = 0, out_size = sizeof(s16);

		if (batch_preempt(i)) {
			rc = i;
			break;
		}
		if (op_io(&ops, at, &op, size, false)) {
			rc = -EFAULT;
			break;
		}
		switch (cmd) {
		case GNTTABOP_map_grant_ref:	/* the whole op goes back */
			op.map.status = map_grant_ref(v->domain, &op.map);
			out_size = size;
			break;
		case GNTTABOP_unmap_grant_ref:
			op.unmap.status = unmap_grant_ref(v->domain, &op.unmap);
			out = offsetof(struct gnttab_unmap_grant_ref, status);
			break;
		default:
			ASSERT(cmd == GNTTABOP_copy);
			op.copy.status = grant_copy(v->domain, &op.copy, doms);
			out = offsetof(struct gnttab_copy, status);
		}
		if (op_io(&ops, at + out, (u8 *)&op + out, out_size, true)) {
			rc = -EFAULT;
			break;
		}
	}
	copy_dom_put(&doms[0]);
	copy_dom_put(&doms[1]);
	op_array_put(&ops);
	return rc;
}

/*
 * The rest of a preempted batch, as Xen continues one: the same op, the
 * argument past the @done ops, the count less them. The upper bits of cmd
 * (Xen's continuation argument, GNTTABOP_ARG_MASK) stay 0: no op of keel's
 * needs them, and a guest's own are refused.
 */
static long batch_continue(struct vcpu *v, unsigned int cmd, u64 arg,
			   unsigned int count, unsigned int done, size_t op_size)
{
	unsigned long args[3] = { cmd, arg + (u64)done * op_size, count - done };

	ASSERT(done > 0 && done < count);
	return hypercall_create_continuation(v, __HYPERVISOR_grant_table_op,
					     args, ARRAY_SIZE(args));
}

long do_grant_table_op(struct vcpu *v, unsigned int cmd, u64 arg,
		       unsigned int count)
{
	size_t op_size;
	long done;

	if ((int)count < 0 || (cmd & ~GNTTABOP_CMD_MASK))
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_map_grant_ref:
		op_size = sizeof(struct gnttab_map_grant_ref);
		break;
	case GNTTABOP_unmap_grant_ref:
		op_size = sizeof(struct gnttab_unmap_grant_ref);
		break;
	case GNTTABOP_copy:
		op_size = sizeof(struct gnttab_copy);
		break;
	case GNTTABOP_setup_table:
		return setup_table(v, arg, count);
	case GNTTABOP_query_size:
		return query_size(v, arg, count);
	case GNTTABOP_set_version:
		return set_version(v, arg);
	case GNTTABOP_get_version:
		return get_version(v, arg);
	default:
		return -ENOSYS;
	}
	done = do_batch(v, cmd, arg, count, op_size);
	return done > 0 ? batch_continue(v, cmd, arg, count, done, op_size) : done;
}
