/* bzimage2elf IN.bzImage OUT.elf: write the ELF vmlinux of a bzImage (or check and copy an ELF). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bzimage2elf.h"

/* A bzImage is some MiB; an ELF input may be a vmlinux with debug info. */
#define IN_MAX	(1UL << 30)

static const char *prog = "bzimage2elf";

static u8 *read_file(const char *path, size_t *len)
{
	size_t size = 1 << 20, n = 0, got;
	u8 *buf = NULL, *nbuf;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (!buf || n == size) {
			if (buf && size >= IN_MAX) {
				fprintf(stderr, "%s: %s: larger than %lu MiB\n",
					prog, path, IN_MAX >> 20);
				goto fail;
			}
			if (buf)
				size *= 2;
			nbuf = realloc(buf, size);
			if (!nbuf) {
				fprintf(stderr, "%s: %s: out of memory\n", prog,
					path);
				goto fail;
			}
			buf = nbuf;
		}
		got = fread(buf + n, 1, size - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", prog, path);
		goto fail;
	}
	fclose(f);
	*len = n;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

/* Writes OUT.tmp and renames it, so OUT is never left half-written. */
static int write_file(const char *path, const u8 *buf, size_t len)
{
	size_t tlen = strlen(path) + sizeof(".tmp");
	char *tmp = malloc(tlen);
	FILE *f;
	int bad;

	if (!tmp) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	snprintf(tmp, tlen, "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	bad = fwrite(buf, 1, len, f) != len;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path,
			bad ? "write error" : strerror(errno));
		remove(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int main(int argc, char **argv)
{
	size_t len, out_len, payload_off, plen;
	char err[256];
	u8 *in, *out;
	u64 entry;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IN.bzImage OUT.elf\n", prog);
		return 2;
	}
	in = read_file(argv[1], &len);
	if (!in)
		return 1;
	if (bzimage_extract(in, len, &out, &out_len, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[1], err);
		free(in);
		return 1;
	}
	if (bzimage_payload(in, len, &payload_off, &plen, err, sizeof(err)))
		payload_off = 0;	/* the input was an ELF */
	free(in);
	if (write_file(argv[2], out, out_len)) {
		free(out);
		return 1;
	}
	elf_pvh_entry(out, out_len, &entry, err, sizeof(err));
	free(out);
	if (payload_off)
		printf("%s: %s: xz payload of %zu bytes at 0x%zx -> %s: vmlinux of %zu bytes, PHYS32_ENTRY 0x%llx\n",
		       prog, argv[1], plen, payload_off, argv[2], out_len,
		       (unsigned long long)entry);
	else
		printf("%s: %s: already an ELF vmlinux -> %s: %zu bytes, PHYS32_ENTRY 0x%llx\n",
		       prog, argv[1], argv[2], out_len,
		       (unsigned long long)entry);
	return 0;
}
