/*
 * Writes the binary seed corpora of the fuzz targets (tests/fuzz/corpus/<name>/): small valid
 * inputs of each format and a few edge cases. `make fuzz-corpus` runs it; the text seeds
 * (xl.cfg, command lines) and the device trees (dtc) are made by that rule.
 */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/acpi.h>
#include <keel/elf.h>
#include <keel/multiboot2.h>
#include <public/elfnote.h>

static const char *outdir;

static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

static void emit(const char *target, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ---- multiboot2 ---- */

struct mb {
	u8 buf[4096] __attribute__((aligned(8)));
	u32 len;
};

static void mb_begin(struct mb *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

static u8 *mb_tag(struct mb *m, u32 type, const void *payload, u32 len)
{
	u8 *t = m->buf + m->len;

	put32(t, type);
	put32(t + 4, 8 + len);
	if (payload)
		memcpy(t + 8, payload, len);
	m->len += (8 + len + 7) & ~7u;
	return t;
}

static void mb_string(struct mb *m, u32 type, const char *s)
{
	mb_tag(m, type, s, strlen(s) + 1);
}

static void mb_module(struct mb *m, u32 start, u32 end, const char *s)
{
	u8 p[256];

	put32(p, start);
	put32(p + 4, end);
	strcpy((char *)p + 8, s);
	mb_tag(m, MB2_TAG_MODULE, p, 8 + strlen(s) + 1);
}

static void mb_mmap(struct mb *m, u32 entry_size, const u64 (*e)[3], int n)
{
	u8 p[1024] = { 0 };

	put32(p, entry_size);
	for (int i = 0; i < n; i++) {
		put64(p + 8 + i * entry_size, e[i][0]);
		put64(p + 16 + i * entry_size, e[i][1]);
		put32(p + 24 + i * entry_size, (u32)e[i][2]);
	}
	mb_tag(m, MB2_TAG_MMAP, p, 8 + n * entry_size);
}

static void mb_rsdp(struct mb *m, u32 type, u8 revision)
{
	u8 r[36] = "RSD PTR ";

	r[15] = revision;
	mb_tag(m, type, r, revision >= 2 ? 36 : 20);
}

static void mb_end(struct mb *m, const char *name)
{
	mb_tag(m, MB2_TAG_END, NULL, 0);
	put32(m->buf, m->len);
	emit("multiboot2", name, m->buf, m->len);
}

static const u64 bios_map[][3] = {
	{ 0x0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7ee0000, 1 }, { 0x7fe0000, 0x20000, 3 }, { 0xfffc0000, 0x40000, 2 },
};

static void seeds_multiboot2(void)
{
	struct mb m;
	u8 efi[16 + 3 * 48] = { 0 }, efi64[8] = { 0 }, meminfo[8] = { 0 };

	/* GRUB on BIOS: command line, loader, modules, meminfo, map, both RSDPs. */
	mb_begin(&m);
	mb_string(&m, MB2_TAG_CMDLINE, "console=com1,e9 loglvl=info dom0_mem=256M");
	mb_string(&m, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	mb_module(&m, 0x1000000, 0x4a00000, "console=hvc0 root=/dev/ram0");
	mb_module(&m, 0x4a00000, 0x5000000, "");
	put32(meminfo, 639);
	put32(meminfo + 4, 130048);
	mb_tag(&m, MB2_TAG_BASIC_MEMINFO, meminfo, 8);
	mb_mmap(&m, 24, bios_map, 6);
	mb_rsdp(&m, MB2_TAG_ACPI_OLD, 0);
	mb_rsdp(&m, MB2_TAG_ACPI_NEW, 2);
	mb_end(&m, "grub-bios");

	/* GRUB on UEFI: only the EFI memory map, the system table, ACPI 2.0. */
	mb_begin(&m);
	mb_string(&m, MB2_TAG_CMDLINE, "console=com1");
	put64(efi64, 0x7f9e018);
	mb_tag(&m, MB2_TAG_EFI64, efi64, 8);
	put32(efi, 48);		/* descriptor size */
	put32(efi + 4, 1);
	for (int i = 0; i < 3; i++) {
		u8 *d = efi + 8 + i * 48;

		put32(d, i == 1 ? 7 : 4);			/* type */
		put64(d + 8, (u64)i << 24);			/* physical start */
		put64(d + 24, 0x1000);				/* pages */
	}
	mb_tag(&m, MB2_TAG_EFI_MMAP, efi, 8 + 3 * 48);
	mb_rsdp(&m, MB2_TAG_ACPI_NEW, 2);
	mb_end(&m, "grub-efi");

	/* Edge cases: map entries of 32 bytes, 16 modules, an empty command line. */
	mb_begin(&m);
	mb_string(&m, MB2_TAG_CMDLINE, "");
	for (int i = 0; i < 16; i++)
		mb_module(&m, 0x100000 * (i + 1), 0x100000 * (i + 1) + 0x1000, "m");
	mb_mmap(&m, 32, bios_map, 6);
	mb_end(&m, "modules-16");
}

/* ---- PVH ELF kernels ---- */

#define ELF_LOAD 0x100000
#define ELF_SIZE 0x200

/*
 * A minimal PVH kernel: a PT_LOAD of the file's second half (16 KiB in memory) and a PT_NOTE
 * inside it holding the Xen entry note (4 or 8 bytes), optionally after another Xen note.
 */
static size_t make_elf(u8 *e, bool entry64, bool two_loads, bool other_note_first)
{
	u8 *ph = e + 64, *n;
	unsigned int phnum = two_loads ? 3 : 2, off = 0x1c0;

	memset(e, 0, ELF_SIZE);
	memset(e + 0x100, 0x90, 0x100);	/* "code" */
	memcpy(e, "\x7f" "ELF", 4);
	e[4] = 2;			/* ELFCLASS64 */
	e[5] = 1;			/* little-endian */
	e[6] = 1;
	put16(e + 16, ET_EXEC);
	put16(e + 18, EM_X86_64);
	put32(e + 20, 1);
	put64(e + 24, 0xffffffff81000000ULL);
	put64(e + 32, 64);		/* e_phoff */
	put16(e + 52, 64);
	put16(e + 54, sizeof(struct elf64_phdr));
	put16(e + 56, phnum);
	put32(ph, PT_LOAD);
	put32(ph + 4, 7);
	put64(ph + 8, 0x100);
	put64(ph + 16, 0xffffffff81000000ULL);
	put64(ph + 24, ELF_LOAD);
	put64(ph + 32, 0x100);
	put64(ph + 40, 0x4000);
	put64(ph + 48, 0x1000);
	ph += 56;
	if (two_loads) {
		put32(ph, PT_LOAD);
		put64(ph + 8, 0x180);
		put64(ph + 24, ELF_LOAD + 0x200000);
		put64(ph + 32, 0x40);
		put64(ph + 40, 0x1000);
		ph += 56;
	}
	put32(ph, PT_NOTE);
	put64(ph + 8, off);
	put64(ph + 48, 4);
	n = e + off;
	if (other_note_first) {
		put32(n, 4);
		put32(n + 4, 4);
		put32(n + 8, 1);	/* XEN_ELFNOTE_INFO */
		memcpy(n + 12, "Xen", 4);
		put32(n + 16, 0);
		n += 20;
	}
	put32(n, 4);
	put32(n + 4, entry64 ? 8 : 4);
	put32(n + 8, XEN_ELFNOTE_PHYS32_ENTRY);
	memcpy(n + 12, "Xen", 4);
	put64(n + 16, ELF_LOAD + 0x10);
	if (!entry64)
		put32(n + 20, 0x90909090);
	put64(ph + 32, n + (entry64 ? 24 : 20) - (e + off));
	return ELF_SIZE;
}

static void seeds_elf(void)
{
	u8 e[ELF_SIZE];

	emit("elf_loader", "pvh-minimal", e, make_elf(e, false, false, false));
	emit("elf_loader", "pvh-entry64", e, make_elf(e, true, false, false));
	emit("elf_loader", "pvh-two-loads", e, make_elf(e, false, true, true));
}

/* ---- bzImages ---- */

static u8 *xz(const u8 *data, size_t len, lzma_check check, size_t *xlen)
{
	size_t bound = lzma_stream_buffer_bound(len);
	u8 *out = malloc(bound);
	lzma_options_lzma lz;
	lzma_filter filters[] = {
		{ .id = LZMA_FILTER_X86 },
		{ .id = LZMA_FILTER_LZMA2, .options = &lz },
		{ .id = LZMA_VLI_UNKNOWN },
	};

	if (!out || lzma_lzma_preset(&lz, 6))
		exit(1);
	lz.dict_size = 64 << 10;
	*xlen = 0;
	if (lzma_stream_buffer_encode(filters, check, NULL, data, len, out, xlen, bound))
		exit(1);
	return out;
}

/* Setup header of boot protocol 2.15, 4 setup sectors, the payload right after them. */
static void bzimage(const char *name, const u8 *payload, size_t plen, bool trailer, u32 size)
{
	size_t pm = 5 * 512, len = pm + plen + (trailer ? 4 : 0);
	u8 *b = calloc(1, len);

	b[0x1f1] = 4;
	put16(b + 0x1fe, 0xaa55);
	memcpy(b + 0x202, "HdrS", 4);
	put16(b + 0x206, 0x020f);
	b[0x211] = 1;
	put32(b + 0x248, 0);
	put32(b + 0x24c, plen + (trailer ? 4 : 0));
	memcpy(b + pm, payload, plen);
	if (trailer)
		put32(b + pm + plen, size);
	emit("bzimage2elf", name, b, len);
	free(b);
}

static void seeds_bzimage(void)
{
	u8 e[ELF_SIZE], *x;
	size_t xlen;

	make_elf(e, false, false, false);
	emit("bzimage2elf", "elf", e, ELF_SIZE);
	/* As Linux builds it: x86 BCJ, LZMA2, CRC32 and the size trailer. */
	x = xz(e, ELF_SIZE, LZMA_CHECK_CRC32, &xlen);
	bzimage("bzimage-xz-crc32", x, xlen, true, ELF_SIZE);
	free(x);
	/* No integrity check: mutations of the stream still decode to something. */
	make_elf(e, true, true, true);
	x = xz(e, ELF_SIZE, LZMA_CHECK_NONE, &xlen);
	bzimage("bzimage-xz-nocheck", x, xlen, false, 0);
	free(x);
	bzimage("bzimage-gzip", (const u8 *)"\x1f\x8b\x08\x00", 4, false, 0);
}

/* ---- firmware ACPI tables for the MADT walk ---- */

#define MADT_MEM_BASE 0xe0000ULL

static void acpi_seed(const char *name, unsigned int cpus, u8 flags)
{
	u8 mem[1 + 4096] = { flags };
	u64 rsdp;
	size_t len = acpi_build_tables(mem + 1, sizeof(mem) - 1, MADT_MEM_BASE, cpus, &rsdp);

	if (!len || rsdp != MADT_MEM_BASE)
		exit(1);
	emit("madt", name, mem, 1 + len);
}

/* ACPI 1.0: an RSDT and a MADT with local APICs and x2APICs, checksums left to the harness. */
static void acpi_rsdt_seed(void)
{
	u8 mem[1 + 0x200] = { 1 }, *m = mem + 1, *madt = m + 0x100;
	static const u8 entries[][16] = {
		{ 0, 8, 0, 0, 1, 0, 0, 0 },		/* local APIC 0, enabled */
		{ 0, 8, 1, 1, 2, 0, 0, 0 },		/* local APIC 1, online-capable */
		{ 0, 8, 2, 0xff, 1, 0, 0, 0 },		/* see the x2APIC entry */
		{ 9, 16, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0 },	/* x2APIC 256 */
		{ 1, 12, 0 },				/* an I/O APIC */
	};
	u32 off = 44;

	memcpy(m, "RSD PTR ", 8);
	put32(m + 16, MADT_MEM_BASE + 0x40);
	memcpy(m + 0x40, "RSDT", 4);
	put32(m + 0x44, 36 + 8);
	put32(m + 0x40 + 36, MADT_MEM_BASE + 0xc0);	/* a FACP first */
	put32(m + 0x40 + 40, MADT_MEM_BASE + 0x100);
	memcpy(m + 0xc0, "FACP", 4);
	put32(m + 0xc4, 36);
	memcpy(madt, "APIC", 4);
	put32(madt + 36, 0xfee00000);
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		memcpy(madt + off, entries[i], entries[i][1]);
		off += entries[i][1];
	}
	put32(madt + 4, off);
	emit("madt", "rsdt-x2apic", mem, sizeof(mem));
}

static void seeds_madt(void)
{
	acpi_seed("xsdt-1cpu", 1, 1);
	acpi_seed("xsdt-2cpu-sealed", 2, 0);
	acpi_seed("xsdt-20cpu", 20, 1);
	acpi_rsdt_seed();
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	seeds_multiboot2();
	seeds_elf();
	seeds_bzimage();
	seeds_madt();
	return 0;
}
