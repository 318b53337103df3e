/* The hardware dom0's memory map, built from the host's: a pure function. */
#ifndef KEEL_HWDOM_MEMMAP_H
#define KEEL_HWDOM_MEMMAP_H

#include <keel/bootinfo.h>
#include <public/hvm_start_info.h>

/*
 * Room for a real host map (20-100 entries) and the holes dom0's RAM has,
 * and no more: Linux 6.1's PVH entry copies the map into its 128-entry
 * zero-page e820 without a bound, then adds the ISA range if there is room.
 */
#define HWDOM_MAX_MEMMAP 127

/* A range of dom0's RAM keel keeps for itself, shown as @type (RESERVED, ACPI). */
struct hwdom_steal {
	u64 start, end;
	u32 type;		/* XEN_HVM_MEMMAP_TYPE_* */
};

/*
 * dom0's memory map, sorted and without overlaps, into @map (@max
 * entries): the host map @host (any order, entries may overlap; where they
 * do the larger type wins, as Linux's e820 sanitizer decides) with
 *  - the host RAM dom0 got, @ram ([start, end) each), as RAM;
 *  - @steal over it, with their own types;
 *  - every other host RAM page UNUSABLE (keel's, other domains', not given);
 *  - reserved, ACPI, NVS and bad ranges as the host has them.
 * Neighbours of one type merge. Returns the number of entries or -E2BIG.
 */
int hwdom_memmap(const struct memmap_entry *host, unsigned int nr_host,
		 const struct boot_range *ram, unsigned int nr_ram,
		 const struct hwdom_steal *steal, unsigned int nr_steal,
		 struct hvm_memmap_table_entry *map, unsigned int max);

#endif
