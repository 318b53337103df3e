/* The core embedded in keel.efi: checking, placing and mapping it. */
#include "loader.h"
#include "elfload.h"
#include "pagetable.h"

/* keel.elf, linked in by objcopy -I binary (see efi.mk). */
extern const u8 _binary_core_bin_start[] __attribute__((visibility("hidden")));
extern const u8 _binary_core_bin_end[] __attribute__((visibility("hidden")));

EFI_STATUS core_load(struct core *core)
{
	const u8 *elf = _binary_core_bin_start;
	u64 len = _binary_core_bin_end - _binary_core_bin_start;
	struct core_span span;
	const char *why;
	EFI_STATUS status;

	if (core_check(elf, len, &span, &why)) {
		Print(L"keel.efi: bad embedded hypervisor ELF: %a\n", why);
		return EFI_LOAD_ERROR;
	}
	core->alloc_size = ALIGN_UP(span.end - span.lowest, MiB(2));
	status = alloc_pages_aligned(core->alloc_size, MiB(2), &core->base);
	if (EFI_ERROR(status)) {
		Print(L"keel.efi: no %ld MiB below 4 GiB for the hypervisor: %r\n",
		      core->alloc_size >> 20, status);
		return status;
	}
	core_place(elf, &span, (void *)(uptr)core->base, core->alloc_size);
	if (core_find_header(elf, &span, (void *)(uptr)core->base,
			     core->alloc_size, &core->hdr, &why)) {
		Print(L"keel.efi: bad hypervisor image: %a\n", why);
		return EFI_LOAD_ERROR;
	}
	Print(L"keel.efi: hypervisor %ld KiB at 0x%lx, linked at 0x%lx/0x%lx, entry 0x%lx\n",
	      core->hdr.image_size >> 10, core->base,
	      core->hdr.phys_link_start, core->hdr.virt_start,
	      core->hdr.entry64);
	return EFI_SUCCESS;
}

EFI_STATUS core_map(const struct core *core, struct boot_info *bi, u64 *cr3)
{
	u64 top, ident_end, virt_size, nr, pool_phys;
	struct pt_pool pool;
	EFI_STATUS status;

	status = memmap_top(&top);
	if (EFI_ERROR(status)) {
		Print(L"keel.efi: cannot read the memory map: %r\n", status);
		return status;
	}
	ident_end = MAX(GiB(4), ALIGN_UP(top, GiB(1)));
	virt_size = ALIGN_UP(core->hdr.image_size, MiB(2));
	nr = boot_pt_pages_needed(ident_end, core->hdr.virt_start, virt_size);

	status = alloc_pages(nr * PT_PAGE_SIZE, &pool_phys);
	if (EFI_ERROR(status)) {
		Print(L"keel.efi: no memory for %ld page-table pages: %r\n", nr,
		      status);
		return status;
	}
	boot_pt_init(&pool, (u64 *)(uptr)pool_phys, nr);
	if (boot_pt_map(&pool, 0, 0, ident_end) ||
	    boot_pt_map(&pool, core->hdr.virt_start, core->base, virt_size)) {
		Print(L"keel.efi: page-table pool too small\n");
		return EFI_LOAD_ERROR;
	}
	if (bootinfo_add_reserved(bi, pool_phys, pool_phys + nr * PT_PAGE_SIZE)) {
		Print(L"keel.efi: boot_info reserved[] is full\n");
		return EFI_LOAD_ERROR;
	}
	Print(L"keel.efi: identity map up to 0x%lx, %ld page-table pages at 0x%lx\n",
	      ident_end, nr, pool_phys);
	*cr3 = boot_pt_root(&pool);
	return EFI_SUCCESS;
}
