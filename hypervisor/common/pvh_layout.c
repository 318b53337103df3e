/* The PVH guest memory map and boot page (start info), as pure functions. */
#include <keel/errno.h>
#include <keel/page.h>
#include <keel/pvh_layout.h>
#include <keel/string.h>

static void add(struct hvm_memmap_table_entry *map, unsigned int *n, u64 addr,
		u64 size, u32 type)
{
	map[(*n)++] = (struct hvm_memmap_table_entry){
		.addr = addr, .size = size, .type = type,
	};
}

unsigned int pvh_memmap(u64 mem_size, struct hvm_memmap_table_entry *map)
{
	u64 low = MIN(mem_size, PVH_MMIO_HOLE_START);
	unsigned int n = 0;

	add(map, &n, 0, PVH_BOOT_PAGE_GPA, XEN_HVM_MEMMAP_TYPE_RAM);
	add(map, &n, PVH_BOOT_PAGE_GPA, PVH_LEGACY_END - PVH_BOOT_PAGE_GPA,
	    XEN_HVM_MEMMAP_TYPE_RESERVED);
	if (low > PVH_LEGACY_END)
		add(map, &n, PVH_LEGACY_END, low - PVH_LEGACY_END,
		    XEN_HVM_MEMMAP_TYPE_RAM);
	add(map, &n, PVH_SPECIAL_START, PVH_HIGH_RAM_START - PVH_SPECIAL_START,
	    XEN_HVM_MEMMAP_TYPE_RESERVED);
	if (mem_size > PVH_MMIO_HOLE_START)
		add(map, &n, PVH_HIGH_RAM_START, mem_size - PVH_MMIO_HOLE_START,
		    XEN_HVM_MEMMAP_TYPE_RAM);
	return n;
}

u64 pvh_ram_end(u64 mem_size)
{
	if (mem_size > PVH_MMIO_HOLE_START)
		return PVH_HIGH_RAM_START + mem_size - PVH_MMIO_HOLE_START;
	return mem_size;
}

/* Append a NUL-terminated string to the page; its guest address or 0. */
static u64 put_string(u8 *page, u64 page_gpa, u64 size, u64 *used,
		      const char *s)
{
	u64 len = strlen(s ? s : "") + 1, at = *used;

	if (len > size - at)
		return 0;
	memcpy(page + at, s ? s : "", len);
	*used += len;
	return page_gpa + at;
}

int pvh_write_boot_page(void *page, u64 page_gpa,
			const struct pvh_boot_params *p)
{
	u8 *base = page;
	struct hvm_start_info *si = page;
	struct hvm_memmap_table_entry *map;
	struct hvm_modlist_entry *mods;
	u64 used = sizeof(*si), size = p->boot_size ? p->boot_size : PAGE_SIZE;

	if (p->nr_modules > PVH_MAX_MODULES)
		return -E2BIG;
	memset(page, 0, size);
	si->magic = XEN_HVM_START_MAGIC_VALUE;
	si->version = 1;
	si->rsdp_paddr = p->rsdp_gpa;

	used = ALIGN_UP(used, 8);
	map = (void *)(base + used);
	if (p->memmap) {
		if (p->nr_memmap * sizeof(*map) > size - used)
			return -E2BIG;
		memcpy(map, p->memmap, p->nr_memmap * sizeof(*map));
		si->memmap_entries = p->nr_memmap;
	} else {
		si->memmap_entries = pvh_memmap(p->mem_size, map);
	}
	si->memmap_paddr = page_gpa + used;
	used += si->memmap_entries * sizeof(*map);

	if (p->nr_modules * sizeof(*mods) > size - used)
		return -E2BIG;
	mods = (void *)(base + used);
	si->nr_modules = p->nr_modules;
	si->modlist_paddr = p->nr_modules ? page_gpa + used : 0;
	used += p->nr_modules * sizeof(*mods);

	si->cmdline_paddr = put_string(base, page_gpa, size, &used, p->cmdline);
	if (!si->cmdline_paddr)
		return -E2BIG;
	for (unsigned int i = 0; i < p->nr_modules; i++) {
		mods[i].paddr = p->modules[i].gpa;
		mods[i].size = p->modules[i].size;
		mods[i].cmdline_paddr = put_string(base, page_gpa, size, &used,
						   p->modules[i].cmdline);
		if (!mods[i].cmdline_paddr)
			return -E2BIG;
	}
	return 0;
}
