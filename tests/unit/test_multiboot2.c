/* Host tests of the multiboot2 parser: valid GRUB-like blocks and hostile ones. */
#include <stdlib.h>
#include <string.h>
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/multiboot2.h>
#include "host.h"

#define INFO_PHYS 0x10000

struct mb {
	uint8_t buf[65536] __attribute__((aligned(8)));
	uint32_t len;
};

static struct boot_info bi;

static void mb_begin(struct mb *m)
{
	memset(m->buf, 0, sizeof(m->buf));
	m->len = 8;
}

static void *mb_tag(struct mb *m, uint32_t type, const void *payload,
		    uint32_t payload_len)
{
	struct mb2_tag *t = (void *)(m->buf + m->len);

	t->type = type;
	t->size = 8 + payload_len;
	if (payload)
		memcpy(t + 1, payload, payload_len);
	m->len += (t->size + 7) & ~7u;
	return t;
}

static void mb_string(struct mb *m, uint32_t type, const char *s)
{
	mb_tag(m, type, s, strlen(s) + 1);
}

static void mb_module(struct mb *m, uint32_t start, uint32_t end,
		      const char *s)
{
	uint8_t p[512];

	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	strcpy((char *)p + 8, s);
	mb_tag(m, MB2_TAG_MODULE, p, 8 + strlen(s) + 1);
}

static void mb_mmap(struct mb *m, const struct mb2_mmap_entry *e, int n)
{
	uint8_t p[8192];
	uint32_t hdr[2] = { sizeof(*e), 0 };

	memcpy(p, hdr, 8);
	memcpy(p + 8, e, n * sizeof(*e));
	mb_tag(m, MB2_TAG_MMAP, p, 8 + n * sizeof(*e));
}

static void mb_end(struct mb *m)
{
	mb_tag(m, MB2_TAG_END, NULL, 0);
	((struct mb2_info_header *)m->buf)->total_size = m->len;
}

static const struct mb2_mmap_entry std_map[] = {
	{ 0x0, 0x9fc00, 1, 0 },
	{ 0x9fc00, 0x400, 2, 0 },
	{ 0x100000, 0x7ef0000, 1, 0 },
	{ 0x7ff0000, 0x10000, 3, 0 },
	{ 0xfffc0000, 0x40000, 2, 0 },
};

static void build_valid(struct mb *m)
{
	uint8_t rsdp[36] = "RSD PTR ";

	mb_begin(m);
	mb_string(m, MB2_TAG_CMDLINE, "loglvl=debug dom0_mem=512M");
	mb_string(m, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	mb_module(m, 0x400000, 0x500000, "vmlinux console=hvc0");
	mb_module(m, 0x600000, 0x600000, "");
	mb_mmap(m, std_map, 5);
	mb_tag(m, MB2_TAG_ACPI_NEW, rsdp, sizeof(rsdp));
	mb_tag(m, 999, "future", 6);	/* unknown tags are skipped */
	mb_end(m);
}

static int parse(struct mb *m, size_t avail)
{
	return mb2_parse(m->buf, avail, INFO_PHYS, &bi);
}

static int setup(void **state)
{
	(void)state;
	test_log_reset();
	return 0;
}

static void test_valid_bios(void **state)
{
	static struct mb m;

	(void)state;
	build_valid(&m);
	assert_int_equal(parse(&m, m.len), 0);
	assert_int_equal(bi.boot_path, BOOT_MULTIBOOT2_BIOS);
	assert_string_equal(bi.cmdline, "loglvl=debug dom0_mem=512M");
	assert_string_equal(bi.loader_name, "GRUB 2.06");
	assert_int_equal(bi.nr_modules, 2);
	assert_int_equal(bi.modules[0].start, 0x400000);
	assert_int_equal(bi.modules[0].end, 0x500000);
	assert_string_equal(bi.modules[0].string, "vmlinux console=hvc0");
	assert_string_equal(bi.modules[1].string, "");
	assert_int_equal(bi.nr_memmap, 5);
	assert_int_equal(bi.memmap[2].addr, 0x100000);
	assert_int_equal(bi.memmap[2].type, MEM_USABLE);
	assert_int_equal(bi.memmap[3].type, MEM_ACPI);
	assert_int_equal(bi.memmap[4].type, MEM_RESERVED);
	assert_true(bi.rsdp_phys > INFO_PHYS && bi.rsdp_phys < INFO_PHYS + m.len);
	assert_int_equal(bi.nr_reserved, 1);
	assert_int_equal(bi.reserved[0].start, INFO_PHYS);
	assert_int_equal(bi.reserved[0].end, INFO_PHYS + m.len);
	assert_string_equal(test_log, "");
}

/*
 * What a hardware dom0 is built from (issue 14): a server's full map, with
 * ranges above 4 GiB, kept entry for entry, and the RSDP of ACPI 2.0 over
 * the old one, on both GRUB paths.
 */
static void test_server_map_and_rsdp(void **state)
{
	static struct mb m;
	static struct mb2_mmap_entry map[100];
	static struct efi_memory_desc d[60];
	static uint8_t p[8 + sizeof(d)];
	uint8_t rsdp_old[20] = "RSD PTR ", rsdp_new[36] = "RSD PTR ";
	uint32_t hdr[2] = { sizeof(struct efi_memory_desc), 1 };
	uint64_t systab = 0x7f000000;

	(void)state;
	for (int i = 0; i < 100; i++)	/* RAM, reserved, ACPI, NVS in turn */
		map[i] = (struct mb2_mmap_entry){ (uint64_t)i << 30, 1ULL << 29,
						  1 + i % 4, 0 };
	mb_begin(&m);
	mb_tag(&m, MB2_TAG_ACPI_OLD, rsdp_old, sizeof(rsdp_old));
	mb_mmap(&m, map, 100);
	mb_tag(&m, MB2_TAG_ACPI_NEW, rsdp_new, sizeof(rsdp_new));
	mb_tag(&m, MB2_TAG_ACPI_OLD, rsdp_old, sizeof(rsdp_old));
	mb_end(&m);
	assert_int_equal(parse(&m, m.len), 0);
	assert_int_equal(bi.nr_memmap, 100);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(bi.memmap[i].addr, (uint64_t)i << 30);
		assert_int_equal(bi.memmap[i].size, 1ULL << 29);
		assert_int_equal(bi.memmap[i].type, 1 + i % 4);
	}
	/* The ACPI 2.0 copy, whatever the order of the tags. */
	assert_memory_equal(m.buf + (bi.rsdp_phys - INFO_PHYS), rsdp_new, 36);
	assert_int_equal(*(uint32_t *)(m.buf + (bi.rsdp_phys - INFO_PHYS) - 8),
			 MB2_TAG_ACPI_NEW);

	/* EFI GRUB with only the EFI map: high RAM and the RSDP all the same. */
	for (int i = 0; i < 60; i++)
		d[i] = (struct efi_memory_desc){
			.type = i % 2 ? 9 : 7,	/* ACPI reclaim, conventional */
			.phys_start = (uint64_t)i << 32, .nr_pages = 0x1000 };
	memcpy(p, hdr, 8);
	memcpy(p + 8, d, sizeof(d));
	mb_begin(&m);
	mb_tag(&m, MB2_TAG_EFI64, &systab, 8);
	mb_tag(&m, MB2_TAG_EFI_MMAP, p, sizeof(p));
	mb_tag(&m, MB2_TAG_ACPI_OLD, rsdp_old, sizeof(rsdp_old));
	mb_end(&m);
	assert_int_equal(parse(&m, m.len), 0);
	assert_int_equal(bi.boot_path, BOOT_MULTIBOOT2_EFI);
	assert_int_equal(bi.nr_memmap, 60);
	assert_int_equal(bi.memmap[59].addr, 59ULL << 32);
	assert_int_equal(bi.memmap[59].type, MEM_ACPI);
	assert_int_equal(*(uint32_t *)(m.buf + (bi.rsdp_phys - INFO_PHYS) - 8),
			 MB2_TAG_ACPI_OLD);
}

static void test_valid_efi_memory_map(void **state)
{
	static struct mb m;
	struct efi_memory_desc d[3] = {
		{ .type = 7, .phys_start = 0x100000, .nr_pages = 0x100 },
		{ .type = 4, .phys_start = 0x200000, .nr_pages = 0x100 },
		{ .type = 5, .phys_start = 0x300000, .nr_pages = 0x10 },
	};
	uint8_t p[8 + sizeof(d)];
	uint32_t hdr[2] = { sizeof(struct efi_memory_desc), 1 };
	uint64_t systab = 0x7f000000;

	(void)state;
	memcpy(p, hdr, 8);
	memcpy(p + 8, d, sizeof(d));
	mb_begin(&m);
	mb_tag(&m, MB2_TAG_EFI64, &systab, 8);
	mb_tag(&m, MB2_TAG_EFI_MMAP, p, sizeof(p));
	mb_end(&m);
	assert_int_equal(parse(&m, m.len), 0);
	assert_int_equal(bi.boot_path, BOOT_MULTIBOOT2_EFI);
	assert_int_equal(bi.efi_systab_phys, systab);
	/* conventional + boot-services data merge; runtime code is reserved */
	assert_int_equal(bi.nr_memmap, 2);
	assert_int_equal(bi.memmap[0].addr, 0x100000);
	assert_int_equal(bi.memmap[0].size, 0x200000);
	assert_int_equal(bi.memmap[0].type, MEM_USABLE);
	assert_int_equal(bi.memmap[1].type, MEM_RESERVED);
}

/* Expect a rejection whose message contains @msg. */
static void expect_reject(struct mb *m, size_t avail, const char *msg)
{
	test_log_reset();
	assert_int_equal(parse(m, avail), -EINVAL);
	if (!test_log_has(msg))
		fail_msg("expected message '%s', got '%s'", msg, test_log);
}

static void test_truncated(void **state)
{
	static struct mb m;

	(void)state;
	build_valid(&m);
	expect_reject(&m, m.len - 8, "implausible total_size");
	expect_reject(&m, 4, "truncated");
	((struct mb2_info_header *)m.buf)->total_size = 8;
	expect_reject(&m, m.len, "implausible total_size");
	((struct mb2_info_header *)m.buf)->total_size = MB2_INFO_MAX_SIZE + 8;
	expect_reject(&m, sizeof(m.buf), "implausible total_size");
}

static void test_misaligned(void **state)
{
	static struct mb m;

	(void)state;
	build_valid(&m);
	test_log_reset();
	assert_int_equal(mb2_parse(m.buf + 4, m.len, INFO_PHYS + 4, &bi),
			 -EINVAL);
	assert_true(test_log_has("not 8-byte aligned"));
}

static void test_bad_tag_sizes(void **state)
{
	static struct mb m;
	struct mb2_tag *t;

	(void)state;
	mb_begin(&m);
	t = mb_tag(&m, MB2_TAG_LOADER_NAME, "x", 2);
	mb_end(&m);
	t->size = 4;
	expect_reject(&m, m.len, "has size 4");
	t->size = 0xfffffff0;
	expect_reject(&m, m.len, "beyond the block");
}

static void test_end_tag(void **state)
{
	static struct mb m;
	struct mb2_tag *t;

	(void)state;
	mb_begin(&m);
	mb_string(&m, MB2_TAG_CMDLINE, "a");
	((struct mb2_info_header *)m.buf)->total_size = m.len;
	expect_reject(&m, m.len, "no end tag");
	mb_begin(&m);
	t = mb_tag(&m, MB2_TAG_END, "12345678", 8);
	((struct mb2_info_header *)m.buf)->total_size = m.len;
	(void)t;
	expect_reject(&m, m.len, "end tag has size 16");
}

static void test_strings(void **state)
{
	static struct mb m;
	static char longline[2000];
	struct mb2_tag *t;

	(void)state;
	mb_begin(&m);
	t = mb_tag(&m, MB2_TAG_CMDLINE, "abcdefg", 8);
	mb_mmap(&m, std_map, 5);
	mb_end(&m);
	((char *)(t + 1))[7] = 'h';	/* no NUL inside the tag */
	expect_reject(&m, m.len, "command line is not NUL-terminated");

	memset(longline, 'x', sizeof(longline) - 1);
	mb_begin(&m);
	mb_string(&m, MB2_TAG_CMDLINE, longline);
	mb_mmap(&m, std_map, 5);
	mb_end(&m);
	expect_reject(&m, m.len, "keel accepts at most 1023");

	mb_begin(&m);
	mb_string(&m, MB2_TAG_CMDLINE, "a");
	mb_string(&m, MB2_TAG_CMDLINE, "b");
	mb_mmap(&m, std_map, 5);
	mb_end(&m);
	expect_reject(&m, m.len, "more than one command line");
}

static void test_modules(void **state)
{
	static struct mb m;
	struct mb2_tag_module *mod;

	(void)state;
	mb_begin(&m);
	mb_module(&m, 0x500000, 0x400000, "backwards");
	mb_mmap(&m, std_map, 5);
	mb_end(&m);
	expect_reject(&m, m.len, "before it starts");

	mb_begin(&m);
	for (int i = 0; i <= BOOTINFO_MAX_MODULES; i++)
		mb_module(&m, 0x400000, 0x401000, "m");
	mb_mmap(&m, std_map, 5);
	mb_end(&m);
	expect_reject(&m, m.len, "more than 16 modules");

	mb_begin(&m);
	mod = mb_tag(&m, MB2_TAG_MODULE, NULL, 8);
	mb_mmap(&m, std_map, 5);
	mb_end(&m);
	(void)mod;
	expect_reject(&m, m.len, "module tag too short");
}

static void test_memory_maps(void **state)
{
	static struct mb m;
	static struct mb2_mmap_entry many[BOOTINFO_MAX_MEMMAP + 1];
	struct mb2_tag_mmap *mm;
	struct mb2_mmap_entry wrap = { 0xfffffffffffff000ULL, 0x2000, 1, 0 };

	(void)state;
	mb_begin(&m);
	mb_string(&m, MB2_TAG_CMDLINE, "x");
	mb_end(&m);
	expect_reject(&m, m.len, "no memory map");

	mb_begin(&m);
	mb_mmap(&m, std_map, 5);
	mm = (void *)(m.buf + 8);
	mm->entry_size = 20;
	mb_end(&m);
	expect_reject(&m, m.len, "bad memory map entry size 20");

	mb_begin(&m);
	mm = mb_tag(&m, MB2_TAG_MMAP, NULL, 8 + 24 + 8);
	mm->entry_size = 24;
	mb_end(&m);
	expect_reject(&m, m.len, "not a whole number");

	mb_begin(&m);
	mb_mmap(&m, &wrap, 1);
	mb_end(&m);
	expect_reject(&m, m.len, "wraps around");

	for (int i = 0; i < BOOTINFO_MAX_MEMMAP + 1; i++)
		many[i] = (struct mb2_mmap_entry){ i * 0x10000ULL, 0x1000,
						   1 + i % 2, 0 };
	mb_begin(&m);
	mb_mmap(&m, many, BOOTINFO_MAX_MEMMAP + 1);
	mb_end(&m);
	expect_reject(&m, m.len, "more than 128 entries");

	mb_begin(&m);
	mb_mmap(&m, std_map, 5);
	mb_mmap(&m, std_map, 5);
	mb_end(&m);
	expect_reject(&m, m.len, "more than one memory map");
}

static void test_efi_tags(void **state)
{
	static struct mb m;
	uint64_t handle = 0x1234;
	uint32_t bad_hdr[2] = { 8, 1 };

	(void)state;
	mb_begin(&m);
	mb_mmap(&m, std_map, 5);
	mb_tag(&m, MB2_TAG_EFI_BS, NULL, 0);
	mb_end(&m);
	expect_reject(&m, m.len, "boot services running");

	mb_begin(&m);
	mb_tag(&m, MB2_TAG_EFI_MMAP, bad_hdr, 8);
	mb_end(&m);
	expect_reject(&m, m.len, "malformed EFI memory map");

	mb_begin(&m);
	mb_mmap(&m, std_map, 5);
	mb_tag(&m, MB2_TAG_EFI64, &handle, 4);
	mb_end(&m);
	expect_reject(&m, m.len, "EFI64 system table tag too short");
}

static void test_acpi(void **state)
{
	static struct mb m;
	uint8_t bogus[20] = "NOT RSDP";

	(void)state;
	mb_begin(&m);
	mb_mmap(&m, std_map, 5);
	mb_tag(&m, MB2_TAG_ACPI_OLD, bogus, sizeof(bogus));
	mb_end(&m);
	expect_reject(&m, m.len, "holds no RSDP");
}

/*
 * Random corruption of a valid block, parsed from a heap copy of exactly
 * the readable size: AddressSanitizer turns any read outside it into a
 * failure. Every outcome must be success or a reported -EINVAL.
 */
static void test_mutations(void **state)
{
	static struct mb m, valid;
	unsigned int seed = 12345;

	(void)state;
	build_valid(&valid);
	for (int iter = 0; iter < 20000; iter++) {
		size_t avail;
		uint8_t *copy;
		int rc, flips = 1 + rand_r(&seed) % 4;

		memcpy(&m, &valid, sizeof(m));
		for (int f = 0; f < flips; f++) {
			uint32_t off = rand_r(&seed) % valid.len;

			if (rand_r(&seed) % 2)
				m.buf[off] = rand_r(&seed);
			else
				m.buf[off & ~3u] ^= 1u << (rand_r(&seed) % 8);
		}
		avail = rand_r(&seed) % 4 ? valid.len : rand_r(&seed) % (valid.len + 64);
		copy = aligned_alloc(8, avail ? (avail + 7) & ~7ul : 8);
		memcpy(copy, m.buf, avail);
		test_log_reset();
		rc = mb2_parse(copy, avail, INFO_PHYS, &bi);
		free(copy);
		if (rc != 0 && rc != -EINVAL)
			fail_msg("unexpected return %d", rc);
		if (rc == -EINVAL && !test_log[0])
			fail_msg("rejected without a message (iteration %d)", iter);
		if (rc == 0) {
			assert_true(bi.nr_memmap <= BOOTINFO_MAX_MEMMAP);
			assert_true(bi.nr_modules <= BOOTINFO_MAX_MODULES);
			assert_true(strlen(bi.cmdline) < BOOTINFO_CMDLINE_LEN);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid_bios, setup),
		cmocka_unit_test_setup(test_valid_efi_memory_map, setup),
		cmocka_unit_test_setup(test_truncated, setup),
		cmocka_unit_test_setup(test_misaligned, setup),
		cmocka_unit_test_setup(test_bad_tag_sizes, setup),
		cmocka_unit_test_setup(test_end_tag, setup),
		cmocka_unit_test_setup(test_strings, setup),
		cmocka_unit_test_setup(test_modules, setup),
		cmocka_unit_test_setup(test_memory_maps, setup),
		cmocka_unit_test_setup(test_efi_tags, setup),
		cmocka_unit_test_setup(test_acpi, setup),
		cmocka_unit_test_setup(test_server_map_and_rsdp, setup),
		cmocka_unit_test_setup(test_mutations, setup),
	};

	return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
