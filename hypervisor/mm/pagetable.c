/* The generic 4-level page-table builder: map, unmap, lookup and teardown. */
#include <keel/errno.h>
#include <keel/page.h>
#include <keel/pagetable.h>
#include <keel/string.h>

#define LEVEL_SHIFT(l) (PAGE_SHIFT + 9 * (l))
#define LEVEL_SIZE(l) (1ULL << LEVEL_SHIFT(l))
#define INDEX(va, l) (((va) >> LEVEL_SHIFT(l)) & (PT_ENTRIES - 1))

static u64 *table(const struct page_table *pt, u64 phys)
{
	return pt->ops->phys_to_virt(phys);
}

/* Entry writes another walker (a non-coherent IOMMU) must see: ops->sync. */
static void sync(const struct page_table *pt, const void *p, size_t len)
{
	if (pt->ops->sync)
		pt->ops->sync(p, len);
}

static bool present(const struct page_table *pt, u64 e)
{
	return e & pt->fmt->present;
}

static bool is_leaf(const struct page_table *pt, u64 e, int level)
{
	return level == 0 || (e & pt->fmt->large);
}

int pt_init(struct page_table *pt, const struct pt_format *fmt,
	    const struct pt_ops *ops)
{
	pt->fmt = fmt;
	pt->ops = ops;
	pt->root = ops->alloc_table(ops->ctx);
	if (!pt->root)
		return -ENOMEM;
	sync(pt, table(pt, pt->root), PAGE_SIZE);
	return 0;
}

/* Replace the large leaf *@entry (at @level) by a table of smaller leaves. */
static int split(struct page_table *pt, u64 *entry, int level)
{
	u64 e = *entry, phys = pt->ops->alloc_table(pt->ops->ctx);
	u64 base = e & pt->fmt->addr_mask & ~(LEVEL_SIZE(level) - 1);
	u64 attr = e & ~pt->fmt->addr_mask;
	u64 *t;

	if (!phys)
		return -ENOMEM;
	if (level == 1)
		attr &= ~pt->fmt->large;
	t = table(pt, phys);
	for (int i = 0; i < PT_ENTRIES; i++)
		t[i] = (base + i * LEVEL_SIZE(level - 1)) | attr;
	sync(pt, t, PAGE_SIZE);
	*entry = phys | pt->fmt->table_attr;
	sync(pt, entry, sizeof(*entry));
	return 0;
}

/*
 * The entry for @va at @level, creating or splitting tables above it.
 * NULL with *@err set when a table cannot be allocated.
 */
static u64 *walk_create(struct page_table *pt, u64 va, int level, int *err)
{
	u64 *t = table(pt, pt->root);

	for (int l = PT_LEVELS - 1; l > level; l--) {
		u64 *e = &t[INDEX(va, l)];

		if (!present(pt, *e)) {
			u64 phys = pt->ops->alloc_table(pt->ops->ctx);

			if (!phys) {
				*err = -ENOMEM;
				return NULL;
			}
			sync(pt, table(pt, phys), PAGE_SIZE);
			*e = phys | pt->fmt->table_attr;
			sync(pt, e, sizeof(*e));
		} else if (is_leaf(pt, *e, l) && (*err = split(pt, e, l))) {
			return NULL;
		}
		t = table(pt, *e & pt->fmt->addr_mask);
	}
	return &t[INDEX(va, level)];
}

/* Is there a lower table (not a leaf) under @va at @level? */
static bool has_table_below(const struct page_table *pt, u64 va, int level)
{
	u64 *t = table(pt, pt->root);

	for (int l = PT_LEVELS - 1; l >= level; l--) {
		u64 e = t[INDEX(va, l)];

		if (!present(pt, e) || is_leaf(pt, e, l))
			return false;
		if (l == level)
			return true;
		t = table(pt, e & pt->fmt->addr_mask);
	}
	return false;
}

static int pick_level(const struct page_table *pt, u64 va, u64 pa, u64 left,
		      unsigned int flags)
{
	int max = (flags & PT_MAP_4K_ONLY) ? 0 : (flags & PT_MAP_1G) ? 2 : 1;

	for (int l = max; l > 0; l--)
		if (IS_ALIGNED(va | pa, LEVEL_SIZE(l)) && left >= LEVEL_SIZE(l) &&
		    !has_table_below(pt, va, l))
			return l;
	return 0;
}

int pt_map(struct page_table *pt, u64 va, u64 pa, u64 size, u64 attr,
	   unsigned int flags)
{
	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || va + size < va ||
	    (pa & ~pt->fmt->addr_mask) || (attr & pt->fmt->addr_mask))
		return -EINVAL;
	while (size) {
		int level = pick_level(pt, va, pa, size, flags), err = 0;
		u64 *e = walk_create(pt, va, level, &err);

		if (!e)
			return err;
		*e = pa | attr | (level ? pt->fmt->large : 0);
		sync(pt, e, sizeof(*e));
		va += LEVEL_SIZE(level);
		pa += LEVEL_SIZE(level);
		size -= LEVEL_SIZE(level);
	}
	return 0;
}

int pt_unmap(struct page_table *pt, u64 va, u64 size)
{
	if (!IS_ALIGNED(va | size, PAGE_SIZE) || va + size < va)
		return -EINVAL;
	while (size) {
		u64 *t = table(pt, pt->root), step = PAGE_SIZE;

		for (int l = PT_LEVELS - 1; l >= 0; l--) {
			u64 *e = &t[INDEX(va, l)];

			step = LEVEL_SIZE(l) - (va & (LEVEL_SIZE(l) - 1));
			if (!present(pt, *e))
				break;
			if (is_leaf(pt, *e, l)) {
				if (IS_ALIGNED(va, LEVEL_SIZE(l)) &&
				    size >= LEVEL_SIZE(l)) {
					*e = 0;
					sync(pt, e, sizeof(*e));
					break;
				}
				if (split(pt, e, l))
					return -ENOMEM;
			}
			t = table(pt, *e & pt->fmt->addr_mask);
		}
		if (step >= size)
			break;
		va += step;
		size -= step;
	}
	return 0;
}

static bool table_empty(const struct page_table *pt, const u64 *t)
{
	for (int i = 0; i < PT_ENTRIES; i++)
		if (present(pt, t[i]))
			return false;
	return true;
}

unsigned int pt_prune(struct page_table *pt, u64 va,
		      u64 detached[PT_LEVELS - 1])
{
	u64 *entries[PT_LEVELS], *t = table(pt, pt->root);
	unsigned int n = 0;
	int l;

	/* entries[l]: the entry for @va in the level-l table. */
	for (l = PT_LEVELS - 1; l >= 0; l--) {
		entries[l] = &t[INDEX(va, l)];
		if (l == 0 || !present(pt, *entries[l]) ||
		    is_leaf(pt, *entries[l], l))
			break;
		t = table(pt, *entries[l] & pt->fmt->addr_mask);
	}
	/* l: the lowest level reached; detach empty tables upwards from it. */
	for (; l < PT_LEVELS - 1; l++) {
		u64 *parent = entries[l + 1];
		u64 phys = *parent & pt->fmt->addr_mask;

		if (!table_empty(pt, table(pt, phys)))
			break;
		*parent = 0;
		sync(pt, parent, sizeof(*parent));
		detached[n++] = phys;
	}
	return n;
}

void pt_free_tables(struct page_table *pt, const u64 *tables, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		pt->ops->free_table(pt->ops->ctx, tables[i]);
}

int pt_lookup(const struct page_table *pt, u64 va, u64 *pa, u64 *attr,
	      u64 *page_size)
{
	u64 *t = table(pt, pt->root);

	for (int l = PT_LEVELS - 1; l >= 0; l--) {
		u64 e = t[INDEX(va, l)];

		if (!present(pt, e))
			return -ENOENT;
		if (is_leaf(pt, e, l)) {
			u64 mask = LEVEL_SIZE(l) - 1;

			*pa = (e & pt->fmt->addr_mask & ~mask) | (va & mask);
			*attr = e & ~pt->fmt->addr_mask & ~(l ? pt->fmt->large : 0);
			*page_size = LEVEL_SIZE(l);
			return 0;
		}
		t = table(pt, e & pt->fmt->addr_mask);
	}
	return -ENOENT;
}

bool pt_range_empty(const struct page_table *pt, u64 va, u64 size)
{
	u64 end = va + size;

	while (va < end) {
		u64 *t = table(pt, pt->root), step = PAGE_SIZE;

		for (int l = PT_LEVELS - 1; l >= 0; l--) {
			u64 e = t[INDEX(va, l)];

			if (!present(pt, e)) {
				/* Nothing below this entry: skip all it covers. */
				step = LEVEL_SIZE(l) - (va & (LEVEL_SIZE(l) - 1));
				break;
			}
			if (is_leaf(pt, e, l))
				return false;
			t = table(pt, e & pt->fmt->addr_mask);
		}
		if (va + step < va)
			break;
		va += step;
	}
	return true;
}

static void leaves(const struct page_table *pt, u64 phys, int level, u64 va,
		   void (*fn)(void *, u64, u64, u64, u64), void *ctx)
{
	u64 *t = table(pt, phys);

	for (int i = 0; i < PT_ENTRIES; i++) {
		u64 e = t[i], at = va + i * LEVEL_SIZE(level);

		if (!present(pt, e))
			continue;
		if (is_leaf(pt, e, level))
			fn(ctx, at, e & pt->fmt->addr_mask & ~(LEVEL_SIZE(level) - 1),
			   LEVEL_SIZE(level),
			   e & ~pt->fmt->addr_mask & ~(level ? pt->fmt->large : 0));
		else
			leaves(pt, e & pt->fmt->addr_mask, level - 1, at, fn, ctx);
	}
}

void pt_for_each_leaf(const struct page_table *pt,
		      void (*fn)(void *ctx, u64 va, u64 pa, u64 size, u64 attr),
		      void *ctx)
{
	leaves(pt, pt->root, PT_LEVELS - 1, 0, fn, ctx);
}

static void free_level(struct page_table *pt, u64 phys, int level)
{
	u64 *t = table(pt, phys);

	for (int i = 0; level > 0 && i < PT_ENTRIES; i++)
		if (present(pt, t[i]) && !is_leaf(pt, t[i], level))
			free_level(pt, t[i] & pt->fmt->addr_mask, level - 1);
	pt->ops->free_table(pt->ops->ctx, phys);
}

void pt_destroy(struct page_table *pt)
{
	if (pt->root)
		free_level(pt, pt->root, PT_LEVELS - 1);
	pt->root = 0;
}
