/* The MADT walk: RSDP -> RSDT/XSDT -> MADT (x2)APIC entries, each length and checksum checked. */
#include <keel/acpi_tables.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/madt.h>

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_MAX_LEN 4096
/* Far more than any RSDT, XSDT or MADT needs (a 4096-CPU MADT is 64 KiB). */
#define ACPI_TABLE_MAX_LEN 0x100000

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

BUILD_BUG_ON(sizeof(struct acpi_rsdp) != RSDP_V2_LEN);

static u32 get_u32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u64 get_u64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The RSDP's root table: XSDT (revision 2+, when given) or RSDT. */
static int read_rsdp(u64 phys, acpi_map_fn map, void *ctx, u64 *root,
		     bool *is_xsdt)
{
	const struct acpi_rsdp *r = map(phys, RSDP_V1_LEN, ctx);
	u32 len;

	if (!r) {
		pr_err("acpi: RSDP at %#llx is outside memory\n",
		       (unsigned long long)phys);
		return -EINVAL;
	}
	if (memcmp(r->signature, "RSD PTR ", 8) || acpi_byte_sum(r, RSDP_V1_LEN)) {
		pr_err("acpi: RSDP at %#llx: bad signature or checksum\n",
		       (unsigned long long)phys);
		return -EINVAL;
	}
	*root = r->rsdt_address;
	*is_xsdt = false;
	if (r->revision < 2)
		return 0;
	r = map(phys, RSDP_V2_LEN, ctx);
	len = r ? r->length : 0;
	if (len >= RSDP_V2_LEN && len <= RSDP_MAX_LEN)
		r = map(phys, len, ctx);
	if (!r || len < RSDP_V2_LEN || len > RSDP_MAX_LEN || acpi_byte_sum(r, len)) {
		pr_err("acpi: RSDP at %#llx: bad length %u or extended checksum\n",
		       (unsigned long long)phys, len);
		return -EINVAL;
	}
	if (r->xsdt_address) {
		*root = r->xsdt_address;
		*is_xsdt = true;
	}
	return 0;
}

/* The whole table at @phys once its length and checksum check out; NULL after an error. */
static const u8 *map_table(u64 phys, acpi_map_fn map, void *ctx)
{
	const struct acpi_header *h = map(phys, sizeof(*h), ctx);
	const u8 *t;

	if (!h) {
		pr_err("acpi: table at %#llx is outside memory\n",
		       (unsigned long long)phys);
		return NULL;
	}
	if (h->length < sizeof(*h) || h->length > ACPI_TABLE_MAX_LEN) {
		pr_err("acpi: %.4s at %#llx: bad length %u\n", h->signature,
		       (unsigned long long)phys, h->length);
		return NULL;
	}
	t = map(phys, h->length, ctx);
	if (!t) {
		pr_err("acpi: %.4s at %#llx: its %u bytes run past the end of memory\n",
		       h->signature, (unsigned long long)phys, h->length);
		return NULL;
	}
	if (acpi_byte_sum(t, h->length)) {
		pr_err("acpi: %.4s at %#llx: bad checksum\n", h->signature,
		       (unsigned long long)phys);
		return NULL;
	}
	return t;
}

/* The MADT among the root table's entries: 0 with *@madt, -ENOENT or -EINVAL. */
static int find_madt(u64 root_phys, bool is_xsdt, acpi_map_fn map, void *ctx,
		     const u8 **madt)
{
	const char *root_sig = is_xsdt ? "XSDT" : "RSDT";
	unsigned int entry_size = is_xsdt ? 8 : 4;
	const u8 *root = map_table(root_phys, map, ctx);
	u32 nr;

	if (!root)
		return -EINVAL;
	if (memcmp(root, root_sig, 4)) {
		pr_err("acpi: the RSDP points at a %.4s table, not an %s\n",
		       (const char *)root, root_sig);
		return -EINVAL;
	}
	nr = (get_u32(root + 4) - sizeof(struct acpi_header)) / entry_size;
	for (u32 i = 0; i < nr; i++) {
		const u8 *entry = root + sizeof(struct acpi_header) + i * entry_size;
		u64 phys = is_xsdt ? get_u64(entry) : get_u32(entry);
		const struct acpi_header *h = map(phys, sizeof(*h), ctx);

		if (!h) {
			pr_err("acpi: %s entry %u (%#llx) is outside memory\n",
			       root_sig, i, (unsigned long long)phys);
			return -EINVAL;
		}
		if (!memcmp(h->signature, "APIC", 4)) {
			*madt = map_table(phys, map, ctx);
			return *madt ? 0 : -EINVAL;
		}
	}
	pr_err("acpi: no MADT among the %u tables of the %s\n", nr, root_sig);
	return -ENOENT;
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
	bool is_xsdt;
	u64 root;
	u32 len;
	int rc;

	memset(cpus, 0, sizeof(*cpus));
	rc = read_rsdp(rsdp_phys, map, ctx, &root, &is_xsdt);
	if (!rc)
		rc = find_madt(root, is_xsdt, map, ctx, &madt);
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
