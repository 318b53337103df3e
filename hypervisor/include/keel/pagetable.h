/*
 * A 4-level page-table builder shared by the hypervisor's own x86 page
 * tables and (later) EPT: the entry format is a parameter, so the walking,
 * large-page and splitting logic exists once.
 */
#ifndef KEEL_PAGETABLE_H
#define KEEL_PAGETABLE_H

#include <keel/types.h>

#define PT_LEVELS 4
#define PT_ENTRIES 512
/* A table covers addresses below this (48 bits); higher ones would alias. */
#define PT_ADDR_LIMIT (1ULL << (12 + 9 * PT_LEVELS))

struct pt_format {
	u64 present;		/* an entry is valid if any of these bits is set */
	u64 table_attr;		/* bits of an entry pointing to a lower table */
	u64 large;		/* leaf bit at the 2 MiB and 1 GiB levels */
	u64 addr_mask;		/* physical address bits of an entry */
};

struct pt_ops {
	void *(*phys_to_virt)(u64 phys);
	/* A zeroed 4 KiB page for a table: its physical address, or 0. */
	u64 (*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, u64 phys);
	void *ctx;
	/* Optional: after each entry (or new table) write, for non-coherent walkers. */
	void (*sync)(const void *p, size_t len);
};

struct page_table {
	const struct pt_format *fmt;
	const struct pt_ops *ops;
	u64 root;		/* physical address of the top-level table */
};

/* pt_map() flags */
#define PT_MAP_4K_ONLY BIT(0)	/* never use large pages */
#define PT_MAP_1G BIT(1)	/* 1 GiB pages allowed */

/* Allocate an empty root table. Returns 0 or -ENOMEM. */
int pt_init(struct page_table *pt, const struct pt_format *fmt,
	    const struct pt_ops *ops);
/*
 * Map [va, va + size) to [pa, pa + size) with leaf attributes @attr, using
 * 2 MiB (and with PT_MAP_1G, 1 GiB) pages where both sides are aligned and
 * 4 KiB pages elsewhere. Existing large pages in the way are split. All
 * three of va, pa and size must be 4 KiB aligned. Returns 0, -EINVAL or
 * -ENOMEM (the part mapped so far stays mapped).
 */
int pt_map(struct page_table *pt, u64 va, u64 pa, u64 size, u64 attr,
	   unsigned int flags);
/* Remove [va, va + size), splitting large pages that are partly covered. */
int pt_unmap(struct page_table *pt, u64 va, u64 size);
/*
 * After an unmap at @va: detach the tables on @va's path that hold nothing
 * now (never the root), lowest first, into @detached; returns how many.
 * They are still to be freed with pt_free_tables(), once no CPU can have
 * them cached (for a p2m: after arch_p2m_flush()).
 */
unsigned int pt_prune(struct page_table *pt, u64 va,
		      u64 detached[PT_LEVELS - 1]);
void pt_free_tables(struct page_table *pt, const u64 *tables, unsigned int n);
/*
 * Translate @va. Returns 0 with the physical address, the leaf's attribute
 * bits (address bits and the large bit removed) and the leaf size, or
 * -ENOENT when nothing is mapped there.
 */
int pt_lookup(const struct page_table *pt, u64 va, u64 *pa, u64 *attr,
	      u64 *page_size);
/* Does nothing map any address in [va, va + size)? */
bool pt_range_empty(const struct page_table *pt, u64 va, u64 size);
/* Call @fn for every leaf mapping, in address order. */
void pt_for_each_leaf(const struct page_table *pt,
		      void (*fn)(void *ctx, u64 va, u64 pa, u64 size, u64 attr),
		      void *ctx);
/* Free every table (not the memory they map) and the root. */
void pt_destroy(struct page_table *pt);

#endif
