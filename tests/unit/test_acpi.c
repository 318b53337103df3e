/* Host tests of the guest ACPI tables: checksums, links, the FADT registers, _S5 and the MADT. */
#define _GNU_SOURCE
#include <string.h>
#include <keel/acpi.h>
#include "host.h"

#define BASE 0xfc010000ULL

static uint8_t buf[4096];

static uint8_t sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* The table at guest-physical @gpa, checked: signature and checksum. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t;
	uint32_t len;

	assert_true(gpa >= BASE && gpa < BASE + sizeof(buf));
	t = buf + (gpa - BASE);
	assert_memory_equal(t, sig, 4);
	memcpy(&len, t + 4, 4);
	assert_true(gpa + len <= BASE + sizeof(buf));
	assert_int_equal(sum(t, len), 0);
	return t;
}

static void test_tables(void **state)
{
	uint64_t rsdp_gpa = 0, xsdt, fadt_gpa, madt_gpa, dsdt;
	const uint8_t *rsdp, *x, *fadt, *madt, *d;
	uint32_t flags, len;
	size_t used;

	(void)state;
	used = acpi_build_tables(buf, sizeof(buf), BASE, 2, &rsdp_gpa);
	assert_true(used > 0 && used <= sizeof(buf));
	assert_int_equal(rsdp_gpa, BASE);
	rsdp = buf;
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(sum(rsdp, 36), 0);
	assert_int_equal(rsdp[15], 2);			/* revision */
	memcpy(&xsdt, rsdp + 24, 8);
	x = table(xsdt, "XSDT");
	memcpy(&fadt_gpa, x + 36, 8);
	memcpy(&madt_gpa, x + 44, 8);
	fadt = table(fadt_gpa, "FACP");
	memcpy(&len, fadt + 4, 4);
	assert_int_equal(len, 276);
	memcpy(&flags, fadt + 112, 4);
	assert_true(flags & (1u << 20));		/* hardware-reduced */
	assert_true(flags & (1u << 10));		/* reset register */
	assert_int_equal(fadt[116], 1);			/* reset reg in I/O space */
	assert_int_equal(fadt[116 + 4] | fadt[116 + 5] << 8, ACPI_RESET_PORT);
	assert_int_equal(fadt[128], ACPI_RESET_VALUE);
	assert_int_equal(fadt[244 + 4] | fadt[244 + 5] << 8,
			 ACPI_SLEEP_CONTROL_PORT);
	memcpy(&dsdt, fadt + 140, 8);
	d = table(dsdt, "DSDT");
	assert_non_null(memmem(d, 36 + 14, "_S5_", 4));
	madt = table(madt_gpa, "APIC");
	memcpy(&len, madt + 4, 4);
	assert_int_equal(len, 36 + 8 + 2 * 8);
	for (int i = 0; i < 2; i++) {
		const uint8_t *e = madt + 44 + i * 8;

		assert_int_equal(e[0], 0);		/* processor local APIC */
		assert_int_equal(e[2], i);		/* ACPI UID = vCPU id */
		assert_int_equal(e[3], i);		/* APIC ID */
		assert_int_equal(e[4] & 1, 1);		/* enabled */
	}
}

static void test_limits(void **state)
{
	uint64_t rsdp;

	(void)state;
	assert_int_equal(acpi_build_tables(buf, 200, BASE, 1, &rsdp), 0);
	assert_int_equal(acpi_build_tables(buf, sizeof(buf), BASE, 0, &rsdp), 0);
	assert_int_equal(acpi_build_tables(buf, sizeof(buf), BASE,
					   ACPI_TABLES_MAX_VCPUS + 1, &rsdp), 0);
	assert_true(acpi_build_tables(buf, sizeof(buf), BASE,
				      ACPI_TABLES_MAX_VCPUS, &rsdp) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
