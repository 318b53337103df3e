/* Finding the host's CPUs in the firmware's ACPI tables (RSDP -> RSDT/XSDT -> MADT). */
#ifndef ASM_MADT_H
#define ASM_MADT_H

#include <keel/percpu.h>
#include <keel/types.h>
#include <asm/acpi_walk.h>

#define MADT_MAX_IOAPICS 8
#define MADT_MAX_ISOS 16
#define MADT_PCAT_COMPAT BIT(0)	/* flags: there are 8259s */

struct madt_ioapic {
	u32 id;
	u32 phys;		/* its register page */
	u32 gsi_base;
};

/* An interrupt source override: ISA IRQ @source is GSI @gsi with MPS INTI @flags. */
struct madt_iso {
	u8 source;
	u32 gsi;
	u16 flags;
};

/* The CPUs the MADT lists, in its order, and its interrupt controllers. */
struct madt_cpus {
	unsigned int nr;
	u32 apic_ids[MAX_CPUS];		/* enabled local APICs and x2APICs */
	unsigned int nr_dropped;	/* enabled ones beyond MAX_CPUS */
	unsigned int nr_disabled;	/* entries marked neither enabled nor online-capable */
	unsigned int nr_hotplug;	/* online-capable, not present at boot */
	u32 flags;			/* the MADT's: MADT_PCAT_COMPAT */
	unsigned int nr_ioapics;	/* beyond MADT_MAX_IOAPICS: ignored, warned */
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
	unsigned int nr_isos;
	struct madt_iso isos[MADT_MAX_ISOS];
};

/* Reads firmware memory for the boot CPU's walks (smpboot.c): maps it read-only. */
const void *acpi_map_firmware(u64 phys, u64 len, void *ctx);

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
