/* UEFI memory descriptors to the boot_info memory map (pure C, shareable). */
#ifndef KEEL_EFI_MEMTYPE_H
#define KEEL_EFI_MEMTYPE_H

#include <keel/types.h>
#include <keel/bootinfo.h>

/* UEFI memory types (UEFI spec 2.10, table 7-5). */
#define EFI_MT_RESERVED			0
#define EFI_MT_LOADER_CODE		1
#define EFI_MT_LOADER_DATA		2
#define EFI_MT_BOOT_SERVICES_CODE	3
#define EFI_MT_BOOT_SERVICES_DATA	4
#define EFI_MT_RUNTIME_SERVICES_CODE	5
#define EFI_MT_RUNTIME_SERVICES_DATA	6
#define EFI_MT_CONVENTIONAL		7
#define EFI_MT_UNUSABLE			8
#define EFI_MT_ACPI_RECLAIM		9
#define EFI_MT_ACPI_NVS			10
#define EFI_MT_MMIO			11
#define EFI_MT_MMIO_PORT_SPACE		12
#define EFI_MT_PAL_CODE			13
#define EFI_MT_PERSISTENT		14

#define EFI_PAGE_SHIFT_4K		12

/*
 * struct efi_memory_desc and efi_memtype_to_memmap(), which maps the types
 * above to enum memmap_type, live in keel/bootinfo.h and common/bootinfo.c.
 */

/*
 * Append a raw EFI memory map (desc_size bytes per descriptor, as returned
 * by GetMemoryMap() or found in a multiboot2 EFI memory-map tag) to bi's
 * memory map, sorted by address, with adjacent ranges of the same type
 * merged. The input is not modified. Returns 0, -EINVAL for a bad
 * descriptor size, or -ENOSPC if bi->memmap filled up (the entries that fit
 * are kept, lowest addresses first).
 */
int efi_memmap_convert(struct boot_info *bi, const void *map, u64 map_size,
		       u64 desc_size);

#endif
