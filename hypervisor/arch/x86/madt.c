/* The host MADT's (x2)APIC entries, each length checked (the tables: acpi_walk.c). */
#include <keel/acpi_tables.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/madt.h>

#define MADT_ENTRIES_OFFSET 44	/* header, local APIC address, flags */
#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_IOAPIC 1
#define MADT_TYPE_ISO 2
#define MADT_TYPE_X2APIC 9
#define MADT_LAPIC_LEN 8
#define MADT_IOAPIC_LEN 12
#define MADT_ISO_LEN 10
#define MADT_X2APIC_LEN 16
#define MADT_ENABLED BIT(0)
#define MADT_ONLINE_CAPABLE BIT(1)
#define LAPIC_ID_NONE 0xff	/* "see the x2APIC entry" */

static u32 get_u32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void add_cpu(struct madt_cpus *cpus, u32 apic_id, u32 flags)
{
	if (!(flags & MADT_ENABLED)) {
		if (flags & MADT_ONLINE_CAPABLE)
			cpus->nr_hotplug++;
		else
			cpus->nr_disabled++;
		return;
	}
	for (unsigned int i = 0; i < cpus->nr; i++) {
		if (cpus->apic_ids[i] == apic_id) {
			pr_warn("acpi: MADT lists APIC id %u twice; counted once\n",
				apic_id);
			return;
		}
	}
	if (cpus->nr == ARRAY_SIZE(cpus->apic_ids))
		cpus->nr_dropped++;
	else
		cpus->apic_ids[cpus->nr++] = apic_id;
}

int madt_find_cpus(u64 rsdp_phys, acpi_map_fn map, void *ctx,
		   struct madt_cpus *cpus)
{
	const u8 *madt = NULL;
	struct acpi_walk w;
	u32 len;
	int rc;

	memset(cpus, 0, sizeof(*cpus));
	if (acpi_walk_init(&w, rsdp_phys, map, ctx))
		return -EINVAL;
	rc = acpi_find_table(&w, "APIC", &madt, NULL);
	if (rc == -ENOENT)
		pr_err("acpi: no MADT among the %u tables of the %s\n", w.nr,
		       w.is_xsdt ? "XSDT" : "RSDT");
	if (rc)
		return rc;
	len = get_u32(madt + 4);
	if (len < MADT_ENTRIES_OFFSET) {
		pr_err("acpi: MADT of %u bytes is too short\n", len);
		return -EINVAL;
	}
	for (u32 off = MADT_ENTRIES_OFFSET; off < len; off += madt[off + 1]) {
		const u8 *e = madt + off;

		if (len - off < 2 || e[1] < 2 || e[1] > len - off) {
			pr_err("acpi: MADT entry at offset %u is truncated or has a bad length\n",
			       off);
			return -EINVAL;
		}
		if ((e[0] == MADT_TYPE_LAPIC && e[1] < MADT_LAPIC_LEN) ||
		    (e[0] == MADT_TYPE_IOAPIC && e[1] < MADT_IOAPIC_LEN) ||
		    (e[0] == MADT_TYPE_ISO && e[1] < MADT_ISO_LEN) ||
		    (e[0] == MADT_TYPE_X2APIC && e[1] < MADT_X2APIC_LEN)) {
			pr_err("acpi: MADT entry of type %u at offset %u is %u bytes, too short\n",
			       e[0], off, e[1]);
			return -EINVAL;
		}
		if (e[0] == MADT_TYPE_LAPIC && e[3] != LAPIC_ID_NONE)
			add_cpu(cpus, e[3], get_u32(e + 4));
		else if (e[0] == MADT_TYPE_X2APIC)
			add_cpu(cpus, get_u32(e + 4), get_u32(e + 8));
		else if (e[0] == MADT_TYPE_IOAPIC && cpus->nr_ioapics++ < MADT_MAX_IOAPICS)
			cpus->ioapics[cpus->nr_ioapics - 1] = (struct madt_ioapic){
				e[2], get_u32(e + 4), get_u32(e + 8) };
		else if (e[0] == MADT_TYPE_ISO && cpus->nr_isos < MADT_MAX_ISOS)
			cpus->isos[cpus->nr_isos++] = (struct madt_iso){
				e[3], get_u32(e + 4), (u16)(e[8] | e[9] << 8) };
	}
	cpus->flags = get_u32(madt + 40);
	if (cpus->nr_ioapics > MADT_MAX_IOAPICS) {
		pr_warn("acpi: %u IOAPICs; keel drives the first %u\n",
			cpus->nr_ioapics, MADT_MAX_IOAPICS);
		cpus->nr_ioapics = MADT_MAX_IOAPICS;
	}
	return 0;
}
