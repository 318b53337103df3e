/* The checked walk RSDP -> RSDT/XSDT -> tables, shared by the MADT, FADT and dom0-table readers. */
#include <keel/acpi_tables.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/acpi_walk.h>

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_MAX_LEN 4096
/* Far more than any RSDT, XSDT or MADT needs (a 4096-CPU MADT is 64 KiB). */
#define ACPI_TABLE_MAX_LEN 0x100000

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
static int read_rsdp(struct acpi_walk *w, u64 phys, u64 *root)
{
	const struct acpi_rsdp *r = w->map(phys, RSDP_V1_LEN, w->ctx);
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
	memcpy(w->oem_id, r->oem_id, sizeof(w->oem_id));
	*root = r->rsdt_address;
	w->is_xsdt = false;
	if (r->revision < 2)
		return 0;
	r = w->map(phys, RSDP_V2_LEN, w->ctx);
	len = r ? r->length : 0;
	if (len >= RSDP_V2_LEN && len <= RSDP_MAX_LEN)
		r = w->map(phys, len, w->ctx);
	if (!r || len < RSDP_V2_LEN || len > RSDP_MAX_LEN || acpi_byte_sum(r, len)) {
		pr_err("acpi: RSDP at %#llx: bad length %u or extended checksum\n",
		       (unsigned long long)phys, len);
		return -EINVAL;
	}
	if (r->xsdt_address) {
		*root = r->xsdt_address;
		w->is_xsdt = true;
	}
	return 0;
}

const u8 *acpi_map_table(const struct acpi_walk *w, u64 phys)
{
	const struct acpi_header *h = w->map(phys, sizeof(*h), w->ctx);
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
	t = w->map(phys, h->length, w->ctx);
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

int acpi_walk_init(struct acpi_walk *w, u64 rsdp_phys, acpi_map_fn map,
		   void *ctx)
{
	const char *sig;
	u64 root;

	memset(w, 0, sizeof(*w));
	w->map = map;
	w->ctx = ctx;
	if (read_rsdp(w, rsdp_phys, &root))
		return -EINVAL;
	sig = w->is_xsdt ? "XSDT" : "RSDT";
	w->root = acpi_map_table(w, root);
	if (!w->root)
		return -EINVAL;
	if (memcmp(w->root, sig, 4)) {
		pr_err("acpi: the RSDP points at a %.4s table, not an %s\n",
		       (const char *)w->root, sig);
		w->root = NULL;
		return -EINVAL;
	}
	w->nr = (get_u32(w->root + 4) - sizeof(struct acpi_header)) /
		(w->is_xsdt ? 8 : 4);
	return 0;
}

u64 acpi_walk_entry(const struct acpi_walk *w, u32 i)
{
	const u8 *e = w->root + sizeof(struct acpi_header) + i * (w->is_xsdt ? 8 : 4);

	return w->is_xsdt ? get_u64(e) : get_u32(e);
}

int acpi_find_table(const struct acpi_walk *w, const char *sig,
		    const u8 **table, u64 *phys)
{
	const char *root_sig = w->is_xsdt ? "XSDT" : "RSDT";

	for (u32 i = 0; i < w->nr; i++) {
		u64 p = acpi_walk_entry(w, i);
		const struct acpi_header *h = w->map(p, sizeof(*h), w->ctx);

		if (!h) {
			pr_err("acpi: %s entry %u (%#llx) is outside memory\n",
			       root_sig, i, (unsigned long long)p);
			return -EINVAL;
		}
		if (memcmp(h->signature, sig, 4))
			continue;
		*table = acpi_map_table(w, p);
		if (phys)
			*phys = p;
		return *table ? 0 : -EINVAL;
	}
	return -ENOENT;
}
