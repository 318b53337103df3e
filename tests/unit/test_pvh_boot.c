/* Host tests of the PVH kernel loader (valid and hostile ELF32 and ELF64 files) and the guest memory map and boot page. */
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
	expect(-ENOEXEC, sizeof(elf), "not a little-endian x86");
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
	expect(-EINVAL, sizeof(elf), "file size");
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
 * A kernel whose program headers sit at an odd file offset and its note segment at one that
 * is 4- but not 8-aligned (found by fuzzing): the loader reads them where they are, never
 * through a misaligned pointer (UBSan).
 */
static void test_unaligned_headers(void **state)
{
	size_t size = sizeof(elf) + 16;
	u8 *file = malloc(size);

	(void)state;
	memset(file, 0, size);
	memcpy(file, &elf.eh, sizeof(elf.eh));
	((struct elf64_ehdr *)file)->e_phoff = sizeof(elf.eh) + 1;
	elf.ph[2].p_offset = sizeof(elf.eh) + 1 + sizeof(elf.ph) + 3;
	memcpy(file + sizeof(elf.eh) + 1, elf.ph, sizeof(elf.ph));
	memcpy(file + elf.ph[2].p_offset, &elf.note, sizeof(elf.note));
	assert_int_equal(pvh_elf_check(file, size, MEM, &k), 0);
	assert_int_equal(k.entry, 0x100010);
	assert_int_equal(k.nr_segments, 2);
	free(file);
}

/*
 * The same small kernel as raw bytes, in either class (objcopy -O
 * elf32-i386 of a 64-bit PVH kernel gives the ELF32 one), laid out by
 * hand so that each field can be made hostile at its own offset:
 * header at 0, program headers at PH (two PT_LOADs, one PT_NOTE; room for
 * 18), the Xen note at NOTE (8-byte descriptor, as Linux and our guests
 * have), 64 bytes of text at TEXT for 0x100000 and 32 of data at DATA for
 * 0x200000 (bss to 0x203000).
 */
enum { PH = 64, NOTE = 1536, TEXT = 2048, DATA = 2560, IMG_LEN = 2592 };
enum phf { P_TYPE, P_OFFSET, P_PADDR, P_FILESZ, P_MEMSZ, P_ALIGN };

static u8 img[IMG_LEN + 1024] __attribute__((aligned(8)));
static bool elf32;

static void put(u8 *p, unsigned int bytes, u64 v)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (u8)(v >> (8 * i));
}

static unsigned int ph_size(void)
{
	return elf32 ? 32 : 56;
}

/* Program header @i's field @f, at its offset and width for the class. */
static void ph_set(unsigned int i, enum phf f, u64 v)
{
	static const u8 off32[] = { 0, 4, 12, 16, 20, 28 };
	static const u8 off64[] = { 0, 8, 24, 32, 40, 48 };
	u8 *ph = img + PH + i * ph_size();

	if (elf32)
		put(ph + off32[f], 4, v);
	else
		put(ph + off64[f], f == P_TYPE ? 4 : 8, v);
}

static void eh_set_phoff(u64 v)
{
	put(img + (elf32 ? 28 : 32), elf32 ? 4 : 8, v);
}

static void eh_set_phnum(u16 v)
{
	put(img + (elf32 ? 44 : 56), 2, v);
}

static void eh_set_phentsize(u16 v)
{
	put(img + (elf32 ? 42 : 54), 2, v);
}

static void ph_load(unsigned int i, u64 offset, u64 paddr, u64 filesz, u64 memsz)
{
	ph_set(i, P_TYPE, PT_LOAD);
	ph_set(i, P_OFFSET, offset);
	ph_set(i, P_PADDR, paddr);
	ph_set(i, P_FILESZ, filesz);
	ph_set(i, P_MEMSZ, memsz);
	ph_set(i, P_ALIGN, 0x1000);
}

static void ph_note(unsigned int i, u64 offset, u64 size, u64 align)
{
	ph_set(i, P_TYPE, PT_NOTE);
	ph_set(i, P_OFFSET, offset);
	ph_set(i, P_FILESZ, size);
	ph_set(i, P_MEMSZ, size);
	ph_set(i, P_ALIGN, align);
}

/* A note at @at: its header, @name (@namesz bytes) and where its descriptor goes. */
static void note(u8 *at, u32 namesz, u32 descsz, u32 type, const char *name)
{
	put(at, 4, namesz);
	put(at + 4, 4, descsz);
	put(at + 8, 4, type);
	memcpy(at + 12, name, namesz);
}

static void build_raw(bool is32)
{
	elf32 = is32;
	memset(img, 0, sizeof(img));
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = is32 ? 1 : 2;		/* ELFCLASS32 / ELFCLASS64 */
	img[5] = 1;			/* little-endian */
	img[6] = 1;
	put(img + 16, 2, 2);		/* ET_EXEC */
	put(img + 18, 2, is32 ? 3 : 62);	/* EM_386 / EM_X86_64 */
	put(img + 20, 4, 1);
	put(img + 24, is32 ? 4 : 8, 0x100000);
	eh_set_phoff(PH);
	put(img + (is32 ? 40 : 52), 2, is32 ? 52 : 64);
	eh_set_phentsize(ph_size());
	eh_set_phnum(3);
	ph_load(0, TEXT, 0x100000, 64, 64);
	ph_load(1, DATA, 0x200000, 32, 0x3000);
	ph_note(2, NOTE, 24, 4);
	note(img + NOTE, 4, 8, XEN_ELFNOTE_PHYS32_ENTRY, "Xen");
	put(img + NOTE + 16, 8, 0x100010);
	memset(img + TEXT, 0x90, 64);
	memset(img + DATA, 0xab, 32);
}

static void expect_raw(int rc, size_t size, const char *msg)
{
	test_log_reset();
	assert_int_equal(pvh_elf_check(img, size, MEM, &k), rc);
	if (!test_log_has(msg))
		fail_msg("ELF%d: expected '%s', got '%s'", elf32 ? 32 : 64, msg, test_log);
}

/* ELF32 PVH kernels load as ELF64 ones do, EM_386 or EM_X86_64 alike. */
static void test_elf32_kernel_loads(void **state)
{
	(void)state;
	build_raw(true);
	expect_raw(0, IMG_LEN, "");
	assert_int_equal(k.elf_class, ELFCLASS32);
	assert_int_equal(k.entry, 0x100010);
	assert_int_equal(k.lowest, 0x100000);
	assert_int_equal(k.highest, 0x203000);
	assert_int_equal(k.nr_segments, 2);
	assert_int_equal(k.seg[1].offset, DATA);
	assert_int_equal(k.seg[1].filesz, 32);
	assert_int_equal(k.seg[1].memsz, 0x3000);
	guest = malloc(4u << 20);
	memset(guest, 0xee, 4u << 20);
	assert_int_equal(pvh_elf_load(img, &k, write_guest, NULL), 0);
	assert_int_equal(guest[0x100000], 0x90);
	assert_int_equal(guest[0x10003f], 0x90);
	assert_int_equal(guest[0x100040], 0xee);
	assert_int_equal(guest[0x200000 + 31], 0xab);
	assert_int_equal(guest[0x200000 + 32], 0);
	assert_int_equal(guest[0x202fff], 0);
	assert_int_equal(guest[0x203000], 0xee);
	free(guest);

	put(img + 18, 2, 62);		/* EM_X86_64: objcopy -O elf32-x86-64 */
	expect_raw(0, IMG_LEN, "");
	/* a 4-byte descriptor, as some kernels have */
	put(img + NOTE + 4, 4, 4);
	ph_set(2, P_FILESZ, 20);
	expect_raw(0, IMG_LEN, "");
	assert_int_equal(k.entry, 0x100010);
	/* and the ELF64 path reports its class */
	build_raw(false);
	expect_raw(0, IMG_LEN, "");
	assert_int_equal(k.elf_class, ELFCLASS64);
}

/* Each hostile header, segment and note, in both classes. */
static void hostile_raw(bool is32)
{
	build_raw(is32);
	expect_raw(-ENOEXEC, 3, "not an ELF file");
	expect_raw(-EINVAL, is32 ? 51 : 63, "header truncated");
	put(img + 5, 1, 2);		/* big-endian */
	expect_raw(-ENOEXEC, IMG_LEN, "not a little-endian x86");
	build_raw(is32);
	put(img + 4, 1, 3);		/* no such class */
	expect_raw(-ENOEXEC, IMG_LEN, "not a little-endian x86");
	build_raw(is32);
	put(img + 18, 2, 40);		/* EM_ARM */
	expect_raw(-ENOEXEC, IMG_LEN, "not a little-endian x86");
	if (!is32) {
		build_raw(is32);
		put(img + 18, 2, 3);	/* EM_386 in an ELF64 container */
		expect_raw(-ENOEXEC, IMG_LEN, "not a little-endian x86");
	}
	build_raw(is32);
	put(img + 16, 2, 3);		/* ET_DYN */
	expect_raw(-ENOEXEC, IMG_LEN, "not a little-endian x86");

	/* the program header table */
	build_raw(is32);
	eh_set_phentsize(is32 ? 56 : 32);	/* the other class's size */
	expect_raw(-EINVAL, IMG_LEN, "program headers");
	build_raw(is32);
	eh_set_phnum(0);
	expect_raw(-EINVAL, IMG_LEN, "program headers");
	build_raw(is32);
	eh_set_phnum(65);
	expect_raw(-EINVAL, IMG_LEN, "program headers");
	build_raw(is32);
	eh_set_phoff(IMG_LEN - 3 * ph_size() + 1);
	expect_raw(-EINVAL, IMG_LEN, "program headers");
	build_raw(is32);
	eh_set_phoff(is32 ? 0xffffffffULL : ~0ULL - 8);
	expect_raw(-EINVAL, IMG_LEN, "program headers");
	/* at an odd offset they are read, never dereferenced in place */
	build_raw(is32);
	memmove(img + IMG_LEN + 1, img + PH, 3 * ph_size());
	eh_set_phoff(IMG_LEN + 1);
	expect_raw(0, IMG_LEN + 1 + 3 * ph_size(), "");

	/* segments: beyond the file, offset + size wrapping, memsz < filesz */
	build_raw(is32);
	ph_load(0, TEXT, 0x100000, 0x100000, 0x100000);
	expect_raw(-EINVAL, IMG_LEN, "outside the file");
	build_raw(is32);
	ph_set(0, P_OFFSET, is32 ? 0xfffffff0ULL : ~0ULL - 10);
	expect_raw(-EINVAL, IMG_LEN, "outside the file");
	build_raw(is32);
	ph_set(1, P_OFFSET, IMG_LEN - 31);	/* one byte past the end */
	expect_raw(-EINVAL, IMG_LEN, "outside the file");
	build_raw(is32);
	ph_load(1, DATA, 0x200000, 64, 32);
	expect_raw(-EINVAL, IMG_LEN, "file size");
	build_raw(is32);
	ph_set(1, P_MEMSZ, 0);		/* file bytes but no memory */
	expect_raw(-EINVAL, IMG_LEN, "file size");

	/* segments: out of guest RAM, wrapping the address space, overlapping */
	build_raw(is32);
	ph_set(1, P_PADDR, MEM - 0x1000);
	expect_raw(-E2BIG, IMG_LEN, "does not fit in guest RAM");
	build_raw(is32);
	ph_set(1, P_PADDR, is32 ? 0xfffff000ULL : ~0ULL - 0x1000);
	expect_raw(-E2BIG, IMG_LEN, "does not fit");
	build_raw(is32);
	ph_set(1, P_PADDR, 0x100020);
	expect_raw(-EINVAL, IMG_LEN, "overlap");
	build_raw(is32);
	ph_load(1, DATA, 0xff000, 32, 0x1001);	/* ends inside segment 0 */
	expect_raw(-EINVAL, IMG_LEN, "overlap");
	/* at most 16 loadable segments: 17 one-page ones, then the note */
	build_raw(is32);
	for (unsigned int i = 0; i < 17; i++)
		ph_load(i, TEXT, 0x100000 + i * 0x1000, 64, 0x1000);
	ph_note(17, NOTE, 24, 4);
	eh_set_phnum(18);
	expect_raw(-EINVAL, IMG_LEN, "more than 16 loadable segments");

	/* notes: past the end, misaligned, overrunning, the wrong size */
	build_raw(is32);
	ph_set(2, P_OFFSET, IMG_LEN - 8);
	expect_raw(-EINVAL, IMG_LEN, "note segment outside the file");
	build_raw(is32);
	ph_set(2, P_FILESZ, is32 ? 0xffffffffULL : ~0ULL);
	expect_raw(-EINVAL, IMG_LEN, "note segment outside the file");
	build_raw(is32);
	memmove(img + NOTE + 2, img + NOTE, 24);
	ph_set(2, P_OFFSET, NOTE + 2);
	expect_raw(-EINVAL, IMG_LEN, "not aligned");
	build_raw(is32);
	put(img + NOTE + 4, 4, 0xfffffff0);	/* descsz */
	expect_raw(-EINVAL, IMG_LEN, "overruns");
	build_raw(is32);
	put(img + NOTE, 4, 0xfffffffc);		/* namesz */
	expect_raw(-EINVAL, IMG_LEN, "overruns");
	build_raw(is32);
	ph_set(2, P_FILESZ, 20);		/* cuts the descriptor */
	expect_raw(-EINVAL, IMG_LEN, "overruns");
	build_raw(is32);
	put(img + NOTE + 4, 4, 2);
	expect_raw(-EINVAL, IMG_LEN, "PHYS32_ENTRY note has 2 bytes");
	build_raw(is32);
	put(img + NOTE + 8, 4, XEN_ELFNOTE_GUEST_OS);
	expect_raw(-ENOEXEC, IMG_LEN, "no XEN_ELFNOTE_PHYS32_ENTRY");
	build_raw(is32);
	memcpy(img + NOTE + 12, "Xe\0\0", 4);	/* another owner's note */
	expect_raw(-ENOEXEC, IMG_LEN, "no XEN_ELFNOTE_PHYS32_ENTRY");

	/* the entry: above 4 GiB, in the hole between segments, past the end */
	build_raw(is32);
	put(img + NOTE + 20, 4, 1);
	expect_raw(-EINVAL, IMG_LEN, "above 4 GiB");
	build_raw(is32);
	put(img + NOTE + 16, 4, 0x150000);
	expect_raw(-EINVAL, IMG_LEN, "outside the loaded image");
	build_raw(is32);
	put(img + NOTE + 16, 4, 0x203000);
	expect_raw(-EINVAL, IMG_LEN, "outside the loaded image");
	build_raw(is32);
	put(img + NOTE + 16, 4, 0x202fff);	/* the last byte loaded */
	expect_raw(0, IMG_LEN, "");

	/*
	 * A note segment aligned to 8 pads each note to 8 bytes: after a
	 * first note with a 1-byte name and 4-byte descriptor (24 bytes with
	 * that padding, 20 with 4-byte padding) comes the Xen note.
	 */
	build_raw(is32);
	note(img + NOTE, 1, 4, 99, "");
	note(img + NOTE + 24, 4, 8, XEN_ELFNOTE_PHYS32_ENTRY, "Xen");
	put(img + NOTE + 40, 8, 0x100020);
	ph_note(2, NOTE, 48, 8);
	expect_raw(0, IMG_LEN, "");
	assert_int_equal(k.entry, 0x100020);
	ph_note(2, NOTE + 4, 48, 8);		/* then 8-byte aligned it must be */
	expect_raw(-EINVAL, IMG_LEN, "not aligned");
}

static void test_hostile_raw_elfs(void **state)
{
	(void)state;
	hostile_raw(true);
	hostile_raw(false);
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

/* A hardware dom0's boot pages: the host-derived map given, two pages of room. */
static void test_boot_page_host_map(void **state)
{
	static u8 page[2 * PAGE_SIZE];
	static struct hvm_memmap_table_entry host[150];
	static char line[250];
	const u64 gpa = 0x7fff0000;
	struct pvh_boot_params p = {
		.cmdline = "console=hvc0", .nr_modules = 4,
		.modules = { { 0x4a00000, 0x1234, line }, { 0, 0, line },
			     { 0, 0, line }, { 0, 0, line } },
		.memmap = host, .nr_memmap = 128, .rsdp_gpa = 0x7ffe8000,
	};
	struct hvm_start_info *si = (void *)page;
	struct hvm_memmap_table_entry *map;
	struct hvm_modlist_entry *mods;

	(void)state;
	memset(line, 'm', sizeof(line) - 1);
	for (unsigned int i = 0; i < 150; i++)
		host[i] = (struct hvm_memmap_table_entry){
			(u64)i << 32, 0x1000, 1 + i % 5, 0 };
	/* 128 entries and long module strings do not fit one page. */
	assert_int_equal(pvh_write_boot_page(page, gpa, &p), -E2BIG);
	p.boot_size = sizeof(page);
	assert_int_equal(pvh_write_boot_page(page, gpa, &p), 0);
	assert_int_equal(si->memmap_entries, 128);
	assert_int_equal(si->rsdp_paddr, 0x7ffe8000);
	map = (void *)(page + (si->memmap_paddr - gpa));
	assert_memory_equal(map, host, 128 * sizeof(*map));
	assert_string_equal((char *)page + (si->cmdline_paddr - gpa),
			    "console=hvc0");
	/* The last module's string runs onto the second page. */
	mods = (void *)(page + (si->modlist_paddr - gpa));
	assert_true(mods[3].cmdline_paddr + sizeof(line) > gpa + PAGE_SIZE &&
		    mods[3].cmdline_paddr + sizeof(line) <= gpa + sizeof(page));
	assert_string_equal((char *)page + (mods[3].cmdline_paddr - gpa), line);
	/* More than two pages hold: refused, never written past them. */
	p.nr_memmap = 150;
	p.nr_modules = 0;
	p.boot_size = 150 * sizeof(*map);
	assert_int_equal(pvh_write_boot_page(page, gpa, &p), -E2BIG);
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
		cmocka_unit_test_setup(test_elf32_kernel_loads, setup),
		cmocka_unit_test_setup(test_hostile_raw_elfs, setup),
		cmocka_unit_test_setup(test_memmap_small_and_large, setup),
		cmocka_unit_test_setup(test_boot_page_host_map, setup),
		cmocka_unit_test_setup(test_boot_page, setup),
		cmocka_unit_test_setup(test_boot_page_overflow, setup),
	};

	return cmocka_run_group_tests_name("pvh_boot", tests, NULL, NULL);
}
