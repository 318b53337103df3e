/* The firmware memory map: its top, and the final map at ExitBootServices. */
#include "loader.h"
#include "efi_memtype.h"

#define MAP_SLACK_DESCS	16

EFI_STATUS memmap_top(u64 *top)
{
	UINTN nr, key, desc_size, i;
	EFI_MEMORY_DESCRIPTOR *map, *d;
	UINT32 desc_ver;

	map = LibMemoryMap(&nr, &key, &desc_size, &desc_ver);
	if (!map)
		return EFI_OUT_OF_RESOURCES;
	*top = 0;
	for (i = 0; i < nr; i++) {
		d = (EFI_MEMORY_DESCRIPTOR *)((u8 *)map + i * desc_size);
		/* MMIO windows need no identity mapping from us. */
		if (d->Type == EfiMemoryMappedIO ||
		    d->Type == EfiMemoryMappedIOPortSpace)
			continue;
		*top = MAX(*top, d->PhysicalStart +
				 (d->NumberOfPages << EFI_PAGE_SHIFT));
	}
	FreePool(map);
	return EFI_SUCCESS;
}

static EFI_STATUS get_map(void *buf, UINTN cap, UINTN *size, UINTN *key,
			  UINTN *desc_size)
{
	UINT32 desc_ver;

	*size = cap;
	return uefi_call_wrapper(BS->GetMemoryMap, 5, size, buf, key,
				 desc_size, &desc_ver);
}

/*
 * Exit boot services and convert the final map into bi. After the first
 * ExitBootServices() call only GetMemoryMap() and ExitBootServices() may
 * be used, so from there on *tried is set and errors are returned silently.
 */
EFI_STATUS memmap_exit(EFI_HANDLE image, struct boot_info *bi, bool *tried)
{
	UINTN size = 0, cap, key, desc_size = 0;
	EFI_STATUS status;
	void *buf;

	*tried = false;
	status = get_map(NULL, 0, &size, &key, &desc_size);
	if (status != EFI_BUFFER_TOO_SMALL) {
		Print(L"keel.efi: GetMemoryMap: %r\n", status);
		return EFI_ERROR(status) ? status : EFI_LOAD_ERROR;
	}
	/* Room for the pool allocation below and for a retry. */
	cap = size + MAP_SLACK_DESCS * MAX(desc_size, (UINTN)64);
	buf = AllocatePool(cap);
	if (!buf) {
		Print(L"keel.efi: no memory for the memory map\n");
		return EFI_OUT_OF_RESOURCES;
	}
	status = get_map(buf, cap, &size, &key, &desc_size);
	if (EFI_ERROR(status)) {
		Print(L"keel.efi: GetMemoryMap: %r\n", status);
		FreePool(buf);
		return status;
	}

	*tried = true;
	status = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
	if (EFI_ERROR(status)) {
		/* The map key went stale: fetch the map again, once. */
		status = get_map(buf, cap, &size, &key, &desc_size);
		if (EFI_ERROR(status))
			return status;
		status = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (EFI_ERROR(status))
			return status;
	}

	/* Boot services are gone. On -ENOSPC the highest ranges are dropped. */
	efi_memmap_convert(bi, buf, size, desc_size);
	return EFI_SUCCESS;
}
