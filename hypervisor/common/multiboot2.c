/*
 * Multiboot2 boot information parser. Treats the loader's data as hostile:
 * every length is checked against the block before it is used.
 */
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/multiboot2.h>
#include <keel/printk.h>
#include <keel/string.h>

#define MB2_EFI_MEMDESC_MIN 40

struct mb2_state {
	const u8 *base;
	u64 base_phys;
	struct boot_info *bi;
	bool have_cmdline, have_loader, have_mmap, have_efi_mmap;
	bool have_acpi_new;
	const struct mb2_tag_efi_mmap *efi_mmap;
};

/* A string tag must hold a NUL-terminated string that fits @max bytes. */
static int mb2_string(const struct mb2_tag *tag, size_t hdr, char *dst,
		      size_t max, const char *what)
{
	const char *s = (const char *)tag + hdr;
	size_t room = tag->size > hdr ? tag->size - hdr : 0;
	size_t len = strnlen(s, room);

	if (len == room) {
		pr_err("multiboot2: %s is not NUL-terminated within its tag\n",
		       what);
		return -EINVAL;
	}
	if (len >= max) {
		pr_err("multiboot2: %s is %zu characters, keel accepts at most %zu\n",
		       what, len, max - 1);
		return -EINVAL;
	}
	memcpy(dst, s, len + 1);
	return 0;
}

static int mb2_module(struct mb2_state *st, const struct mb2_tag *tag)
{
	const struct mb2_tag_module *mod = (const void *)tag;
	struct boot_info *bi = st->bi;
	char string[BOOTINFO_MODSTR_LEN];

	if (tag->size < sizeof(*mod) + 1) {
		pr_err("multiboot2: module tag too short (%u bytes)\n",
		       tag->size);
		return -EINVAL;
	}
	if (mod->mod_end < mod->mod_start) {
		pr_err("multiboot2: module %u ends (%#x) before it starts (%#x)\n",
		       bi->nr_modules, mod->mod_end, mod->mod_start);
		return -EINVAL;
	}
	if (mb2_string(tag, sizeof(*mod), string, sizeof(string),
		       "module string"))
		return -EINVAL;
	if (bootinfo_add_module(bi, mod->mod_start, mod->mod_end, string)) {
		pr_err("multiboot2: more than %d modules\n",
		       BOOTINFO_MAX_MODULES);
		return -EINVAL;
	}
	return 0;
}

static int mb2_add_range(struct boot_info *bi, u64 addr, u64 len, u32 type)
{
	if (addr + len < addr) {
		pr_err("multiboot2: memory map entry %#llx+%#llx wraps around\n",
		       (unsigned long long)addr, (unsigned long long)len);
		return -EINVAL;
	}
	if (bootinfo_add_memmap(bi, addr, len, type)) {
		pr_err("multiboot2: memory map has more than %d entries\n",
		       BOOTINFO_MAX_MEMMAP);
		return -EINVAL;
	}
	return 0;
}

static u32 mb2_mmap_type(u32 type)
{
	switch (type) {
	case MEM_USABLE:
	case MEM_ACPI:
	case MEM_NVS:
	case MEM_BAD:
		return type;
	default:
		return MEM_RESERVED;
	}
}

static int mb2_mmap(struct mb2_state *st, const struct mb2_tag *tag)
{
	const struct mb2_tag_mmap *mm = (const void *)tag;
	u32 body, n;

	if (st->have_mmap) {
		pr_err("multiboot2: more than one memory map tag\n");
		return -EINVAL;
	}
	st->have_mmap = true;
	if (tag->size < sizeof(*mm)) {
		pr_err("multiboot2: memory map tag too short (%u bytes)\n",
		       tag->size);
		return -EINVAL;
	}
	if (mm->entry_size < sizeof(struct mb2_mmap_entry) ||
	    mm->entry_size % 8) {
		pr_err("multiboot2: bad memory map entry size %u\n",
		       mm->entry_size);
		return -EINVAL;
	}
	body = tag->size - sizeof(*mm);
	if (body % mm->entry_size) {
		pr_err("multiboot2: memory map tag size %u is not a whole number of %u-byte entries\n",
		       tag->size, mm->entry_size);
		return -EINVAL;
	}
	for (n = 0; n < body / mm->entry_size; n++) {
		const struct mb2_mmap_entry *e =
			(const void *)((const u8 *)mm->entries +
				       n * mm->entry_size);

		if (mb2_add_range(st->bi, e->addr, e->len,
				  mb2_mmap_type(e->type)))
			return -EINVAL;
	}
	return 0;
}

static int mb2_efi_mmap_check(struct mb2_state *st, const struct mb2_tag *tag)
{
	const struct mb2_tag_efi_mmap *em = (const void *)tag;

	if (st->have_efi_mmap) {
		pr_err("multiboot2: more than one EFI memory map tag\n");
		return -EINVAL;
	}
	st->have_efi_mmap = true;
	if (tag->size < sizeof(*em) || em->descr_size < MB2_EFI_MEMDESC_MIN ||
	    em->descr_size % 8) {
		pr_err("multiboot2: malformed EFI memory map tag (size %u, descriptor size %u)\n",
		       tag->size, tag->size >= sizeof(*em) ? em->descr_size : 0);
		return -EINVAL;
	}
	st->efi_mmap = em;
	return 0;
}

/* Used only when the loader gave no plain memory map tag. */
static int mb2_efi_mmap(struct mb2_state *st)
{
	const struct mb2_tag_efi_mmap *em = st->efi_mmap;
	u32 n = (em->size - sizeof(*em)) / em->descr_size;

	for (u32 i = 0; i < n; i++) {
		const struct efi_memory_desc *d =
			(const void *)(em->efi_mmap + i * em->descr_size);

		if (d->nr_pages > (~0ULL >> 12)) {
			pr_err("multiboot2: EFI memory descriptor %u is too large\n",
			       i);
			return -EINVAL;
		}
		if (mb2_add_range(st->bi, d->phys_start, d->nr_pages << 12,
				  efi_memtype_to_memmap(d->type)))
			return -EINVAL;
	}
	return 0;
}

static int mb2_acpi(struct mb2_state *st, const struct mb2_tag *tag, u32 off)
{
	bool is_new = tag->type == MB2_TAG_ACPI_NEW;

	if (tag->size < sizeof(*tag) + 20 ||
	    memcmp((const u8 *)tag + sizeof(*tag), "RSD PTR ", 8)) {
		pr_err("multiboot2: ACPI RSDP tag holds no RSDP\n");
		return -EINVAL;
	}
	/* The tag holds a copy of the RSDP; point at it (the block stays reserved). */
	if (is_new || !st->have_acpi_new)
		st->bi->rsdp_phys = st->base_phys + off + sizeof(*tag);
	st->have_acpi_new |= is_new;
	return 0;
}

static int mb2_tag(struct mb2_state *st, const struct mb2_tag *tag, u32 off)
{
	struct boot_info *bi = st->bi;

	switch (tag->type) {
	case MB2_TAG_CMDLINE:
		if (st->have_cmdline) {
			pr_err("multiboot2: more than one command line tag\n");
			return -EINVAL;
		}
		st->have_cmdline = true;
		return mb2_string(tag, sizeof(*tag), bi->cmdline,
				  sizeof(bi->cmdline), "command line");
	case MB2_TAG_LOADER_NAME:
		if (st->have_loader) {
			pr_err("multiboot2: more than one boot loader name tag\n");
			return -EINVAL;
		}
		st->have_loader = true;
		return mb2_string(tag, sizeof(*tag), bi->loader_name,
				  sizeof(bi->loader_name), "boot loader name");
	case MB2_TAG_MODULE:
		return mb2_module(st, tag);
	case MB2_TAG_MMAP:
		return mb2_mmap(st, tag);
	case MB2_TAG_EFI_MMAP:
		return mb2_efi_mmap_check(st, tag);
	case MB2_TAG_EFI64:
		if (tag->size < sizeof(struct mb2_tag_efi64)) {
			pr_err("multiboot2: EFI64 system table tag too short\n");
			return -EINVAL;
		}
		bi->efi_systab_phys = ((const struct mb2_tag_efi64 *)tag)->pointer;
		bi->boot_path = BOOT_MULTIBOOT2_EFI;
		return 0;
	case MB2_TAG_EFI_BS:
		pr_err("multiboot2: the loader left EFI boot services running; keel needs them exited\n");
		return -EINVAL;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return mb2_acpi(st, tag, off);
	default:
		return 0;	/* tags keel does not use */
	}
}

int mb2_parse(const void *info, size_t avail, u64 info_phys,
	      struct boot_info *bi)
{
	const struct mb2_info_header *hdr = info;
	struct mb2_state st = { .base = info, .base_phys = info_phys, .bi = bi };
	u32 total, off;

	memset(bi, 0, sizeof(*bi));
	bi->version = KEEL_BOOTINFO_VERSION;
	bi->boot_path = BOOT_MULTIBOOT2_BIOS;
	if (!info || (uptr)info % 8) {
		pr_err("multiboot2: information block at %#llx is not 8-byte aligned\n",
		       (unsigned long long)info_phys);
		return -EINVAL;
	}
	if (avail < sizeof(*hdr)) {
		pr_err("multiboot2: information block truncated to %zu bytes\n",
		       avail);
		return -EINVAL;
	}
	total = hdr->total_size;
	if (total < sizeof(*hdr) + sizeof(struct mb2_tag) || total > avail ||
	    total > MB2_INFO_MAX_SIZE) {
		pr_err("multiboot2: implausible total_size %u (at most %zu bytes readable)\n",
		       total, MIN(avail, (size_t)MB2_INFO_MAX_SIZE));
		return -EINVAL;
	}
	for (off = sizeof(*hdr);; off += ALIGN_UP(((const struct mb2_tag *)
						 (st.base + off))->size, 8u)) {
		const struct mb2_tag *tag = (const void *)(st.base + off);

		if (off > total - sizeof(*tag)) {
			pr_err("multiboot2: no end tag within total_size %u\n",
			       total);
			return -EINVAL;
		}
		if (tag->size < sizeof(*tag) || tag->size > total - off) {
			pr_err("multiboot2: tag type %u at offset %u has size %u, beyond the block (%u bytes)\n",
			       tag->type, off, tag->size, total);
			return -EINVAL;
		}
		if (tag->type == MB2_TAG_END) {
			if (tag->size != sizeof(*tag)) {
				pr_err("multiboot2: end tag has size %u, not 8\n",
				       tag->size);
				return -EINVAL;
			}
			break;
		}
		if (mb2_tag(&st, tag, off))
			return -EINVAL;
	}
	if (!st.have_mmap && st.have_efi_mmap && mb2_efi_mmap(&st))
		return -EINVAL;
	if (!bi->nr_memmap) {
		pr_err("multiboot2: no memory map (neither tag 6 nor an EFI memory map)\n");
		return -EINVAL;
	}
	if (st.have_efi_mmap)
		bi->boot_path = BOOT_MULTIBOOT2_EFI;
	bootinfo_add_reserved(bi, info_phys, info_phys + total);
	return 0;
}
