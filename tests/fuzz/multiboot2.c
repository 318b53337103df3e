/* Fuzzes keel's multiboot2 boot-information parser (the loader's data is hostile). */
#include <keel/bootinfo.h>
#include <keel/multiboot2.h>
#include <keel/string.h>
#include "fuzz_input.h"

#define INFO_PHYS 0x10000ULL

static struct boot_info bi;

static void check_string(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		__builtin_trap();
}

/* What the rest of keel relies on after a successful parse. */
static void check_boot_info(u64 total)
{
	if (bi.version != KEEL_BOOTINFO_VERSION || !bi.nr_memmap ||
	    bi.nr_memmap > BOOTINFO_MAX_MEMMAP ||
	    bi.nr_modules > BOOTINFO_MAX_MODULES ||
	    bi.nr_reserved > BOOTINFO_MAX_RESERVED || !bi.nr_reserved)
		__builtin_trap();
	check_string(bi.cmdline, sizeof(bi.cmdline));
	check_string(bi.loader_name, sizeof(bi.loader_name));
	for (u32 i = 0; i < bi.nr_modules; i++) {
		if (bi.modules[i].end < bi.modules[i].start)
			__builtin_trap();
		check_string(bi.modules[i].string, sizeof(bi.modules[i].string));
	}
	for (u32 i = 0; i < bi.nr_memmap; i++) {
		const struct memmap_entry *e = &bi.memmap[i];

		if (!e->size || e->addr + e->size < e->addr ||
		    e->type < MEM_USABLE || e->type > MEM_BAD)
			__builtin_trap();
	}
	/* The RSDP keel points at is a copy inside the block. */
	if (bi.rsdp_phys && (bi.rsdp_phys < INFO_PHYS + 16 ||
			     bi.rsdp_phys + 20 > INFO_PHYS + total))
		__builtin_trap();
	if (bi.reserved[bi.nr_reserved - 1].start != INFO_PHYS ||
	    bi.reserved[bi.nr_reserved - 1].end != INFO_PHYS + total)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *info = fuzz_dup(data, size);

	if (!mb2_parse(info, size, INFO_PHYS, &bi))
		check_boot_info(((const struct mb2_info_header *)info)->total_size);
	free(info);
	return 0;
}
