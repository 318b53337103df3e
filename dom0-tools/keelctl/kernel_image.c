/*
 * A guest kernel file made ready to load: a bzImage's ELF vmlinux (bzimage2elf) or an ELF,
 * checked by keel's own PVH ELF loader (hypervisor/common/elf_loader.c, built hosted), whose
 * printk() this file provides.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <keel/elf.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include "bzimage2elf.h"
#include "kernel_cache.h"
#include "kernel_image.h"
#include "progress.h"
#include "util.h"

/* The file the ELF loader's messages are about. */
static const char *loader_subject = "kernel";

void printk(enum log_level level, const char *fmt, ...)
{
	FILE *f = kc_errf ? kc_errf : stderr;
	va_list ap;

	fprintf(f, "keelctl: %s: ", loader_subject);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	FILE *f = kc_errf ? kc_errf : stderr;

	fprintf(f, "keelctl: %s: ", loader_subject);
	vfprintf(f, fmt, ap);
}

uint64_t guest_low_ram_end(uint64_t mem_bytes)
{
	return MIN(mem_bytes, PVH_MMIO_HOLE_START);
}

bool guest_ram_range(uint64_t mem_bytes, uint64_t gpa, uint64_t len)
{
	uint64_t end = gpa + len;

	if (end < gpa || end > guest_low_ram_end(mem_bytes))
		return false;
	/* Not into the boot page and legacy ROM space between 0x9f000 and 1 MiB. */
	return end <= PVH_BOOT_PAGE_GPA || gpa >= PVH_LEGACY_END;
}

#define MIB(x)	(((x) + (1u << 20) - 1) >> 20)	/* bytes to MiB, rounded up */

/* What a bzImage's kernel needs from 0 (pref_address + init_size), or 0 when unknown. */
static uint64_t bzimage_need(const char *path)
{
	uint8_t h[0x268];
	uint64_t pref;
	uint32_t init;
	uint16_t version;
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(h, 1, sizeof(h), f) : 0;

	if (f)
		fclose(f);
	if (n < sizeof(h) || memcmp(h + 0x202, "HdrS", 4))
		return 0;
	memcpy(&version, h + 0x206, 2);
	memcpy(&pref, h + 0x258, 8);
	memcpy(&init, h + 0x260, 4);
	/* Boot protocol 2.10 has both fields. */
	return version >= 0x20a && pref < (1ull << 32) ? pref + init : 0;
}

int kernel_image_fits(const char *path, const char *ramdisk, uint64_t memory_mb,
		      const char *name)
{
	uint64_t kernel = bzimage_need(path), rd = 0, have = guest_low_ram_end(memory_mb << 20);
	struct stat st;

	if (ramdisk && !stat(ramdisk, &st))
		rd = (uint64_t)st.st_size;
	/* Without a bzImage header the ramdisk at least goes above the legacy 1 MiB. */
	if ((kernel ? kernel : PVH_LEGACY_END) + rd <= have)
		return 0;
	if (kernel && rd)
		kc_err("%s: the kernel %s (%llu MiB up to its end) and the ramdisk %s (%llu MiB) need %llu MiB; memory is %llu MiB: raise memory",
		       name, path, (unsigned long long)MIB(kernel), ramdisk,
		       (unsigned long long)MIB(rd), (unsigned long long)MIB(kernel + rd),
		       (unsigned long long)memory_mb);
	else if (kernel)
		kc_err("%s: the kernel %s needs %llu MiB (up to its end); memory is %llu MiB: raise memory",
		       name, path, (unsigned long long)MIB(kernel), (unsigned long long)memory_mb);
	else
		kc_err("%s: the ramdisk %s (%llu MiB) needs more than %llu MiB with the kernel; memory is %llu MiB: raise memory",
		       name, ramdisk, (unsigned long long)MIB(rd), (unsigned long long)MIB(rd + PVH_LEGACY_END),
		       (unsigned long long)memory_mb);
	return -E2BIG;
}

static bool is_elf(const uint8_t *p, size_t len)
{
	return len >= 4 && !memcmp(p, "\x7f" "ELF", 4);
}

/*
 * @path's ELF: the file itself, or what its bzImage unpacks to (from keelctl's cache when it
 * unpacked the same file before). 0, or -errno with a message.
 */
static int read_kernel_elf(const char *path, struct kernel_image *img)
{
	struct stat st;
	char err[256];
	uint8_t *file;
	size_t len;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		rc = -errno;
		kc_err("%s: %s", path, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (S_ISREG(st.st_mode) && !kernel_cache_lookup(&st, &img->elf, &img->elf_len)) {
		close(fd);
		progress_step("the kernel %s, unpacked before (keelctl's cache)", path);
		img->from_bzimage = true;
		return 0;
	}
	rc = read_whole_fd(fd, KERNEL_FILE_MAX, &file, &len);
	close(fd);
	if (rc) {
		kc_err("%s: %s", path, rc == -EFBIG ? "larger than 256 MiB: not a kernel" :
		       strerror(-rc));
		return rc;
	}
	if (is_elf(file, len)) {
		img->elf = file;
		img->elf_len = len;
		return 0;
	}
	progress_step("decompressing the kernel %s", path);
	rc = bzimage_extract(file, len, &img->elf, &img->elf_len, err, sizeof(err));
	free(file);
	if (rc) {
		kc_err("%s: not a PVH kernel: %s", path, err);
		return -ENOEXEC;
	}
	img->from_bzimage = true;
	if (S_ISREG(st.st_mode) && kernel_cache_dir) {
		rc = kernel_cache_store(&st, img->elf, img->elf_len);
		if (rc)
			progress_step("the unpacked kernel is not kept in %s: %s", kernel_cache_dir,
				      strerror(-rc));
	}
	return 0;
}

int kernel_image_open(const char *path, uint64_t mem_bytes, struct kernel_image *img)
{
	struct pvh_kernel *k = xcalloc(1, sizeof(*k));
	int rc;

	memset(img, 0, sizeof(*img));
	rc = read_kernel_elf(path, img);
	if (rc) {
		free(k);
		return rc;
	}
	img->pvh = k;
	loader_subject = path;
	rc = pvh_elf_check(img->elf, img->elf_len, guest_low_ram_end(mem_bytes), k);
	loader_subject = "kernel";
	if (rc) {
		kernel_image_free(img);
		return rc;
	}
	for (unsigned int i = 0; i < k->nr_segments; i++) {
		if (!guest_ram_range(mem_bytes, k->seg[i].paddr, k->seg[i].memsz)) {
			kc_err("%s: segment %#llx-%#llx is not in guest RAM (below %#llx or %#llx-%#llx)",
			       path, (unsigned long long)k->seg[i].paddr,
			       (unsigned long long)(k->seg[i].paddr + k->seg[i].memsz),
			       PVH_BOOT_PAGE_GPA, PVH_LEGACY_END,
			       (unsigned long long)guest_low_ram_end(mem_bytes));
			kernel_image_free(img);
			return -E2BIG;
		}
	}
	img->entry = k->entry;
	img->lowest = k->lowest;
	img->highest = k->highest;
	return 0;
}

int kernel_image_load(const struct kernel_image *img,
		      int (*write)(void *ctx, uint64_t gpa, const void *src, uint64_t len),
		      void *ctx)
{
	return pvh_elf_load(img->elf, img->pvh, write, ctx);
}

void kernel_image_free(struct kernel_image *img)
{
	free(img->elf);
	free(img->pvh);
	memset(img, 0, sizeof(*img));
}
