/* The p2m: every change to a domain's guest-physical map, in the order change, flush, release. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/pagetable.h>
#include <keel/spinlock.h>
#include <keel/string.h>

#define OLD_LEAVES 16		/* entries one change may take out */
#define OLD_TABLES (2 * (PT_LEVELS - 1))

/* What a change took out of the p2m, to release once no CPU can use it. */
struct p2m_old {
	bool flush;			/* a CPU may cache what changed */
	unsigned int nr_leaves;
	struct {
		u64 hpa;		/* one 4 KiB frame */
		u64 attr;
	} leaf[OLD_LEAVES];
	unsigned int nr_tables;
	u64 tables[OLD_TABLES];		/* detached, empty */
};

/* ---- tables, counted against the domain's limit ------------------------ */

static u64 alloc_table(void *ctx)
{
	struct domain *d = ctx;
	void *page;

	/* Only under the p2m lock: the check and the count go together. */
	ASSERT(spin_is_locked(&d->p2m_lock) || !d->p2m.root);
	if (__atomic_load_n(&d->p2m_tables, __ATOMIC_RELAXED) >=
	    d->p2m_max_tables)
		return 0;
	page = alloc_page();
	if (!page)
		return 0;
	__atomic_fetch_add(&d->p2m_tables, 1, __ATOMIC_RELAXED);
	return virt_to_phys(page);
}

static void free_table(void *ctx, u64 phys)
{
	struct domain *d = ctx;
	unsigned int was = __atomic_fetch_sub(&d->p2m_tables, 1,
					      __ATOMIC_RELAXED);

	ASSERT(was > 0);
	free_page(phys_to_virt(phys));
}

int p2m_init(struct domain *d)
{
	spin_lock_init(&d->p2m_lock);
	d->p2m_ops = (struct pt_ops){
		.phys_to_virt = phys_to_virt, .alloc_table = alloc_table,
		.free_table = free_table, .ctx = d,
	};
	p2m_set_allocation(d, 0, 0);
	return pt_init(&d->p2m, arch_p2m_format(), &d->p2m_ops);
}

void p2m_set_allocation(struct domain *d, u64 max_pages, u64 ram_end)
{
	u64 top = ALIGN_UP(MAX(ram_end, GiB(4)), GiB(1)) + P2M_SPACE_ABOVE_RAM;

	d->max_pages = max_pages;
	d->p2m_max_tables = P2M_TABLES_BASE + max_pages / P2M_PAGES_PER_TABLE;
	d->p2m_gpa_limit = MIN(top, PT_ADDR_LIMIT);
}

void p2m_set_max_pages(struct domain *d, u64 max_pages)
{
	u64 tables = P2M_TABLES_BASE + max_pages / P2M_PAGES_PER_TABLE;

	spin_lock(&d->p2m_lock);
	d->max_pages = max_pages;
	/* Never fewer tables: ballooning down splits leaves, which needs them. */
	d->p2m_max_tables = MAX(d->p2m_max_tables, tables);
	spin_unlock(&d->p2m_lock);
}

bool p2m_gpa_valid(const struct domain *d, u64 gpa)
{
	return gpa < d->p2m_gpa_limit;
}

/* Keel keeps pointers into these (console ring, xenstore page): fixed. */
static bool special_page(const struct domain *d, u64 gpa)
{
	return gpa >= d->special_base && gpa < d->special_base + d->special_size;
}

u64 p2m_tot_pages(const struct domain *d)
{
	return frames_owned(d->id);
}

/* ---- the steps of a change, under the lock ------------------------------ */

/* The 4 KiB frame at @gpa (page aligned) and its entry's bits. */
static int lookup_locked(struct domain *d, u64 gpa, u64 *hpa, u64 *attr)
{
	u64 size;
	int rc;

	ASSERT(spin_is_locked(&d->p2m_lock));
	rc = pt_lookup(&d->p2m, gpa & PAGE_MASK, hpa, attr, &size);
	if (!rc)
		*hpa &= PAGE_MASK;
	return rc;
}

/* Take the frame @hpa (entry bits @attr) at @gpa out; @old keeps it. */
static int clear_locked(struct domain *d, u64 gpa, u64 hpa, u64 attr,
			struct p2m_old *old)
{
	int rc;

	ASSERT(spin_is_locked(&d->p2m_lock));
	ASSERT(old->nr_leaves < OLD_LEAVES);
	/* A large leaf is split first: that may need a table (-ENOMEM). */
	rc = pt_unmap(&d->p2m, gpa & PAGE_MASK, PAGE_SIZE);
	if (rc)
		return rc;
	arch_p2m_changed(d, gpa & PAGE_MASK, 0, PAGE_SIZE, 0);
	old->leaf[old->nr_leaves].hpa = hpa;
	old->leaf[old->nr_leaves].attr = attr;
	old->nr_leaves++;
	old->flush = true;
	return 0;
}

/* Detach the tables on @gpa's path that hold nothing now. */
static void prune_locked(struct domain *d, u64 gpa, struct p2m_old *old)
{
	unsigned int n;

	ASSERT(spin_is_locked(&d->p2m_lock));
	ASSERT(old->nr_tables + PT_LEVELS - 1 <= OLD_TABLES);
	n = pt_prune(&d->p2m, gpa, &old->tables[old->nr_tables]);
	old->nr_tables += n;
	if (n)
		old->flush = true;
}

/*
 * Map [gpa, gpa + size) to @hpa, which must be empty there; the new leaf
 * holds the references its caller arranged. On failure nothing is mapped
 * and the tables made on the way are detached into @old.
 */
static int set_locked(struct domain *d, u64 gpa, u64 hpa, u64 size, u64 attr,
		      struct p2m_old *old)
{
	int rc;

	ASSERT(spin_is_locked(&d->p2m_lock));
	rc = pt_map(&d->p2m, gpa, hpa, size, attr, 0);
	if (rc) {
		ASSERT(pt_range_empty(&d->p2m, gpa, size));
		prune_locked(d, gpa, old);
	} else {
		arch_p2m_changed(d, gpa, hpa, size, attr);
	}
	return rc;
}

/*
 * Drop a leaf's frame references and, for a foreign page, the reference to
 * its domain: the frame's owner, which cannot change while the leaf holds it.
 */
static void drop_leaf(u64 hpa, u64 size, u64 attr)
{
	int owner = arch_p2m_access(attr) & P2M_FOREIGN ? page_owner(hpa) : -1;

	ASSERT(!(arch_p2m_access(attr) & P2M_FOREIGN) || owner >= 0);
	for (u64 off = 0; off < size; off += PAGE_SIZE)
		put_page(hpa + off);
	if (owner >= 0)
		domain_put(domain_in_slot(owner));
}

/* Flush, then release what @old holds: frames, foreign owners, tables. */
static void release(struct domain *d, struct p2m_old *old)
{
	if (!old->flush)
		return;
	arch_p2m_flush(d);
	for (unsigned int i = 0; i < old->nr_leaves; i++) {
		u64 attr = old->leaf[i].attr;

		if (arch_p2m_access(attr) & P2M_MMIO)
			continue;	/* a device's page: no reference */
		drop_leaf(old->leaf[i].hpa, PAGE_SIZE, attr);
	}
	pt_free_tables(&d->p2m, old->tables, old->nr_tables);
}

/* ---- lookups -------------------------------------------------------------- */

int p2m_lookup(struct domain *d, u64 gpa, u64 *hpa, u64 *attr)
{
	u64 size;
	int rc;

	if (gpa >= PT_ADDR_LIMIT)
		return -ENOENT;
	spin_lock(&d->p2m_lock);
	rc = pt_lookup(&d->p2m, gpa, hpa, attr, &size);
	spin_unlock(&d->p2m_lock);
	return rc;
}

int p2m_get_page(struct domain *d, u64 gpa, unsigned int need, u64 *hpa,
		 u64 *attr)
{
	u64 frame, bits;
	int rc;

	if (gpa >= PT_ADDR_LIMIT)
		return -ENOENT;
	spin_lock(&d->p2m_lock);
	rc = lookup_locked(d, gpa, &frame, &bits);
	if (!rc && (arch_p2m_access(bits) & need) != need)
		rc = -EACCES;
	/* The entry holds a reference: the frame cannot be free now. */
	if (!rc && !get_page(frame))
		rc = -EBUSY;
	spin_unlock(&d->p2m_lock);
	if (rc)
		return rc;
	*hpa = frame;
	if (attr)
		*attr = bits;
	return 0;
}

int p2m_read_u64(struct domain *d, u64 gpa, u64 *val)
{
	u64 frame, bits;
	int rc;

	if (gpa >= PT_ADDR_LIMIT)
		return -ENOENT;
	if (gpa & 7)
		return -EINVAL;
	spin_lock(&d->p2m_lock);
	rc = lookup_locked(d, gpa, &frame, &bits);
	if (!rc && !(arch_p2m_access(bits) & P2M_READ))
		rc = -EACCES;
	else if (!rc && !page_count(frame))
		rc = -EBUSY;
	if (!rc)
		*val = *(const u64 *)((const u8 *)phys_to_virt(frame) +
				      (gpa & (PAGE_SIZE - 1)));
	spin_unlock(&d->p2m_lock);
	return rc;
}

/* ---- RAM --------------------------------------------------------------- */

int p2m_populate(struct domain *d, u64 gpa, unsigned int order)
{
	u64 size = PAGE_SIZE << order, n = 1ULL << order, hpa;
	struct p2m_old old = { .flush = false };
	void *mem;
	int rc;

	if (!IS_ALIGNED(gpa, size) || gpa + size < gpa ||
	    !p2m_gpa_valid(d, gpa + size - 1))
		return -EINVAL;
	mem = alloc_pages(order);
	if (!mem)
		return -ENOMEM;
	hpa = virt_to_phys(mem);
	spin_lock(&d->p2m_lock);
	if (!pt_range_empty(&d->p2m, gpa, size)) {
		rc = -EBUSY;
	} else if (frames_owned(d->id) + n > d->max_pages) {
		rc = -ENOMEM;
	} else {
		for (u64 i = 0; i < n; i++)
			page_set_owner(hpa + i * PAGE_SIZE, d->id);
		rc = set_locked(d, gpa, hpa, size,
				arch_p2m_attr(P2M_RWX | P2M_OWNED), &old);
	}
	spin_unlock(&d->p2m_lock);
	/* The new leaf keeps the allocation's references; a failure drops them. */
	if (rc)
		free_pages(mem, order);
	release(d, &old);
	return rc;
}

int p2m_remove_ram(struct domain *d, u64 gpa)
{
	struct p2m_old old = { .flush = false };
	u64 hpa, attr;
	int rc;

	if (gpa >= PT_ADDR_LIMIT)
		return -ENOENT;
	if (special_page(d, gpa))
		return -EINVAL;
	spin_lock(&d->p2m_lock);
	rc = lookup_locked(d, gpa, &hpa, &attr);
	if (!rc && !(arch_p2m_access(attr) & P2M_OWNED))
		rc = -ENOENT;
	if (!rc)
		rc = clear_locked(d, gpa, hpa, attr, &old);
	if (!rc)
		prune_locked(d, gpa, &old);
	spin_unlock(&d->p2m_lock);
	release(d, &old);
	return rc;
}

int p2m_add_unreachable(struct domain *d)
{
	void *mem = alloc_page();
	int rc = 0;

	if (!mem)
		return -ENOMEM;
	spin_lock(&d->p2m_lock);
	if (frames_owned(d->id) + 1 > d->max_pages) {
		rc = -ENOMEM;
	} else {
		/* Keel's alone: the frame's first word chains them. */
		page_set_owner(virt_to_phys(mem), d->id);
		*(u64 *)mem = d->p2m_unreachable;
		d->p2m_unreachable = virt_to_phys(mem);
	}
	spin_unlock(&d->p2m_lock);
	if (rc)
		free_page(mem);
	return rc;
}

/* ---- the hardware dom0: 1:1 RAM and device ranges ------------------------- */

int p2m_add_identity_ram(struct domain *d, u64 start, u64 end)
{
	struct p2m_old old = { .flush = false };
	int rc;

	ASSERT(is_hardware_domain(d));
	if (!IS_ALIGNED(start | end, PAGE_SIZE) || end <= start ||
	    !p2m_gpa_valid(d, end - 1))
		return -EINVAL;
	spin_lock(&d->p2m_lock);
	rc = pt_range_empty(&d->p2m, start, end - start) ? 0 : -EBUSY;
	/* The claim's reference on each frame becomes the leaf's. */
	if (!rc)
		rc = set_locked(d, start, start, end - start,
				arch_p2m_attr(P2M_RWX | P2M_OWNED), &old);
	spin_unlock(&d->p2m_lock);
	release(d, &old);
	return rc;
}

int p2m_populate_identity(struct domain *d, u64 gpa)
{
	struct p2m_old old = { .flush = false };
	int rc;

	ASSERT(is_hardware_domain(d));
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !p2m_gpa_valid(d, gpa) ||
	    special_page(d, gpa))
		return -EINVAL;
	spin_lock(&d->p2m_lock);
	if (!pt_range_empty(&d->p2m, gpa, PAGE_SIZE))
		rc = -EBUSY;
	else if (frames_owned(d->id) + 1 > d->max_pages)
		rc = -ENOMEM;
	else
		rc = mm_claim_frame(PFN_DOWN(gpa));	/* free host RAM only */
	if (!rc) {
		memset(phys_to_virt(gpa), 0, PAGE_SIZE);
		page_set_owner(gpa, d->id);
		rc = set_locked(d, gpa, gpa, PAGE_SIZE,
				arch_p2m_attr(P2M_RWX | P2M_OWNED), &old);
		if (rc)
			put_page(gpa);
	}
	spin_unlock(&d->p2m_lock);
	release(d, &old);
	return rc;
}

int p2m_map_mmio(struct domain *d, u64 start, u64 end)
{
	struct p2m_old old = { .flush = false };
	u64 attr = arch_p2m_attr(P2M_READ | P2M_WRITE | P2M_MMIO);
	int rc;

	ASSERT(is_hardware_domain(d));
	if (!IS_ALIGNED(start | end, PAGE_SIZE) || end <= start ||
	    !p2m_gpa_valid(d, end - 1))
		return -EINVAL;
	spin_lock(&d->p2m_lock);
	rc = pt_range_empty(&d->p2m, start, end - start) ? 0 : -EBUSY;
	if (!rc)
		rc = pt_map(&d->p2m, start, start, end - start, attr, 0);
	if (!rc)
		arch_p2m_changed(d, start, start, end - start, attr);
	spin_unlock(&d->p2m_lock);
	release(d, &old);
	return rc;
}

/* Is every leaf in [start, end) a device's (or nothing)? */
static bool only_mmio_locked(struct domain *d, u64 start, u64 end)
{
	u64 hpa, attr, size;

	for (u64 gpa = start; gpa < end; gpa += PAGE_SIZE)
		if (!pt_lookup(&d->p2m, gpa, &hpa, &attr, &size) &&
		    !(arch_p2m_access(attr) & P2M_MMIO))
			return false;
	return true;
}

bool p2m_range_is_mmio(struct domain *d, u64 start, u64 end)
{
	u64 hpa, attr, size;
	bool ok = IS_ALIGNED(start | end, PAGE_SIZE) && start < end &&
		  end <= PT_ADDR_LIMIT;

	spin_lock(&d->p2m_lock);
	for (u64 gpa = start; ok && gpa < end; gpa += PAGE_SIZE)
		ok = !pt_lookup(&d->p2m, gpa, &hpa, &attr, &size) &&
		     (arch_p2m_access(attr) & P2M_MMIO) && hpa == gpa;
	spin_unlock(&d->p2m_lock);
	return ok;
}

int p2m_unmap_mmio(struct domain *d, u64 start, u64 end)
{
	struct p2m_old old = { .flush = true };
	int rc;

	if (!IS_ALIGNED(start | end, PAGE_SIZE) || end <= start ||
	    end > PT_ADDR_LIMIT)
		return -EINVAL;
	spin_lock(&d->p2m_lock);
	/* MMIO leaves hold no reference: nothing to release but the TLBs. */
	rc = only_mmio_locked(d, start, end) ?
	     pt_unmap(&d->p2m, start, end - start) : -EBUSY;
	if (!rc)
		arch_p2m_changed(d, start, 0, end - start, 0);
	spin_unlock(&d->p2m_lock);
	release(d, &old);
	return rc;
}

/* ---- keel's pages ---------------------------------------------------------- */

/* Is the entry @hpa/@attr a mapping of @want that is neither RAM nor foreign? */
static bool maps_page(u64 hpa, u64 attr, u64 want)
{
	return hpa == want && !(arch_p2m_access(attr) & (P2M_OWNED | P2M_FOREIGN));
}

int p2m_place_keel_page(struct domain *d, u64 gpa, u64 hpa, u64 *placed)
{
	struct p2m_old old = { .flush = false };
	u64 cur, attr, prev;
	int rc = 0;

	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !p2m_gpa_valid(d, gpa) ||
	    special_page(d, gpa))
		return -EINVAL;
	spin_lock(&d->p2m_lock);
	prev = *placed;
	if (!lookup_locked(d, gpa, &cur, &attr)) {
		if (maps_page(cur, attr, hpa))
			goto move;		/* there already */
		if (arch_p2m_access(attr) & P2M_FOREIGN)
			rc = -EBUSY;		/* remove_from_physmap it first */
		else
			rc = clear_locked(d, gpa, cur, attr, &old);
	}
	if (rc)
		goto out;
	/*
	 * Keel holds its own reference (its allocation): this one is the
	 * entry's. Where an entry was cleared its tables are still there, so
	 * the map below needs none and cannot fail half-way.
	 */
	if (!get_page(hpa)) {
		rc = -EBUSY;
		goto out;
	}
	rc = set_locked(d, gpa, hpa, PAGE_SIZE,
			arch_p2m_attr(P2M_READ | P2M_WRITE), &old);
	if (rc) {
		put_page(hpa);
		goto out;
	}
move:
	/* Gone from where it was, unless something else replaced it there. */
	if (prev != P2M_NO_GPA && prev != gpa &&
	    !lookup_locked(d, prev, &cur, &attr) &&
	    maps_page(cur, attr, hpa) &&
	    !clear_locked(d, prev, cur, attr, &old))
		prune_locked(d, prev, &old);
	WRITE_ONCE(*placed, gpa);
out:
	spin_unlock(&d->p2m_lock);
	release(d, &old);
	return rc;
}

/* ---- grant mappings ---------------------------------------------------------- */

int p2m_map_grant(struct domain *d, u64 gpa, u64 hpa, bool readonly)
{
	struct p2m_old old = { .flush = false };
	u64 cur, attr;
	int rc = 0;

	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !p2m_gpa_valid(d, gpa))
		return -EINVAL;
	spin_lock(&d->p2m_lock);
	/*
	 * Only into an empty GFN: Linux maps grants into unpopulated or
	 * ballooned-out space, and a RAM page there would be left for keel
	 * to free or track while the guest may still use it. A hardware
	 * dom0's holes are 1:1 device space: a grant replaces that.
	 */
	if (!lookup_locked(d, gpa, &cur, &attr))
		rc = arch_p2m_access(attr) & P2M_MMIO ?
		     clear_locked(d, gpa, cur, attr, &old) : -EBUSY;
	if (!rc && !get_page(hpa))
		rc = -EBUSY;
	if (!rc) {
		rc = set_locked(d, gpa, hpa, PAGE_SIZE,
				arch_p2m_attr(P2M_READ |
					      (readonly ? 0 : P2M_WRITE)), &old);
		if (rc)
			put_page(hpa);
	}
	spin_unlock(&d->p2m_lock);
	release(d, &old);
	return rc;
}

bool p2m_unmap_grant(struct domain *d, u64 gpa, u64 hpa)
{
	struct p2m_old old = { .flush = false };
	bool done = false;
	u64 cur, attr;

	if (gpa >= PT_ADDR_LIMIT)
		return false;
	spin_lock(&d->p2m_lock);
	if (!lookup_locked(d, gpa, &cur, &attr) && maps_page(cur, attr, hpa) &&
	    !clear_locked(d, gpa, cur, attr, &old)) {
		/* A grant window leaves no page tables behind. */
		prune_locked(d, gpa, &old);
		done = true;
	}
	spin_unlock(&d->p2m_lock);
	release(d, &old);
	return done;
}

/* ---- foreign mappings --------------------------------------------------------- */

int p2m_map_foreign(struct domain *d, u64 gpa, struct domain *fd, u64 fgpa)
{
	struct p2m_old old = { .flush = false };
	u64 hpa, cur, attr;
	int rc = 0;

	ASSERT(d != fd);
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !p2m_gpa_valid(d, gpa) ||
	    special_page(d, gpa))
		return -EINVAL;
	/* Only pages the domain owns: never another mapping it holds. */
	if (p2m_get_page(fd, fgpa, P2M_OWNED, &hpa, NULL))
		return -ENOENT;
	spin_lock(&d->p2m_lock);
	if (!lookup_locked(d, gpa, &cur, &attr)) {
		/* A hardware dom0's device space is where Linux maps them. */
		if (!(arch_p2m_access(attr) &
		      (P2M_OWNED | P2M_FOREIGN | P2M_MMIO)))
			rc = -EBUSY;	/* a grant mapping or keel's page */
		else
			rc = clear_locked(d, gpa, cur, attr, &old);
	}
	/* The entry keeps the frame reference taken above, and one to @fd. */
	if (!rc)
		rc = set_locked(d, gpa, hpa, PAGE_SIZE,
				arch_p2m_foreign_attr(P2M_READ | P2M_WRITE), &old);
	if (!rc)
		domain_hold(fd);
	spin_unlock(&d->p2m_lock);
	if (rc)
		put_page(hpa);
	release(d, &old);
	return rc;
}

int p2m_unmap_foreign(struct domain *d, u64 gpa)
{
	struct p2m_old old = { .flush = false };
	u64 hpa, attr;
	int rc;

	if (gpa >= PT_ADDR_LIMIT)
		return -ENOENT;
	spin_lock(&d->p2m_lock);
	rc = lookup_locked(d, gpa, &hpa, &attr);
	if (!rc && !(arch_p2m_access(attr) & P2M_FOREIGN))
		rc = -EINVAL;	/* its own RAM would be gone for good */
	if (!rc)
		rc = clear_locked(d, gpa, hpa, attr, &old);
	if (!rc)
		prune_locked(d, gpa, &old);	/* the toolstack's window */
	spin_unlock(&d->p2m_lock);
	release(d, &old);
	return rc;
}

struct foreign_batch {
	unsigned int n;
	u64 gpa[OLD_LEAVES];
};

static void collect_foreign(void *ctx, u64 gpa, u64 hpa, u64 size, u64 attr)
{
	struct foreign_batch *b = ctx;

	if ((arch_p2m_access(attr) & P2M_FOREIGN) && b->n < OLD_LEAVES)
		b->gpa[b->n++] = gpa;
}

void p2m_release_foreign(struct domain *d)
{
	struct foreign_batch b;

	if (!d->p2m.root)
		return;
	do {
		struct p2m_old old = { .flush = false };

		b.n = 0;
		spin_lock(&d->p2m_lock);
		pt_for_each_leaf(&d->p2m, collect_foreign, &b);
		for (unsigned int i = 0; i < b.n; i++) {
			u64 hpa, attr;

			/* A 4 KiB leaf: removing it needs no table. */
			if (!lookup_locked(d, b.gpa[i], &hpa, &attr) &&
			    clear_locked(d, b.gpa[i], hpa, attr, &old))
				ASSERT_UNREACHABLE();
		}
		spin_unlock(&d->p2m_lock);
		release(d, &old);
	} while (b.n == OLD_LEAVES);
}

/* ---- teardown ------------------------------------------------------------------- */

static void put_leaf(void *ctx, u64 gpa, u64 hpa, u64 size, u64 attr)
{
	if (!(arch_p2m_access(attr) & P2M_MMIO))
		drop_leaf(hpa, size, attr);
}

void p2m_teardown(struct domain *d)
{
	u64 hpa = d->p2m_unreachable;

	while (hpa) {
		u64 next = *(u64 *)phys_to_virt(hpa);

		put_page(hpa);
		hpa = next;
	}
	d->p2m_unreachable = 0;
	if (!d->p2m.root)
		return;
	/* Its vCPUs are gone; no CPU may keep a translation through it either. */
	arch_p2m_teardown(d);
	pt_for_each_leaf(&d->p2m, put_leaf, NULL);
	pt_destroy(&d->p2m);
	ASSERT(!d->p2m_tables);
}
