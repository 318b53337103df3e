/* Host tests of bzimage2elf: synthetic bzImages with xz payloads, and hostile headers and ELFs. */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bzimage2elf.h"
#include "host.h"

#define ENTRY		0x1000850ULL
#define SETUP_SECTS	1
#define PAYLOAD_OFF	0x40	/* payload_offset, from the protected-mode kernel */
#define TAIL		16	/* bytes after the payload, as in a real bzImage */

static char err[256];

static void put16(u8 *p, u16 v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(u8 *p, u64 v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/* ---- a tiny vmlinux: Ehdr, PT_LOAD over the file, PT_NOTE with two Xen notes ---- */

#define ELF_PH		64
#define ELF_NOTES	176
#define ELF_SIZE	256

struct elf_opts {
	u8 class;
	u16 type;
	u16 machine;
	u64 entry;
	u32 descsz;
	u32 note_type;
	u32 namesz;
	u64 phoff;
	u64 load_filesz;
};

static const struct elf_opts good_elf = {
	.class = 2, .type = 2, .machine = 62, .entry = ENTRY, .descsz = 8,
	.note_type = 18, .namesz = 4, .phoff = ELF_PH, .load_filesz = ELF_SIZE,
};

static void make_elf(u8 *e, const struct elf_opts *o)
{
	u8 *ph = e + ELF_PH, *n = e + ELF_NOTES;
	int i;

	memset(e, 0, ELF_SIZE);
	memcpy(e, "\x7f" "ELF", 4);
	e[4] = o->class;
	e[5] = 1;
	e[6] = 1;
	put16(e + 0x10, o->type);
	put16(e + 0x12, o->machine);
	put32(e + 0x14, 1);
	put64(e + 0x18, 0x1000000);
	put64(e + 0x20, o->phoff);
	put16(e + 0x34, 64);
	put16(e + 0x36, 56);
	put16(e + 0x38, 2);

	put32(ph, 1);			/* PT_LOAD */
	put32(ph + 4, 5);
	put64(ph + 0x08, 0);
	put64(ph + 0x10, 0xffffffff81000000ULL);
	put64(ph + 0x18, 0x1000000);
	put64(ph + 0x20, o->load_filesz);
	put64(ph + 0x28, ELF_SIZE + 0x1000);
	put64(ph + 0x30, 0x200000);
	ph += 56;
	put32(ph, 4);			/* PT_NOTE */
	put64(ph + 0x08, ELF_NOTES);
	put64(ph + 0x20, 48);
	put64(ph + 0x28, 48);
	put64(ph + 0x30, 4);

	/* XEN_ELFNOTE_GUEST_OS "linux", then the entry point. */
	put32(n, 4);
	put32(n + 4, 6);
	put32(n + 8, 6);
	memcpy(n + 12, "Xen", 4);
	memcpy(n + 16, "linux", 6);
	n += 24;
	put32(n, o->namesz);
	put32(n + 4, o->descsz);
	put32(n + 8, o->note_type);
	memcpy(n + 12, "Xen", 4);
	put64(n + 16, o->entry);

	for (i = ELF_NOTES + 48; i < ELF_SIZE; i++)
		e[i] = 0x90;		/* "code" */
}

/* ---- xz streams and bzImages around them ---- */

static u8 *xz(const u8 *data, size_t len, size_t *xlen)
{
	size_t bound = lzma_stream_buffer_bound(len);
	u8 *out = malloc(bound);
	lzma_options_lzma lz;
	lzma_filter filters[] = {
		{ .id = LZMA_FILTER_X86 },
		{ .id = LZMA_FILTER_LZMA2, .options = &lz },
		{ .id = LZMA_VLI_UNKNOWN },
	};

	assert_non_null(out);
	assert_false(lzma_lzma_preset(&lz, 6));
	/* A small dictionary keeps the decoder cheap under ASan. */
	lz.dict_size = 64 << 10;
	*xlen = 0;
	/* Like the kernel's build: x86 BCJ filter, LZMA2, CRC32 check. */
	assert_int_equal(lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32,
						   NULL, data, len, out, xlen,
						   bound),
			 LZMA_OK);
	return out;
}

struct image {
	u8 *buf;
	size_t len;
	size_t payload;		/* file offset of the payload */
};

/* A bzImage whose payload is @p (@plen bytes) followed by @trailer bytes (0 or 4: size). */
static struct image make_bzimage(u8 setup_sects, const u8 *p, size_t plen,
				 int trailer, u32 size)
{
	size_t pm = ((setup_sects ? setup_sects : 4) + 1) * 512;
	struct image img;

	img.payload = pm + PAYLOAD_OFF;
	img.len = img.payload + plen + trailer + TAIL;
	img.buf = calloc(1, img.len);
	assert_non_null(img.buf);
	img.buf[0x1f1] = setup_sects;
	put16(img.buf + 0x1fe, 0xaa55);
	memcpy(img.buf + 0x202, "HdrS", 4);
	put16(img.buf + 0x206, 0x020f);
	img.buf[0x211] = 1;		/* LOADED_HIGH */
	put32(img.buf + 0x248, PAYLOAD_OFF);
	put32(img.buf + 0x24c, plen + trailer);
	memcpy(img.buf + img.payload, p, plen);
	if (trailer)
		put32(img.buf + img.payload + plen, size);
	memset(img.buf + img.payload + plen + trailer, 0xcc, TAIL);
	return img;
}

/* A bzImage of an xz-compressed ELF made with @o, size trailer included. */
static struct image elf_bzimage(const struct elf_opts *o, u8 *elf)
{
	struct image img;
	size_t xlen;
	u8 *x;

	make_elf(elf, o);
	x = xz(elf, ELF_SIZE, &xlen);
	img = make_bzimage(SETUP_SECTS, x, xlen, 4, ELF_SIZE);
	free(x);
	return img;
}

/* Runs bzimage_extract on an exact-size copy (so ASan sees any overread); returns its result. */
static int extract(const u8 *in, size_t len, u8 **out, size_t *out_len)
{
	u8 *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, in, len);
	err[0] = '\0';
	ret = bzimage_extract(copy, len, out, out_len, err, sizeof(err));
	free(copy);
	return ret;
}

static void expect_fail(const u8 *in, size_t len, const char *needle)
{
	size_t out_len = 1;
	u8 *out = (u8 *)1;

	if (extract(in, len, &out, &out_len) != -1)
		fail_msg("accepted; expected an error with \"%s\"", needle);
	assert_null(out);
	assert_int_equal(out_len, 0);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
}

static void expect_elf_fail(const struct elf_opts *o, const char *needle)
{
	u8 elf[ELF_SIZE];
	struct image img;

	make_elf(elf, o);
	expect_fail(elf, ELF_SIZE, needle);
	/* The same ELF as a bzImage's payload fails the same way. */
	img = elf_bzimage(o, elf);
	expect_fail(img.buf, img.len, needle);
	free(img.buf);
}

/* ---- tests ---- */

static void test_xz_bzimage(void **state)
{
	u8 elf[ELF_SIZE], *out;
	struct image img;
	size_t out_len, off, plen;
	u64 entry = 0;

	(void)state;
	img = elf_bzimage(&good_elf, elf);
	assert_int_equal(bzimage_payload(img.buf, img.len, &off, &plen, err,
					 sizeof(err)), 0);
	assert_int_equal(off, img.payload);
	assert_string_equal(payload_compression(img.buf + off, plen), "xz");
	assert_int_equal(extract(img.buf, img.len, &out, &out_len), 0);
	assert_int_equal(out_len, ELF_SIZE);
	assert_memory_equal(out, elf, ELF_SIZE);
	assert_int_equal(elf_pvh_entry(out, out_len, &entry, err, sizeof(err)), 0);
	assert_int_equal(entry, ENTRY);
	free(out);
	free(img.buf);
}

static void test_setup_sects_zero_means_four(void **state)
{
	u8 elf[ELF_SIZE], *x, *out;
	struct image img;
	size_t xlen, out_len;

	(void)state;
	make_elf(elf, &good_elf);
	x = xz(elf, ELF_SIZE, &xlen);
	img = make_bzimage(0, x, xlen, 4, ELF_SIZE);
	assert_int_equal(img.payload, 5 * 512 + PAYLOAD_OFF);
	assert_int_equal(extract(img.buf, img.len, &out, &out_len), 0);
	assert_memory_equal(out, elf, ELF_SIZE);
	free(out);
	free(img.buf);
	free(x);
}

static void test_no_size_trailer(void **state)
{
	u8 elf[ELF_SIZE], *x, *out;
	struct image img;
	size_t xlen, out_len;

	(void)state;
	make_elf(elf, &good_elf);
	x = xz(elf, ELF_SIZE, &xlen);
	img = make_bzimage(SETUP_SECTS, x, xlen, 0, 0);
	assert_int_equal(extract(img.buf, img.len, &out, &out_len), 0);
	assert_int_equal(out_len, ELF_SIZE);
	free(out);
	free(img.buf);
	free(x);
}

static void test_elf_input_copied(void **state)
{
	u8 elf[ELF_SIZE], *out;
	size_t out_len;
	struct elf_opts o = good_elf;

	(void)state;
	make_elf(elf, &good_elf);
	assert_int_equal(extract(elf, ELF_SIZE, &out, &out_len), 0);
	assert_int_equal(out_len, ELF_SIZE);
	assert_memory_equal(out, elf, ELF_SIZE);
	free(out);

	/* A 4-byte entry works too. */
	o.descsz = 4;
	make_elf(elf, &o);
	assert_int_equal(extract(elf, ELF_SIZE, &out, &out_len), 0);
	free(out);
}

static void test_bad_headers(void **state)
{
	u8 elf[ELF_SIZE];
	struct image img;

	(void)state;
	img = elf_bzimage(&good_elf, elf);
	expect_fail(img.buf, 0, "too short");
	expect_fail(img.buf, 0x24f, "too short");

	memcpy(img.buf + 0x202, "HdrT", 4);
	expect_fail(img.buf, img.len, "no \"HdrS\" magic at 0x202");
	memcpy(img.buf + 0x202, "HdrS", 4);

	put16(img.buf + 0x1fe, 0x1234);
	expect_fail(img.buf, img.len, "boot_flag");
	put16(img.buf + 0x1fe, 0xaa55);

	put16(img.buf + 0x206, 0x0207);
	expect_fail(img.buf, img.len, "boot protocol 2.07 is older than 2.08");
	put16(img.buf + 0x206, 0x020f);

	img.buf[0x1f1] = 0xff;
	expect_fail(img.buf, img.len, "setup_sects 255");
	free(img.buf);
}

static void test_payload_out_of_file(void **state)
{
	u8 elf[ELF_SIZE];
	struct image img;
	u32 pm = (SETUP_SECTS + 1) * 512;

	(void)state;
	img = elf_bzimage(&good_elf, elf);

	put32(img.buf + 0x248, img.len - pm + 1);
	expect_fail(img.buf, img.len, "payload_offset");
	put32(img.buf + 0x248, 0xffffffff);
	expect_fail(img.buf, img.len, "payload_offset 0xffffffff");

	put32(img.buf + 0x248, PAYLOAD_OFF);
	put32(img.buf + 0x24c, img.len - img.payload + 1);
	expect_fail(img.buf, img.len, "payload_length");
	put32(img.buf + 0x24c, 0xffffffff);
	expect_fail(img.buf, img.len, "payload_length 0xffffffff");

	/* Offset at the last byte, length that would wrap a 32-bit sum. */
	put32(img.buf + 0x248, img.len - pm - 1);
	put32(img.buf + 0x24c, 0xffffffff);
	expect_fail(img.buf, img.len, "runs past the end of the file");

	put32(img.buf + 0x248, img.len - pm);
	put32(img.buf + 0x24c, 0);
	expect_fail(img.buf, img.len, "payload_length is 0");
	free(img.buf);
}

static void test_other_compressions(void **state)
{
	static const struct {
		const char *name;
		const char *magic;
	} c[] = {
		{ "gzip", "\x1f\x8b\x08\x00" },
		{ "bzip2", "BZh9" },
		{ "lzma", "\x5d\x00\x00\x80" },
		{ "lzo", "\x89LZO" },
		{ "lz4", "\x02\x21\x4c\x18" },
		{ "zstd", "\x28\xb5\x2f\xfd" },
	};
	char needle[64];
	struct image img;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		img = make_bzimage(SETUP_SECTS, (const u8 *)c[i].magic, 4, 0,
				   0);
		snprintf(needle, sizeof(needle), "is %s-compressed: unsupported",
			 c[i].name);
		expect_fail(img.buf, img.len, needle);
		free(img.buf);
	}
	img = make_bzimage(SETUP_SECTS, (const u8 *)"\xde\xad\xbe\xef", 4, 0, 0);
	expect_fail(img.buf, img.len, "unknown compression (magic de ad be ef)");
	free(img.buf);
	/* A 1-byte payload cannot overread while its magic is checked. */
	img = make_bzimage(SETUP_SECTS, (const u8 *)"\xfd", 1, 0, 0);
	expect_fail(img.buf, img.len, "unknown compression (magic fd)");
	free(img.buf);
}

static void test_broken_xz(void **state)
{
	u8 elf[ELF_SIZE], *x;
	struct image img;
	size_t xlen;

	(void)state;
	make_elf(elf, &good_elf);
	x = xz(elf, ELF_SIZE, &xlen);

	img = make_bzimage(SETUP_SECTS, x, xlen, 4, ELF_SIZE);
	img.buf[img.payload + xlen / 2] ^= 0x55;
	expect_fail(img.buf, img.len, "xz payload: ");
	free(img.buf);

	img = make_bzimage(SETUP_SECTS, x, xlen - 10, 0, 0);
	expect_fail(img.buf, img.len, "xz payload: stream is truncated");
	free(img.buf);

	/* Only the xz magic: no stream header after it. */
	img = make_bzimage(SETUP_SECTS, x, 6, 0, 0);
	expect_fail(img.buf, img.len, "xz payload: stream is truncated");
	free(img.buf);

	img = make_bzimage(SETUP_SECTS, x, xlen, 4, ELF_SIZE + 1);
	expect_fail(img.buf, img.len,
		    "decompressed 256 bytes, but its size trailer says 257");
	free(img.buf);

	img = make_bzimage(SETUP_SECTS, x, xlen, 0, 0);
	put32(img.buf + 0x24c, xlen + 7);
	expect_fail(img.buf, img.len, "7 unexpected bytes after the xz stream");
	free(img.buf);
	free(x);
}

static void test_output_cap(void **state)
{
	size_t n = 1 << 20, xlen, out_len;
	u8 *zeros = calloc(1, n), *x, *out;

	(void)state;
	assert_non_null(zeros);
	x = xz(zeros, n, &xlen);
	assert_true(xlen < 4096);
	assert_int_equal(xz_decompress(x, xlen, n, &out, &out_len, err,
				       sizeof(err)), 0);
	assert_int_equal(out_len, n);
	assert_memory_equal(out, zeros, n);
	free(out);
	out = NULL;
	assert_int_equal(xz_decompress(x, xlen, n - 1, &out, &out_len, err,
				       sizeof(err)), -1);
	assert_null(out);
	assert_non_null(strstr(err, "decompresses to more than 1048575 bytes"));
	assert_int_equal(xz_decompress(x, xlen, 65536, &out, &out_len, err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 65536 bytes"));
	free(x);
	free(zeros);
}

static void test_payload_not_elf(void **state)
{
	static const u8 text[] = "hello, this is not a kernel";
	struct image img;
	size_t xlen;
	u8 *x;

	(void)state;
	x = xz(text, sizeof(text), &xlen);
	img = make_bzimage(SETUP_SECTS, x, xlen, 4, sizeof(text));
	expect_fail(img.buf, img.len, "vmlinux: not an ELF file");
	free(img.buf);
	free(x);
}

static void test_bad_elfs(void **state)
{
	struct elf_opts o;

	(void)state;
	o = good_elf;
	o.class = 1;
	expect_elf_fail(&o, "not a little-endian ELF64 file");
	o = good_elf;
	o.machine = 3;
	expect_elf_fail(&o, "ELF machine 3 is not x86-64");
	o = good_elf;
	o.type = 3;
	expect_elf_fail(&o, "not an executable");
	o = good_elf;
	o.phoff = ELF_SIZE - 56;
	expect_elf_fail(&o, "program headers at 0xc8 run past the end");
	o = good_elf;
	o.phoff = ~0ULL - 8;
	expect_elf_fail(&o, "run past the end of the file");
	o = good_elf;
	o.load_filesz = ELF_SIZE + 1;
	expect_elf_fail(&o, "program header 0 (offset 0x0, size 0x101) runs past");
	o = good_elf;
	o.note_type = 17;
	expect_elf_fail(&o, "no Xen PHYS32_ENTRY note (type 18)");
	o = good_elf;
	o.namesz = 0xffffffff;
	expect_elf_fail(&o, "runs past its PT_NOTE segment");
	o = good_elf;
	o.descsz = 0xfffffff0;
	expect_elf_fail(&o, "runs past its PT_NOTE segment");
	o = good_elf;
	o.descsz = 2;
	expect_elf_fail(&o, "a 2-byte value, not 4 or 8");
	o = good_elf;
	o.entry = 0x100000000ULL;
	expect_elf_fail(&o, "PHYS32_ENTRY 0x100000000 is not a 32-bit address");
}

/* Every truncation of a good bzImage (and ELF) fails cleanly, up to where the payload ends. */
static void test_truncations(void **state)
{
	u8 elf[ELF_SIZE], *out;
	struct image img;
	size_t len, out_len, end;

	(void)state;
	img = elf_bzimage(&good_elf, elf);
	end = img.len - TAIL;
	for (len = 0; len <= img.len; len++) {
		out = NULL;
		if (len < end) {
			assert_int_equal(extract(img.buf, len, &out, &out_len), -1);
			assert_true(err[0] != '\0');
		} else {
			assert_int_equal(extract(img.buf, len, &out, &out_len), 0);
			free(out);
		}
	}
	for (len = 0; len < ELF_SIZE; len++)
		assert_int_equal(extract(elf, len, &out, &out_len), -1);
	free(img.buf);
}

/* Random damage to the header and payload: never a crash, and an error always says why. */
static void test_random_damage(void **state)
{
	u8 elf[ELF_SIZE], *out, *copy;
	struct image img;
	size_t out_len, pos;
	unsigned int seed = 12345, i, j, flips;
	int ret;

	(void)state;
	img = elf_bzimage(&good_elf, elf);
	copy = malloc(img.len);
	assert_non_null(copy);
	for (i = 0; i < 3000; i++) {
		memcpy(copy, img.buf, img.len);
		flips = 1 + rand_r(&seed) % 4;
		for (j = 0; j < flips; j++) {
			/* Half the damage in the setup header, half anywhere. */
			if (rand_r(&seed) & 1)
				pos = 0x1f0 + rand_r(&seed) % 0x60;
			else
				pos = rand_r(&seed) % img.len;
			copy[pos] ^= 1 + rand_r(&seed) % 255;
		}
		out = NULL;
		ret = extract(copy, img.len, &out, &out_len);
		if (ret == 0) {
			assert_non_null(out);
			free(out);
		} else {
			assert_int_equal(ret, -1);
			assert_null(out);
			assert_true(err[0] != '\0');
		}
	}
	free(copy);
	free(img.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xz_bzimage),
		cmocka_unit_test(test_setup_sects_zero_means_four),
		cmocka_unit_test(test_no_size_trailer),
		cmocka_unit_test(test_elf_input_copied),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_payload_out_of_file),
		cmocka_unit_test(test_other_compressions),
		cmocka_unit_test(test_broken_xz),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_payload_not_elf),
		cmocka_unit_test(test_bad_elfs),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_random_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
