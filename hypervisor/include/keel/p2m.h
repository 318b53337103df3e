/* The p2m: the one owner of each domain's guest-physical map, its references, limits and flushes. */
#ifndef KEEL_P2M_H
#define KEEL_P2M_H

#include <keel/arch.h>	/* the P2M_* access flags */
#include <keel/page.h>
#include <keel/types.h>

struct domain;

/*
 * Every change to a domain's p2m goes through this module (as Xen's
 * p2m_set_entry). It takes d->p2m_lock itself, and a change always runs in
 * this order:
 *
 *   1. under the lock: look at the old entry, replace or remove it, detach
 *      the page tables the removal left empty;
 *   2. arch_p2m_flush(): no CPU can still use the old translation;
 *   3. only then release what the old entry held: its frame references
 *      (put_page(); the frame is freed if that was the last), the domain
 *      reference of a foreign entry, the detached tables.
 *
 * Each leaf holds one reference on every 4 KiB frame it maps; a foreign
 * leaf also holds a reference to the frame's domain. A domain's RAM frames
 * are charged to it (keel/frame.h: frames_owned() is its tot_pages) until
 * they are freed, which may be after they left its p2m (a grant pin or a
 * foreign mapping still holds them).
 */

#define P2M_NO_GPA (~0ULL)		/* a keel page not placed anywhere */
/* Page tables a domain's p2m may use: a base, plus one per this many RAM pages. */
#define P2M_TABLES_BASE 1024
#define P2M_PAGES_PER_TABLE 256
/* Guest-physical space a domain may use above the end of its RAM (or 4 GiB). */
#define P2M_SPACE_ABOVE_RAM GiB(64)

/* An empty p2m for @d (root table, limits for a domain without RAM). */
int p2m_init(struct domain *d);
/*
 * Set @d's RAM allowance: @max_pages frames (its XENMEM_maximum_reservation),
 * RAM up to guest-physical @ram_end; the table limit and the guest-physical
 * space it may use follow from them.
 */
void p2m_set_allocation(struct domain *d, u64 max_pages, u64 ram_end);
/*
 * XEN_DOMCTL_max_mem: @d may have @max_pages frames from now on. Below what
 * it has, nothing is taken away: it may only give frames back until it is
 * under (Xen's ratchet). The table limit only grows.
 */
void p2m_set_max_pages(struct domain *d, u64 max_pages);
/* domain_free(): drop every entry's references, free the tables. */
void p2m_teardown(struct domain *d);

/* May @d have anything at @gpa (inside the space its p2m allows)? */
bool p2m_gpa_valid(const struct domain *d, u64 gpa);

/*
 * What @d's p2m has at @gpa, under its lock: 0 with the host address and
 * the attribute bits, or -ENOENT. No reference: the answer may be stale as
 * soon as it is returned; use p2m_get_page() to use the frame.
 */
int p2m_lookup(struct domain *d, u64 gpa, u64 *hpa, u64 *attr);
/*
 * A reference to the frame at @gpa, taken under the p2m lock while the
 * entry's own reference holds it, so it cannot be freed meanwhile: 0 with
 * the frame's host address in *@hpa (page aligned) and, if @attr, the
 * entry's attribute bits; -ENOENT (nothing there), -EACCES (the entry
 * lacks one of the P2M_READ/WRITE/EXEC/OWNED flags in @need) or -EBUSY
 * (the frame's count is saturated). The caller put_page()s it.
 */
int p2m_get_page(struct domain *d, u64 gpa, unsigned int need, u64 *hpa,
		 u64 *attr);
/*
 * The aligned 8 bytes of @d's memory at @gpa (a guest page-table entry)
 * into *@val, read under the p2m lock, which keeps the entry and so its
 * frame: no reference taken. 0, -EINVAL (not aligned), -ENOENT, -EACCES
 * (no P2M_READ) or -EBUSY (no RAM frame there), as p2m_get_page().
 */
int p2m_read_u64(struct domain *d, u64 gpa, u64 *val);

/*
 * Back [gpa, gpa + (4 KiB << @order)), which must be empty and aligned,
 * with fresh zeroed RAM charged to @d: 0, -EINVAL (outside its space or a
 * special page), -EBUSY (something is there), -ENOMEM (over its
 * allowance, out of host memory or of tables).
 */
int p2m_populate(struct domain *d, u64 gpa, unsigned int order);
/*
 * XENMEM_decrease_reservation of one frame: @d's own RAM page at @gpa
 * leaves its p2m (the frame itself lives until its last reference goes).
 * 0, -ENOENT (no RAM of its own there), -EINVAL (a special page), -ENOMEM.
 */
int p2m_remove_ram(struct domain *d, u64 gpa);
/*
 * XENMEM_increase_reservation for a translated guest: a frame charged to
 * @d that it cannot reach (Xen gives an HVM guest such pages too), freed
 * with the domain. 0 or -ENOMEM.
 */
int p2m_add_unreachable(struct domain *d);

/*
 * Put keel's page @hpa (shared_info, a grant frame) at @gpa, read-write,
 * replacing what is there (a RAM page of @d's leaves its p2m; a foreign
 * mapping is -EBUSY), and take it away from *@placed (its previous gpa,
 * P2M_NO_GPA for none) if it is still there; *@placed becomes @gpa. All
 * under the p2m lock. 0, -EINVAL (outside its space or a special page),
 * -EBUSY, -ENOMEM.
 */
int p2m_place_keel_page(struct domain *d, u64 gpa, u64 hpa, u64 *placed);

/*
 * Map another domain's granted frame @hpa (the caller holds a pin, and so
 * a reference) at the empty @gpa: 0, -EINVAL (outside its space), -EBUSY
 * (something is there), -ENOMEM. Never P2M_OWNED.
 */
int p2m_map_grant(struct domain *d, u64 gpa, u64 hpa, bool readonly);
/* Remove the grant mapping of @hpa at @gpa if it is still there: true if it was. */
bool p2m_unmap_grant(struct domain *d, u64 gpa, u64 hpa);

/*
 * The privileged @d maps @fd's own RAM page at @fgpa at its @gpa: a RAM
 * page of @d's there leaves its p2m, a foreign one is replaced; grant
 * mappings and keel's pages stay (-EBUSY). The entry holds a reference to
 * the frame and one to @fd (the caller holds one already). 0, -ENOENT
 * (no RAM of @fd's at @fgpa), -EINVAL, -EBUSY, -ENOMEM.
 */
int p2m_map_foreign(struct domain *d, u64 gpa, struct domain *fd, u64 fgpa);
/* XENMEM_remove_from_physmap: 0, -ENOENT (nothing there), -EINVAL (not foreign). */
int p2m_unmap_foreign(struct domain *d, u64 gpa);
/* Remove every foreign mapping of @d (it is being destroyed). */
void p2m_release_foreign(struct domain *d);

/*
 * The hardware dom0 (is_hardware_domain()): guest-physical = host-physical.
 *
 * p2m_add_identity_ram() maps host RAM [start, end) at the same address;
 * the caller claimed each frame (mm_claim_frame(), its reference becomes
 * the leaf's) and charged it to @d. 0, -EINVAL, -EBUSY (not empty), -ENOMEM.
 *
 * p2m_populate_identity() is populate_physmap for it: the free host frame
 * at @gpa itself, zeroed, or -EBUSY (not free host RAM, or @gpa in use),
 * -ENOMEM (over its allowance), -EINVAL.
 *
 * p2m_map_mmio() maps the device range [start, end) 1:1, uncached
 * (P2M_MMIO leaves hold no frame reference); the range must be empty.
 * p2m_unmap_mmio() takes [start, end) out again, for an emulated device
 * (hwirq's mmio_register()): -EBUSY if anything but MMIO is there.
 */
int p2m_add_identity_ram(struct domain *d, u64 start, u64 end);
int p2m_populate_identity(struct domain *d, u64 gpa);
int p2m_map_mmio(struct domain *d, u64 start, u64 end);
int p2m_unmap_mmio(struct domain *d, u64 start, u64 end);
/*
 * Is every page of [start, end) a 1:1 device page of @d (a P2M_MMIO leaf
 * keel mapped from the host's device ranges)? Never RAM, keel's memory, the
 * LAPIC or a page an emulated device already took out.
 */
bool p2m_range_is_mmio(struct domain *d, u64 start, u64 end);

/* Frames charged to @d (XENMEM_current_reservation). */
u64 p2m_tot_pages(const struct domain *d);

#endif
