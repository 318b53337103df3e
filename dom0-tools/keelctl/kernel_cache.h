/* keelctl's cache of the ELF kernels unpacked from bzImages, so a create unpacks each once. */
#ifndef KEELCTL_KERNEL_CACHE_H
#define KEELCTL_KERNEL_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* The default directory, and how many unpacked kernels it keeps (least recently used go). */
#define KERNEL_CACHE_DIR	"/var/cache/keel/kernels"
#define KERNEL_CACHE_ENTRIES	4

/*
 * The cache's directory, or NULL when there is none (the default: main() sets it from
 * $KEELCTL_KERNEL_CACHE, else KERNEL_CACHE_DIR; "" or "off" turn it off).
 */
extern const char *kernel_cache_dir;

/*
 * The ELF unpacked earlier from the bzImage whose fstat() is @st (its device, inode, size,
 * modification and change times must all match), in a new buffer with a NUL after it.
 * 0, or -ENOENT when there is none (or no cache); never a message.
 */
int kernel_cache_lookup(const struct stat *st, uint8_t **elf, size_t *len);

/*
 * Keeps @elf as what the bzImage @st unpacks to, evicting the least recently used entry
 * beyond KERNEL_CACHE_ENTRIES. Zero pages are left as holes; -ENOSPC when it would take more
 * than half of the file system's free space. Best effort: 0 or -errno, never a message
 * (a create goes on without the cache).
 */
int kernel_cache_store(const struct stat *st, const uint8_t *elf, size_t len);

#endif
