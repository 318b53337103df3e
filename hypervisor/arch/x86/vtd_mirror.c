/* A DMA domain's own second-level table when its EPT cannot be shared: a 4 KiB R/W copy kept in step. */
#include <keel/errno.h>
#include <keel/pagetable.h>
#include <asm/vtd_regs.h>

static const struct pt_format vtd_format = {
	.present = VTD_PTE_R | VTD_PTE_W,
	.table_attr = VTD_PTE_R | VTD_PTE_W,
	.large = BIT(7),
	.addr_mask = 0x000ffffffffff000ULL,
};

/*
 * 4 KiB leaves only: the units may lack large pages, and taking a page out
 * then never splits, so it cannot fail for want of memory.
 */
int vtd_mirror_update(struct page_table *m, u64 gpa, u64 hpa, u64 size,
		      u64 ept_attr)
{
	u64 rw = ept_attr & (VTD_PTE_R | VTD_PTE_W);

	if (!rw)
		return pt_unmap(m, gpa, size);
	return pt_map(m, gpa, hpa, size, rw, PT_MAP_4K_ONLY);
}

struct copy {
	struct page_table *m;
	int rc;
};

static void copy_leaf(void *ctx, u64 va, u64 pa, u64 size, u64 attr)
{
	struct copy *c = ctx;

	if (!c->rc)
		c->rc = vtd_mirror_update(c->m, va, pa, size, attr);
}

int vtd_mirror_init(struct page_table *m, const struct pt_ops *ops,
		    const struct page_table *ept)
{
	struct copy c = { m, pt_init(m, &vtd_format, ops) };

	if (!c.rc)
		pt_for_each_leaf(ept, copy_leaf, &c);
	return c.rc;
}
