/* keel.efi page allocations: below 4 GiB, freed again if loading fails. */
#include "loader.h"

static struct {
	EFI_PHYSICAL_ADDRESS addr;
	UINTN pages;
} allocs[LOADER_MAX_ALLOCS];
static u32 nr_allocs;

static void free_range(EFI_PHYSICAL_ADDRESS addr, UINTN pages)
{
	if (pages)
		uefi_call_wrapper(BS->FreePages, 2, addr, pages);
}

static EFI_STATUS track(EFI_PHYSICAL_ADDRESS addr, UINTN pages)
{
	if (nr_allocs == LOADER_MAX_ALLOCS) {
		free_range(addr, pages);
		return EFI_OUT_OF_RESOURCES;
	}
	allocs[nr_allocs].addr = addr;
	allocs[nr_allocs].pages = pages;
	nr_allocs++;
	return EFI_SUCCESS;
}

EFI_STATUS alloc_pages(u64 size, u64 *phys)
{
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	UINTN pages = EFI_SIZE_TO_PAGES(size ? size : 1);
	EFI_STATUS status;

	status = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
				   EfiLoaderData, pages, &addr);
	if (EFI_ERROR(status))
		return status;
	*phys = addr;
	return track(addr, pages);
}

EFI_STATUS alloc_pages_aligned(u64 size, u64 align, u64 *phys)
{
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G, base;
	UINTN pages = EFI_SIZE_TO_PAGES(size), extra = EFI_SIZE_TO_PAGES(align);
	EFI_STATUS status;

	/* Over-allocate by the alignment and give back both ends. */
	status = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
				   EfiLoaderData, pages + extra, &addr);
	if (EFI_ERROR(status))
		return status;
	base = ALIGN_UP(addr, align);
	free_range(addr, EFI_SIZE_TO_PAGES(base - addr));
	free_range(base + ((u64)pages << EFI_PAGE_SHIFT),
		   extra - EFI_SIZE_TO_PAGES(base - addr));
	*phys = base;
	return track(base, pages);
}

void alloc_free_all(void)
{
	while (nr_allocs) {
		nr_allocs--;
		free_range(allocs[nr_allocs].addr, allocs[nr_allocs].pages);
	}
}
