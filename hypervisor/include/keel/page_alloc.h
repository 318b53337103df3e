/*
 * Physical page allocator: one bit per 4 KiB frame (set = in use or not
 * RAM), with naturally aligned multi-page allocation. SMP-safe: one lock
 * (a leaf, taken with interrupts off) guards the bitmap and the counts.
 */
#ifndef KEEL_PAGE_ALLOC_H
#define KEEL_PAGE_ALLOC_H

#include <keel/page.h>
#include <keel/spinlock.h>

struct page_allocator {
	spinlock_t lock;	/* the fields below (lock_order.h: leaf) */
	u64 *bitmap;		/* nr_pfns bits, rounded up to whole words */
	u64 nr_pfns;		/* frames tracked, from pfn 0 */
	u64 nr_free;		/* read without the lock: a snapshot */
	u64 next_word;		/* where the next search starts */
	u64 keep_start, keep_end;	/* pfns freed here stay in use (kept for dom0) */
};

/* Bytes of bitmap needed to track @nr_pfns frames. */
static inline u64 page_alloc_bitmap_bytes(u64 nr_pfns)
{
	return ((nr_pfns + 63) / 64) * 8;
}

/* Start with every frame in use; add RAM with page_alloc_add_free(). */
void page_alloc_init(struct page_allocator *pa, u64 *bitmap, u64 nr_pfns);
/* Mark the frames wholly inside [start, end) free. */
void page_alloc_add_free(struct page_allocator *pa, u64 start, u64 end);
/* Mark every frame touching [start, end) in use. */
void page_alloc_reserve(struct page_allocator *pa, u64 start, u64 end);
/*
 * Allocate 2^@order contiguous frames aligned to their size. Returns 0 and
 * the first frame in *@pfn, or -ENOMEM.
 */
int page_alloc_frames(struct page_allocator *pa, unsigned int order, u64 *pfn);
/* Free 2^@order frames from @pfn; freeing a free frame is a bug (-EINVAL). */
int page_free_frames(struct page_allocator *pa, u64 pfn, unsigned int order);
bool page_is_free(const struct page_allocator *pa, u64 pfn);
/* Frames [@first, @last) that are freed stay in use: kept for the hardware dom0. */
void page_alloc_keep(struct page_allocator *pa, u64 first, u64 last);
/* Take the free frame @pfn itself: 0, or -EBUSY (in use or not RAM). */
int page_alloc_take(struct page_allocator *pa, u64 pfn);

/* The hypervisor's allocator of host RAM and its convenience wrappers. */
extern struct page_allocator host_pages;

struct boot_info;
/* Set up host_pages from the memory map, minus everything keel must keep. */
int mm_init(const struct boot_info *bi);
/* Set by mm_init(): bytes of its page bitmap and frame table, and the pages then free. */
extern u64 mm_tables_bytes, mm_free_at_init;
/*
 * Free RAM below 1 MiB for real-mode startup code (the x86 AP trampoline):
 * the lowest page-aligned range of @size bytes that no firmware, loader or
 * image data uses, above the real-mode vectors; 0 if there is none. All of
 * the first MiB stays out of host_pages, so the range stays reserved.
 */
u64 mm_find_low_memory(const struct boot_info *bi, u64 size);
/*
 * A zeroed page (or 2^order pages) of host RAM, mapped; NULL when out of
 * memory. Each frame comes with one reference (keel/frame.h), which
 * free_pages() drops: a frame someone else still references lives on
 * until its last put_page().
 */
void *alloc_pages(unsigned int order);
/* The order of 2^order pages that hold @bytes. */
static inline unsigned int pages_order(u64 bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/*
 * The hardware dom0's RAM is the host's, 1:1 (arch/x86/hwdom.c). Linux's
 * PVH entry loads at a fixed address, so before mm_init() keel moves the
 * loader's modules out of [@start, @end) and keeps it out of its own
 * allocations. Returns 0 or -ENOMEM (no room to move a module to).
 */
int mm_keep_for_dom0(struct boot_info *bi, u64 start, u64 end);
/*
 * Claim host frame @pfn for the hardware dom0 with one reference, as
 * alloc_pages() would: a free frame, or one kept for it (below 1 MiB:
 * host RAM no firmware, loader, image or AP trampoline uses; or in the
 * range mm_keep_for_dom0() kept) that nobody holds. 0 or -EBUSY.
 */
int mm_claim_frame(u64 pfn);
/* Is @pa below 1 MiB keel's own (the AP trampoline mm_find_low_memory() gave)? */
bool mm_keels_low_page(u64 pa);
void free_pages(void *virt, unsigned int order);
/* Page-table memory for the generic builder, from host_pages. */
struct pt_ops;
extern const struct pt_ops host_table_ops;

static inline void *alloc_page(void)
{
	return alloc_pages(0);
}
static inline void free_page(void *virt)
{
	free_pages(virt, 0);
}

#endif
