/* Builders for struct boot_info, shared by the multiboot2 parser and keel.efi. */
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/string.h>

int bootinfo_add_memmap(struct boot_info *bi, u64 addr, u64 size, u32 type)
{
	struct memmap_entry *last;

	if (!size)
		return 0;
	last = bi->nr_memmap ? &bi->memmap[bi->nr_memmap - 1] : NULL;
	if (last && last->type == type && last->addr + last->size == addr) {
		last->size += size;
		return 0;
	}
	if (bi->nr_memmap >= BOOTINFO_MAX_MEMMAP)
		return -ENOSPC;
	bi->memmap[bi->nr_memmap++] = (struct memmap_entry){
		.addr = addr, .size = size, .type = type,
	};
	return 0;
}

int bootinfo_add_module(struct boot_info *bi, u64 start, u64 end,
			const char *string)
{
	struct boot_module *mod;

	if (bi->nr_modules >= BOOTINFO_MAX_MODULES)
		return -ENOSPC;
	mod = &bi->modules[bi->nr_modules++];
	mod->start = start;
	mod->end = end;
	strlcpy(mod->string, string ? string : "", sizeof(mod->string));
	return 0;
}

int bootinfo_add_reserved(struct boot_info *bi, u64 start, u64 end)
{
	if (bi->nr_reserved >= BOOTINFO_MAX_RESERVED)
		return -ENOSPC;
	bi->reserved[bi->nr_reserved++] = (struct boot_range){ start, end };
	return 0;
}

u32 efi_memtype_to_memmap(u32 efi_type)
{
	switch (efi_type) {
	case 1: /* EfiLoaderCode */
	case 2: /* EfiLoaderData */
	case 3: /* EfiBootServicesCode */
	case 4: /* EfiBootServicesData */
	case 7: /* EfiConventionalMemory */
		return MEM_USABLE;
	case 8: /* EfiUnusableMemory */
		return MEM_BAD;
	case 9: /* EfiACPIReclaimMemory */
		return MEM_ACPI;
	case 10: /* EfiACPIMemoryNVS */
		return MEM_NVS;
	default: /* runtime services, MMIO, reserved, persistent, ... */
		return MEM_RESERVED;
	}
}
