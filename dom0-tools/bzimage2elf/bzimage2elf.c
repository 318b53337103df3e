/* bzimage2elf: find, decompress and check the ELF vmlinux inside an x86 bzImage. */
#include <elf.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bzimage2elf.h"

/* The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst). */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_BOOT_FLAG		0x1fe
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_PAYLOAD_OFFSET	0x248
#define HDR_PAYLOAD_LENGTH	0x24c
#define HDR_END			0x250
#define BOOT_FLAG		0xaa55
#define PROTOCOL_PAYLOAD	0x0208	/* first version with payload_offset/length */

/* Elf64_Ehdr and Elf64_Phdr, read field by field: the input may be unaligned. */
#define EH_TYPE		0x10
#define EH_MACHINE	0x12
#define EH_PHOFF	0x20
#define EH_PHENTSIZE	0x36
#define EH_PHNUM	0x38
#define PH_TYPE		0x00
#define PH_OFFSET	0x08
#define PH_FILESZ	0x20
#define PH_MEMSZ	0x28
#define PH_ALIGN	0x30
#define NOTE_HDR	12

static u16 le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 le64(const u8 *p)
{
	return (u64)le32(p) | (u64)le32(p + 4) << 32;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Does [off, off + size) lie within a file of @len bytes? No overflow possible. */
static int in_file(u64 off, u64 size, size_t len)
{
	return off <= len && size <= len - off;
}

int bzimage_payload(const u8 *in, size_t len, size_t *off, size_t *plen,
		    char *err, size_t errlen)
{
	u64 setup_sects, pm_off, poff, pl;
	u16 version;

	if (len < HDR_END)
		return fail(err, errlen,
			    "not a bzImage: %zu bytes is too short for a setup header (0x%x)",
			    len, HDR_END);
	if (memcmp(in + HDR_MAGIC, "HdrS", 4) != 0)
		return fail(err, errlen,
			    "not a bzImage: no \"HdrS\" magic at 0x%x", HDR_MAGIC);
	if (le16(in + HDR_BOOT_FLAG) != BOOT_FLAG)
		return fail(err, errlen,
			    "not a bzImage: boot_flag at 0x%x is 0x%04x, not 0x%04x",
			    HDR_BOOT_FLAG, le16(in + HDR_BOOT_FLAG), BOOT_FLAG);
	version = le16(in + HDR_VERSION);
	if (version < PROTOCOL_PAYLOAD)
		return fail(err, errlen,
			    "boot protocol %u.%02u is older than 2.08 (no payload_offset)",
			    version >> 8, version & 0xff);

	setup_sects = in[HDR_SETUP_SECTS] ? in[HDR_SETUP_SECTS] : 4;
	pm_off = (setup_sects + 1) * 512;
	if (pm_off > len)
		return fail(err, errlen,
			    "setup_sects %llu puts the kernel at 0x%llx, past the end of the file (0x%zx)",
			    (unsigned long long)setup_sects,
			    (unsigned long long)pm_off, len);
	poff = le32(in + HDR_PAYLOAD_OFFSET);
	pl = le32(in + HDR_PAYLOAD_LENGTH);
	if (!in_file(pm_off + poff, 0, len))
		return fail(err, errlen,
			    "payload_offset 0x%llx (file offset 0x%llx) is past the end of the file (0x%zx)",
			    (unsigned long long)poff,
			    (unsigned long long)(pm_off + poff), len);
	if (!in_file(pm_off + poff, pl, len))
		return fail(err, errlen,
			    "payload_length 0x%llx at file offset 0x%llx runs past the end of the file (0x%zx)",
			    (unsigned long long)pl,
			    (unsigned long long)(pm_off + poff), len);
	if (pl == 0)
		return fail(err, errlen, "payload_length is 0");
	*off = pm_off + poff;
	*plen = pl;
	return 0;
}

static const struct {
	const char *name;
	const char *magic;
	size_t len;
} magics[] = {
	{ "xz", "\xfd" "7zXZ\0", 6 },
	{ "gzip", "\x1f\x8b", 2 },
	{ "bzip2", "BZh", 3 },
	{ "lzma", "\x5d\0\0", 3 },
	{ "lzo", "\x89LZO", 4 },
	{ "lz4", "\x02\x21\x4c\x18", 4 },	/* legacy frame, as Linux builds it */
	{ "lz4", "\x04\x22\x4d\x18", 4 },
	{ "zstd", "\x28\xb5\x2f\xfd", 4 },
};

const char *payload_compression(const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (len >= magics[i].len &&
		    memcmp(p, magics[i].magic, magics[i].len) == 0)
			return magics[i].name;
	return NULL;
}

static const char *lzma_error(lzma_ret ret)
{
	switch (ret) {
	case LZMA_MEM_ERROR:
		return "out of memory";
	case LZMA_MEMLIMIT_ERROR:
		return "needs more memory than the decoder's limit";
	case LZMA_FORMAT_ERROR:
		return "not an xz stream";
	case LZMA_OPTIONS_ERROR:
		return "unsupported xz options";
	case LZMA_DATA_ERROR:
		return "corrupt data";
	case LZMA_BUF_ERROR:
		return "stream is truncated";
	default:
		return "liblzma error";
	}
}

int xz_decompress(const u8 *in, size_t len, size_t max_out, u8 **out,
		  size_t *out_len, char *err, size_t errlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t size, limit = max_out + 1, rest;
	u8 *buf = NULL, *nbuf;
	lzma_ret ret;

	/*
	 * The size the build appended sizes the buffer if it is plausible (xz shrinks a kernel
	 * about 8 times); it is checked at the end. Otherwise grow from 1 MiB.
	 */
	size = len >= 4 ? le32(in + len - 4) : 0;
	if (size == 0 || size > limit || size / 64 > len)
		size = limit < (1u << 20) ? limit : (1u << 20);

	ret = lzma_stream_decoder(&s, BZIMAGE_XZ_MEMLIMIT, 0);
	if (ret != LZMA_OK)
		return fail(err, errlen, "xz payload: %s (%d)", lzma_error(ret),
			    ret);
	s.next_in = in;
	s.avail_in = len;
	for (;;) {
		if (s.avail_out == 0) {
			if (buf && size >= limit) {
				free(buf);
				lzma_end(&s);
				return fail(err, errlen,
					    "xz payload: decompresses to more than %zu bytes",
					    max_out);
			}
			if (buf)
				size = size > limit / 2 ? limit : size * 2;
			nbuf = realloc(buf, size);
			if (!nbuf) {
				free(buf);
				lzma_end(&s);
				return fail(err, errlen,
					    "xz payload: out of memory (%zu bytes)",
					    size);
			}
			buf = nbuf;
			s.next_out = buf + s.total_out;
			s.avail_out = size - s.total_out;
		}
		ret = lzma_code(&s, LZMA_FINISH);
		if (ret == LZMA_STREAM_END)
			break;
		if (ret != LZMA_OK) {
			free(buf);
			lzma_end(&s);
			return fail(err, errlen,
				    "xz payload: %s (liblzma %d after %llu bytes in, %llu out)",
				    lzma_error(ret), ret,
				    (unsigned long long)s.total_in,
				    (unsigned long long)s.total_out);
		}
	}
	rest = s.avail_in;
	*out_len = s.total_out;
	lzma_end(&s);

	if (*out_len > max_out) {
		free(buf);
		return fail(err, errlen,
			    "xz payload: decompresses to more than %zu bytes",
			    max_out);
	}
	if (rest == 4 && le32(in + len - 4) != (u32)*out_len) {
		free(buf);
		return fail(err, errlen,
			    "xz payload: decompressed %zu bytes, but its size trailer says %u",
			    *out_len, le32(in + len - 4));
	}
	if (rest != 0 && rest != 4) {
		free(buf);
		return fail(err, errlen,
			    "xz payload: %zu unexpected bytes after the xz stream",
			    rest);
	}
	*out = buf;
	return 0;
}

/* Looks for Xen's PHYS32_ENTRY in one PT_NOTE segment: 1 found, 0 not there, -1 error. */
static int find_note(const u8 *p, u64 size, u64 align, u64 *entry, char *err,
		     size_t errlen)
{
	u64 pos = 0, namesz, descsz, name_pad, desc_pad;
	const u8 *name, *desc;
	u32 type;

	while (size - pos >= NOTE_HDR) {
		namesz = le32(p + pos);
		descsz = le32(p + pos + 4);
		type = le32(p + pos + 8);
		pos += NOTE_HDR;
		name_pad = (namesz + align - 1) & ~(align - 1);
		desc_pad = (descsz + align - 1) & ~(align - 1);
		if (name_pad > size - pos || desc_pad > size - pos - name_pad)
			return fail(err, errlen,
				    "vmlinux: ELF note (name %llu, desc %llu bytes) runs past its PT_NOTE segment",
				    (unsigned long long)namesz,
				    (unsigned long long)descsz);
		name = p + pos;
		desc = name + name_pad;
		pos += name_pad + desc_pad;
		if (namesz != 4 || memcmp(name, "Xen", 4) != 0 ||
		    type != XEN_ELFNOTE_PHYS32_ENTRY)
			continue;
		if (descsz == 4)
			*entry = le32(desc);
		else if (descsz == 8)
			*entry = le64(desc);
		else
			return fail(err, errlen,
				    "vmlinux: Xen PHYS32_ENTRY note has a %llu-byte value, not 4 or 8",
				    (unsigned long long)descsz);
		if (*entry > 0xffffffffULL)
			return fail(err, errlen,
				    "vmlinux: PHYS32_ENTRY 0x%llx is not a 32-bit address",
				    (unsigned long long)*entry);
		return 1;
	}
	return 0;
}

int elf_pvh_entry(const u8 *elf, size_t len, u64 *entry, char *err,
		  size_t errlen)
{
	u64 phoff, off, filesz, memsz, align;
	unsigned int phnum, i;
	const u8 *ph;
	int found = 0, ret;
	u32 type;

	if (len < sizeof(Elf64_Ehdr) || memcmp(elf, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "vmlinux: not an ELF file");
	if (elf[EI_CLASS] != ELFCLASS64 || elf[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen,
			    "vmlinux: not a little-endian ELF64 file (class %u, data %u)",
			    elf[EI_CLASS], elf[EI_DATA]);
	if (le16(elf + EH_MACHINE) != EM_X86_64)
		return fail(err, errlen,
			    "vmlinux: ELF machine %u is not x86-64 (%u)",
			    le16(elf + EH_MACHINE), EM_X86_64);
	if (le16(elf + EH_TYPE) != ET_EXEC)
		return fail(err, errlen,
			    "vmlinux: ELF type %u is not an executable (ET_EXEC)",
			    le16(elf + EH_TYPE));
	phoff = le64(elf + EH_PHOFF);
	phnum = le16(elf + EH_PHNUM);
	if (le16(elf + EH_PHENTSIZE) != sizeof(Elf64_Phdr))
		return fail(err, errlen,
			    "vmlinux: program header size %u is not %zu",
			    le16(elf + EH_PHENTSIZE), sizeof(Elf64_Phdr));
	if (phnum == 0 || phnum == PN_XNUM)
		return fail(err, errlen,
			    "vmlinux: %u program headers is not supported", phnum);
	if (!in_file(phoff, (u64)phnum * sizeof(Elf64_Phdr), len))
		return fail(err, errlen,
			    "vmlinux: %u program headers at 0x%llx run past the end of the file (0x%zx)",
			    phnum, (unsigned long long)phoff, len);

	for (i = 0; i < phnum; i++) {
		ph = elf + phoff + (u64)i * sizeof(Elf64_Phdr);
		type = le32(ph + PH_TYPE);
		off = le64(ph + PH_OFFSET);
		filesz = le64(ph + PH_FILESZ);
		memsz = le64(ph + PH_MEMSZ);
		align = le64(ph + PH_ALIGN);
		if (type != PT_LOAD && type != PT_NOTE)
			continue;
		if (!in_file(off, filesz, len))
			return fail(err, errlen,
				    "vmlinux: program header %u (offset 0x%llx, size 0x%llx) runs past the end of the file (0x%zx)",
				    i, (unsigned long long)off,
				    (unsigned long long)filesz, len);
		if (type == PT_LOAD && filesz > memsz)
			return fail(err, errlen,
				    "vmlinux: PT_LOAD %u has filesz 0x%llx > memsz 0x%llx",
				    i, (unsigned long long)filesz,
				    (unsigned long long)memsz);
		if (type != PT_NOTE || found)
			continue;
		ret = find_note(elf + off, filesz, align == 8 ? 8 : 4, entry,
				err, errlen);
		if (ret < 0)
			return ret;
		found = ret;
	}
	if (!found)
		return fail(err, errlen,
			    "vmlinux: no Xen PHYS32_ENTRY note (type %u): not a PVH kernel (CONFIG_XEN_PVH)",
			    XEN_ELFNOTE_PHYS32_ENTRY);
	return 0;
}

int bzimage_extract_max(const u8 *in, size_t len, size_t max_out, u8 **out,
			size_t *out_len, char *err, size_t errlen)
{
	size_t off, plen, n;
	const char *comp;
	u64 entry;
	char hex[3 * 4 + 1] = "";
	u8 *buf;

	*out = NULL;
	*out_len = 0;
	if (len >= SELFMAG && memcmp(in, ELFMAG, SELFMAG) == 0) {
		if (len > max_out)
			return fail(err, errlen,
				    "vmlinux: %zu bytes is more than %zu", len,
				    max_out);
		if (elf_pvh_entry(in, len, &entry, err, errlen))
			return -1;
		buf = malloc(len);
		if (!buf)
			return fail(err, errlen, "out of memory (%zu bytes)",
				    len);
		memcpy(buf, in, len);
		*out = buf;
		*out_len = len;
		return 0;
	}

	if (bzimage_payload(in, len, &off, &plen, err, errlen))
		return -1;
	comp = payload_compression(in + off, plen);
	if (!comp) {
		for (n = 0; n < 4 && n < plen; n++)
			snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex),
				 "%s%02x", n ? " " : "", in[off + n]);
		return fail(err, errlen,
			    "payload at 0x%zx: unknown compression (magic %s)",
			    off, hex);
	}
	if (strcmp(comp, "xz") != 0)
		return fail(err, errlen,
			    "payload at 0x%zx is %s-compressed: unsupported (only xz is)",
			    off, comp);
	if (xz_decompress(in + off, plen, max_out, &buf, &n, err, errlen))
		return -1;
	if (elf_pvh_entry(buf, n, &entry, err, errlen)) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = n;
	return 0;
}

int bzimage_extract(const u8 *in, size_t len, u8 **out, size_t *out_len,
		    char *err, size_t errlen)
{
	return bzimage_extract_max(in, len, BZIMAGE_OUT_MAX, out, out_len, err,
				   errlen);
}
