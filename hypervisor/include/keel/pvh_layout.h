/*
 * Guest-physical layout of a PVH domain and the boot page keel writes for
 * it (hvm_start_info, memory map, module list, command lines).
 *
 *   0 - 0x9f000            RAM (Linux needs RAM below 1 MiB)
 *   0x9f000 - 0x100000     reserved: the boot page, then legacy ROM space
 *                          (backed by zeroed pages: Linux scans it for _MP_)
 *   0x100000 - RAM end     RAM, up to PVH_MMIO_HOLE_START
 *   0xfc000000 - 4 GiB     reserved: keel's special pages (console ring,
 *                          xenstore, ACPI tables) and the LAPIC/IO hole
 *   4 GiB -                the rest of RAM, if any
 */
#ifndef KEEL_PVH_LAYOUT_H
#define KEEL_PVH_LAYOUT_H

#include <keel/types.h>
#include <public/hvm_start_info.h>

#define PVH_BOOT_PAGE_GPA 0x9f000ULL
#define PVH_LEGACY_END 0x100000ULL
#define PVH_MMIO_HOLE_START 0xf0000000ULL
#define PVH_SPECIAL_START 0xfc000000ULL
#define PVH_HIGH_RAM_START GiB(4)
#define PVH_MAX_MEMMAP 8
#define PVH_MAX_MODULES 4
#define PVH_MIN_MEM MiB(4)

/* Special pages: fixed frames in the reserved range at PVH_SPECIAL_START. */
#define PVH_SPECIAL_CONSOLE 0
#define PVH_SPECIAL_XENSTORE 1
#define PVH_SPECIAL_ACPI 2	/* ACPI tables, one page */
#define PVH_SPECIAL_PAGES 3
#define PVH_SPECIAL_GPA(n) (PVH_SPECIAL_START + ((u64)(n) << 12))

/*
 * A hardware dom0 (arch/x86/hwdom.c) has the host's memory map: keel's
 * pages are stolen from the top of its RAM below 4 GiB instead, in this
 * order: the special pages above (ACPI: HWDOM_ACPI_PAGES of them, for the
 * host tables' XSDT and MADT), then the boot pages (a longer memory map).
 */
#define HWDOM_ACPI_PAGES 4
#define HWDOM_SPECIAL_PAGES (PVH_SPECIAL_ACPI + HWDOM_ACPI_PAGES)
#define HWDOM_BOOT_SIZE (2 * PAGE_SIZE)

struct pvh_module {
	u64 gpa;
	u64 size;
	const char *cmdline;
};

struct pvh_boot_params {
	u64 mem_size;		/* bytes of guest RAM */
	const char *cmdline;
	unsigned int nr_modules;
	struct pvh_module modules[PVH_MAX_MODULES];
	u64 rsdp_gpa;		/* 0: no ACPI */
	const struct hvm_memmap_table_entry *memmap;	/* NULL: pvh_memmap() */
	unsigned int nr_memmap;
	u64 boot_size;		/* bytes at @page; 0: one page */
};

/*
 * The guest's memory map for @mem_size bytes of RAM. Returns the number of
 * entries written to @map (at most PVH_MAX_MEMMAP).
 */
unsigned int pvh_memmap(u64 mem_size, struct hvm_memmap_table_entry *map);

/* One past the highest guest-physical RAM address for @mem_size bytes. */
u64 pvh_ram_end(u64 mem_size);

/*
 * Write the boot page for @p into @page (@p->boot_size bytes, 4 KiB by
 * default, guest-physical @page_gpa): hvm_start_info at its start, then
 * the memory map (@p->memmap, else pvh_memmap()), module list and command
 * lines. Returns 0, or -E2BIG when they do not fit.
 */
int pvh_write_boot_page(void *page, u64 page_gpa,
			const struct pvh_boot_params *p);

#endif
