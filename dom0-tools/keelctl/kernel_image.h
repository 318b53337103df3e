/* A guest kernel file made ready to load: a bzImage's ELF vmlinux or an ELF, checked for PVH. */
#ifndef KEELCTL_KERNEL_IMAGE_H
#define KEELCTL_KERNEL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KERNEL_FILE_MAX	(256u << 20)	/* bzImages are a few MiB, vmlinux ELFs tens */

struct pvh_kernel;

struct kernel_image {
	uint8_t *elf;
	size_t elf_len;
	bool from_bzimage;
	uint32_t entry;			/* XEN_ELFNOTE_PHYS32_ENTRY */
	uint64_t lowest, highest;	/* guest-physical span of the loaded segments */
	struct pvh_kernel *pvh;		/* keel's loader's view (elf_loader.c) */
};

/*
 * Reads @path, unpacks it when it is a bzImage, and checks that it is a PVH ELF whose
 * segments fit in guest RAM of @mem_bytes (RAM below 0x9f000 or from 1 MiB, below the MMIO
 * hole). Returns 0, or -errno with a message naming @path.
 */
int kernel_image_open(const char *path, uint64_t mem_bytes, struct kernel_image *img);

/*
 * Before anything is read whole or decompressed: can the kernel @path and the ramdisk
 * @ramdisk (NULL: none) fit in @memory_mb MiB of guest RAM at all? A bzImage's header says
 * what its kernel needs (its load address plus init_size), a ramdisk its size; an ELF's
 * exact needs are checked as it is opened. 0, or -E2BIG with the sizes, as domain @name's.
 */
int kernel_image_fits(const char *path, const char *ramdisk, uint64_t memory_mb,
		      const char *name);

/* Copies the segments, zeroing what lies past each one's file contents. */
int kernel_image_load(const struct kernel_image *img,
		      int (*write)(void *ctx, uint64_t gpa, const void *src, uint64_t len),
		      void *ctx);

void kernel_image_free(struct kernel_image *img);

/* One past the last byte of RAM below the MMIO hole for @mem_bytes of guest memory. */
uint64_t guest_low_ram_end(uint64_t mem_bytes);
/* Does [@gpa, @gpa + @len) lie in guest RAM below the hole? */
bool guest_ram_range(uint64_t mem_bytes, uint64_t gpa, uint64_t len);

#endif
