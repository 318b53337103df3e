/* Builder of the guest ACPI tables (a pure function of the vCPU count and the address). */
#include <keel/acpi.h>
#include <keel/acpi_tables.h>
#include <keel/string.h>

struct acpi_madt_lapic {
	u8 type;		/* 0 */
	u8 length;		/* 8 */
	u8 processor_uid;
	u8 apic_id;
	u32 flags;		/* bit 0: enabled */
} __packed;

BUILD_BUG_ON(sizeof(struct acpi_header) != 36);
BUILD_BUG_ON(sizeof(struct acpi_rsdp) != 36);

#define FADT_WBINVD BIT(0)
#define FADT_RESET_REG_SUP BIT(10)
#define FADT_FORCE_APIC_PHYSICAL BIT(19)
#define FADT_HW_REDUCED_ACPI BIT(20)
#define BOOT_ARCH_NO_VGA BIT(2)
#define BOOT_ARCH_NO_CMOS_RTC BIT(5)
#define MADT_LAPIC_ADDRESS 0xfee00000

/* DSDT body: Name (_S5, Package (4) { 5, 5, 0, 0 }) in AML. */
static const u8 dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0a, ACPI_SLEEP_TYPE_S5, 0x0a, ACPI_SLEEP_TYPE_S5, 0x00, 0x00,
};

/* The checksum byte that makes @p's bytes sum to zero. */
static u8 checksum(const void *p, size_t len)
{
	return (u8)-acpi_byte_sum(p, len);
}

static void header(struct acpi_header *h, const char *sig, u32 len, u8 rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "KEEL  ", 6);
	memcpy(h->oem_table_id, "KEELVM  ", 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "KEEL", 4);
	h->creator_revision = 1;
	h->checksum = 0;
	h->checksum = checksum(h, len);
}

static struct acpi_gas io_register(u16 port)
{
	return (struct acpi_gas){ .space_id = 1, .bit_width = 8,
				  .access_size = 1, .address = port };
}

size_t acpi_build_tables(void *buf, size_t size, u64 base,
			 unsigned int nr_vcpus, u64 *rsdp_gpa)
{
	size_t madt_len = sizeof(struct acpi_header) + 8 +
			  nr_vcpus * sizeof(struct acpi_madt_lapic);
	size_t off_xsdt = ALIGN_UP(sizeof(struct acpi_rsdp), 16);
	size_t off_fadt = ALIGN_UP(off_xsdt + sizeof(struct acpi_header) + 16, 16);
	size_t off_dsdt = ALIGN_UP(off_fadt + sizeof(struct acpi_fadt), 16);
	size_t off_madt = ALIGN_UP(off_dsdt + sizeof(struct acpi_header) +
				   sizeof(dsdt_aml), 16);
	size_t total = off_madt + madt_len;
	u8 *b = buf;
	struct acpi_rsdp *rsdp = buf;
	struct acpi_fadt *fadt = (void *)(b + off_fadt);
	struct acpi_madt_lapic *lapic;
	u8 *xsdt_entries = b + off_xsdt + sizeof(struct acpi_header);
	u64 entry;

	if (!nr_vcpus || nr_vcpus > ACPI_TABLES_MAX_VCPUS || total > size)
		return 0;
	memset(buf, 0, total);

	memcpy(b + off_dsdt + sizeof(struct acpi_header), dsdt_aml,
	       sizeof(dsdt_aml));
	header((void *)(b + off_dsdt), "DSDT",
	       sizeof(struct acpi_header) + sizeof(dsdt_aml), 2);

	*(u32 *)(b + off_madt + sizeof(struct acpi_header)) = MADT_LAPIC_ADDRESS;
	lapic = (void *)(b + off_madt + sizeof(struct acpi_header) + 8);
	for (unsigned int i = 0; i < nr_vcpus; i++)
		lapic[i] = (struct acpi_madt_lapic){ 0, 8, i, i, 1 };
	header((void *)(b + off_madt), "APIC", madt_len, 4);

	fadt->dsdt = base + off_dsdt;
	fadt->x_dsdt = base + off_dsdt;
	fadt->flags = FADT_WBINVD | FADT_RESET_REG_SUP |
		      FADT_FORCE_APIC_PHYSICAL | FADT_HW_REDUCED_ACPI;
	fadt->iapc_boot_arch = BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC;
	fadt->reset_reg = io_register(ACPI_RESET_PORT);
	fadt->reset_value = ACPI_RESET_VALUE;
	fadt->minor_version = 3;
	fadt->sleep_control_reg = io_register(ACPI_SLEEP_CONTROL_PORT);
	fadt->sleep_status_reg = io_register(ACPI_SLEEP_STATUS_PORT);
	header(&fadt->h, "FACP", sizeof(*fadt), 6);

	entry = base + off_fadt;	/* XSDT entries are not 8-byte aligned */
	memcpy(xsdt_entries, &entry, 8);
	entry = base + off_madt;
	memcpy(xsdt_entries + 8, &entry, 8);
	header((void *)(b + off_xsdt), "XSDT", sizeof(struct acpi_header) + 16, 1);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, "KEEL  ", 6);
	rsdp->revision = 2;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = base + off_xsdt;
	rsdp->checksum = checksum(rsdp, 20);
	rsdp->extended_checksum = checksum(rsdp, sizeof(*rsdp));
	*rsdp_gpa = base;
	return total;
}
