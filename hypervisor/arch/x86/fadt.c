/* The host FADT's fixed I/O registers, \_S5's SLP_TYPs and the Processor objects' P_BLKs. */
#include <keel/acpi_tables.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <asm/fadt.h>

#define GAS_SYSTEM_IO 1
#define FADT_RESET_REG_SUP BIT(10)
#define FADT_LEN_V1 116		/* up to flags */
#define AML_NAME_OP 0x08
#define AML_PACKAGE_OP 0x12
#define AML_EXT_OP 0x5b
#define AML_PROCESSOR_OP 0x83
#define PBLK_LEN 6

/* Bytes of the FADT @len long that hold field @field. */
#define HAS(len, field) \
	((len) >= offsetof(struct acpi_fadt, field) + sizeof(((struct acpi_fadt *)0)->field))

/*
 * A fixed register block: the 64-bit GAS when the FADT has one with an
 * address (ACPICA prefers it), else the 32-bit field. 0 when it is absent,
 * in memory space or beyond the 64 KiB of ports.
 */
static u16 io_block(u32 fadt_len, size_t gas_off, const struct acpi_gas *gas,
		    u32 legacy, u8 legacy_len, u8 *len, const char *name)
{
	u64 port = legacy;

	*len = legacy_len;
	if (fadt_len >= gas_off + sizeof(*gas) && gas->address) {
		if (gas->space_id != GAS_SYSTEM_IO) {
			pr_warn("acpi: FADT %s is not in I/O space: not trapped\n", name);
			return 0;
		}
		port = gas->address;
		if (gas->bit_width)
			*len = gas->bit_width / 8;
	}
	if (!port)
		return 0;
	if (port > 0xffff || !*len || *len > 8 || port + *len > 0x10000) {
		pr_warn("acpi: FADT %s at %#llx (%u bytes) is no I/O range: ignored\n",
			name, (unsigned long long)port, *len);
		return 0;
	}
	return port;
}

#define IO_BLOCK(fadt, len, x, legacy, llen, out, name) \
	io_block(len, offsetof(struct acpi_fadt, x), &(fadt)->x, (fadt)->legacy, \
		 llen, out, name)

/* One AML data object at @p (< @end): Zero, One, Ones or a byte/word/dword constant. */
static const u8 *aml_integer(const u8 *p, const u8 *end, u64 *val)
{
	unsigned int n;

	if (p >= end)
		return NULL;
	switch (*p) {
	case 0x00: *val = 0; return p + 1;
	case 0x01: *val = 1; return p + 1;
	case 0xff: *val = ~0ULL; return p + 1;
	case 0x0a: n = 1; break;
	case 0x0b: n = 2; break;
	case 0x0c: n = 4; break;
	default: return NULL;
	}
	if ((u64)(end - p) < 1 + n)
		return NULL;
	*val = 0;
	memcpy(val, p + 1, n);
	return p + 1 + n;
}

bool aml_find_s5(const u8 *aml, u32 len, u8 *typ_a, u8 *typ_b)
{
	const u8 *end = aml + len;

	for (u32 i = 1; i + 8 <= len; i++) {
		const u8 *p = aml + i;
		u64 a, b;

		if (memcmp(p, "_S5_", 4) || p[4] != AML_PACKAGE_OP ||
		    (p[-1] != AML_NAME_OP && !(p[-1] == '\\' && i >= 2 &&
					       p[-2] == AML_NAME_OP)))
			continue;
		p += 5;
		p += 1 + (*p >> 6);		/* PkgLength */
		p += 1;				/* NumElements */
		p = aml_integer(p, end, &a);
		if (p)
			p = aml_integer(p, end, &b);
		if (!p)
			continue;
		*typ_a = a & 7;
		*typ_b = b & 7;
		return true;
	}
	return false;
}

void aml_add_pblks(const u8 *aml, u32 len, struct fadt_ports *f)
{
	for (u32 i = 0; i + 2 < len; i++) {
		const u8 *p = aml + i + 2, *end = aml + len;
		u32 addr;

		if (aml[i] != AML_EXT_OP || aml[i + 1] != AML_PROCESSOR_OP)
			continue;
		p += 1 + (*p >> 6);		/* PkgLength */
		while (p < end && (*p == '\\' || *p == '^'))
			p++;
		if (end - p < 4 + 1 + 4 + 1)	/* NameSeg ProcID PblkAddr PblkLen */
			continue;
		memcpy(&addr, p + 5, 4);
		if (p[9] != PBLK_LEN || !addr || addr > 0x10000 - PBLK_LEN)
			continue;
		for (unsigned int k = 0; k < f->nr_pblks && addr; k++)
			if (f->pblks[k] == addr)
				addr = 0;
		if (addr && f->nr_pblks < FADT_MAX_PBLKS)
			f->pblks[f->nr_pblks++] = addr;
	}
}

static void read_dsdt(const struct acpi_walk *w, const struct acpi_fadt *fadt,
		      u32 len, struct fadt_ports *f)
{
	u64 phys = HAS(len, x_dsdt) && fadt->x_dsdt ? fadt->x_dsdt : fadt->dsdt;
	const u8 *dsdt = phys ? acpi_map_table(w, phys) : NULL;
	u32 dlen;

	if (!dsdt || memcmp(dsdt, "DSDT", 4)) {
		pr_warn("acpi: no usable DSDT: only the SSDTs name S5 and C-state ports\n");
		return;
	}
	memcpy(&dlen, dsdt + 4, 4);
	f->s5_known = aml_find_s5(dsdt + sizeof(struct acpi_header),
				  dlen - sizeof(struct acpi_header),
				  &f->s5_typ_a, &f->s5_typ_b);
	aml_add_pblks(dsdt + sizeof(struct acpi_header),
		      dlen - sizeof(struct acpi_header), f);
}

int fadt_read(const struct acpi_walk *w, struct fadt_ports *f)
{
	struct acpi_fadt fadt;
	const u8 *t;
	u32 len;
	u8 len_b;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = acpi_find_table(w, "FACP", &t, NULL);
	if (rc)
		return rc;
	memcpy(&len, t + 4, 4);
	if (len < FADT_LEN_V1) {
		pr_err("acpi: FADT of %u bytes is too short\n", len);
		return -EINVAL;
	}
	memset(&fadt, 0, sizeof(fadt));
	memcpy(&fadt, t, len < sizeof(fadt) ? len : sizeof(fadt));
	f->sci = fadt.sci_int;
	f->smi_cmd = fadt.smi_cmd <= 0xffff ? fadt.smi_cmd : 0;
	f->pm1a_cnt = IO_BLOCK(&fadt, len, x_pm1a_cnt_blk, pm1a_cnt_blk,
			       fadt.pm1_cnt_len, &f->pm1_cnt_len, "PM1a_CNT");
	/*
	 * One length for both: PM1a's, which an absent PM1b (its legacy
	 * length, maybe 0 beside a 64-bit PM1a) must not overwrite, or PM1a
	 * would trap no byte and dom0's SLP_EN reach the hardware.
	 */
	f->pm1b_cnt = IO_BLOCK(&fadt, len, x_pm1b_cnt_blk, pm1b_cnt_blk,
			       fadt.pm1_cnt_len, &len_b, "PM1b_CNT");
	if (f->pm1b_cnt && (!f->pm1a_cnt || len_b > f->pm1_cnt_len))
		f->pm1_cnt_len = len_b;
	f->pm_tmr = IO_BLOCK(&fadt, len, x_pm_tmr_blk, pm_tmr_blk,
			     fadt.pm_tmr_len, &f->pm_tmr_len, "PM_TMR");
	if (HAS(len, reset_value) && (fadt.flags & FADT_RESET_REG_SUP) &&
	    fadt.reset_reg.space_id == GAS_SYSTEM_IO &&
	    fadt.reset_reg.address && fadt.reset_reg.address <= 0xffff) {
		f->reset_port = fadt.reset_reg.address;
		f->reset_value = fadt.reset_value;
	}
	read_dsdt(w, &fadt, len, f);
	for (u32 i = 0; i < w->nr; i++) {
		const u8 *ssdt = acpi_map_table(w, acpi_walk_entry(w, i));
		u32 slen;

		if (!ssdt || memcmp(ssdt, "SSDT", 4))
			continue;
		memcpy(&slen, ssdt + 4, 4);
		aml_add_pblks(ssdt + sizeof(struct acpi_header),
			      slen - sizeof(struct acpi_header), f);
		/* SeaBIOS's older tables name the sleep states in an SSDT. */
		if (!f->s5_known)
			f->s5_known = aml_find_s5(ssdt + sizeof(struct acpi_header),
						  slen - sizeof(struct acpi_header),
						  &f->s5_typ_a, &f->s5_typ_b);
	}
	return 0;
}
