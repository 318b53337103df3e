/* Finding the host's CPUs in the firmware's ACPI tables (RSDP -> RSDT/XSDT -> MADT). */
#ifndef ASM_MADT_H
#define ASM_MADT_H

#include <keel/percpu.h>
#include <keel/types.h>
#include <asm/acpi_walk.h>

/* The CPUs the MADT lists, in its order. */
struct madt_cpus {
	unsigned int nr;
	u32 apic_ids[MAX_CPUS];		/* enabled local APICs and x2APICs */
	unsigned int nr_dropped;	/* enabled ones beyond MAX_CPUS */
	unsigned int nr_disabled;	/* entries marked neither enabled nor online-capable */
	unsigned int nr_hotplug;	/* online-capable, not present at boot */
};

/*
 * madt_find_cpus() - walk the ACPI tables from the RSDP at @rsdp_phys to
 * the MADT and collect its enabled CPUs. Every table is checked (signature,
 * length, checksum) and every MADT entry's length; firmware memory is read
 * only through @map.
 * @return 0 with *@cpus filled; -EINVAL after printing what is malformed;
 * -ENOENT when there is no MADT.
 */
int madt_find_cpus(u64 rsdp_phys, acpi_map_fn map, void *ctx,
		   struct madt_cpus *cpus);

#endif
