/*
 * ACPI tables keel builds for its guests: RSDP, XSDT, a hardware-reduced
 * FADT (sleep-control and reset registers keel traps), a DSDT holding only
 * \_S5, and a MADT with one local APIC per vCPU (ACPI UID = vCPU id).
 */
#ifndef KEEL_ACPI_H
#define KEEL_ACPI_H

#include <keel/types.h>

/* I/O ports of the FADT registers; keel's I/O exit handler owns them. */
#define ACPI_SLEEP_CONTROL_PORT 0xb000
#define ACPI_SLEEP_STATUS_PORT 0xb001
#define ACPI_RESET_PORT 0xb002
#define ACPI_RESET_VALUE 0x06
#define ACPI_SLEEP_TYPE_S5 5	/* the SLP_TYP \_S5 names */
#define ACPI_SLEEP_ENABLE BIT(5)

#define ACPI_TABLES_MAX_VCPUS 128

/*
 * Lay the tables out in @buf (@size bytes, guest-physical @base) for
 * @nr_vcpus vCPUs. Returns the bytes used and the RSDP's guest-physical
 * address in *@rsdp_gpa, or 0 when they do not fit.
 */
size_t acpi_build_tables(void *buf, size_t size, u64 base,
			 unsigned int nr_vcpus, u64 *rsdp_gpa);

#endif
