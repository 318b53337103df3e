/* Host tests of the MADT walk: valid tables of several shapes, and hostile ones that must be refused. */
#include <string.h>
#include <keel/acpi.h>
#include <keel/errno.h>
#include <asm/madt.h>
#include "host.h"

/* Fake firmware memory: physical [MEM_BASE, MEM_BASE + sizeof(mem)). */
#define MEM_BASE 0xe0000ULL
#define RSDP_AT (MEM_BASE + 0x0)
#define ROOT_AT (MEM_BASE + 0x100)
#define FACP_AT (MEM_BASE + 0x200)
#define MADT_AT (MEM_BASE + 0x400)

static uint8_t mem[0x4000];

static const void *map_mem(uint64_t phys, uint64_t len, void *ctx)
{
	(void)ctx;
	if (phys < MEM_BASE || len > sizeof(mem) ||
	    phys - MEM_BASE > sizeof(mem) - len)
		return NULL;
	return mem + (phys - MEM_BASE);
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

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* An RSDP of @revision pointing at @rsdt and (revision 2) @xsdt. */
static void make_rsdp(int revision, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *r = at(RSDP_AT);

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	r[15] = revision;
	put32(r + 16, rsdt);
	put32(r + 20, 36);
	put64(r + 24, xsdt);
	r[8] = -sum(r, 20);
	r[32] = -sum(r, 36);
}

/* Table header with @sig and @len (body already in place), then its checksum. */
static void seal_table(uint64_t phys, const char *sig, uint32_t len)
{
	uint8_t *t = at(phys);

	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
	t[9] = 0;
	t[9] = -sum(t, len);
}

/* An XSDT (or RSDT) at ROOT_AT listing @n tables. */
static void make_root(bool xsdt, const uint64_t *tables, int n)
{
	int size = xsdt ? 8 : 4;

	for (int i = 0; i < n; i++) {
		if (xsdt)
			put64(at(ROOT_AT) + 36 + i * size, tables[i]);
		else
			put32(at(ROOT_AT) + 36 + i * size, tables[i]);
	}
	seal_table(ROOT_AT, xsdt ? "XSDT" : "RSDT", 36 + n * size);
}

/* A MADT being built at MADT_AT: entries are appended, then sealed. */
static uint32_t madt_len;

static void madt_begin(void)
{
	memset(at(MADT_AT), 0, 0x1000);
	put32(at(MADT_AT) + 36, 0xfee00000);
	put32(at(MADT_AT) + 40, 1);	/* PC-AT compatible */
	madt_len = 44;
}

static void madt_lapic(uint8_t apic_id, uint32_t flags)
{
	uint8_t *e = at(MADT_AT) + madt_len;

	e[0] = 0;
	e[1] = 8;
	e[2] = apic_id;		/* processor UID */
	e[3] = apic_id;
	put32(e + 4, flags);
	madt_len += 8;
}

static void madt_x2apic(uint32_t apic_id, uint32_t flags)
{
	uint8_t *e = at(MADT_AT) + madt_len;

	e[0] = 9;
	e[1] = 16;
	put32(e + 4, apic_id);
	put32(e + 8, flags);
	put32(e + 12, apic_id);	/* processor UID */
	madt_len += 16;
}

static void madt_ioapic(void)
{
	uint8_t *e = at(MADT_AT) + madt_len;

	e[0] = 1;
	e[1] = 12;
	put32(e + 4, 0xfec00000);
	madt_len += 12;
}

/* ISA IRQ @source is GSI @gsi (MPS INTI @flags). */
static void madt_iso(uint8_t source, uint32_t gsi, uint16_t flags)
{
	uint8_t *e = at(MADT_AT) + madt_len;

	e[0] = 2;
	e[1] = 10;
	e[3] = source;
	put32(e + 4, gsi);
	e[8] = flags & 0xff;
	e[9] = flags >> 8;
	madt_len += 10;
}

static void madt_seal(void)
{
	seal_table(MADT_AT, "APIC", madt_len);
}

/* RSDP 2 -> XSDT -> { FACP, MADT }, with the MADT built by the caller. */
static void make_xsdt_tables(void)
{
	const uint64_t tables[] = { FACP_AT, MADT_AT };

	memset(at(FACP_AT), 0, 64);
	seal_table(FACP_AT, "FACP", 64);
	make_root(true, tables, 2);
	make_rsdp(2, 0, ROOT_AT);
}

static int find(struct madt_cpus *cpus)
{
	test_log_reset();
	return madt_find_cpus(RSDP_AT, map_mem, NULL, cpus);
}

static void two_lapics(void)
{
	madt_begin();
	madt_lapic(0, 1);
	madt_lapic(1, 1);
	madt_seal();
}

static void test_xsdt_lapics_and_x2apics(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	madt_begin();
	madt_lapic(0, 1);
	madt_ioapic();
	madt_lapic(2, 1);
	madt_lapic(4, 0);		/* disabled */
	madt_lapic(6, 2);		/* online-capable: hot-pluggable later */
	madt_lapic(0xff, 1);		/* "see the x2APIC entry" */
	madt_x2apic(0x100, 1);
	madt_x2apic(2, 1);		/* the same CPU once more */
	madt_x2apic(0x200, 0);		/* disabled */
	madt_seal();
	make_xsdt_tables();

	assert_int_equal(find(&cpus), 0);
	assert_int_equal(cpus.nr, 3);
	assert_int_equal(cpus.apic_ids[0], 0);
	assert_int_equal(cpus.apic_ids[1], 2);
	assert_int_equal(cpus.apic_ids[2], 0x100);
	assert_int_equal(cpus.nr_disabled, 2);
	assert_int_equal(cpus.nr_hotplug, 1);
	assert_int_equal(cpus.nr_dropped, 0);
	assert_true(test_log_has("APIC id 2 twice"));
}

static void test_rsdt_of_revision_0(void **state)
{
	const uint64_t tables[] = { MADT_AT };
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_root(false, tables, 1);
	make_rsdp(0, ROOT_AT, 0);
	assert_int_equal(find(&cpus), 0);
	assert_int_equal(cpus.nr, 2);
	assert_int_equal(cpus.apic_ids[1], 1);
}

/* Revision 2 without an XSDT address: the RSDT is used. */
static void test_revision_2_without_xsdt(void **state)
{
	const uint64_t tables[] = { MADT_AT };
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_root(false, tables, 1);
	make_rsdp(2, ROOT_AT, 0);
	assert_int_equal(find(&cpus), 0);
	assert_int_equal(cpus.nr, 2);
}

static void test_more_cpus_than_keel_takes(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	/* xAPIC ids up to 254, then x2APIC ids from 255 on, past keel's 256 CPUs. */
	madt_begin();
	for (int i = 0; i < 255; i++)
		madt_lapic(i, 1);
	for (int i = 255; i < MAX_CPUS + 4; i++)
		madt_x2apic(0x10000 + i, 1);
	madt_seal();
	make_xsdt_tables();
	assert_int_equal(find(&cpus), 0);
	assert_int_equal(cpus.nr, MAX_CPUS);
	assert_int_equal(cpus.apic_ids[254], 254);
	assert_int_equal(cpus.apic_ids[MAX_CPUS - 1], 0x10000 + MAX_CPUS - 1);
	assert_int_equal(cpus.nr_dropped, 4);
}

/* keel's own guest tables (acpi_build.c) read back: one local APIC per vCPU. */
static void test_keel_guest_tables(void **state)
{
	struct madt_cpus cpus;
	uint64_t rsdp = 0;

	(void)state;
	memset(mem, 0, sizeof(mem));
	assert_true(acpi_build_tables(mem, sizeof(mem), MEM_BASE, 5, &rsdp) > 0);
	assert_int_equal(madt_find_cpus(rsdp, map_mem, NULL, &cpus), 0);
	assert_int_equal(cpus.nr, 5);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(cpus.apic_ids[i], i);
}

static void test_bad_rsdp_checksum(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_xsdt_tables();
	at(RSDP_AT)[8]++;
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("bad signature or checksum"));
}

static void test_bad_rsdp_extended_checksum(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_xsdt_tables();
	at(RSDP_AT)[32]++;
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("extended checksum"));
}

static void test_bad_rsdp_length(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_xsdt_tables();
	put32(at(RSDP_AT) + 20, 0x100000);	/* far past the 4 KiB limit */
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("bad length 1048576"));
}

static void test_bad_madt_checksum(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_xsdt_tables();
	at(MADT_AT)[44 + 3] = 7;	/* an APIC id changed after sealing */
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("APIC at 0xe0400: bad checksum"));
}

static void test_bad_xsdt_signature(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_xsdt_tables();
	make_rsdp(2, 0, FACP_AT);	/* the XSDT pointer leads to the FADT */
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("points at a FACP table, not an XSDT"));
}

/* The last entry claims 8 bytes, the table ends 4 bytes into it. */
static void test_truncated_entry(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	madt_len -= 4;
	madt_seal();
	make_xsdt_tables();
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("entry at offset 52 is truncated"));
}

/* A zero-length entry would loop forever. */
static void test_zero_length_entry(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	at(MADT_AT)[52 + 1] = 0;
	madt_seal();
	make_xsdt_tables();
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("offset 52 is truncated or has a bad length"));
}

static void test_short_x2apic_entry(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	madt_begin();
	madt_x2apic(0x100, 1);
	at(MADT_AT)[44 + 1] = 8;	/* too short to hold its flags */
	madt_len = 44 + 8;
	madt_seal();
	make_xsdt_tables();
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("type 9 at offset 44 is 8 bytes, too short"));
}

/* The IOAPICs and interrupt source overrides (Bochs's MADT: one IOAPIC, IRQ 0 -> GSI 2). */
static void test_ioapics_and_overrides(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	madt_begin();
	madt_lapic(0, 1);
	madt_ioapic();
	at(MADT_AT)[madt_len - 12 + 2] = 1;	/* its id */
	madt_iso(0, 2, 0);
	madt_iso(9, 9, 0xf);		/* the SCI: level, active low */
	madt_seal();
	make_xsdt_tables();
	assert_int_equal(find(&cpus), 0);
	assert_int_equal(cpus.flags, 1);
	assert_int_equal(cpus.nr_ioapics, 1);
	assert_int_equal(cpus.ioapics[0].id, 1);
	assert_int_equal(cpus.ioapics[0].phys, 0xfec00000);
	assert_int_equal(cpus.ioapics[0].gsi_base, 0);
	assert_int_equal(cpus.nr_isos, 2);
	assert_int_equal(cpus.isos[0].source, 0);
	assert_int_equal(cpus.isos[0].gsi, 2);
	assert_int_equal(cpus.isos[1].gsi, 9);
	assert_int_equal(cpus.isos[1].flags, 0xf);
}

/* An IOAPIC entry too short for its GSI base is refused, not read past. */
static void test_short_ioapic_entry(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	madt_begin();
	madt_ioapic();
	at(MADT_AT)[44 + 1] = 8;
	madt_len = 44 + 8;
	madt_seal();
	make_xsdt_tables();
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("type 1 at offset 44 is 8 bytes, too short"));
}

static void test_madt_shorter_than_its_header(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	madt_begin();
	madt_len = 40;
	madt_seal();
	make_xsdt_tables();
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("MADT of 40 bytes is too short"));
}

/* A length that runs past the end of memory must not be read. */
static void test_madt_longer_than_memory(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_xsdt_tables();
	put32(at(MADT_AT) + 4, sizeof(mem));
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("run past the end of memory"));
}

static void test_absurd_table_length(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_xsdt_tables();
	put32(at(ROOT_AT) + 4, 0xfffffff0);
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("XSDT at 0xe0100: bad length 4294967280"));
}

static void test_root_entry_outside_memory(void **state)
{
	const uint64_t tables[] = { 0x1000, MADT_AT };
	struct madt_cpus cpus;

	(void)state;
	two_lapics();
	make_root(true, tables, 2);
	make_rsdp(2, 0, ROOT_AT);
	assert_int_equal(find(&cpus), -EINVAL);
	assert_true(test_log_has("XSDT entry 0 (0x1000) is outside memory"));
}

static void test_no_madt(void **state)
{
	const uint64_t tables[] = { FACP_AT };
	struct madt_cpus cpus;

	(void)state;
	make_xsdt_tables();
	make_root(true, tables, 1);
	assert_int_equal(find(&cpus), -ENOENT);
	assert_true(test_log_has("no MADT among the 1 tables of the XSDT"));
}

static void test_rsdp_outside_memory(void **state)
{
	struct madt_cpus cpus;

	(void)state;
	test_log_reset();
	assert_int_equal(madt_find_cpus(0x1000, map_mem, NULL, &cpus), -EINVAL);
	assert_true(test_log_has("RSDP at 0x1000 is outside memory"));
	assert_int_equal(cpus.nr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsdt_lapics_and_x2apics),
		cmocka_unit_test(test_rsdt_of_revision_0),
		cmocka_unit_test(test_revision_2_without_xsdt),
		cmocka_unit_test(test_more_cpus_than_keel_takes),
		cmocka_unit_test(test_keel_guest_tables),
		cmocka_unit_test(test_bad_rsdp_checksum),
		cmocka_unit_test(test_bad_rsdp_extended_checksum),
		cmocka_unit_test(test_bad_rsdp_length),
		cmocka_unit_test(test_bad_madt_checksum),
		cmocka_unit_test(test_bad_xsdt_signature),
		cmocka_unit_test(test_truncated_entry),
		cmocka_unit_test(test_zero_length_entry),
		cmocka_unit_test(test_short_x2apic_entry),
		cmocka_unit_test(test_madt_shorter_than_its_header),
		cmocka_unit_test(test_madt_longer_than_memory),
		cmocka_unit_test(test_absurd_table_length),
		cmocka_unit_test(test_root_entry_outside_memory),
		cmocka_unit_test(test_no_madt),
		cmocka_unit_test(test_ioapics_and_overrides),
		cmocka_unit_test(test_short_ioapic_entry),
		cmocka_unit_test(test_rsdp_outside_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
