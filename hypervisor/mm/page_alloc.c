/* Bitmap physical page allocator under one lock: the pure bookkeeping, testable on the host. */
#include <keel/assert.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/string.h>

static inline bool test_bit(const u64 *map, u64 n)
{
	return map[n / 64] & BIT(n % 64);
}

void page_alloc_init(struct page_allocator *pa, u64 *bitmap, u64 nr_pfns)
{
	spin_lock_init(&pa->lock);
	pa->bitmap = bitmap;
	pa->nr_pfns = nr_pfns;
	pa->nr_free = 0;
	pa->next_word = 0;
	pa->keep_start = pa->keep_end = 0;
	memset(bitmap, 0xff, page_alloc_bitmap_bytes(nr_pfns));
}

bool page_is_free(const struct page_allocator *pa, u64 pfn)
{
	return pfn < pa->nr_pfns && !test_bit(pa->bitmap, pfn);
}

static void mark(struct page_allocator *pa, u64 first, u64 last, bool used)
{
	ASSERT(spin_is_locked(&pa->lock));
	for (u64 pfn = first; pfn < last && pfn < pa->nr_pfns; pfn++) {
		u64 *word = &pa->bitmap[pfn / 64];
		u64 bit = BIT(pfn % 64);

		if (used && !(*word & bit)) {
			*word |= bit;
			pa->nr_free--;
		} else if (!used && (*word & bit)) {
			*word &= ~bit;
			pa->nr_free++;
		}
	}
}

void page_alloc_add_free(struct page_allocator *pa, u64 start, u64 end)
{
	unsigned long flags = spin_lock_irqsave(&pa->lock);

	if (end > start)
		mark(pa, PFN_UP(start), PFN_DOWN(end), false);
	spin_unlock_irqrestore(&pa->lock, flags);
}

void page_alloc_reserve(struct page_allocator *pa, u64 start, u64 end)
{
	unsigned long flags = spin_lock_irqsave(&pa->lock);

	if (end > start)
		mark(pa, PFN_DOWN(start), PFN_UP(end), true);
	spin_unlock_irqrestore(&pa->lock, flags);
}

static bool range_free(const struct page_allocator *pa, u64 pfn, u64 n)
{
	for (u64 i = 0; i < n; i++)
		if (test_bit(pa->bitmap, pfn + i))
			return false;
	return true;
}

/* Single frames: skip whole words in use, starting at the search hint. */
static int alloc_one(struct page_allocator *pa, u64 *pfn)
{
	u64 words = (pa->nr_pfns + 63) / 64;

	for (u64 i = 0; i < words; i++) {
		u64 w = (pa->next_word + i) % words;
		u64 free = ~pa->bitmap[w];
		u64 n;

		if (!free)
			continue;
		n = w * 64 + __builtin_ctzll(free);
		if (n >= pa->nr_pfns)
			continue;
		pa->next_word = w;
		*pfn = n;
		return 0;
	}
	return -ENOMEM;
}

static int alloc_locked(struct page_allocator *pa, unsigned int order,
			u64 *pfn)
{
	u64 n = 1ULL << order;
	u64 found = 0;
	int rc = -ENOMEM;

	if (!pa->nr_free)
		return -ENOMEM;
	if (order == 0) {
		rc = alloc_one(pa, &found);
	} else {
		for (u64 p = 0; p + n <= pa->nr_pfns; p += n) {
			if (range_free(pa, p, n)) {
				found = p;
				rc = 0;
				break;
			}
		}
	}
	if (rc)
		return rc;
	mark(pa, found, found + n, true);
	*pfn = found;
	return 0;
}

int page_alloc_frames(struct page_allocator *pa, unsigned int order, u64 *pfn)
{
	unsigned long flags;
	int rc;

	if (order >= 32)
		return -ENOMEM;
	flags = spin_lock_irqsave(&pa->lock);
	rc = alloc_locked(pa, order, pfn);
	spin_unlock_irqrestore(&pa->lock, flags);
	return rc;
}

static int free_locked(struct page_allocator *pa, u64 pfn, u64 n)
{
	for (u64 i = 0; i < n; i++)
		if (!test_bit(pa->bitmap, pfn + i))
			return -EINVAL;
	for (u64 i = 0; i < n; i++)
		if (pfn + i < pa->keep_start || pfn + i >= pa->keep_end)
			mark(pa, pfn + i, pfn + i + 1, false);
	if (pfn / 64 < pa->next_word)
		pa->next_word = pfn / 64;
	return 0;
}

int page_free_frames(struct page_allocator *pa, u64 pfn, unsigned int order)
{
	u64 n = 1ULL << order;
	unsigned long flags;
	int rc;

	if (order >= 32 || pfn + n > pa->nr_pfns || pfn & (n - 1))
		return -EINVAL;
	flags = spin_lock_irqsave(&pa->lock);
	rc = free_locked(pa, pfn, n);
	spin_unlock_irqrestore(&pa->lock, flags);
	return rc;
}

void page_alloc_keep(struct page_allocator *pa, u64 first, u64 last)
{
	unsigned long flags = spin_lock_irqsave(&pa->lock);

	pa->keep_start = first;
	pa->keep_end = last;
	spin_unlock_irqrestore(&pa->lock, flags);
}

int page_alloc_take(struct page_allocator *pa, u64 pfn)
{
	unsigned long flags = spin_lock_irqsave(&pa->lock);
	int rc = -EBUSY;

	if (page_is_free(pa, pfn)) {
		mark(pa, pfn, pfn + 1, true);
		rc = 0;
	}
	spin_unlock_irqrestore(&pa->lock, flags);
	return rc;
}
