/* Writes the fuzz targets' binary seed corpora (tests/fuzz/corpus/<name>/). */
/*
 * Small valid inputs of each format and a few edge cases. `make fuzz-corpus` runs it; the
 * text seeds (xl.cfg, command lines) are written by hand, the device trees by dtc.
 */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/acpi.h>
#include <keel/elf.h>
#include <keel/multiboot2.h>
#include <public/elfnote.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/hvm_op.h>
#include <public/keel_domctl.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/version.h>
#include <public/xen.h>
#include "hypercall_format.h"

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

/* The same kernel in an ELF32 container (objcopy -O elf32-i386), the note 4-aligned. */
static size_t make_elf32(u8 *e)
{
	u8 *ph = e + 52, *n = e + 0x1c0;

	memset(e, 0, ELF_SIZE);
	memset(e + 0x100, 0x90, 0x100);
	memcpy(e, "\x7f" "ELF", 4);
	e[4] = 1;			/* ELFCLASS32 */
	e[5] = 1;
	e[6] = 1;
	put16(e + 16, ET_EXEC);
	put16(e + 18, EM_386);
	put32(e + 20, 1);
	put32(e + 24, ELF_LOAD + 0x10);
	put32(e + 28, 52);		/* e_phoff */
	put16(e + 40, 52);
	put16(e + 42, 32);		/* e_phentsize */
	put16(e + 44, 2);
	put32(ph, PT_LOAD);
	put32(ph + 4, 0x100);		/* p_offset */
	put32(ph + 12, ELF_LOAD);	/* p_paddr */
	put32(ph + 16, 0x100);		/* p_filesz */
	put32(ph + 20, 0x4000);		/* p_memsz */
	put32(ph + 28, 0x1000);
	ph += 32;
	put32(ph, PT_NOTE);
	put32(ph + 4, 0x1c0);
	put32(ph + 16, 20);
	put32(ph + 28, 4);
	put32(n, 4);
	put32(n + 4, 4);
	put32(n + 8, XEN_ELFNOTE_PHYS32_ENTRY);
	memcpy(n + 12, "Xen", 4);
	put32(n + 16, ELF_LOAD + 0x10);
	return ELF_SIZE;
}

static void seeds_elf(void)
{
	u8 e[ELF_SIZE];

	emit("elf_loader", "pvh-elf32", e, make_elf32(e));

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

/* ---- step sequences for the hypercall fuzzer (hypercall_format.h) ---- */

struct seq {
	u8 buf[4096];
	size_t len;
};

struct fix {
	u8 off, target, extra;
};

static void put(struct seq *q, const void *p, size_t n)
{
	if (q->len + n > sizeof(q->buf))
		exit(1);
	memcpy(q->buf + q->len, p, n);
	q->len += n;
}

static void u8_(struct seq *q, u8 v) { put(q, &v, 1); }
static void u16_(struct seq *q, u16 v) { put(q, &v, 2); }

static void seq_begin(struct seq *q, u8 config)
{
	q->len = 0;
	u8_(q, config);
}

/*
 * A hypercall from @who with its argument @arg and pointer target @ptr; @raw_a0 (>= 0) is
 * a raw call's first argument; @preempt kicks the call at that preemption check, after
 * which @rounds continuations are re-issued as they are (tamper bytes 0).
 */
static void hc_preempt(struct seq *q, u8 who, u8 call, u8 cmd, u32 cnt, u8 ptr, u8 ptr_extra,
		       const void *arg, size_t len, const struct fix *fix, unsigned int nfix,
		       const void *arg2, size_t len2, int raw_a0, u8 preempt,
		       unsigned int rounds)
{
	if (len > 255 || len2 > 255)
		exit(1);	/* each is one length byte */
	u8_(q, HC_STEP_HYPERCALL);
	u8_(q, who);
	u8_(q, call);
	u8_(q, cmd);
	u8_(q, cnt < 0xff ? cnt : 0xff);
	if (cnt >= 0xff)
		put(q, &cnt, 4);
	u8_(q, ptr);
	u8_(q, ptr_extra);
	u8_(q, len);
	put(q, arg, len);
	u8_(q, nfix);
	for (unsigned int i = 0; i < nfix; i++)
		put(q, &fix[i], 3);
	u8_(q, len2);
	put(q, arg2, len2);
	if (raw_a0 >= 0)
		u8_(q, raw_a0);
	u8_(q, preempt);
	while (rounds--)
		u8_(q, 0);
}

static void hc(struct seq *q, u8 who, u8 call, u8 cmd, u32 cnt, u8 ptr, u8 ptr_extra,
	       const void *arg, size_t len, const struct fix *fix, unsigned int nfix,
	       const void *arg2, size_t len2)
{
	hc_preempt(q, who, call, cmd, cnt, ptr, ptr_extra, arg, len, fix, nfix, arg2, len2,
		   -1, 0, 0);
}

/* The common case: the argument at ARG_GPA, nothing behind it. */
static void call(struct seq *q, u8 who, u8 c, u8 cmd, u32 cnt, const void *arg, size_t len)
{
	hc(q, who, c, cmd, cnt, HC_T_ARG, 0, arg, len, NULL, 0, NULL, 0);
}

static void grant(struct seq *q, u8 who, u8 target, u8 extra, u16 ref, u16 flags, u16 domid)
{
	u8_(q, HC_STEP_GRANT);
	u8_(q, who);
	u8_(q, target);
	u8_(q, extra);
	u16_(q, ref);
	u16_(q, flags);
	u16_(q, domid);
}

static void time_(struct seq *q, u16 t)
{
	u8_(q, HC_STEP_TIME);
	u16_(q, t);
}

static void seq_emit(struct seq *q, const char *name)
{
	emit("hypercall", name, q->buf, q->len);
}

static void seed_evtchn(void)
{
	struct seq q;
	struct evtchn_alloc_unbound au = { DOMID_SELF, 2 };
	struct evtchn_bind_interdomain bi = { 1, 3 };
	struct evtchn_send send = { 3 };
	struct evtchn_bind_virq bv = { VIRQ_TIMER, 0 };
	struct evtchn_bind_ipi ipi = { 0 };
	struct evtchn_status st = { DOMID_SELF, 3 };
	struct evtchn_bind_vcpu bvc = { 3, 1 };
	struct evtchn_unmask um = { 5 };
	struct evtchn_close cl = { 3 };
	struct evtchn_reset rs = { DOMID_SELF };

	seq_begin(&q, 0x02);	/* d1 has 2 vCPUs */
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_alloc_unbound, 0, &au, sizeof(au));
	call(&q, 2, HC_CALL_EVTCHN, EVTCHNOP_bind_interdomain, 0, &bi, sizeof(bi));
	call(&q, 2, HC_CALL_EVTCHN, EVTCHNOP_send, 0, &send, sizeof(send));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_send, 0, &send, sizeof(send));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_bind_virq, 0, &bv, sizeof(bv));
	call(&q, 1, HC_CALL_TIMER, 0, 4, NULL, 0);
	time_(&q, 2000);
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_bind_ipi, 0, &ipi, sizeof(ipi));
	send.port = 5;
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_send, 0, &send, sizeof(send));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_status, 0, &st, sizeof(st));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_bind_vcpu, 0, &bvc, sizeof(bvc));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_unmask, 0, &um, sizeof(um));
	call(&q, 2, HC_CALL_EVTCHN, EVTCHNOP_close, 0, &cl, sizeof(cl));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_reset, 0, &rs, sizeof(rs));
	seq_emit(&q, "evtchn");
}

static void seed_grant(void)
{
	struct seq q;
	struct gnttab_map_grant_ref map[2] = {
		{ .host_addr = HC_TAG(HC_T_HOLE, 0, 0), .flags = GNTMAP_host_map, .ref = 8,
		  .dom = 2 },
		{ .host_addr = HC_TAG(HC_T_HOLE_N, 1, 0),
		  .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 9, .dom = 2 },
	};
	struct gnttab_copy copy = {
		.source = { .u.ref = 8, .domid = 2, .offset = 16 },
		.dest = { .u.gmfn = HC_TAG(HC_T_ARG2, 0, HC_TAG_GFN), .domid = DOMID_SELF },
		.len = 64, .flags = GNTCOPY_source_gref,
	};
	struct gnttab_unmap_grant_ref unmap = { .host_addr = HOLE_GPA, .handle = 0 };
	struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 4 };
	struct fix frame_list = { offsetof(struct gnttab_setup_table, frame_list), HC_T_ARG2, 0 };
	struct gnttab_query_size qs = { .dom = DOMID_SELF };
	struct gnttab_set_version sv = { 1 };

	seq_begin(&q, 0);
	grant(&q, 2, HC_T_RAM_4K, 0, 8, GTF_permit_access, 1);
	grant(&q, 2, HC_T_RAM_4K, 1, 9, GTF_permit_access | GTF_readonly, 1);
	call(&q, 1, HC_CALL_GRANT, GNTTABOP_map_grant_ref, 2, map, sizeof(map));
	call(&q, 1, HC_CALL_GRANT, GNTTABOP_copy, 1, &copy, sizeof(copy));
	call(&q, 1, HC_CALL_GRANT, GNTTABOP_unmap_grant_ref, 1, &unmap, sizeof(unmap));
	hc(&q, 1, HC_CALL_GRANT, GNTTABOP_setup_table, 1, HC_T_ARG, 0, &setup, sizeof(setup),
	   &frame_list, 1, NULL, 0);
	call(&q, 1, HC_CALL_GRANT, GNTTABOP_query_size, 1, &qs, sizeof(qs));
	call(&q, 1, HC_CALL_GRANT, GNTTABOP_set_version, 1, &sv, sizeof(sv));
	call(&q, 1, HC_CALL_GRANT, GNTTABOP_get_version, 1, &qs, sizeof(qs));
	seq_emit(&q, "grant");
}

static void seed_vcpu(void)
{
	struct seq q;
	struct vcpu_register_vcpu_info vi = { .mfn = HC_TAG(HC_T_ARG2, 0, HC_TAG_GFN),
					      .offset = 64 };
	struct vcpu_register_runstate_memory_area rs = { HC_TAG(HC_T_ARG2, 0x40, 0) };
	struct vcpu_register_time_memory_area tm = { HC_TAG(HC_T_ARG2, 0x60, 0) };
	struct vcpu_set_periodic_timer per = { 1000000 };
	struct vcpu_set_singleshot_timer ss = { 2000000000, 0 };

	seq_begin(&q, 0x02);
	call(&q, 1, HC_CALL_VCPU, VCPUOP_register_vcpu_info, 1, &vi, sizeof(vi));
	call(&q, 1, HC_CALL_VCPU, VCPUOP_register_runstate_memory_area, 0, &rs, sizeof(rs));
	call(&q, 1, HC_CALL_VCPU, VCPUOP_register_vcpu_time_memory_area, 0, &tm, sizeof(tm));
	call(&q, 1, HC_CALL_VCPU, VCPUOP_set_periodic_timer, 0, &per, sizeof(per));
	call(&q, 1, HC_CALL_VCPU, VCPUOP_set_singleshot_timer, 0, &ss, sizeof(ss));
	call(&q, 1, HC_CALL_VCPU, VCPUOP_is_up, 1, NULL, 0);
	time_(&q, 1500);
	u8_(&q, HC_STEP_MIGRATE);
	u8_(&q, 1);
	time_(&q, 0xffff);
	call(&q, 1, HC_CALL_VCPU, VCPUOP_stop_periodic_timer, 0, NULL, 0);
	call(&q, 1, HC_CALL_VCPU, VCPUOP_stop_singleshot_timer, 0, NULL, 0);
	seq_emit(&q, "vcpu");
}

static void domctl(struct seq *q, u32 cmd, u16 domain, const void *u, size_t ulen,
		   const struct fix *fix, unsigned int nfix, const void *arg2, size_t len2)
{
	struct keel_domctl op = { .cmd = cmd, .version = KEEL_DOMCTL_VERSION, .domain = domain };

	memcpy(&op.u, u, ulen);
	hc(q, 0, HC_CALL_DOMCTL, 0, 0, HC_T_ARG, 0, &op, sizeof(op), fix, nfix, arg2, len2);
}

static void seed_domctl(void)
{
	struct seq q;
	struct keel_domctl op;
	struct fix buffer = { offsetof(struct keel_domctl, u.boot.cmdline), HC_T_ARG2, 0 };
	struct fix list = { offsetof(struct keel_domctl, u.list.buffer), HC_T_ARG2, 0 };
	struct fix text = { offsetof(struct keel_domctl, u.text.buffer), HC_T_ARG2, 0 };
	struct fix bitmap = { offsetof(struct keel_domctl, u.vcpu.bitmap), HC_T_ARG2, 0 };
	static const unsigned char cpu0 = 1;
	static const char cmdline[] = "console=hvc0 earlyprintk=xen";

	seq_begin(&q, 0);
	op.u.create.max_vcpus = 2;
	op.u.create.flags = 0;
	domctl(&q, KEEL_DOMCTL_create, DOMID_INVALID, &op.u.create, sizeof(op.u.create),
	       NULL, 0, NULL, 0);
	op.u.memory.mem_kb = 4096;
	domctl(&q, KEEL_DOMCTL_set_memory, 3, &op.u.memory, sizeof(op.u.memory), NULL, 0,
	       NULL, 0);
	memset(&op.u.boot, 0, sizeof(op.u.boot));
	op.u.boot.entry = 0x100000;
	op.u.boot.ramdisk_gpa = 0x200000;
	op.u.boot.ramdisk_size = 0x1000;
	domctl(&q, KEEL_DOMCTL_set_boot, 3, &op.u.boot, sizeof(op.u.boot), &buffer, 1,
	       cmdline, sizeof(cmdline));
	domctl(&q, KEEL_DOMCTL_unpause, 3, NULL, 0, NULL, 0, NULL, 0);
	call(&q, 3, HC_CALL_VERSION, XENVER_version, 0, NULL, 0);
	domctl(&q, KEEL_DOMCTL_getinfo, 3, NULL, 0, NULL, 0, NULL, 0);
	memset(&op.u.list, 0, sizeof(op.u.list));
	op.u.list.max = 4;
	domctl(&q, KEEL_DOMCTL_list, 0, &op.u.list, sizeof(op.u.list), &list, 1, NULL, 0);
	domctl(&q, KEEL_DOMCTL_physinfo, 0, NULL, 0, NULL, 0, NULL, 0);
	memset(&op.u.text, 0, sizeof(op.u.text));
	op.u.text.size = 16;
	domctl(&q, KEEL_DOMCTL_console_write, 3, &op.u.text, sizeof(op.u.text), &text, 1,
	       "hello, console\n", 16);
	op.u.text.size = 128;
	domctl(&q, KEEL_DOMCTL_console_read, 3, &op.u.text, sizeof(op.u.text), &text, 1,
	       NULL, 0);
	domctl(&q, KEEL_DOMCTL_readlog, 0, &op.u.text, sizeof(op.u.text), &text, 1, NULL, 0);
	op.u.sched.weight = 512;
	op.u.sched.cap = 50;
	domctl(&q, KEEL_DOMCTL_set_sched, 3, &op.u.sched, sizeof(op.u.sched), NULL, 0, NULL, 0);
	memset(&op.u.vcpu, 0, sizeof(op.u.vcpu));
	op.u.vcpu.vcpu = 1;
	op.u.vcpu.nr_bits = 8;
	domctl(&q, KEEL_DOMCTL_setvcpuaffinity, 3, &op.u.vcpu, sizeof(op.u.vcpu), &bitmap, 1,
	       &cpu0, 1);
	domctl(&q, KEEL_DOMCTL_getvcpuinfo, 0, &op.u.vcpu, sizeof(op.u.vcpu), &bitmap, 1,
	       &cpu0, 1);
	op.u.actions.on_poweroff = KEEL_ACTION_preserve;
	op.u.actions.on_reboot = KEEL_ACTION_restart;
	op.u.actions.on_crash = KEEL_ACTION_destroy;
	domctl(&q, KEEL_DOMCTL_set_actions, 3, &op.u.actions, sizeof(op.u.actions), NULL, 0,
	       NULL, 0);
	domctl(&q, KEEL_DOMCTL_pause, 3, NULL, 0, NULL, 0, NULL, 0);
	op.u.shutdown.reason = SHUTDOWN_poweroff;
	domctl(&q, KEEL_DOMCTL_shutdown, 3, &op.u.shutdown, sizeof(op.u.shutdown), NULL, 0,
	       NULL, 0);
	u8_(&q, HC_STEP_TASKLETS);
	domctl(&q, KEEL_DOMCTL_destroy, 3, NULL, 0, NULL, 0, NULL, 0);
	domctl(&q, KEEL_DOMCTL_destroy, 2, NULL, 0, NULL, 0, NULL, 0);
	seq_emit(&q, "domctl");
}

static void seed_foreign(void)
{
	struct seq q;
	struct xen_add_to_physmap_batch b = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_gmfn_foreign, .size = 2,
		.foreign_domid = 1,
	};
	struct fix lists[3] = {
		{ offsetof(struct xen_add_to_physmap_batch, idxs), HC_T_ARG2, 0 },
		{ offsetof(struct xen_add_to_physmap_batch, gpfns), HC_T_ARG2, 2 },
		{ offsetof(struct xen_add_to_physmap_batch, errs), HC_T_ARG2, 4 },
	};
	u64 frames[4] = { HC_TAG(HC_T_RAM_4K, 0, HC_TAG_GFN), HC_TAG(HC_T_RAM_2M, 3, HC_TAG_GFN),
			  HC_TAG(HC_T_HOLE, 0, HC_TAG_GFN), HC_TAG(HC_T_HOLE_N, 1, HC_TAG_GFN) };
	struct xen_remove_from_physmap r = { .domid = DOMID_SELF, .gpfn = HOLE_GPA >> 12 };

	seq_begin(&q, 0);
	hc(&q, 0, HC_CALL_MEMORY, XENMEM_add_to_physmap_batch, 0, HC_T_ARG, 0, &b, sizeof(b),
	   lists, 3, frames, sizeof(frames));
	call(&q, 0, HC_CALL_MEMORY, XENMEM_remove_from_physmap, 0, &r, sizeof(r));
	seq_emit(&q, "foreign");
}

static void seed_physmap(void)
{
	struct seq q;
	struct xen_add_to_physmap x = { .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
					.gpfn = HC_TAG(HC_T_HOLE, 0, HC_TAG_GFN) };
	struct xen_memory_map mm = { .nr_entries = 8 };
	struct fix buffer = { offsetof(struct xen_memory_map, buffer), HC_T_ARG2, 0 };

	seq_begin(&q, 0);
	call(&q, 1, HC_CALL_MEMORY, XENMEM_add_to_physmap, 0, &x, sizeof(x));
	x.gpfn = HC_TAG(HC_T_RAM_4K, 5, HC_TAG_GFN);
	call(&q, 1, HC_CALL_MEMORY, XENMEM_add_to_physmap, 0, &x, sizeof(x));
	x.space = XENMAPSPACE_grant_table;
	x.idx = 3;
	x.gpfn = (TABLE_GPA >> 12) + 3;
	call(&q, 1, HC_CALL_MEMORY, XENMEM_add_to_physmap, 0, &x, sizeof(x));
	x.idx = 0;
	x.gpfn = (RAM_2M_GPA >> 12) + 7;
	call(&q, 1, HC_CALL_MEMORY, XENMEM_add_to_physmap, 0, &x, sizeof(x));
	hc(&q, 1, HC_CALL_MEMORY, XENMEM_memory_map, 0, HC_T_ARG, 0, &mm, sizeof(mm), &buffer,
	   1, NULL, 0);
	seq_emit(&q, "physmap");
}

static void seed_shutdown(void)
{
	struct seq q;
	struct sched_shutdown sd = { SHUTDOWN_poweroff };
	struct sched_poll poll = { .nr_ports = 2, .timeout = 3000000000ULL };
	struct fix ports = { offsetof(struct sched_poll, ports), HC_T_ARG2, 0 };
	u32 port_list[2] = { 1, 3 };

	seq_begin(&q, 0);
	call(&q, 2, HC_CALL_SCHED, SCHEDOP_shutdown, 0, &sd, sizeof(sd));
	u8_(&q, HC_STEP_TASKLETS);
	hc(&q, 1, HC_CALL_SCHED, SCHEDOP_poll, 0, HC_T_ARG, 0, &poll, sizeof(poll), &ports, 1,
	   port_list, sizeof(port_list));
	time_(&q, 0xffff);
	call(&q, 1, HC_CALL_SCHED, SCHEDOP_yield, 0, NULL, 0);
	call(&q, 1, HC_CALL_SCHED, SCHEDOP_block, 0, NULL, 0);
	sd.reason = SHUTDOWN_reboot;
	call(&q, 0, HC_CALL_SCHED, SCHEDOP_shutdown, 0, &sd, sizeof(sd));
	u8_(&q, HC_STEP_TASKLETS);
	seq_emit(&q, "shutdown");
}

static void seed_misc(void)
{
	struct seq q;
	struct xen_hvm_param hp = { DOMID_SELF, HVM_PARAM_CALLBACK_IRQ,
				    (2ULL << 56) | 0xf3 };
	struct xen_hvm_evtchn_upcall_vector uv = { 0, 0xf3 };
	static const char text[] = "guest says hello\r\n\x1b[31mred\n";

	seq_begin(&q, 0);
	hc(&q, 1, HC_CALL_CONSOLE, CONSOLEIO_write, sizeof(text) - 1, HC_T_ARG2, 0, NULL, 0,
	   NULL, 0, text, sizeof(text) - 1);
	call(&q, 1, HC_CALL_HVM, HVMOP_set_param, 0, &hp, sizeof(hp));
	hp.index = 1;
	call(&q, 1, HC_CALL_HVM, HVMOP_get_param, 0, &hp, sizeof(hp));
	call(&q, 1, HC_CALL_HVM, HVMOP_set_evtchn_upcall_vector, 0, &uv, sizeof(uv));
	call(&q, 1, HC_CALL_VERSION, XENVER_version, 0, NULL, 0);
	call(&q, 1, HC_CALL_VERSION, XENVER_extraversion, 0, NULL, 0);
	call(&q, 1, HC_CALL_VERSION, XENVER_get_features, 0, NULL, 0);
	hc_preempt(&q, 1, HC_CALL_RAW, 99, 0, HC_T_ARG, 0, NULL, 0, NULL, 0, NULL, 0, 7, 0, 0);
	seq_emit(&q, "misc");
}

/*
 * Audit findings as step sequences (written with -p only, not into the corpus): each must
 * crash the harness until its finding is fixed, which shows the harness's checks work.
 */
static void pocs_hypercall(void)
{
	struct seq q;
	struct vcpu_register_vcpu_info vi = { .mfn = (RAM_4K_GPA >> 12) + 2, .offset = 0 };
	struct xen_add_to_physmap x = { .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
					.idx = 2, .gpfn = (RAM_4K_GPA >> 12) + 2 };
	struct evtchn_bind_ipi ipi = { 0 };
	struct evtchn_send send = { 3 };
	struct xen_add_to_physmap_batch b = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_gmfn_foreign, .size = 1,
		.foreign_domid = 1,
	};
	struct fix lists[3] = {
		{ offsetof(struct xen_add_to_physmap_batch, idxs), HC_T_ARG2, 0 },
		{ offsetof(struct xen_add_to_physmap_batch, gpfns), HC_T_ARG2, 1 },
		{ offsetof(struct xen_add_to_physmap_batch, errs), HC_T_ARG2, 2 },
	};
	u64 frames[2] = { (RAM_4K_GPA >> 12) + 2, HOLE_GPA >> 12 };

	/* Finding 1: vcpu_info on a RAM page that add_to_physmap then frees; an event writes it. */
	seq_begin(&q, 0);
	call(&q, 1, HC_CALL_VCPU, VCPUOP_register_vcpu_info, 0, &vi, sizeof(vi));
	call(&q, 1, HC_CALL_MEMORY, XENMEM_add_to_physmap, 0, &x, sizeof(x));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_bind_ipi, 0, &ipi, sizeof(ipi));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_send, 0, &send, sizeof(send));
	emit("hypercall-poc", "audit-1-vcpu-info", q.buf, q.len);

	/* Finding 1's kind for FIFO: the control block's page freed under keel's mapping. */
	{
		struct evtchn_init_control ic = { .control_gfn = (RAM_4K_GPA >> 12) + 2 };
		struct evtchn_expand_array ea = { (RAM_4K_GPA >> 12) + 3 };
		struct evtchn_unmask um = { 3 };

		seq_begin(&q, 0);
		call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_init_control, 0, &ic, sizeof(ic));
		call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_expand_array, 0, &ea, sizeof(ea));
		call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_bind_ipi, 0, &ipi, sizeof(ipi));
		call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_unmask, 0, &um, sizeof(um));
		call(&q, 1, HC_CALL_MEMORY, XENMEM_add_to_physmap, 0, &x, sizeof(x));
		call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_send, 0, &send, sizeof(send));
		emit("hypercall-poc", "audit-1-fifo-control-block", q.buf, q.len);
	}

	/* Finding 17: dom0 maps a page of d1, which d1 then frees by add_to_physmap. */
	seq_begin(&q, 0);
	hc(&q, 0, HC_CALL_MEMORY, XENMEM_add_to_physmap_batch, 0, HC_T_ARG, 0, &b, sizeof(b),
	   lists, 3, frames, sizeof(frames));
	call(&q, 1, HC_CALL_MEMORY, XENMEM_add_to_physmap, 0, &x, sizeof(x));
	emit("hypercall-poc", "audit-17-foreign", q.buf, q.len);
}

/* Long batches keel preempts: grant copies and a console write, re-issued to their end. */
static void seed_continuation(void)
{
	struct seq q;
	struct gnttab_copy copies[6];
	static char text[200];

	seq_begin(&q, 0);
	grant(&q, 2, HC_T_RAM_4K, 0, 8, GTF_permit_access, 1);
	for (int i = 0; i < 6; i++)
		copies[i] = (struct gnttab_copy){
			.source = { .u.ref = 8, .domid = 2, .offset = i * 8 },
			.dest = { .u.gmfn = ARG2_GPA >> 12, .domid = DOMID_SELF, .offset = i },
			.len = 8, .flags = GNTCOPY_source_gref,
		};
	/* 40 copies (zeros after the argument's 6: refused), kicked at the second check. */
	hc_preempt(&q, 1, HC_CALL_GRANT, GNTTABOP_copy, 40, HC_T_ARG, 0, copies,
		   sizeof(copies), NULL, 0, NULL, 0, -1, 2, 1);
	memset(text, 'k', sizeof(text));
	text[99] = '\n';
	hc_preempt(&q, 1, HC_CALL_CONSOLE, CONSOLEIO_write, sizeof(text), HC_T_ARG2, 0, NULL,
		   0, NULL, 0, text, sizeof(text), -1, 1, 1);
	seq_emit(&q, "continuation");
}

/* FIFO event channels: control block and event array in the guest's RAM, an IPI through them. */
static void seed_fifo(void)
{
	struct seq q;
	struct evtchn_init_control ic = { .control_gfn = HC_TAG(HC_T_RAM_4K, 10, HC_TAG_GFN) };
	struct evtchn_expand_array ea = { HC_TAG(HC_T_RAM_4K, 11, HC_TAG_GFN) };
	struct evtchn_bind_ipi ipi = { 0 };
	struct evtchn_set_priority sp = { 3, 5 };
	struct evtchn_send send = { 3 };
	struct evtchn_unmask um = { 3 };

	seq_begin(&q, 0x02);
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_init_control, 0, &ic, sizeof(ic));
	ic.vcpu = 1;
	ic.offset = 0x800;
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_init_control, 0, &ic, sizeof(ic));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_expand_array, 0, &ea, sizeof(ea));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_bind_ipi, 0, &ipi, sizeof(ipi));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_set_priority, 0, &sp, sizeof(sp));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_send, 0, &send, sizeof(send));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_unmask, 0, &um, sizeof(um));
	call(&q, 1, HC_CALL_EVTCHN, EVTCHNOP_send, 0, &send, sizeof(send));
	seq_emit(&q, "fifo");
}

static void seeds_hypercall(void)
{
	seed_evtchn();
	seed_grant();
	seed_vcpu();
	seed_domctl();
	seed_foreign();
	seed_physmap();
	seed_shutdown();
	seed_misc();
	seed_continuation();
	seed_fifo();
}

int main(int argc, char **argv)
{
	if (argc != 2 && (argc != 3 || strcmp(argv[2], "-p"))) {
		fprintf(stderr, "usage: %s CORPUS-DIR [-p]\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (argc == 3 && !strcmp(argv[2], "-p")) {
		pocs_hypercall();
		return 0;
	}
	seeds_multiboot2();
	seeds_elf();
	seeds_bzimage();
	seeds_madt();
	seeds_hypercall();
	return 0;
}
