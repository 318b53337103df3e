/* Per-frame reference counts and owners: the frame table beside the page allocator. */
#ifndef KEEL_FRAME_H
#define KEEL_FRAME_H

#include <keel/page.h>

/*
 * Every frame of host RAM has one 64-bit word in the frame table (as
 * Xen's page_info count_info): a reference count and the domain the
 * frame is charged to, if any.
 *
 *  - alloc_pages() hands frames out with count 1 (the allocation's
 *    reference; free_pages() drops it).
 *  - get_page() adds a reference only to a frame that has one already:
 *    a frame that is free (or not RAM at all) can never be taken again
 *    through a stale address.
 *  - put_page() drops one; at 0 the frame goes back to the allocator and
 *    its owner's count of frames goes down.
 *
 * Who holds references: see docs/internals.md, "Memory". In short, every p2m
 * leaf holds one on each frame it maps, a grant's pins one on the granted
 * frame, a registered vcpu_info one, and every copy to or from guest
 * memory one for the duration of the copy.
 */
#define FRAME_COUNT_BITS 32
#define FRAME_COUNT_MAX ((1ULL << FRAME_COUNT_BITS) - 1)
#define FRAME_MAX_OWNERS 0xffff	/* owner ids 0 .. 0xfffe (domain ids) */

/* Use @table (@nr_pfns words, zeroed here) for frames 0 .. @nr_pfns - 1. */
void frame_table_init(u64 *table, u64 nr_pfns);
/* Bytes of frame table for @nr_pfns frames. */
static inline u64 frame_table_bytes(u64 nr_pfns)
{
	return nr_pfns * sizeof(u64);
}

/*
 * One more reference to the frame at host address @hpa. False when it has
 * none (free, or not RAM keel manages) or FRAME_COUNT_MAX already.
 */
bool get_page(u64 hpa);
/* Drop a reference; the last one frees the frame. */
void put_page(u64 hpa);
/* The frame's references now (for assertions and tests). */
unsigned int page_count(u64 hpa);

/*
 * Charge the frame at @hpa, which only its caller references yet (fresh
 * from alloc_pages()), to domain @owner until it is freed.
 */
void page_set_owner(u64 hpa, unsigned int owner);
/* The domain @hpa is charged to, or -1. */
int page_owner(u64 hpa);
/* Frames charged to @owner that are not free yet (its tot_pages). */
u64 frames_owned(unsigned int owner);
/*
 * Where @owner's count of frames is kept, or NULL: the domain table's
 * (domain.c), so that it costs memory only for the domains there are.
 */
u64 *frame_owner_count(unsigned int owner);

/* Frame table internals for alloc_pages(): a frame leaving the allocator. */
void frame_allocated(u64 pfn);
/* A frame outside the allocator (kept for dom0) gets its first reference, if it has none. */
bool frame_take(u64 pfn);

#endif
