/* Host tests of keel.efi's pure-C parts: keel.cfg, LoadOptions, the core ELF, EFI memory maps, page tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/image.h>
#include "host.h"
#include "cfg.h"
#include "elf64.h"
#include "elfload.h"
#include "efi_memtype.h"
#include "pagetable.h"

static struct keel_cfg cfg;
static char report_log[4096];
static int fatal_count, warn_count;
static unsigned int last_fatal_line;

static void report(void *ctx, u32 line, bool fatal, const char *what,
		   const char *detail)
{
	size_t n = strlen(report_log);

	(void)ctx;
	snprintf(report_log + n, sizeof(report_log) - n, "%u:%s:%s%s\n", line,
		 fatal ? "E" : "W", what, detail);
	if (fatal) {
		fatal_count++;
		last_fatal_line = line;
	} else {
		warn_count++;
	}
}

static int parse(const char *text, const char *section)
{
	report_log[0] = '\0';
	fatal_count = warn_count = 0;
	last_fatal_line = ~0u;
	return cfg_parse(text, strlen(text), section, &cfg, report, NULL);
}

static void test_cfg_example(void **state)
{
	(void)state;
	assert_int_equal(parse("# comment\n[global]\ndefault=keel\n\n"
			       "[keel]\noptions=console=com1 loglvl=info\n",
			       NULL), 0);
	assert_string_equal(cfg.section, "keel");
	assert_string_equal(cfg.options, "console=com1 loglvl=info");
	assert_string_equal(cfg.kernel, "");
	assert_string_equal(cfg.ramdisk, "");
	assert_int_equal(fatal_count + warn_count, 0);
}

static void test_cfg_kernel_ramdisk(void **state)
{
	(void)state;
	assert_int_equal(parse("\xef\xbb\xbf[global]\r\n default = xen # pick\r\n"
			       "[other]\r\noptions=no\r\n"
			       "[xen]\r\n\toptions = a=1  b # c\r\n"
			       "kernel= vmlinuz  root=/dev/sda1   ro \r\n"
			       "ramdisk=\\boot\\initrd\r\nxsm=policy\r\n",
			       ""), 0);
	assert_string_equal(cfg.section, "xen");
	assert_string_equal(cfg.options, "a=1  b");
	assert_string_equal(cfg.kernel, "vmlinuz");
	assert_string_equal(cfg.kernel_args, "root=/dev/sda1   ro");
	assert_string_equal(cfg.ramdisk, "\\boot\\initrd");
	assert_int_equal(warn_count, 1);
	assert_non_null(strstr(report_log, "9:W:ignoring unsupported key: xsm"));
}

static void test_cfg_section_override(void **state)
{
	(void)state;
	assert_int_equal(parse("[global]\ndefault=a\n[a]\noptions=A\n"
			       "[b]\noptions=B\n", "b"), 0);
	assert_string_equal(cfg.options, "B");
	/* A section may be given without any [global]. */
	assert_int_equal(parse("[b]\noptions=B\n", "b"), 0);
	assert_string_equal(cfg.options, "B");
	/* Last value wins. */
	assert_int_equal(parse("[b]\noptions=1\noptions=2\n", "b"), 0);
	assert_string_equal(cfg.options, "2");
}

static void expect_fatal(const char *text, const char *section,
			 unsigned int line, const char *needle)
{
	assert_int_equal(parse(text, section), -EINVAL);
	assert_int_equal(fatal_count, 1);
	assert_int_equal(last_fatal_line, line);
	if (!strstr(report_log, needle))
		fail_msg("log \"%s\" lacks \"%s\"", report_log, needle);
}

static void test_cfg_malformed(void **state)
{
	char big[2048];

	(void)state;
	expect_fatal("[global]\ndefault=keel\n[keel]\nthis is junk\n", NULL, 4,
		     "expected key=value");
	expect_fatal("[global\n", NULL, 1, "closing ']'");
	expect_fatal("[]\n", NULL, 1, "bad section name");
	expect_fatal("[a b]\n", NULL, 1, "bad section name");
	expect_fatal("options=x\n[keel]\n", NULL, 1, "key before any [section]");
	expect_fatal("[keel]\n=x\n", "keel", 2, "expected key=value");
	expect_fatal("[keel]\noptions\n", "keel", 2, "expected key=value");
	expect_fatal("[keel]\nramdisk=a b\n", "keel", 2, "exactly one file");
	expect_fatal("[keel]\nramdisk=\n", "keel", 2, "exactly one file");
	expect_fatal("[keel]\nkernel=\n", "keel", 2, "needs a file name");
	expect_fatal("[global]\ndefault=a b\n", NULL, 2, "default= needs");
	expect_fatal("[keel]\noptions=a\x01\n", "keel", 2, "control character");
	expect_fatal("\xff\xfe[", NULL, 0, "UTF-16");
	expect_fatal("[global]\ndefault=nope\n[keel]\n", NULL, 0, "no such section: nope");
	expect_fatal("[keel]\noptions=x\n", NULL, 0, "no default=");
	expect_fatal("[global]\ndefault=global\n", NULL, 0, "cannot boot section");
	/* An error in a section that is not booted still counts. */
	expect_fatal("[global]\ndefault=a\n[a]\n[b]\nbad line\n", NULL, 5, "expected");

	memset(big, 'x', sizeof(big));
	memcpy(big, "[k]\noptions=", 12);
	big[sizeof(big) - 1] = '\0';
	expect_fatal(big, "k", 2, "options= value too long");
}

static void test_cfg_utf16_file(void **state)
{
	static const char utf16[] = "\xff\xfe[\0g\0]\0\n\0";

	(void)state;
	report_log[0] = '\0';
	assert_int_equal(cfg_parse(utf16, sizeof(utf16) - 1, NULL, &cfg, report,
				   NULL), -EINVAL);
	assert_non_null(strstr(report_log, "0:E:the file is UTF-16"));
	/* Without a byte order mark the NULs give it away. */
	report_log[0] = '\0';
	assert_int_equal(cfg_parse(utf16 + 2, sizeof(utf16) - 3, NULL, &cfg,
				   report, NULL), -EINVAL);
	assert_non_null(strstr(report_log, "1:E:control character"));
}

static int loadopt(const char *ascii, char *out, size_t outlen)
{
	u16 w[512];
	size_t i, n = strlen(ascii);

	for (i = 0; i <= n; i++)
		w[i] = (u8)ascii[i];
	return loadopt_to_ascii(w, (n + 1) * 2, out, outlen);
}

static void test_loadopt(void **state)
{
	static const u16 guid[8] = { 0x1234, 0xabcd, 0x0001, 0xffff };
	char out[64];

	(void)state;
	assert_int_equal(loadopt("FS0:\\EFI\\keel.EFI  console=com1\tx=y ",
				 out, sizeof(out)), 0);
	assert_string_equal(out, "console=com1 x=y");
	assert_int_equal(loadopt("console=com1 loglvl=all", out, sizeof(out)), 0);
	assert_string_equal(out, "console=com1 loglvl=all");
	assert_int_equal(loadopt("keel.efi", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(loadopt("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(loadopt_to_ascii(NULL, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* Binary OptionalData from a firmware boot entry. */
	assert_int_equal(loadopt_to_ascii(guid, sizeof(guid), out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(loadopt_to_ascii(guid, 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(loadopt("a very long command line indeed", out, 8),
			 -E2BIG);
}

/* A synthetic core: .boot at 2 MiB, the rest at KEEL_VIRT_BASE + phys. */
struct fake_elf {
	u8 buf[0x6000];
	struct elf64_ehdr *eh;
	struct elf64_phdr *ph;
};

static void make_elf(struct fake_elf *f)
{
	struct keel_image_header hdr = {
		.magic = KEEL_IMAGE_MAGIC0,
		.entry64 = KEEL_VIRT_BASE + 0x201010,
		.virt_start = KEEL_VIRT_BASE + 0x200000,
		.phys_link_start = 0x200000,
		.image_size = 0x5000,
	};

	memset(f->buf, 0, sizeof(f->buf));
	f->eh = (void *)f->buf;
	f->ph = (void *)(f->buf + sizeof(*f->eh));
	memcpy(f->eh->e_ident, ELFMAG, 4);
	f->eh->e_ident[EI_CLASS] = ELFCLASS64;
	f->eh->e_ident[EI_DATA] = ELFDATA2LSB;
	f->eh->e_ident[EI_VERSION] = EV_CURRENT;
	f->eh->e_version = EV_CURRENT;
	f->eh->e_type = ET_EXEC;
	f->eh->e_machine = EM_X86_64;
	f->eh->e_phoff = sizeof(*f->eh);
	f->eh->e_phentsize = sizeof(*f->ph);
	f->eh->e_phnum = 3;
	f->ph[0] = (struct elf64_phdr){ .p_type = PT_LOAD, .p_offset = 0x1000,
		.p_vaddr = 0x200000, .p_paddr = 0x200000,
		.p_filesz = 0x100, .p_memsz = 0x100 };
	f->ph[1] = (struct elf64_phdr){ .p_type = PT_LOAD, .p_offset = 0x2000,
		.p_vaddr = KEEL_VIRT_BASE + 0x201000, .p_paddr = 0x201000,
		.p_filesz = 0x2000, .p_memsz = 0x2000 };
	f->ph[2] = (struct elf64_phdr){ .p_type = PT_LOAD, .p_offset = 0x4000,
		.p_vaddr = KEEL_VIRT_BASE + 0x203000, .p_paddr = 0x203000,
		.p_filesz = 0x10, .p_memsz = 0x2000 };
	memcpy(f->buf + 0x1000 + 0x40, &hdr, sizeof(hdr));
	memset(f->buf + 0x2000, 0xcc, 0x2000);
	memset(f->buf + 0x4000, 0xdd, 0x2000);
}

static int check_and_place(struct fake_elf *f, const char **why,
			   struct keel_image_header *hdr)
{
	static u8 image[MiB(2)];
	struct core_span span;
	int ret;

	ret = core_check(f->buf, sizeof(f->buf), &span, why);
	if (ret)
		return ret;
	core_place(f->buf, &span, image, sizeof(image));
	return core_find_header(f->buf, &span, image, sizeof(image), hdr, why);
}

static void test_elf_good(void **state)
{
	static u8 image[MiB(2)];
	struct keel_image_header hdr;
	struct core_span span;
	struct fake_elf f;
	const char *why = NULL;

	(void)state;
	make_elf(&f);
	assert_int_equal(core_check(f.buf, sizeof(f.buf), &span, &why), 0);
	assert_int_equal(span.lowest, 0x200000);
	assert_int_equal(span.end, 0x205000);
	assert_int_equal(span.nr_load, 3);
	memset(image, 0xee, sizeof(image));
	core_place(f.buf, &span, image, sizeof(image));
	assert_int_equal(image[0x1000], 0xcc);
	assert_int_equal(image[0x3000], 0xdd);
	assert_int_equal(image[0x3010], 0);	/* .bss */
	assert_int_equal(image[0x100], 0);	/* gap */
	assert_int_equal(image[MiB(2) - 1], 0);	/* round-up */
	assert_int_equal(core_find_header(f.buf, &span, image, sizeof(image),
					  &hdr, &why), 0);
	assert_true(hdr.entry64 == KEEL_VIRT_BASE + 0x201010);
}

static void expect_bad(struct fake_elf *f, const char *needle)
{
	struct keel_image_header hdr;
	const char *why = NULL;

	assert_int_equal(check_and_place(f, &why, &hdr), -ENOEXEC);
	assert_non_null(why);
	if (!strstr(why, needle))
		fail_msg("\"%s\" lacks \"%s\"", why, needle);
}

static void test_elf_bad(void **state)
{
	struct keel_image_header *h;
	struct fake_elf f;
	const char *why;
	struct core_span span;

	(void)state;
	assert_int_equal(core_check("\x7f" "ELF", 4, &span, &why), -ENOEXEC);

	make_elf(&f); f.buf[0] = 'X'; expect_bad(&f, "not an ELF");
	make_elf(&f); f.buf[EI_CLASS] = 1; expect_bad(&f, "ELF64");
	make_elf(&f); f.eh->e_machine = 3; expect_bad(&f, "x86-64");
	make_elf(&f); f.eh->e_type = 3; expect_bad(&f, "executable");
	make_elf(&f); f.eh->e_phentsize = 32; expect_bad(&f, "header size");
	make_elf(&f); f.eh->e_phnum = 0; expect_bad(&f, "number of program");
	make_elf(&f); f.eh->e_phnum = 1000; expect_bad(&f, "number of program");
	make_elf(&f); f.eh->e_phoff = ~0ULL - 8; expect_bad(&f, "outside the file");
	make_elf(&f); f.ph[1].p_offset = 0x5800; expect_bad(&f, "outside the file");
	make_elf(&f); f.ph[1].p_filesz = ~0ULL; expect_bad(&f, "outside the file");
	make_elf(&f); f.ph[2].p_filesz = 0x2001; expect_bad(&f, "outside the file");
	make_elf(&f); f.ph[0].p_filesz = 0x200; expect_bad(&f, "filesz > memsz");
	make_elf(&f); f.ph[2].p_memsz = MiB(300); expect_bad(&f, "too large");
	make_elf(&f); f.ph[2].p_paddr = ~0ULL - 0x100; expect_bad(&f, "wraps");
	make_elf(&f); f.ph[2].p_paddr = 0x202000; expect_bad(&f, "overlap");
	make_elf(&f); f.ph[2].p_paddr = MiB(512); expect_bad(&f, "span");
	make_elf(&f); f.ph[0].p_type = f.ph[1].p_type = f.ph[2].p_type = 4;
	expect_bad(&f, "no PT_LOAD");

	h = (void *)(f.buf + 0x1040);
	make_elf(&f); h->magic = 0; expect_bad(&f, "no keel_image_header");
	make_elf(&f); h->phys_link_start = 0x100000; expect_bad(&f, "phys_link_start");
	make_elf(&f); h->image_size = 0; expect_bad(&f, "image_size");
	make_elf(&f); h->image_size = MiB(3); expect_bad(&f, "image_size");
	make_elf(&f); h->virt_start += 0x1000; expect_bad(&f, "2 MiB aligned");
	make_elf(&f); h->virt_start = 0x40000000; expect_bad(&f, "upper half");
	make_elf(&f); h->entry64 = KEEL_VIRT_BASE + 0x300000; expect_bad(&f, "entry64");
	make_elf(&f); f.ph[1].p_vaddr += MiB(2); expect_bad(&f, "p_vaddr");
}

static struct boot_info bi;

static void add_desc(u8 *map, size_t desc_size, int i, u32 type, u64 start,
		     u64 pages)
{
	struct efi_memory_desc d = { .type = type, .phys_start = start,
				  .nr_pages = pages };

	memset(map + i * desc_size, 0x5a, desc_size);
	memcpy(map + i * desc_size, &d, sizeof(d));
}

static void test_memtype(void **state)
{
	static const u32 want[15] = {
		MEM_RESERVED, MEM_USABLE, MEM_USABLE, MEM_USABLE, MEM_USABLE,
		MEM_RESERVED, MEM_RESERVED, MEM_USABLE, MEM_BAD, MEM_ACPI,
		MEM_NVS, MEM_RESERVED, MEM_RESERVED, MEM_RESERVED, MEM_RESERVED,
	};
	u32 i;

	(void)state;
	for (i = 0; i < 15; i++)
		assert_int_equal(efi_memtype_to_memmap(i), want[i]);
	assert_int_equal(efi_memtype_to_memmap(0x80000000), MEM_RESERVED);
}

static void test_memmap_convert(void **state)
{
	const size_t ds = 48;	/* OVMF's descriptor size */
	u8 map[48 * 8];

	(void)state;
	memset(&bi, 0, sizeof(bi));
	/* Unsorted, with merges across EFI types of the same class. */
	add_desc(map, ds, 0, EFI_MT_CONVENTIONAL, 0x100000, 0x100);
	add_desc(map, ds, 1, EFI_MT_LOADER_DATA, 0x200000, 0x10);
	add_desc(map, ds, 2, EFI_MT_CONVENTIONAL, 0, 0xa0);
	add_desc(map, ds, 3, EFI_MT_ACPI_NVS, 0x210000, 0x10);
	add_desc(map, ds, 4, EFI_MT_BOOT_SERVICES_CODE, 0x220000, 0x10);
	add_desc(map, ds, 5, EFI_MT_RUNTIME_SERVICES_DATA, 0x230000, 0);
	add_desc(map, ds, 6, EFI_MT_MMIO, 0xfec00000, 1);
	add_desc(map, ds, 7, EFI_MT_UNUSABLE, 0x230000, 2);
	assert_int_equal(efi_memmap_convert(&bi, map, sizeof(map), ds), 0);
	assert_int_equal(bi.nr_memmap, 6);
	assert_true(bi.memmap[0].addr == 0 && bi.memmap[0].size == 0xa0000 &&
		    bi.memmap[0].type == MEM_USABLE);
	assert_true(bi.memmap[1].addr == 0x100000 &&
		    bi.memmap[1].size == 0x110000 &&
		    bi.memmap[1].type == MEM_USABLE);
	assert_true(bi.memmap[2].addr == 0x210000 && bi.memmap[2].type == MEM_NVS);
	assert_true(bi.memmap[3].addr == 0x220000 && bi.memmap[3].type == MEM_USABLE);
	assert_true(bi.memmap[4].addr == 0x230000 && bi.memmap[4].size == 0x2000 &&
		    bi.memmap[4].type == MEM_BAD);
	assert_true(bi.memmap[5].addr == 0xfec00000 &&
		    bi.memmap[5].type == MEM_RESERVED);

	assert_int_equal(efi_memmap_convert(&bi, map, sizeof(map), 20), -EINVAL);
}

static void test_memmap_full(void **state)
{
	static u8 map[40 * 300];
	int i;

	(void)state;
	memset(&bi, 0, sizeof(bi));
	for (i = 0; i < 300; i++)
		add_desc(map, 40, i, i & 1 ? EFI_MT_CONVENTIONAL : EFI_MT_ACPI_NVS,
			 (u64)i << 12, 1);
	assert_int_equal(efi_memmap_convert(&bi, map, sizeof(map), 40), -ENOSPC);
	assert_int_equal(bi.nr_memmap, BOOTINFO_MAX_MEMMAP);
	assert_true(bi.memmap[0].addr == 0);
}

/* A server's map as keel.efi hands it on: 100 ranges up to 400 GiB, sorted, none lost. */
static void test_memmap_server(void **state)
{
	static u8 map[48 * 100];
	int i;

	(void)state;
	memset(&bi, 0, sizeof(bi));
	for (i = 0; i < 100; i++)	/* in reverse, RAM and ACPI NVS in turn */
		add_desc(map, 48, 99 - i,
			 i & 1 ? EFI_MT_ACPI_NVS : EFI_MT_CONVENTIONAL,
			 (u64)i << 32, 0x100);
	assert_int_equal(efi_memmap_convert(&bi, map, sizeof(map), 48), 0);
	assert_int_equal(bi.nr_memmap, 100);
	for (i = 0; i < 100; i++) {
		assert_int_equal(bi.memmap[i].addr, (u64)i << 32);
		assert_int_equal(bi.memmap[i].size, 0x100000);
		assert_int_equal(bi.memmap[i].type, i & 1 ? MEM_NVS : MEM_USABLE);
	}
}

/* Walk the tables like the MMU: the physical address behind va, or ~0. */
static u64 walk(u64 *pml4, u64 va)
{
	u64 e = pml4[(va >> 39) & 511], *t;

	if (!(e & 1))
		return ~0ULL;
	t = (u64 *)(uintptr_t)(e & 0x000ffffffffff000ULL);
	e = t[(va >> 30) & 511];
	if (!(e & 1))
		return ~0ULL;
	t = (u64 *)(uintptr_t)(e & 0x000ffffffffff000ULL);
	e = t[(va >> 21) & 511];
	if ((e & 0x83) != 0x83)
		return ~0ULL;
	return (e & 0x000fffffffe00000ULL) + (va & (MiB(2) - 1));
}

static void test_pagetable(void **state)
{
	u64 virt = KEEL_VIRT_BASE + 0x200000, nr;
	u64 ident = GiB(6), *pages;
	struct pt_pool pool;

	(void)state;
	nr = boot_pt_pages_needed(ident, virt, MiB(4));
	assert_int_equal(nr, 1 + 1 + 6 + 1 + 1);
	pages = aligned_alloc(4096, nr * 4096);
	boot_pt_init(&pool, pages, nr);
	assert_int_equal(boot_pt_map(&pool, 0, 0, ident), 0);
	assert_int_equal(boot_pt_map(&pool, virt, 0x7da00000, MiB(4)), 0);
	assert_int_equal(pool.used, nr);
	assert_true(boot_pt_root(&pool) == (u64)(uintptr_t)pages);
	assert_true(walk(pages, 0) == 0);
	assert_true(walk(pages, GiB(6) - 1) == GiB(6) - 1);
	assert_true(walk(pages, GiB(6)) == ~0ULL);
	assert_true(walk(pages, virt + 0x1234) == 0x7da01234);
	assert_true(walk(pages, virt + MiB(4) - 1) == 0x7da00000 + MiB(4) - 1);
	assert_true(walk(pages, virt + MiB(4)) == ~0ULL);
	/* The pool is exact: one more mapping elsewhere does not fit. */
	assert_int_equal(boot_pt_map(&pool, GiB(600), 0, MiB(2)), -ENOMEM);
	assert_int_equal(boot_pt_map(&pool, 0x1000, 0, MiB(2)), -EINVAL);
	/* A virtual range straddling a 1 GiB and a 512 GiB boundary. */
	assert_int_equal(boot_pt_pages_needed(GiB(4), GiB(512) - MiB(2), MiB(4)),
			 1 + 1 + 4 + 2 + 2);
	free(pages);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_example),
		cmocka_unit_test(test_cfg_kernel_ramdisk),
		cmocka_unit_test(test_cfg_section_override),
		cmocka_unit_test(test_cfg_malformed),
		cmocka_unit_test(test_cfg_utf16_file),
		cmocka_unit_test(test_loadopt),
		cmocka_unit_test(test_elf_good),
		cmocka_unit_test(test_elf_bad),
		cmocka_unit_test(test_memtype),
		cmocka_unit_test(test_memmap_convert),
		cmocka_unit_test(test_memmap_full),
		cmocka_unit_test(test_memmap_server),
		cmocka_unit_test(test_pagetable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
