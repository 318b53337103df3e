/* Host RAM setup: host_pages and the frame table from the boot memory map; alloc_pages()/free_pages(). */
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/page_alloc.h>
#include <keel/pagetable.h>
#include <keel/printk.h>
#include <keel/string.h>

/* Firmware data, real-mode IVT/BDA/EBDA and the AP trampoline: never in host_pages. */
#define LOW_MEMORY_END 0x100000
/* The real-mode interrupt vectors and BIOS data area. */
#define LOW_MEMORY_FIRMWARE_END 0x1000
/* Until keel's own page tables are up only the first 4 GiB are mapped. */
#define EARLY_MAPPED_END GiB(4)

struct page_allocator host_pages;

/* The boot map mm_init() worked from, for mm_claim_frame(). */
static const struct boot_info *mm_boot_info;
u64 mm_tables_bytes, mm_free_at_init;
/* Host RAM kept for the hardware dom0's kernel (mm_keep_for_dom0()). */
static struct boot_range dom0_keep;
/* What mm_find_low_memory() handed out: keel's, never dom0's. */
static struct boot_range low_taken;

struct range_list {
	unsigned int nr;
	struct boot_range r[BOOTINFO_MAX_MODULES + BOOTINFO_MAX_RESERVED + 4];
};

/*
 * What keel must keep: memory below @low_end, the image, modules, loader
 * data, the AP trampoline and, with @window, the range kept for dom0.
 */
static void collect_reserved(const struct boot_info *bi, struct range_list *l,
			     u64 low_end, bool window)
{
	l->nr = 0;
	l->r[l->nr++] = (struct boot_range){ 0, low_end };
	l->r[l->nr++] = low_taken;
	if (window)
		l->r[l->nr++] = dom0_keep;
	l->r[l->nr++] = (struct boot_range){ bi->image_phys_start,
					     bi->image_phys_end };
	for (u32 i = 0; i < bi->nr_modules; i++)
		l->r[l->nr++] = (struct boot_range){ bi->modules[i].start,
						     bi->modules[i].end };
	for (u32 i = 0; i < bi->nr_reserved; i++)
		l->r[l->nr++] = bi->reserved[i];
}

static bool overlaps(u64 s1, u64 e1, u64 s2, u64 e2)
{
	return s1 < e2 && s2 < e1;
}

/* Is [start, end) usable RAM that no other map entry or reservation touches? */
static bool range_is_free(const struct boot_info *bi,
			  const struct range_list *l, u64 start, u64 end)
{
	bool in_ram = false;

	for (u32 i = 0; i < bi->nr_memmap; i++) {
		const struct memmap_entry *e = &bi->memmap[i];
		u64 e_end = e->addr + e->size;

		if (e->type != MEM_USABLE && overlaps(start, end, e->addr, e_end))
			return false;
		if (e->type == MEM_USABLE && e->addr <= start && end <= e_end)
			in_ram = true;
	}
	for (unsigned int i = 0; i < l->nr; i++)
		if (overlaps(start, end, l->r[i].start, l->r[i].end))
			return false;
	return in_ram;
}

/* The lowest page-aligned free range of @size bytes below @limit, or 0. */
static u64 find_free(const struct boot_info *bi, const struct range_list *l,
		     u64 size, u64 limit)
{
	for (u32 i = 0; i < bi->nr_memmap; i++) {
		const struct memmap_entry *e = &bi->memmap[i];
		u64 start = ALIGN_UP(e->addr, PAGE_SIZE);

		if (e->type != MEM_USABLE)
			continue;
		for (; start + size <= MIN(e->addr + e->size, limit);
		     start += PAGE_SIZE)
			if (range_is_free(bi, l, start, start + size))
				return start;
	}
	return 0;
}

int mm_init(const struct boot_info *bi)
{
	struct range_list reserved;
	u64 max_addr = 0, bitmap_bytes, frames_bytes, bitmap_phys, usable = 0;

	for (u32 i = 0; i < bi->nr_memmap; i++) {
		const struct memmap_entry *e = &bi->memmap[i];

		if (e->type != MEM_USABLE)
			continue;
		max_addr = MAX(max_addr, e->addr + e->size);
		usable += e->size;
	}
	collect_reserved(bi, &reserved, LOW_MEMORY_END, true);
	/* The bitmap, then the frame table, in one range keel keeps. */
	bitmap_bytes = ALIGN_UP(page_alloc_bitmap_bytes(PFN_DOWN(max_addr)),
				PAGE_SIZE);
	frames_bytes = ALIGN_UP(frame_table_bytes(PFN_DOWN(max_addr)), PAGE_SIZE);
	bitmap_phys = find_free(bi, &reserved, bitmap_bytes + frames_bytes,
				EARLY_MAPPED_END);
	if (!bitmap_phys) {
		pr_err("mm: no room below 4 GiB for the %llu KiB page bitmap and frame table\n",
		       (unsigned long long)(bitmap_bytes + frames_bytes) >> 10);
		return -ENOMEM;
	}

	page_alloc_init(&host_pages, phys_to_virt(bitmap_phys),
			PFN_DOWN(max_addr));
	frame_table_init(phys_to_virt(bitmap_phys + bitmap_bytes),
			 PFN_DOWN(max_addr));
	for (u32 i = 0; i < bi->nr_memmap; i++)
		if (bi->memmap[i].type == MEM_USABLE)
			page_alloc_add_free(&host_pages, bi->memmap[i].addr,
					    bi->memmap[i].addr +
					    bi->memmap[i].size);
	for (u32 i = 0; i < bi->nr_memmap; i++)
		if (bi->memmap[i].type != MEM_USABLE)
			page_alloc_reserve(&host_pages, bi->memmap[i].addr,
					   bi->memmap[i].addr +
					   bi->memmap[i].size);
	for (unsigned int i = 0; i < reserved.nr; i++)
		page_alloc_reserve(&host_pages, reserved.r[i].start,
				   reserved.r[i].end);
	page_alloc_reserve(&host_pages, bitmap_phys,
			   bitmap_phys + bitmap_bytes + frames_bytes);
	page_alloc_keep(&host_pages, PFN_UP(dom0_keep.start),
			PFN_DOWN(dom0_keep.end));
	mm_boot_info = bi;
	mm_tables_bytes = bitmap_bytes + frames_bytes;
	mm_free_at_init = host_pages.nr_free;

	pr_info("mm: %llu MiB of RAM, %llu pages free, bitmap at %#llx\n",
		(unsigned long long)usable >> 20,
		(unsigned long long)host_pages.nr_free,
		(unsigned long long)bitmap_phys);
	return 0;
}

u64 mm_find_low_memory(const struct boot_info *bi, u64 size)
{
	struct range_list reserved;

	u64 at;

	/* Called once (smpboot.c): its answer replaces an earlier one. */
	low_taken = (struct boot_range){ 0, 0 };
	collect_reserved(bi, &reserved, LOW_MEMORY_FIRMWARE_END, true);
	at = find_free(bi, &reserved, ALIGN_UP(size, PAGE_SIZE),
		       LOW_MEMORY_END);
	if (at)
		low_taken = (struct boot_range){ at, at + ALIGN_UP(size, PAGE_SIZE) };
	return at;
}

/* The RSDP, when the loader's copy of it is where dom0's kernel goes. */
static u8 rsdp_copy[36] __aligned(16);

int mm_keep_for_dom0(struct boot_info *bi, u64 start, u64 end)
{
	struct range_list l;

	dom0_keep = (struct boot_range){ start, end };
	/*
	 * The loader's data (the multiboot2 block, keel.efi's page tables)
	 * is dead once keel runs on its own tables, long before dom0 is
	 * built; keel never allocates in the range. Only the RSDP copy in
	 * the multiboot2 block is still read: keep one of its own.
	 */
	for (u32 i = 0; i < bi->nr_reserved; i++) {
		struct boot_range *r = &bi->reserved[i];

		if (!overlaps(start, end, r->start, r->end))
			continue;
		if (bi->rsdp_phys >= r->start && bi->rsdp_phys < r->end) {
			memcpy(rsdp_copy, phys_to_virt(bi->rsdp_phys),
			       MIN(sizeof(rsdp_copy), r->end - bi->rsdp_phys));
			bi->rsdp_phys = virt_to_phys(rsdp_copy);
		}
		r->end = r->start;
	}
	for (u32 i = 0; i < bi->nr_modules; i++) {
		struct boot_module *m = &bi->modules[i];
		u64 size = m->end - m->start, to;

		if (!size || !overlaps(start, end, m->start, m->end))
			continue;
		/* Anywhere else: every module and the window are in the list. */
		collect_reserved(bi, &l, LOW_MEMORY_END, true);
		to = find_free(bi, &l, ALIGN_UP(size, PAGE_SIZE),
			       EARLY_MAPPED_END);
		if (!to) {
			pr_err("mm: no room to move module %u (%llu KiB) out of dom0's kernel range\n",
			       i, (unsigned long long)size >> 10);
			return -ENOMEM;
		}
		memcpy(phys_to_virt(to), phys_to_virt(m->start), size);
		pr_info("mm: module %u moved from %#llx to %#llx, out of dom0's kernel range\n",
			i, (unsigned long long)m->start, (unsigned long long)to);
		m->start = to;
		m->end = to + size;
	}
	return 0;
}

/* Host RAM for dom0 that keel keeps out of host_pages: low RAM and the window. */
static bool kept_for_dom0(u64 pa)
{
	const struct boot_info *bi = mm_boot_info;
	struct range_list l;

	if (!bi || (pa >= LOW_MEMORY_END &&
		    (pa < dom0_keep.start || pa >= dom0_keep.end)))
		return false;
	collect_reserved(bi, &l, LOW_MEMORY_FIRMWARE_END, false);
	return range_is_free(bi, &l, pa, pa + PAGE_SIZE);
}

bool mm_keels_low_page(u64 pa)
{
	return pa >= low_taken.start && pa < low_taken.end;
}

int mm_claim_frame(u64 pfn)
{
	if (!page_alloc_take(&host_pages, pfn)) {
		frame_allocated(pfn);
		return 0;
	}
	/* Kept frames stay in use in the bitmap: frame_take() is the claim. */
	return kept_for_dom0(PFN_PHYS(pfn)) && frame_take(pfn) ? 0 : -EBUSY;
}

void *alloc_pages(unsigned int order)
{
	u64 pfn;
	void *virt;

	if (page_alloc_frames(&host_pages, order, &pfn))
		return NULL;
	for (u64 i = 0; i < (1ULL << order); i++)
		frame_allocated(pfn + i);
	virt = phys_to_virt(PFN_PHYS(pfn));
	memset(virt, 0, PAGE_SIZE << order);
	return virt;
}

/* Drop the allocation's reference on each frame: the last one frees it. */
void free_pages(void *virt, unsigned int order)
{
	u64 hpa = virt_to_phys(virt);

	for (u64 i = 0; i < (1ULL << order); i++)
		put_page(hpa + i * PAGE_SIZE);
}

static u64 host_alloc_table(void *ctx)
{
	void *page = alloc_page();

	return page ? virt_to_phys(page) : 0;
}

static void host_free_table(void *ctx, u64 phys)
{
	free_page(phys_to_virt(phys));
}

const struct pt_ops host_table_ops = {
	.phys_to_virt = phys_to_virt,
	.alloc_table = host_alloc_table,
	.free_table = host_free_table,
};
