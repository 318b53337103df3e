/* ACPI table layouts shared by the guest-table builder and the host MADT parser. */
#ifndef KEEL_ACPI_TABLES_H
#define KEEL_ACPI_TABLES_H

#include <keel/types.h>

struct acpi_rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;		/* revision 2 and later */
	u64 xsdt_address;
	u8 extended_checksum;
	u8 reserved[3];
} __packed;

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;

BUILD_BUG_ON(sizeof(struct acpi_rsdp) != 36);
BUILD_BUG_ON(sizeof(struct acpi_header) != 36);

/* The byte sum ACPI checksums make zero over a whole table. */
static inline u8 acpi_byte_sum(const void *p, u64 len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

#endif
