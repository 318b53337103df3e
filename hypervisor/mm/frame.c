/* The frame table: a reference count and an owner per host frame; the last put frees it. */
#include <keel/assert.h>
#include <keel/frame.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>

/* A frame's word: owner + 1 (0: keel's) above the count. */
#define COUNT_MASK FRAME_COUNT_MAX
#define OWNER_SHIFT FRAME_COUNT_BITS

static u64 *frames;
static u64 nr_frames;

void frame_table_init(u64 *table, u64 nr_pfns)
{
	memset(table, 0, frame_table_bytes(nr_pfns));
	frames = table;
	nr_frames = nr_pfns;
}

static u64 *frame(u64 hpa)
{
	u64 pfn = PFN_DOWN(hpa);

	return pfn < nr_frames ? &frames[pfn] : NULL;
}

void frame_allocated(u64 pfn)
{
	ASSERT(pfn < nr_frames);
	/* A free frame has no references and no owner. */
	ASSERT(!__atomic_load_n(&frames[pfn], __ATOMIC_RELAXED));
	__atomic_store_n(&frames[pfn], 1, __ATOMIC_RELEASE);
}

bool frame_take(u64 pfn)
{
	u64 free = 0;

	return pfn < nr_frames &&
	       __atomic_compare_exchange_n(&frames[pfn], &free, 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

bool get_page(u64 hpa)
{
	u64 *f = frame(hpa);
	u64 x;

	if (!f)
		return false;
	x = __atomic_load_n(f, __ATOMIC_RELAXED);
	do {
		if (!(x & COUNT_MASK) || (x & COUNT_MASK) == COUNT_MASK)
			return false;
	} while (!__atomic_compare_exchange_n(f, &x, x + 1, false,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

void put_page(u64 hpa)
{
	u64 *f = frame(hpa), old, *count;
	unsigned int owner;

	ASSERT(f);
	old = __atomic_fetch_sub(f, 1, __ATOMIC_ACQ_REL);
	ASSERT(old & COUNT_MASK);	/* a put without a reference */
	if ((old & COUNT_MASK) != 1)
		return;
	/* Nobody can take a reference now: the frame is ours alone. */
	owner = old >> OWNER_SHIFT;
	__atomic_store_n(f, 0, __ATOMIC_RELAXED);
	count = owner ? frame_owner_count(owner - 1) : NULL;
	ASSERT(!owner || count);
	if (count)
		__atomic_fetch_sub(count, 1, __ATOMIC_RELAXED);
	if (page_free_frames(&host_pages, PFN_DOWN(hpa), 0))
		pr_err("mm: freeing frame %#llx that is free already\n",
		       (unsigned long long)PFN_DOWN(hpa));
}

unsigned int page_count(u64 hpa)
{
	u64 *f = frame(hpa);

	return f ? __atomic_load_n(f, __ATOMIC_RELAXED) & COUNT_MASK : 0;
}

void page_set_owner(u64 hpa, unsigned int owner)
{
	u64 *f = frame(hpa), x, *count = frame_owner_count(owner);

	ASSERT(f && owner < FRAME_MAX_OWNERS && count);
	x = __atomic_load_n(f, __ATOMIC_RELAXED);
	do {
		ASSERT((x & COUNT_MASK) && !(x >> OWNER_SHIFT));
	} while (!__atomic_compare_exchange_n(f, &x,
					      x | ((u64)(owner + 1) << OWNER_SHIFT),
					      false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	__atomic_fetch_add(count, 1, __ATOMIC_RELAXED);
}

int page_owner(u64 hpa)
{
	u64 *f = frame(hpa);

	return f ? (int)(__atomic_load_n(f, __ATOMIC_RELAXED) >> OWNER_SHIFT) - 1 :
		   -1;
}

u64 frames_owned(unsigned int owner)
{
	u64 *count = frame_owner_count(owner);

	return count ? __atomic_load_n(count, __ATOMIC_RELAXED) : 0;
}
