/* Helpers of keelctl's host tests: captured messages, temporary files, test kernels. */
#ifndef TESTS_UNIT_KEELCTL_TEST_H
#define TESTS_UNIT_KEELCTL_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct kc;

/* Runs keelctl command @name on @kc with the NULL-terminated arguments that follow (15 at most). */
int run_command(struct kc *kc, const char *name, ...);
/* Fails the test unless xenstore node @path of @kc's connection reads @want. */
void expect_xs_node(struct kc *kc, const char *path, const char *want);

/* keelctl's messages (kc_errf) go to memory from capture_start() on. */
void capture_start(void);
/* What was printed since capture_start() or capture_reset(). */
const char *captured(void);
void capture_reset(void);
void capture_stop(void);
/* Fails the test, showing the messages, unless they contain @needle. */
void expect_message(const char *needle);

/* A file stream whose text tests read back: out_text() after writing. */
struct out_buf {
	FILE *f;
	char *text;
	size_t len;
};
void out_open(struct out_buf *o);
const char *out_text(struct out_buf *o);
void out_close(struct out_buf *o);

/* A fresh temporary directory (removed by tmpdir_remove) and files in it. */
const char *tmpdir_make(void);
void tmpdir_remove(void);
/* Writes @len bytes to tmpdir/@name; returns the path (static storage per call slot). */
char *tmp_file(const char *name, const void *data, size_t len);

/* A formatted string that lives until eight more were made. */
const char *xasprintf_tmp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A small PVH kernel: two PT_LOAD segments (the second with bss) and the Xen entry note. */
#define TK_SEG0_PADDR	0x100000ull
#define TK_SEG0_FILESZ	0x2100ull
#define TK_SEG0_MEMSZ	0x2100ull
#define TK_SEG1_PADDR	0x200000ull
#define TK_SEG1_FILESZ	0x1800ull
#define TK_SEG1_MEMSZ	0x5000ull
#define TK_ENTRY	0x100040u
#define TK_HIGHEST	(TK_SEG1_PADDR + TK_SEG1_MEMSZ)

/* The test kernel ELF, @entry_note false leaves the PVH note out. Returns malloc'ed bytes. */
uint8_t *test_kernel_elf(size_t *len, int entry_note);
/* The same kernel as an ELF32 (EM_386) PVH executable. Returns malloc'ed bytes. */
uint8_t *test_kernel_elf32(size_t *len);
/* The byte the test kernel has at offset @i of segment @seg. */
uint8_t test_kernel_byte(int seg, size_t i);
/* @elf in a bzImage with an xz payload (as Linux builds it). Returns malloc'ed bytes. */
uint8_t *test_bzimage(const uint8_t *elf, size_t elf_len, size_t *len);

#endif
