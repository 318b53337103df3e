/* dom0's ACPI composer: RSDP 2 + XSDT over the allowed host tables, and a MADT for its vCPUs. */
#include <keel/acpi_tables.h>
#include <keel/bootinfo.h>
#include <keel/page.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/hwdom_acpi.h>
#include <asm/madt.h>

#define MADT_ENTRIES 44		/* header, local APIC address, flags */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_X2APIC 9
#define MADT_LAPIC_LEN 8
#define MADT_IOAPIC_LEN 12
#define MADT_ISO_LEN 10
#define MADT_X2APIC_LEN 16
#define MADT_ENABLED BIT(0)
#define LAPIC_ADDRESS 0xfee00000

/* Host tables dom0 sees 1:1 (the FADT leads to the DSDT and FACS); the rest are keel's or hidden. */
static const char allowed[][4] = {
	"FACP", "SSDT", "PSDT", "TPM2", "TCPA", "SLIC", "MSDM", "WDAT",
	"FPDT", "S3PT", "VFCT",
};

static bool table_allowed(const u8 *sig)
{
	if (!memcmp(sig, "OEM", 3))
		return true;
	for (unsigned int i = 0; i < ARRAY_SIZE(allowed); i++)
		if (!memcmp(sig, allowed[i], 4))
			return true;
	return false;
}

static u32 get_u32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put_u32(u8 *p, u32 v)
{
	memcpy(p, &v, sizeof(v));
}

/* What the host MADT gives dom0's: CPU UIDs in order, IOAPIC and ISO entries. */
struct host_madt {
	const u8 *t;
	u32 len;
	u32 uids[DOMAIN_MAX_VCPUS];
	unsigned int nr_uids;
	u32 max_uid;
	u32 copy_len;		/* bytes of IOAPIC and ISO entries */
	unsigned int nr_ioapics;
};

static int scan_madt(const u8 *t, struct host_madt *m)
{
	memset(m, 0, sizeof(*m));
	m->t = t;
	m->len = get_u32(t + 4);
	if (m->len < MADT_ENTRIES) {
		pr_err("acpi: MADT of %u bytes is too short\n", m->len);
		return -EINVAL;
	}
	for (u32 off = MADT_ENTRIES; off < m->len; off += t[off + 1]) {
		const u8 *e = t + off;
		u32 uid;

		if (m->len - off < 2 || e[1] < 2 || e[1] > m->len - off) {
			pr_err("acpi: MADT entry at offset %u is truncated or has a bad length\n",
			       off);
			return -EINVAL;
		}
		if ((e[0] == MADT_LAPIC && e[1] < MADT_LAPIC_LEN) ||
		    (e[0] == MADT_X2APIC && e[1] < MADT_X2APIC_LEN) ||
		    (e[0] == MADT_IOAPIC && e[1] < MADT_IOAPIC_LEN) ||
		    (e[0] == MADT_ISO && e[1] < MADT_ISO_LEN)) {
			pr_err("acpi: MADT entry of type %u at offset %u is too short\n",
			       e[0], off);
			return -EINVAL;
		}
		/* IOAPICs past keel's vIOAPICs stay out of dom0's view. */
		if (e[0] == MADT_IOAPIC && m->nr_ioapics++ < MADT_MAX_IOAPICS)
			m->copy_len += MADT_IOAPIC_LEN;
		if (e[0] == MADT_ISO)
			m->copy_len += MADT_ISO_LEN;
		if (e[0] == MADT_LAPIC && e[3] != 0xff)
			uid = e[2];
		else if (e[0] == MADT_X2APIC)
			uid = get_u32(e + 12);
		else
			continue;
		m->max_uid = MAX(m->max_uid, uid);
		if (get_u32(e + (e[0] == MADT_LAPIC ? 4 : 8)) & MADT_ENABLED &&
		    m->nr_uids < ARRAY_SIZE(m->uids))
			m->uids[m->nr_uids++] = uid;
	}
	return 0;
}

/* The new MADT at @out; returns its length. */
static u32 write_madt(const struct host_madt *m, unsigned int nr_vcpus, u8 *out)
{
	unsigned int nr_ioapics = 0;
	u32 len = MADT_ENTRIES;

	memcpy(out, m->t, MADT_ENTRIES);	/* host header and flags (PCAT_COMPAT) */
	put_u32(out + 36, LAPIC_ADDRESS);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		/* Past the host's CPUs: UIDs no DSDT processor object names. */
		u32 uid = i < m->nr_uids ? m->uids[i] : m->max_uid + 1 + i - m->nr_uids;
		u8 *e = out + len;

		if (i <= 254 && uid <= 0xff) {
			e[0] = MADT_LAPIC;
			e[1] = MADT_LAPIC_LEN;
			e[2] = uid;
			e[3] = i;		/* the APIC id keel's vLAPIC reports */
			put_u32(e + 4, MADT_ENABLED);
		} else {
			memset(e, 0, MADT_X2APIC_LEN);
			e[0] = MADT_X2APIC;
			e[1] = MADT_X2APIC_LEN;
			put_u32(e + 4, i);
			put_u32(e + 8, MADT_ENABLED);
			put_u32(e + 12, uid);
		}
		len += e[1];
	}
	for (u32 off = MADT_ENTRIES; off < m->len; off += m->t[off + 1]) {
		const u8 *e = m->t + off;
		u32 n = e[0] == MADT_IOAPIC ? MADT_IOAPIC_LEN :
			e[0] == MADT_ISO ? MADT_ISO_LEN : 0;

		if (!n || (e[0] == MADT_IOAPIC && nr_ioapics++ >= MADT_MAX_IOAPICS))
			continue;
		memcpy(out + len, e, n);
		out[len + 1] = n;
		len += n;
	}
	return len;
}

static u32 madt_size(const struct host_madt *m, unsigned int nr_vcpus)
{
	return MADT_ENTRIES + nr_vcpus * MADT_X2APIC_LEN + m->copy_len;
}

static void seal(u8 *t, u32 len)
{
	put_u32(t + 4, len);
	t[9] = 0;
	t[9] = -acpi_byte_sum(t, len);
}

long hwdom_acpi_compose(const struct acpi_walk *w, unsigned int nr_vcpus,
			u64 gpa, void *buf, size_t size, u64 *rsdp_gpa)
{
	size_t off_xsdt = ALIGN_UP(sizeof(struct acpi_rsdp), 16), off_madt;
	struct acpi_rsdp *rsdp = buf;
	struct host_madt m;
	const u8 *t;
	u8 *xsdt = (u8 *)buf + off_xsdt, *madt;
	u32 nr = 1, madt_len;
	int rc;

	rc = acpi_find_table(w, "APIC", &t, NULL);
	if (!rc)
		rc = scan_madt(t, &m);
	if (rc)
		return rc;
	off_madt = ALIGN_UP(off_xsdt + sizeof(struct acpi_header) + 8 * (w->nr + 1), 16);
	if (nr_vcpus > DOMAIN_MAX_VCPUS || off_madt > size ||
	    madt_size(&m, nr_vcpus) > size - off_madt)
		return -ENOSPC;
	memset(buf, 0, off_madt);
	madt = (u8 *)buf + off_madt;
	madt_len = write_madt(&m, nr_vcpus, madt);
	seal(madt, madt_len);

	memcpy(xsdt, w->root, sizeof(struct acpi_header));	/* the host's OEM ids */
	memcpy(xsdt, "XSDT", 4);
	xsdt[8] = 1;
	memcpy(xsdt + sizeof(struct acpi_header), &(u64){ gpa + off_madt }, 8);
	for (u32 i = 0; i < w->nr; i++) {
		u64 phys = acpi_walk_entry(w, i);
		const u8 *h = w->map(phys, sizeof(struct acpi_header), w->ctx);

		if (!h || !table_allowed(h))
			continue;
		if (!acpi_map_table(w, phys)) {
			pr_warn("acpi: %.4s at %#llx hidden from dom0: malformed\n",
				(const char *)h, (unsigned long long)phys);
			continue;
		}
		memcpy(xsdt + sizeof(struct acpi_header) + 8 * nr++, &phys, 8);
	}
	seal(xsdt, sizeof(struct acpi_header) + 8 * nr);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, w->oem_id, sizeof(rsdp->oem_id));
	rsdp->revision = 2;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = gpa + off_xsdt;
	rsdp->checksum = -acpi_byte_sum(rsdp, 20);
	rsdp->extended_checksum = -acpi_byte_sum(rsdp, sizeof(*rsdp));
	*rsdp_gpa = gpa;
	return off_madt + madt_len;
}

int hwdom_acpi_ioapic_pages(const struct acpi_walk *w, u64 *out,
			    unsigned int max)
{
	struct host_madt m;
	const u8 *t;
	unsigned int n = 0;
	int rc = acpi_find_table(w, "APIC", &t, NULL);

	if (!rc)
		rc = scan_madt(t, &m);	/* every entry's length checked */
	if (rc)
		return rc;
	for (u32 off = MADT_ENTRIES; off < m.len; off += t[off + 1]) {
		if (t[off] != MADT_IOAPIC)
			continue;
		if (n == max) {
			pr_err("acpi: more than %u IOAPICs in the MADT\n", max);
			return -ENOSPC;
		}
		out[n++] = get_u32(t + off + 4) & ~(u64)(PAGE_SIZE - 1);
	}
	return n;
}

#define MCFG_ENTRIES 44		/* header and 8 reserved bytes */
#define MCFG_ENTRY_LEN 16	/* base, segment, start and end bus, reserved */

int hwdom_acpi_ecam(const struct acpi_walk *w, struct boot_range *out,
		    unsigned int max)
{
	const u8 *t;
	u32 len;
	int rc = acpi_find_table(w, "MCFG", &t, NULL), n = 0;

	if (rc)
		return rc == -ENOENT ? 0 : rc;
	len = get_u32(t + 4);
	if (len < MCFG_ENTRIES || (len - MCFG_ENTRIES) % MCFG_ENTRY_LEN ||
	    (len - MCFG_ENTRIES) / MCFG_ENTRY_LEN > max) {
		pr_err("acpi: MCFG of %u bytes: malformed or too many windows\n", len);
		return -EINVAL;
	}
	for (u32 off = MCFG_ENTRIES; off < len; off += MCFG_ENTRY_LEN) {
		u64 base;
		u8 first = t[off + 10], last = t[off + 11];

		memcpy(&base, t + off, 8);
		if (last < first || base + ((u64)(last + 1) << 20) < base ||
		    base + ((u64)(last + 1) << 20) > (1ULL << 52)) {
			pr_err("acpi: MCFG window %#llx buses %u-%u is malformed\n",
			       (unsigned long long)base, first, last);
			return -EINVAL;
		}
		out[n++] = (struct boot_range){
			ALIGN_DOWN(base + ((u64)first << 20), PAGE_SIZE),
			ALIGN_UP(base + ((u64)(last + 1) << 20), PAGE_SIZE) };
	}
	return n;
}

int hwdom_acpi_build(struct domain *d, u64 gpa, void *buf, size_t size,
		     u64 *rsdp_gpa)
{
	struct acpi_walk w;
	long n;

	if (!boot_info.rsdp_phys) {
		pr_err("d%u: the boot loader gave no ACPI RSDP: no tables for a hardware dom0\n",
		       d->id);
		return -ENOENT;
	}
	if (acpi_walk_init(&w, boot_info.rsdp_phys, acpi_map_firmware, NULL))
		return -EINVAL;
	n = hwdom_acpi_compose(&w, d->nr_vcpus, gpa, buf, size, rsdp_gpa);
	if (n < 0) {
		pr_err("d%u: cannot compose its ACPI tables (%ld)\n", d->id, n);
		return n;
	}
	pr_info("d%u: ACPI RSDP at %#llx, %ld bytes of keel's tables over the host's\n",
		d->id, (unsigned long long)*rsdp_gpa, n);
	return 0;
}
