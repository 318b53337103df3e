/* Helpers of keelctl's host tests: captured messages, temporary files, test kernels. */
#include <lzma.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host.h"
#include "commands.h"
#include "kc.h"
#include "keelctl_test.h"
#include "util.h"
#include "xs.h"

static FILE *capture;
static char *capture_text;
static size_t capture_len;

void capture_start(void)
{
	if (capture)
		capture_stop();
	capture = open_memstream(&capture_text, &capture_len);
	assert_non_null(capture);
	kc_errf = capture;
}

const char *captured(void)
{
	fflush(capture);
	return capture_text ? capture_text : "";
}

void capture_reset(void)
{
	capture_start();
}

void capture_stop(void)
{
	if (!capture)
		return;
	fclose(capture);
	free(capture_text);
	capture = NULL;
	capture_text = NULL;
	kc_errf = stderr;
}

void expect_message(const char *needle)
{
	if (!strstr(captured(), needle))
		fail_msg("expected a message with \"%s\"; got:\n%s", needle, captured());
}

void out_open(struct out_buf *o)
{
	o->text = NULL;
	o->len = 0;
	o->f = open_memstream(&o->text, &o->len);
	assert_non_null(o->f);
}

const char *out_text(struct out_buf *o)
{
	fflush(o->f);
	return o->text ? o->text : "";
}

void out_close(struct out_buf *o)
{
	fclose(o->f);
	free(o->text);
	o->f = NULL;
	o->text = NULL;
}

static char tmpdir[64];

const char *tmpdir_make(void)
{
	strcpy(tmpdir, "/tmp/keelctl-test-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return tmpdir;
}

void tmpdir_remove(void)
{
	char cmd[96];

	if (!tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	tmpdir[0] = '\0';
}

char *tmp_file(const char *name, const void *data, size_t len)
{
	static char paths[8][128];
	static unsigned int slot;
	char *path = paths[slot++ % 8];
	FILE *f;

	snprintf(path, 128, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

#define TK_PH		64
#define TK_NOTES	(64 + 3 * 56)
#define TK_NOTES_LEN	24
#define TK_SEG0_OFF	0x1000
#define TK_SEG1_OFF	(TK_SEG0_OFF + 0x3000)

uint8_t test_kernel_byte(int seg, size_t i)
{
	return (uint8_t)(seg ? 0x80 + (i * 7) % 61 : 1 + (i * 13) % 97);
}

static void phdr(uint8_t *ph, uint32_t type, uint64_t off, uint64_t paddr, uint64_t filesz,
		 uint64_t memsz)
{
	put32(ph, type);
	put32(ph + 4, 7);
	put64(ph + 0x08, off);
	put64(ph + 0x10, 0xffffffff80000000ull + paddr);
	put64(ph + 0x18, paddr);
	put64(ph + 0x20, filesz);
	put64(ph + 0x28, memsz);
	put64(ph + 0x30, 0x1000);
}

uint8_t *test_kernel_elf(size_t *len, int entry_note)
{
	size_t size = TK_SEG1_OFF + TK_SEG1_FILESZ;
	uint8_t *e = calloc(1, size), *n = e + TK_NOTES;

	assert_non_null(e);
	memcpy(e, "\x7f" "ELF", 4);
	e[4] = 2;		/* ELFCLASS64 */
	e[5] = 1;		/* little-endian */
	e[6] = 1;
	put16(e + 0x10, 2);	/* ET_EXEC */
	put16(e + 0x12, 62);	/* EM_X86_64 */
	put32(e + 0x14, 1);
	put64(e + 0x18, 0xffffffff80000000ull + TK_ENTRY);
	put64(e + 0x20, TK_PH);
	put16(e + 0x34, 64);
	put16(e + 0x36, 56);
	put16(e + 0x38, 3);
	phdr(e + TK_PH, 1, TK_SEG0_OFF, TK_SEG0_PADDR, TK_SEG0_FILESZ, TK_SEG0_MEMSZ);
	phdr(e + TK_PH + 56, 1, TK_SEG1_OFF, TK_SEG1_PADDR, TK_SEG1_FILESZ, TK_SEG1_MEMSZ);
	phdr(e + TK_PH + 112, 4, TK_NOTES, 0, TK_NOTES_LEN, TK_NOTES_LEN);
	/* Xen note: namesz 4 "Xen", descsz 8, type 18 (PHYS32_ENTRY) or 6 (GUEST_OS). */
	put32(n, 4);
	put32(n + 4, 8);
	put32(n + 8, entry_note ? 18 : 6);
	memcpy(n + 12, "Xen", 4);
	put64(n + 16, TK_ENTRY);
	for (size_t i = 0; i < TK_SEG0_FILESZ; i++)
		e[TK_SEG0_OFF + i] = test_kernel_byte(0, i);
	for (size_t i = 0; i < TK_SEG1_FILESZ; i++)
		e[TK_SEG1_OFF + i] = test_kernel_byte(1, i);
	*len = size;
	return e;
}

/* The same kernel in an ELF32 container (EM_386, as objcopy -O elf32-i386 makes it). */
uint8_t *test_kernel_elf32(size_t *len)
{
	size_t size = TK_SEG1_OFF + TK_SEG1_FILESZ, ph = 52, notes = ph + 3 * 32;
	uint8_t *e = calloc(1, size), *n = e + notes;
	const uint32_t seg[3][4] = {
		{ TK_SEG0_OFF, TK_SEG0_PADDR, TK_SEG0_FILESZ, TK_SEG0_MEMSZ },
		{ TK_SEG1_OFF, TK_SEG1_PADDR, TK_SEG1_FILESZ, TK_SEG1_MEMSZ },
		{ notes, 0, TK_NOTES_LEN, TK_NOTES_LEN },
	};

	assert_non_null(e);
	memcpy(e, "\x7f" "ELF", 4);
	e[4] = 1;		/* ELFCLASS32 */
	e[5] = 1;		/* little-endian */
	e[6] = 1;
	put16(e + 0x10, 2);	/* ET_EXEC */
	put16(e + 0x12, 3);	/* EM_386 */
	put32(e + 0x14, 1);
	put32(e + 0x18, TK_ENTRY);
	put32(e + 0x1c, ph);
	put16(e + 0x28, 52);
	put16(e + 0x2a, 32);
	put16(e + 0x2c, 3);
	for (int i = 0; i < 3; i++) {
		uint8_t *p = e + ph + 32 * i;

		put32(p, i < 2 ? 1 : 4);	/* PT_LOAD, PT_NOTE */
		put32(p + 0x04, seg[i][0]);
		put32(p + 0x08, seg[i][1]);
		put32(p + 0x0c, seg[i][1]);
		put32(p + 0x10, seg[i][2]);
		put32(p + 0x14, seg[i][3]);
		put32(p + 0x18, 7);
		put32(p + 0x1c, i < 2 ? 0x1000 : 4);
	}
	put32(n, 4);
	put32(n + 4, 8);
	put32(n + 8, 18);	/* PHYS32_ENTRY */
	memcpy(n + 12, "Xen", 4);
	put64(n + 16, TK_ENTRY);
	for (size_t i = 0; i < TK_SEG0_FILESZ; i++)
		e[TK_SEG0_OFF + i] = test_kernel_byte(0, i);
	for (size_t i = 0; i < TK_SEG1_FILESZ; i++)
		e[TK_SEG1_OFF + i] = test_kernel_byte(1, i);
	*len = size;
	return e;
}

uint8_t *test_bzimage(const uint8_t *elf, size_t elf_len, size_t *len)
{
	size_t bound = lzma_stream_buffer_bound(elf_len), xlen = 0, setup = 2 * 512, off;
	lzma_options_lzma lz;
	lzma_filter filters[] = {
		{ .id = LZMA_FILTER_X86 },
		{ .id = LZMA_FILTER_LZMA2, .options = &lz },
		{ .id = LZMA_VLI_UNKNOWN },
	};
	uint8_t *x = malloc(bound), *img;

	assert_non_null(x);
	assert_false(lzma_lzma_preset(&lz, 6));
	lz.dict_size = 64 << 10;
	assert_int_equal(lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL, elf, elf_len,
						   x, &xlen, bound), LZMA_OK);
	/* setup_sects 1: the protected-mode kernel starts at 1024; payload 0x40 into it. */
	off = setup + 0x40;
	*len = off + xlen + 4 + 16;
	img = calloc(1, *len);
	assert_non_null(img);
	img[0x1f1] = 1;
	put16(img + 0x1fe, 0xaa55);
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, 0x020f);
	img[0x211] = 1;
	put32(img + 0x248, 0x40);
	put32(img + 0x24c, (uint32_t)(xlen + 4));
	memcpy(img + off, x, xlen);
	put32(img + off + xlen, (uint32_t)elf_len);
	free(x);
	return img;
}

const char *xasprintf_tmp(const char *fmt, ...)
{
	static char *slots[8];
	static unsigned int next;
	char **slot = &slots[next++ % 8];
	va_list ap;

	free(*slot);
	va_start(ap, fmt);
	if (vasprintf(slot, fmt, ap) < 0)
		*slot = NULL;
	va_end(ap);
	assert_non_null(*slot);
	return *slot;
}

int run_command(struct kc *kc, const char *name, ...)
{
	char *argv[16] = { (char *)name };
	int argc = 1;
	va_list ap;

	va_start(ap, name);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	return command_find(name)->run(kc, argc, argv);
}

void expect_xs_node(struct kc *kc, const char *path, const char *want)
{
	char *v;
	int rc = xs_read(kc->xs, 0, path, &v);

	if (rc)
		fail_msg("%s: %s", path, strerror(-rc));
	if (strcmp(v, want))
		fail_msg("%s = '%s', expected '%s'", path, v, want);
	free(v);
}
