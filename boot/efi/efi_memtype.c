/* UEFI memory descriptors to the boot_info memory map (pure C, shareable). */
#include <keel/types.h>
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include "efi_memtype.h"

static const struct efi_memory_desc *desc_at(const void *map,
					     u64 desc_size, u64 i)
{
	return (const void *)((const u8 *)map + i * desc_size);
}

/* Is descriptor a ordered before b?  Ties are broken by index. */
static bool desc_before(const struct efi_memory_desc *a, u64 ia,
			const struct efi_memory_desc *b, u64 ib)
{
	if (a->phys_start != b->phys_start)
		return a->phys_start < b->phys_start;
	return ia < ib;
}

int efi_memmap_convert(struct boot_info *bi, const void *map, u64 map_size,
		       u64 desc_size)
{
	u64 n, i, step, prev = 0, cur_start = 0, cur_end = 0;
	u32 cur_type = 0;
	bool have_prev = false, have_cur = false;
	int ret;

	if (desc_size < sizeof(struct efi_memory_desc) || desc_size % 8)
		return -EINVAL;
	n = map_size / desc_size;

	/*
	 * The map is not guaranteed to be sorted and must not be modified,
	 * so pick the next descriptor by selection: O(n^2), n is a few
	 * hundred at most.
	 */
	for (step = 0; step < n; step++) {
		const struct efi_memory_desc *d, *best = NULL;
		u64 best_i = 0, start, end;
		u32 type;

		for (i = 0; i < n; i++) {
			d = desc_at(map, desc_size, i);
			if (have_prev &&
			    !desc_before(desc_at(map, desc_size, prev), prev,
					 d, i))
				continue;
			if (!best || desc_before(d, i, best, best_i)) {
				best = d;
				best_i = i;
			}
		}
		prev = best_i;
		have_prev = true;

		if (!best->nr_pages ||
		    best->nr_pages > (~0ULL >> EFI_PAGE_SHIFT_4K))
			continue;
		start = best->phys_start;
		end = start + (best->nr_pages << EFI_PAGE_SHIFT_4K);
		if (end <= start)
			continue;
		type = efi_memtype_to_memmap(best->type);

		if (have_cur && type == cur_type && start == cur_end) {
			cur_end = end;
			continue;
		}
		if (have_cur) {
			ret = bootinfo_add_memmap(bi, cur_start,
						  cur_end - cur_start,
						  cur_type);
			if (ret)
				return ret;
		}
		cur_start = start;
		cur_end = end;
		cur_type = type;
		have_cur = true;
	}
	if (have_cur)
		return bootinfo_add_memmap(bi, cur_start, cur_end - cur_start,
					   cur_type);
	return 0;
}
