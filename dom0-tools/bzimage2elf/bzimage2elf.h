/* bzimage2elf: the ELF vmlinux out of an x86 bzImage (Linux boot protocol 2.08+, xz payload). */
#ifndef DOM0_TOOLS_BZIMAGE2ELF_H
#define DOM0_TOOLS_BZIMAGE2ELF_H

#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* Largest vmlinux we decompress (Debian 6.1's is about 60 MiB). */
#define BZIMAGE_OUT_MAX		(256UL << 20)
/* The xz decoder's memory limit (the kernel's stream uses a 32 MiB dictionary). */
#define BZIMAGE_XZ_MEMLIMIT	(256UL << 20)

/* Xen's ELF note: name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY, the 32-bit PVH entry point. */
#define XEN_ELFNOTE_PHYS32_ENTRY	18

/**
 * bzimage_payload - find the compressed kernel in a bzImage
 * @in: the file, @len its size
 * @off, @plen: the payload's offset in the file and length (set on success)
 *
 * Checks the setup header (setup_sects, "HdrS", protocol >= 2.08) and that the payload lies
 * within the file. Returns 0, or -1 with a message in @err.
 */
int bzimage_payload(const u8 *in, size_t len, size_t *off, size_t *plen,
		    char *err, size_t errlen);

/**
 * payload_compression - name the compression of a payload by its magic bytes
 *
 * Returns "xz", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd", or NULL when unknown.
 */
const char *payload_compression(const u8 *p, size_t len);

/**
 * xz_decompress - decode one xz stream of at most @max_out bytes into a new buffer
 *
 * What follows the stream may only be the 4-byte little-endian decompressed size that the
 * kernel's build appends; it must then match. On success *@out is malloc'ed (free() it).
 * Returns 0, or -1 with a message in @err.
 */
int xz_decompress(const u8 *in, size_t len, size_t max_out, u8 **out,
		  size_t *out_len, char *err, size_t errlen);

/**
 * elf_pvh_entry - check a vmlinux: ELF64 x86-64 executable with a Xen PHYS32_ENTRY note
 * @entry: set to the note's entry point on success
 *
 * Every program header and note must lie within the file. Returns 0, or -1 with a message.
 */
int elf_pvh_entry(const u8 *elf, size_t len, u64 *entry, char *err,
		  size_t errlen);

/**
 * bzimage_extract - the checked ELF vmlinux inside a bzImage (or a copy of an ELF input)
 *
 * On success *@out is a malloc'ed buffer of *@out_len bytes (free() it). Returns 0, or -1
 * with a message in @err; hostile input never reads outside @in.
 */
int bzimage_extract(const u8 *in, size_t len, u8 **out, size_t *out_len,
		    char *err, size_t errlen);

/* bzimage_extract() with an output cap other than BZIMAGE_OUT_MAX. */
int bzimage_extract_max(const u8 *in, size_t len, size_t max_out, u8 **out,
			size_t *out_len, char *err, size_t errlen);

#endif
