/* The checked walk of the firmware's ACPI tables: RSDP -> RSDT/XSDT -> tables by signature. */
#ifndef ASM_ACPI_WALK_H
#define ASM_ACPI_WALK_H

#include <keel/types.h>

/*
 * Makes @len bytes of firmware memory at physical @phys readable; returns
 * where, or NULL when that memory cannot be reached.
 */
typedef const void *(*acpi_map_fn)(u64 phys, u64 len, void *ctx);

/* The host's root table, once its RSDP, length and checksum checked out. */
struct acpi_walk {
	acpi_map_fn map;
	void *ctx;
	const u8 *root;		/* the RSDT or XSDT */
	bool is_xsdt;
	u32 nr;			/* its entries */
	char oem_id[6];		/* the RSDP's */
};

/* acpi_walk_init() - check the RSDP at @rsdp_phys and its root table. 0 or -EINVAL. */
int acpi_walk_init(struct acpi_walk *w, u64 rsdp_phys, acpi_map_fn map,
		   void *ctx);

/* The physical address the root table's entry @i (< w->nr) names. */
u64 acpi_walk_entry(const struct acpi_walk *w, u32 i);

/* The whole table at @phys once its length and checksum check out; NULL after an error. */
const u8 *acpi_map_table(const struct acpi_walk *w, u64 phys);

/*
 * acpi_find_table() - the first table of the root table with signature
 * @sig, checked. 0 with *@table (and *@phys if not NULL), -ENOENT when
 * absent, -EINVAL when an entry or that table is malformed.
 */
int acpi_find_table(const struct acpi_walk *w, const char *sig,
		    const u8 **table, u64 *phys);

/* The host's firmware memory through keel's direct map (smpboot.c). */
const void *acpi_map_firmware(u64 phys, u64 len, void *ctx);

#endif
