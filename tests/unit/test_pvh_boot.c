/* Host tests of the PVH kernel loader (valid and hostile ELFs) and the guest memory map and boot page. */
#include <stdlib.h>
#include <string.h>
#include <keel/elf.h>
#include <keel/errno.h>
#include <keel/page.h>
#include <keel/pvh_layout.h>
#include <public/elfnote.h>
#include "host.h"

#define MEM (64ULL << 20)

/* A small PVH ELF: two PT_LOADs and a PT_NOTE with the Xen entry note. */
struct fake_elf {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[3];
	struct {
		struct elf_note n;
		char name[4];
		u32 desc;
	} note;
	u8 text[64];
	u8 data[32];
};

static struct fake_elf elf;
static struct pvh_kernel k;

static void build_elf(void)
{
	memset(&elf, 0, sizeof(elf));
	memcpy(elf.eh.e_ident, "\x7f" "ELF", 4);
	elf.eh.e_ident[4] = ELFCLASS64;
	elf.eh.e_ident[5] = ELFDATA2LSB;
	elf.eh.e_type = ET_EXEC;
	elf.eh.e_machine = EM_X86_64;
	elf.eh.e_phoff = offsetof(struct fake_elf, ph);
	elf.eh.e_phentsize = sizeof(struct elf64_phdr);
	elf.eh.e_phnum = 3;
	elf.ph[0] = (struct elf64_phdr){ .p_type = PT_LOAD,
		.p_offset = offsetof(struct fake_elf, text),
		.p_paddr = 0x100000, .p_filesz = 64, .p_memsz = 64 };
	elf.ph[1] = (struct elf64_phdr){ .p_type = PT_LOAD,
		.p_offset = offsetof(struct fake_elf, data),
		.p_paddr = 0x200000, .p_filesz = 32, .p_memsz = 0x3000 };
	elf.ph[2] = (struct elf64_phdr){ .p_type = PT_NOTE,
		.p_offset = offsetof(struct fake_elf, note),
		.p_filesz = sizeof(elf.note) };
	elf.note.n = (struct elf_note){ 4, 4, XEN_ELFNOTE_PHYS32_ENTRY };
	memcpy(elf.note.name, "Xen", 4);
	elf.note.desc = 0x100010;
	memset(elf.text, 0x90, sizeof(elf.text));
	memset(elf.data, 0xab, sizeof(elf.data));
}

static int setup(void **state)
{
	(void)state;
	build_elf();
	test_log_reset();
	return 0;
}

/* Guest memory for pvh_elf_load(): 4 MiB at guest-physical 0. */
static u8 *guest;

static int write_guest(void *ctx, u64 gpa, const void *src, u64 len)
{
	(void)ctx;
	if (gpa + len > (4u << 20))
		return -EFAULT;
	if (src)
		memcpy(guest + gpa, src, len);
	else
		memset(guest + gpa, 0, len);
	return 0;
}

static void test_valid_kernel_loads(void **state)
{
	(void)state;
	assert_int_equal(pvh_elf_check(&elf, sizeof(elf), MEM, &k), 0);
	assert_int_equal(k.entry, 0x100010);
	assert_int_equal(k.lowest, 0x100000);
	assert_int_equal(k.highest, 0x203000);
	assert_int_equal(k.nr_segments, 2);
	guest = malloc(4u << 20);
	memset(guest, 0xee, 4u << 20);
	assert_int_equal(pvh_elf_load(&elf, &k, write_guest, NULL), 0);
	assert_int_equal(guest[0x100000], 0x90);
	assert_int_equal(guest[0x200000 + 31], 0xab);
	assert_int_equal(guest[0x200000 + 32], 0);	/* bss zeroed */
	assert_int_equal(guest[0x202fff], 0);
	assert_int_equal(guest[0x203000], 0xee);	/* and no further */
	free(guest);
}

static void expect(int rc, size_t size, const char *msg)
{
	test_log_reset();
	assert_int_equal(pvh_elf_check(&elf, size, MEM, &k), rc);
	if (!test_log_has(msg))
		fail_msg("expected '%s', got '%s'", msg, test_log);
}

static void test_hostile_elfs(void **state)
{
	(void)state;
	expect(-ENOEXEC, 10, "not an ELF file");
	elf.eh.e_machine = 3;
	expect(-ENOEXEC, sizeof(elf), "not a little-endian x86-64");
	build_elf();
	elf.eh.e_phnum = 200;
	expect(-EINVAL, sizeof(elf), "program headers");
	build_elf();
	elf.eh.e_phoff = sizeof(elf) - 8;
	expect(-EINVAL, sizeof(elf), "program headers");
	build_elf();
	elf.ph[0].p_filesz = 1 << 20;
	elf.ph[0].p_memsz = 1 << 20;
	expect(-EINVAL, sizeof(elf), "outside the file");
	build_elf();
	elf.ph[0].p_offset = ~0ULL - 10;
	expect(-EINVAL, sizeof(elf), "outside the file");
	build_elf();
	elf.ph[1].p_filesz = 64;
	elf.ph[1].p_memsz = 32;
	expect(-EINVAL, sizeof(elf), "outside the file");
	build_elf();
	elf.ph[1].p_paddr = MEM - 0x1000;
	expect(-E2BIG, sizeof(elf), "does not fit in guest RAM");
	build_elf();
	elf.ph[1].p_paddr = ~0ULL - 0x1000;
	expect(-E2BIG, sizeof(elf), "does not fit");
	build_elf();
	elf.ph[1].p_paddr = 0x100020;
	expect(-EINVAL, sizeof(elf), "overlap");
	build_elf();
	elf.ph[2].p_type = 0;
	expect(-ENOEXEC, sizeof(elf), "no XEN_ELFNOTE_PHYS32_ENTRY");
	build_elf();
	elf.note.n.descsz = 0x7ffffff0;
	expect(-EINVAL, sizeof(elf), "overruns");
	build_elf();
	elf.note.n.descsz = 2;
	expect(-EINVAL, sizeof(elf), "PHYS32_ENTRY note has 2 bytes");
	build_elf();
	elf.note.desc = 0x5000;
	expect(-EINVAL, sizeof(elf), "outside the loaded image");
	build_elf();
	elf.ph[0].p_type = elf.ph[1].p_type = 0;
	expect(-EINVAL, sizeof(elf), "no loadable segment");
}

/*
 * A kernel whose program headers and note sit at odd file offsets (found by fuzzing): the
 * loader reads them wherever they are, never through a misaligned pointer (UBSan).
 */
static void test_unaligned_headers(void **state)
{
	size_t size = sizeof(elf) + 16;
	u8 *file = malloc(size);

	(void)state;
	memset(file, 0, size);
	memcpy(file, &elf.eh, sizeof(elf.eh));
	((struct elf64_ehdr *)file)->e_phoff = sizeof(elf.eh) + 1;
	elf.ph[2].p_offset = sizeof(elf.eh) + 1 + sizeof(elf.ph) + 2;
	memcpy(file + sizeof(elf.eh) + 1, elf.ph, sizeof(elf.ph));
	memcpy(file + elf.ph[2].p_offset, &elf.note, sizeof(elf.note));
	assert_int_equal(pvh_elf_check(file, size, MEM, &k), 0);
	assert_int_equal(k.entry, 0x100010);
	assert_int_equal(k.nr_segments, 2);
	free(file);
}

static void test_memmap_small_and_large(void **state)
{
	struct hvm_memmap_table_entry map[PVH_MAX_MEMMAP];
	unsigned int n;

	(void)state;
	n = pvh_memmap(MEM, map);
	assert_int_equal(n, 4);
	assert_int_equal(map[0].addr, 0);
	assert_int_equal(map[0].type, XEN_HVM_MEMMAP_TYPE_RAM);
	assert_int_equal(map[1].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	assert_int_equal(map[1].addr + map[1].size, 0x100000);
	assert_int_equal(map[2].addr, 0x100000);
	assert_int_equal(map[2].size, MEM - 0x100000);
	assert_int_equal(map[3].addr, PVH_SPECIAL_START);
	assert_int_equal(map[3].addr + map[3].size, 1ULL << 32);
	assert_int_equal(pvh_ram_end(MEM), MEM);

	n = pvh_memmap(5ULL << 30, map);
	assert_int_equal(n, 5);
	assert_int_equal(map[2].addr + map[2].size, PVH_MMIO_HOLE_START);
	assert_int_equal(map[4].addr, 1ULL << 32);
	assert_int_equal(map[4].size, (5ULL << 30) - PVH_MMIO_HOLE_START);
	assert_int_equal(pvh_ram_end(5ULL << 30), map[4].addr + map[4].size);
}

static void test_boot_page(void **state)
{
	static u8 page[PAGE_SIZE];
	const u64 gpa = PVH_BOOT_PAGE_GPA;
	struct pvh_boot_params p = {
		.mem_size = MEM, .cmdline = "console=hvc0", .nr_modules = 1,
		.modules = { { 0x400000, 0x1234, "initrd" } },
	};
	struct hvm_start_info *si = (void *)page;
	struct hvm_modlist_entry *mod;
	struct hvm_memmap_table_entry *map;

	(void)state;
	assert_int_equal(pvh_write_boot_page(page, gpa, &p), 0);
	assert_int_equal(si->magic, XEN_HVM_START_MAGIC_VALUE);
	assert_int_equal(si->version, 1);
	assert_int_equal(si->nr_modules, 1);
	assert_int_equal(si->rsdp_paddr, 0);
	assert_true(si->cmdline_paddr > gpa && si->cmdline_paddr < gpa + PAGE_SIZE);
	assert_string_equal((char *)page + (si->cmdline_paddr - gpa), "console=hvc0");
	mod = (void *)(page + (si->modlist_paddr - gpa));
	assert_int_equal(mod->paddr, 0x400000);
	assert_int_equal(mod->size, 0x1234);
	assert_string_equal((char *)page + (mod->cmdline_paddr - gpa), "initrd");
	assert_int_equal(si->memmap_entries, 4);
	assert_int_equal(si->memmap_paddr % 8, 0);
	map = (void *)(page + (si->memmap_paddr - gpa));
	assert_int_equal(map[2].addr, 0x100000);
}

static void test_boot_page_overflow(void **state)
{
	static u8 page[PAGE_SIZE];
	static char huge[PAGE_SIZE];
	struct pvh_boot_params p = { .mem_size = MEM, .cmdline = huge };

	(void)state;
	memset(huge, 'x', sizeof(huge) - 1);
	assert_int_equal(pvh_write_boot_page(page, 0x9f000, &p), -E2BIG);
	p.cmdline = "";
	p.nr_modules = PVH_MAX_MODULES + 1;
	assert_int_equal(pvh_write_boot_page(page, 0x9f000, &p), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid_kernel_loads, setup),
		cmocka_unit_test_setup(test_hostile_elfs, setup),
		cmocka_unit_test_setup(test_unaligned_headers, setup),
		cmocka_unit_test_setup(test_memmap_small_and_large, setup),
		cmocka_unit_test_setup(test_boot_page, setup),
		cmocka_unit_test_setup(test_boot_page_overflow, setup),
	};

	return cmocka_run_group_tests_name("pvh_boot", tests, NULL, NULL);
}
