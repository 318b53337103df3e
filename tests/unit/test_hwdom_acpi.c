/* Host tests of the FADT reader and dom0's ACPI composer, on QEMU q35, Bochs and server-like tables. */
#include <stdlib.h>
#include <string.h>
#include <keel/bootinfo.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <asm/fadt.h>
#include <asm/hwdom_acpi.h>
#include <asm/madt.h>
#include "host.h"

struct boot_info boot_info;

/* Fake firmware memory: physical [MEM_BASE, MEM_BASE + sizeof(mem)). */
#define MEM_BASE 0xe0000ULL
#define RSDP_AT (MEM_BASE + 0x0)
#define ROOT_AT (MEM_BASE + 0x100)
#define FACP_AT (MEM_BASE + 0x400)
#define DSDT_AT (MEM_BASE + 0x600)
#define FACS_AT (MEM_BASE + 0x800)
#define MADT_AT (MEM_BASE + 0x1000)
#define SSDT_AT (MEM_BASE + 0x3000)
#define HPET_AT (MEM_BASE + 0x3400)
#define MCFG_AT (MEM_BASE + 0x3500)
#define DMAR_AT (MEM_BASE + 0x3600)
#define OEM1_AT (MEM_BASE + 0x3700)
#define TPM2_AT (MEM_BASE + 0x3800)
#define OUT_AT (MEM_BASE + 0x4000)	/* dom0's tables, read back through the walker */
#define OUT_SIZE 0x2000

static uint8_t mem[0x6000];

static const void *map_mem(uint64_t phys, uint64_t len, void *ctx)
{
	(void)ctx;
	if (phys < MEM_BASE || len > sizeof(mem) ||
	    phys - MEM_BASE > sizeof(mem) - len)
		return NULL;
	return mem + (phys - MEM_BASE);
}

const void *acpi_map_firmware(uint64_t phys, uint64_t len, void *ctx)
{
	return map_mem(phys, len, ctx);
}

static uint8_t *at(uint64_t phys)
{
	return mem + (phys - MEM_BASE);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void reseal(uint64_t phys)
{
	uint8_t *t = at(phys);

	t[9] = 0;
	t[9] = -sum(t, get32(t + 4));
}

/* A table of @len bytes: header @sig, body @body (or zeros), checksummed. */
static void put_table(uint64_t phys, const char *sig, const void *body,
		      uint32_t len)
{
	uint8_t *t = at(phys);

	if (!body)
		memset(t, 0, len);
	else if (body != t)
		memcpy(t, body, len);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	memcpy(t + 10, "KTEST ", 6);
	reseal(phys);
}

static void make_rsdp(int revision, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *r = at(RSDP_AT);

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = revision;
	put32(r + 16, rsdt);
	put32(r + 20, 36);
	put64(r + 24, xsdt);
	r[8] = -sum(r, 20);
	r[32] = -sum(r, 36);
}

static void make_root(bool xsdt, const uint64_t *tables, int n)
{
	int size = xsdt ? 8 : 4;

	memset(at(ROOT_AT), 0, 36);
	for (int i = 0; i < n; i++) {
		if (xsdt)
			put64(at(ROOT_AT) + 36 + i * size, tables[i]);
		else
			put32(at(ROOT_AT) + 36 + i * size, tables[i]);
	}
	put_table(ROOT_AT, xsdt ? "XSDT" : "RSDT", at(ROOT_AT), 36 + n * size);
	make_rsdp(xsdt ? 2 : 0, xsdt ? 0 : ROOT_AT, xsdt ? ROOT_AT : 0);
}

/* QEMU 5.2 q35 tables as QEMU's tests/data/acpi/q35 holds them (FACS/DSDT addresses patched). */
static const uint8_t q35_apic[] = {
	0x41, 0x50, 0x49, 0x43, 0x78, 0x00, 0x00, 0x00, 0x01, 0xED, 0x42, 0x4F, 0x43, 0x48, 0x53, 0x20,
	0x42, 0x58, 0x50, 0x43, 0x41, 0x50, 0x49, 0x43, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0xFE, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x0C, 0x00, 0x00, 0x00, 0x00, 0xC0, 0xFE, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x0A, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x0A, 0x00, 0x05, 0x05, 0x00,
	0x00, 0x00, 0x0D, 0x00, 0x02, 0x0A, 0x00, 0x09, 0x09, 0x00, 0x00, 0x00, 0x0D, 0x00, 0x02, 0x0A,
	0x00, 0x0A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x00, 0x02, 0x0A, 0x00, 0x0B, 0x0B, 0x00, 0x00, 0x00,
	0x0D, 0x00, 0x04, 0x06, 0xFF, 0x00, 0x00, 0x01,
};

static const uint8_t q35_facp[] = {
	0x46, 0x41, 0x43, 0x50, 0xF4, 0x00, 0x00, 0x00, 0x03, 0x1F, 0x42, 0x4F, 0x43, 0x48, 0x53, 0x20,
	0x42, 0x58, 0x50, 0x43, 0x46, 0x41, 0x43, 0x50, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x09, 0x00,
	0xB2, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x06, 0x00, 0x00,
	0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x04, 0x10, 0x00, 0x00, 0x00,
	0xFF, 0x0F, 0xFF, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32, 0x00, 0x00, 0x00,
	0xA5, 0x84, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0xF9, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00,
	0x04, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x20, 0x00, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00,
	0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

/* AML: Name (\_S5, Package (0x04) { 0x05, Zero, Zero, Zero }), after an unrelated "_S5_" string. */
static const uint8_t dsdt_body[] = {
	0x08, 'S', 'T', 'R', '_', 0x0d, '_', 'S', '5', '_', 0x00,
	0x08, '\\', '_', 'S', '5', '_', 0x12, 0x0a, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00,
};

/* AML: Processor (\_PR.CPU0-like CPU0, 0x00, 0x0000B010, 0x06) {}, and one without a P_BLK. */
static const uint8_t ssdt_body[] = {
	0x5b, 0x83, 0x0b, 'C', 'P', 'U', '0', 0x00, 0x10, 0xb0, 0x00, 0x00, 0x06,
	0x5b, 0x83, 0x0b, 'C', 'P', 'U', '1', 0x01, 0x10, 0xb0, 0x00, 0x00, 0x06,
	0x5b, 0x83, 0x0b, 'C', 'P', 'U', '2', 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void put_aml(uint64_t phys, const char *sig, const uint8_t *body, size_t n)
{
	memset(at(phys), 0, 36 + n);
	memcpy(at(phys) + 36, body, n);
	put_table(phys, sig, at(phys), 36 + n);
}

static void q35_tables(void)
{
	const uint64_t tables[] = { FACP_AT, MADT_AT, HPET_AT, MCFG_AT, SSDT_AT,
				    DMAR_AT, OEM1_AT, TPM2_AT };

	memset(mem, 0, sizeof(mem));
	memcpy(at(FACP_AT), q35_facp, sizeof(q35_facp));
	put32(at(FACP_AT) + 36, FACS_AT);
	put32(at(FACP_AT) + 40, DSDT_AT);
	reseal(FACP_AT);
	memcpy(at(MADT_AT), q35_apic, sizeof(q35_apic));
	put_aml(DSDT_AT, "DSDT", dsdt_body, sizeof(dsdt_body));
	put_aml(SSDT_AT, "SSDT", ssdt_body, sizeof(ssdt_body));
	put_table(HPET_AT, "HPET", NULL, 56);
	put_table(MCFG_AT, "MCFG", NULL, 60);
	put_table(DMAR_AT, "DMAR", NULL, 48);
	put_table(OEM1_AT, "OEM1", NULL, 40);
	put_table(TPM2_AT, "TPM2", NULL, 52);
	make_root(false, tables, 8);	/* SeaBIOS: RSDP revision 0, RSDT */
}

static struct acpi_walk walk(void)
{
	struct acpi_walk w;

	assert_int_equal(acpi_walk_init(&w, RSDP_AT, map_mem, NULL), 0);
	return w;
}

static void test_fadt_q35(void **state)
{
	struct acpi_walk w;
	struct fadt_ports f;

	(void)state;
	q35_tables();
	w = walk();
	assert_int_equal(fadt_read(&w, &f), 0);
	assert_int_equal(f.sci, 9);
	assert_int_equal(f.smi_cmd, 0xb2);
	assert_int_equal(f.pm1a_cnt, 0x604);
	assert_int_equal(f.pm1_cnt_len, 2);
	assert_int_equal(f.pm1b_cnt, 0);
	assert_int_equal(f.pm_tmr, 0x608);
	assert_int_equal(f.pm_tmr_len, 4);
	assert_int_equal(f.reset_port, 0xcf9);
	assert_int_equal(f.reset_value, 0x0f);
	assert_true(f.s5_known);
	assert_int_equal(f.s5_typ_a, 5);
	assert_int_equal(f.s5_typ_b, 0);
	assert_int_equal(f.nr_pblks, 1);	/* two CPUs share it, one has none */
	assert_int_equal(f.pblks[0], 0xb010);
}

/* Bochs's rombios32 FADT: revision 1, 116 bytes, no RESET_REG, no 64-bit fields. */
static void test_fadt_bochs_revision_1(void **state)
{
	const uint64_t tables[] = { FACP_AT };
	uint8_t *t = at(FACP_AT);
	struct acpi_walk w;
	struct fadt_ports f;

	(void)state;
	memset(mem, 0, sizeof(mem));
	put_aml(DSDT_AT, "DSDT", dsdt_body, sizeof(dsdt_body));
	memset(t, 0, 116);
	put32(t + 40, DSDT_AT);
	t[46] = 9;			/* SCI */
	put32(t + 48, 0xb2);
	put32(t + 56, 0xb000);		/* PM1a_EVT */
	put32(t + 64, 0xb004);		/* PM1a_CNT */
	put32(t + 76, 0xb008);		/* PM_TMR */
	t[88] = 4;
	t[89] = 2;
	t[91] = 4;
	put32(t + 112, 1u << 10);	/* RESET_REG_SUP without the register: ignored */
	put_table(FACP_AT, "FACP", t, 116);
	make_root(false, tables, 1);
	w = walk();
	assert_int_equal(fadt_read(&w, &f), 0);
	assert_int_equal(f.pm1a_cnt, 0xb004);
	assert_int_equal(f.pm_tmr, 0xb008);
	assert_int_equal(f.reset_port, 0);
	assert_true(f.s5_known);
	assert_int_equal(f.nr_pblks, 0);
}

/* 64-bit fields win over 32-bit ones; memory-space or out-of-range registers are not ports. */
static void test_fadt_gas_choices(void **state)
{
	struct acpi_walk w;
	struct fadt_ports f;
	uint8_t *t;

	(void)state;
	q35_tables();
	t = at(FACP_AT);
	put64(t + 176, 0x1804);			/* X_PM1a_CNT differs from PM1a_CNT */
	t[208] = 0;				/* X_PM_TMR in memory space */
	put32(t + 68, 0x12345);			/* PM1b_CNT beyond the ports */
	t[116] = 0;				/* RESET_REG in memory space */
	reseal(FACP_AT);
	w = walk();
	test_log_reset();
	assert_int_equal(fadt_read(&w, &f), 0);
	assert_int_equal(f.pm1a_cnt, 0x1804);
	assert_int_equal(f.pm_tmr, 0);
	assert_int_equal(f.pm1b_cnt, 0);
	assert_int_equal(f.reset_port, 0);
	assert_true(test_log_has("PM_TMR is not in I/O space"));
	assert_true(test_log_has("PM1b_CNT at 0x12345"));

	/*
	 * The legacy PM1_CNT_LEN 0 beside a 64-bit PM1a of 16 bits, no PM1b:
	 * PM1a's length is its GAS's, whatever the absent PM1b says, so that
	 * its SLP_EN byte still traps.
	 */
	q35_tables();
	t = at(FACP_AT);
	t[89] = 0;				/* PM1_CNT_LEN */
	reseal(FACP_AT);
	w = walk();
	assert_int_equal(fadt_read(&w, &f), 0);
	assert_int_equal(f.pm1a_cnt, 0x604);
	assert_int_equal(f.pm1b_cnt, 0);
	assert_int_equal(f.pm1_cnt_len, 2);
}

static void test_fadt_hostile(void **state)
{
	struct acpi_walk w;
	struct fadt_ports f;

	(void)state;
	q35_tables();
	put_table(FACP_AT, "FACP", NULL, 100);		/* shorter than revision 1 */
	w = walk();
	assert_int_equal(fadt_read(&w, &f), -EINVAL);

	q35_tables();
	memcpy(at(FACP_AT), "XXXX", 4);
	reseal(FACP_AT);
	w = walk();
	assert_int_equal(fadt_read(&w, &f), -ENOENT);

	q35_tables();
	put32(at(FACP_AT) + 40, 0x7777000);		/* DSDT outside memory */
	put64(at(FACP_AT) + 140, 0);
	reseal(FACP_AT);
	w = walk();
	test_log_reset();
	assert_int_equal(fadt_read(&w, &f), 0);
	assert_false(f.s5_known);
	assert_true(test_log_has("no usable DSDT"));
	assert_int_equal(f.nr_pblks, 1);		/* the SSDT's still count */
}

/* Every MADT IOAPIC's page leaves dom0's device map, also past keel's eight. */
static void test_ioapic_pages(void **state)
{
	struct acpi_walk w;
	u64 pages[16];
	uint8_t *t;

	(void)state;
	q35_tables();
	w = walk();
	assert_int_equal(hwdom_acpi_ioapic_pages(&w, pages, 16), 1);
	assert_int_equal(pages[0], 0xfec00000u);

	/* Ten IOAPICs (a four-socket server), one at an odd offset in its page. */
	t = at(MADT_AT);
	memset(t, 0, 44 + 10 * 12);
	memcpy(t + 36, &(uint32_t){ 0xfee00000u }, 4);
	for (int i = 0; i < 10; i++) {
		uint8_t *e = t + 44 + i * 12;

		e[0] = 1;
		e[1] = 12;
		e[2] = i;
		put32(e + 4, 0xfec00000u + i * 0x1000 + (i == 9 ? 0x20 : 0));
		put32(e + 8, i * 24);
	}
	put_table(MADT_AT, "APIC", t, 44 + 10 * 12);
	w = walk();
	assert_int_equal(hwdom_acpi_ioapic_pages(&w, pages, 16), 10);
	assert_int_equal(pages[8], 0xfec08000u);
	assert_int_equal(pages[9], 0xfec09000u);
	test_log_reset();
	assert_int_equal(hwdom_acpi_ioapic_pages(&w, pages, 9), -ENOSPC);
	assert_true(test_log_has("more than 9 IOAPICs"));

	/* A truncated entry: a clear error. */
	t[44 + 9 * 12 + 1] = 40;
	reseal(MADT_AT);
	w = walk();
	assert_int_equal(hwdom_acpi_ioapic_pages(&w, pages, 16), -EINVAL);
}

/* The MCFG's ECAM windows, which keel takes out of dom0's device map. */
static void test_ecam_windows(void **state)
{
	struct boot_range win[4];
	struct acpi_walk w;
	uint8_t *t;

	(void)state;
	q35_tables();			/* its MCFG: one window at 0, buses 0-0 */
	t = at(MCFG_AT);
	put64(t + 44, 0xb0000000u);	/* QEMU q35: 256 buses at 0xb0000000 */
	t[44 + 10] = 0;
	t[44 + 11] = 0xff;
	reseal(MCFG_AT);
	w = walk();
	assert_int_equal(hwdom_acpi_ecam(&w, win, 4), 1);
	assert_int_equal(win[0].start, 0xb0000000u);
	assert_int_equal(win[0].end, 0xc0000000u);

	/* Two windows, the second from bus 0x80. */
	put_table(MCFG_AT, "MCFG", NULL, 76);
	t = at(MCFG_AT);
	put64(t + 44, 0xe0000000u);
	t[44 + 11] = 0x3f;
	put64(t + 60, 0x3f0000000000ull);
	t[60 + 8] = 1;			/* segment 1 */
	t[60 + 10] = 0x80;
	t[60 + 11] = 0x8f;
	reseal(MCFG_AT);
	w = walk();
	assert_int_equal(hwdom_acpi_ecam(&w, win, 4), 2);
	assert_int_equal(win[0].start, 0xe0000000u);
	assert_int_equal(win[0].end, 0xe4000000u);
	assert_int_equal(win[1].start, 0x3f0000000000ull + (0x80ull << 20));
	assert_int_equal(win[1].end, 0x3f0000000000ull + (0x90ull << 20));
	assert_int_equal(hwdom_acpi_ecam(&w, win, 1), -EINVAL);	/* no room */

	/* A broken BIOS: a clear error, never a crash. */
	put_table(MCFG_AT, "MCFG", NULL, 50);	/* a partial entry */
	w = walk();
	test_log_reset();
	assert_int_equal(hwdom_acpi_ecam(&w, win, 4), -EINVAL);
	assert_true(test_log_has("MCFG of 50 bytes"));
	put_table(MCFG_AT, "MCFG", NULL, 60);
	t = at(MCFG_AT);
	put64(t + 44, ~0ull << 12);		/* wraps past 2^64 */
	t[44 + 11] = 1;
	reseal(MCFG_AT);
	w = walk();
	assert_int_equal(hwdom_acpi_ecam(&w, win, 4), -EINVAL);
	t[44 + 10] = 2;				/* end bus below start */
	put64(t + 44, 0xe0000000u);
	reseal(MCFG_AT);
	w = walk();
	assert_int_equal(hwdom_acpi_ecam(&w, win, 4), -EINVAL);

	/* No MCFG: nothing to hide. */
	memcpy(at(MCFG_AT), "XCFG", 4);
	reseal(MCFG_AT);
	w = walk();
	assert_int_equal(hwdom_acpi_ecam(&w, win, 4), 0);
}

/* SeaBIOS 1.7-era tables: \_S5 in an SSDT, not in the DSDT. */
static void test_fadt_s5_in_ssdt(void **state)
{
	static const uint8_t ssdt_s5[] = {
		0x10, 0x0e, '\\', 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
		0x0a, 0x03, 0x0a, 0x04, 0x00,
	};
	static const uint8_t no_s5[] = { 0x08, 'F', 'O', 'O', '_', 0x00 };
	struct acpi_walk w;
	struct fadt_ports f;

	(void)state;
	q35_tables();
	put_aml(DSDT_AT, "DSDT", no_s5, sizeof(no_s5));
	put_aml(SSDT_AT, "SSDT", ssdt_s5, sizeof(ssdt_s5));
	w = walk();
	assert_int_equal(fadt_read(&w, &f), 0);
	assert_true(f.s5_known);
	assert_int_equal(f.s5_typ_a, 3);
	assert_int_equal(f.s5_typ_b, 4);
	assert_int_equal(f.nr_pblks, 0);
}

/* \_S5 and Processor objects cut short at every length: never read past the end (ASan). */
static void test_aml_truncated(void **state)
{
	uint8_t typ_a, typ_b;
	struct fadt_ports f;

	(void)state;
	for (uint32_t n = 0; n <= sizeof(dsdt_body); n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, dsdt_body, n);
		/* Whole once its second element is (the rest is unread). */
		assert_int_equal(aml_find_s5(copy, n, &typ_a, &typ_b),
				 n >= sizeof(dsdt_body) - 2);
		free(copy);
	}
	for (uint32_t n = 0; n <= sizeof(ssdt_body); n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memset(&f, 0, sizeof(f));
		memcpy(copy, ssdt_body, n);
		aml_add_pblks(copy, n, &f);
		assert_int_equal(f.nr_pblks, n >= 13);	/* CPU0's object is whole */
		free(copy);
	}
	/* A P_BLK of another length than 6 is no processor block keel knows. */
	static const uint8_t odd[] = { 0x5b, 0x83, 0x0b, '\\', 'C', 'P', 'U', '3', 0x03,
				       0x20, 0xb0, 0x00, 0x00, 0x05 };
	memset(&f, 0, sizeof(f));
	aml_add_pblks(odd, sizeof(odd), &f);
	assert_int_equal(f.nr_pblks, 0);
}

/* Read dom0's tables back through keel's own checked walk. */
static struct acpi_walk out_walk(uint64_t rsdp)
{
	struct acpi_walk w;

	assert_int_equal(acpi_walk_init(&w, rsdp, map_mem, NULL), 0);
	assert_true(w.is_xsdt);
	return w;
}

static long compose(unsigned int nr_vcpus, uint64_t *rsdp)
{
	struct acpi_walk w = walk();

	memset(at(OUT_AT), 0xaa, OUT_SIZE);
	return hwdom_acpi_compose(&w, nr_vcpus, OUT_AT, at(OUT_AT), OUT_SIZE, rsdp);
}

static void test_compose_q35(void **state)
{
	const uint64_t want[] = { FACP_AT, SSDT_AT, OEM1_AT, TPM2_AT };
	struct madt_cpus cpus;
	struct acpi_walk w;
	const uint8_t *madt;
	uint64_t rsdp, madt_at;
	long n;

	(void)state;
	q35_tables();
	n = compose(2, &rsdp);
	assert_true(n > 0 && n <= OUT_SIZE);
	assert_int_equal(rsdp, OUT_AT);
	assert_int_equal(at(rsdp)[15], 2);
	assert_memory_equal(at(rsdp) + 9, "BOCHS ", 6);
	w = out_walk(rsdp);
	/* The new MADT first, then the allowed host tables in host order: no HPET, MCFG, DMAR. */
	assert_int_equal(w.nr, 5);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(acpi_walk_entry(&w, i + 1), want[i]);
	assert_int_equal(acpi_find_table(&w, "APIC", &madt, &madt_at), 0);
	assert_int_equal(madt_at, acpi_walk_entry(&w, 0));
	assert_true(madt_at >= OUT_AT && madt_at < OUT_AT + n);
	assert_int_equal(acpi_find_table(&w, "HPET", &madt, NULL), -ENOENT);
	assert_int_equal(acpi_find_table(&w, "APIC", &madt, NULL), 0);
	assert_int_equal(get32(madt + 40), 1);		/* PCAT_COMPAT kept */
	assert_int_equal(get32(madt + 36), 0xfee00000);
	/* vCPU 0: the host CPU's UID 0; vCPU 1: beyond the host's one CPU, UID 1. */
	static const uint8_t lapics[] = { 0, 8, 0, 0, 1, 0, 0, 0, 0, 8, 1, 1, 1, 0, 0, 0 };
	assert_memory_equal(madt + 44, lapics, sizeof(lapics));
	assert_memory_equal(madt + 60, q35_apic + 0x34, 12 + 5 * 10);	/* IOAPIC, ISOs */
	assert_int_equal(get32(madt + 4), 60 + 12 + 5 * 10);	/* no LAPIC-NMI */
	/* And keel's own MADT reader finds dom0's two CPUs there. */
	assert_int_equal(madt_find_cpus(rsdp, map_mem, NULL, &cpus), 0);
	assert_int_equal(cpus.nr, 2);
	assert_int_equal(cpus.apic_ids[1], 1);
	/* The host tables are untouched. */
	assert_memory_equal(at(MADT_AT), q35_apic, sizeof(q35_apic));
}

/*
 * A server: @nr_lapics local APICs (sparse ids, UIDs from 1, the first two
 * disabled, each with a LAPIC-NMI entry), then 4 x2APICs with UIDs from
 * 0x200, 2 IOAPICs and an ISO.
 */
static void server_madt(uint32_t nr_lapics)
{
	uint8_t *t = at(MADT_AT), *e;
	uint32_t len = 44;

	memset(t, 0, 0x2000);
	put32(t + 36, 0xfee00000);
	put32(t + 40, 1);
	for (uint32_t i = 0; i < nr_lapics; i++) {
		e = t + len;
		e[0] = 0;
		e[1] = 8;
		e[2] = 1 + i;
		e[3] = 2 * i;
		put32(e + 4, i < 2 ? 0 : 1);	/* CPUs 0 and 1 disabled */
		len += 8;
		e = t + len;
		e[0] = 4;			/* LAPIC NMI */
		e[1] = 6;
		e[2] = 1 + i;
		e[5] = 1;
		len += 6;
	}
	for (uint32_t i = 0; i < 4; i++) {
		e = t + len;
		memset(e, 0, 16);
		e[0] = 9;
		e[1] = 16;
		put32(e + 4, 0x100 + i);
		put32(e + 8, 1);
		put32(e + 12, 0x200 + i);
		len += 16;
	}
	for (uint32_t i = 0; i < 2; i++) {
		e = t + len;
		e[0] = 1;
		e[1] = 12;
		e[2] = 0x80 + i;
		put32(e + 4, 0xfec00000 + i * 0x1000);
		put32(e + 8, i * 24);
		len += 12;
	}
	e = t + len;
	memset(e, 0, 10);
	e[0] = 2;
	e[1] = 10;
	e[3] = 9;
	put32(e + 4, 9);
	e[8] = 0x0d;
	len += 10;
	put_table(MADT_AT, "APIC", t, len);
}

static void test_compose_server(void **state)
{
	const uint64_t tables[] = { FACP_AT, MADT_AT };
	struct acpi_walk w;
	const uint8_t *madt;
	uint64_t rsdp;

	(void)state;
	q35_tables();
	server_madt(64);
	make_root(true, tables, 2);
	assert_true(compose(8, &rsdp) > 0);
	w = out_walk(rsdp);
	assert_int_equal(acpi_find_table(&w, "APIC", &madt, NULL), 0);
	for (unsigned int i = 0; i < 8; i++) {
		const uint8_t *e = madt + 44 + 8 * i;

		assert_int_equal(e[0], 0);
		assert_int_equal(e[2], 3 + i);	/* the UIDs of enabled host CPUs 2, 3, ... */
		assert_int_equal(e[3], i);	/* keel's vLAPIC ids */
		assert_int_equal(get32(e + 4), 1);
	}
	madt += 44 + 8 * 8;
	assert_int_equal(madt[0], 1);
	assert_int_equal(madt[2], 0x80);
	assert_int_equal(madt[12], 1);
	assert_int_equal(madt[14], 0x81);
	assert_int_equal(get32(madt + 12 + 8), 24);
	assert_int_equal(madt[24], 2);
	assert_int_equal(madt[27], 9);
	assert_int_equal(get32(at(rsdp) + 24) != 0, 1);

	/* UIDs past 255 (x2APIC entries) need x2APIC entries even for small ids. */
	server_madt(4);
	make_root(true, tables, 2);
	assert_true(compose(8, &rsdp) > 0);
	w = out_walk(rsdp);
	assert_int_equal(acpi_find_table(&w, "APIC", &madt, NULL), 0);
	madt += 44;
	assert_int_equal(madt[0], 0);			/* vCPU 0: UID 3 */
	assert_int_equal(madt[2], 3);
	assert_int_equal(madt[8 + 2], 4);		/* vCPU 1: UID 4 */
	for (unsigned int i = 2; i < 8; i++) {		/* 0x200-0x203, then 0x204, 0x205 */
		const uint8_t *e = madt + 16 + 16 * (i - 2);

		assert_int_equal(e[0], 9);
		assert_int_equal(e[1], 16);
		assert_int_equal(get32(e + 4), i);
		assert_int_equal(get32(e + 8), 1);
		assert_int_equal(get32(e + 12), 0x200 + i - 2);
	}
}

static void test_compose_refusals(void **state)
{
	struct acpi_walk w;
	uint64_t rsdp;
	uint8_t *e;

	(void)state;
	q35_tables();
	w = walk();
	assert_int_equal(hwdom_acpi_compose(&w, 2, OUT_AT, at(OUT_AT), 200, &rsdp),
			 -ENOSPC);
	assert_int_equal(hwdom_acpi_compose(&w, 2, OUT_AT, at(OUT_AT), 20, &rsdp),
			 -ENOSPC);
	assert_int_equal(hwdom_acpi_compose(&w, DOMAIN_MAX_VCPUS + 1, OUT_AT, at(OUT_AT), OUT_SIZE,
					     &rsdp),
			 -ENOSPC);

	/* An IOAPIC entry shorter than an IOAPIC entry. */
	e = at(MADT_AT) + 0x35;
	*e = 8;
	reseal(MADT_AT);
	test_log_reset();
	assert_int_equal(compose(1, &rsdp), -EINVAL);
	assert_true(test_log_has("type 1 at offset 52 is too short"));

	/* An entry running past the table. */
	q35_tables();
	at(MADT_AT)[0x73] = 0x20;
	reseal(MADT_AT);
	assert_int_equal(compose(1, &rsdp), -EINVAL);

	/* No MADT at all. */
	q35_tables();
	memcpy(at(MADT_AT), "APIX", 4);
	reseal(MADT_AT);
	assert_int_equal(compose(1, &rsdp), -ENOENT);

	/* An allowed table with a bad checksum is hidden, not passed on. */
	q35_tables();
	at(SSDT_AT)[40] ^= 1;
	test_log_reset();
	assert_true(compose(1, &rsdp) > 0);
	w = out_walk(rsdp);
	assert_int_equal(w.nr, 4);
	assert_true(test_log_has("SSDT at 0xe3000 hidden from dom0"));
}

/* IOAPICs beyond the vIOAPICs keel gives dom0 (MADT_MAX_IOAPICS) are not listed. */
static void test_compose_caps_ioapics(void **state)
{
	uint8_t *t = at(MADT_AT);
	struct acpi_walk w;
	const uint8_t *madt;
	unsigned int nr = 0;
	uint32_t len = sizeof(q35_apic);
	uint64_t rsdp;

	(void)state;
	q35_tables();
	for (unsigned int i = 0; i < MADT_MAX_IOAPICS; i++) {	/* 1 + 8 in all */
		memcpy(t + len, q35_apic + 0x34, 12);
		t[len + 2] = 1 + i;
		put32(t + len + 8, 24 * (1 + i));
		len += 12;
	}
	put_table(MADT_AT, "APIC", t, len);
	assert_true(compose(1, &rsdp) > 0);
	w = out_walk(rsdp);
	assert_int_equal(acpi_find_table(&w, "APIC", &madt, NULL), 0);
	for (uint32_t off = 44; off < get32(madt + 4); off += madt[off + 1])
		if (madt[off] == 1) {
			assert_int_equal(madt[off + 2], nr);
			nr++;
		}
	assert_int_equal(nr, MADT_MAX_IOAPICS);
}

/* hwdom_acpi_build(): the boot loader's RSDP, dom0's vCPU count. */
static void test_build_from_boot_info(void **state)
{
	struct domain d = { .id = 0, .nr_vcpus = 1 };
	uint64_t rsdp = 0;

	(void)state;
	q35_tables();
	boot_info.rsdp_phys = 0;
	assert_int_equal(hwdom_acpi_build(&d, OUT_AT, at(OUT_AT), OUT_SIZE, &rsdp),
			 -ENOENT);
	boot_info.rsdp_phys = RSDP_AT;
	assert_int_equal(hwdom_acpi_build(&d, OUT_AT, at(OUT_AT), OUT_SIZE, &rsdp), 0);
	assert_int_equal(rsdp, OUT_AT);
	assert_int_equal(get32(at(get64(at(OUT_AT) + 24)) + 36) - OUT_AT < OUT_SIZE, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fadt_q35),
		cmocka_unit_test(test_fadt_bochs_revision_1),
		cmocka_unit_test(test_fadt_gas_choices),
		cmocka_unit_test(test_fadt_hostile),
		cmocka_unit_test(test_fadt_s5_in_ssdt),
		cmocka_unit_test(test_aml_truncated),
		cmocka_unit_test(test_ioapic_pages),
		cmocka_unit_test(test_ecam_windows),
		cmocka_unit_test(test_compose_q35),
		cmocka_unit_test(test_compose_server),
		cmocka_unit_test(test_compose_refusals),
		cmocka_unit_test(test_compose_caps_ioapics),
		cmocka_unit_test(test_build_from_boot_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
