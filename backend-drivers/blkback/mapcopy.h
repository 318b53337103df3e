/* Copies to and from a mapped file that may shrink under us: a SIGBUS fails the copy, not the daemon. */
#ifndef BLKBACK_MAPCOPY_H
#define BLKBACK_MAPCOPY_H

#include <stddef.h>

/*
 * Installs the process's SIGBUS handler (again, if something replaced it): 0 or -errno. A
 * SIGBUS outside a guarded copy is fatal, as without it.
 */
int bb_mapcopy_init(void);
/*
 * memcpy(@dst, @src, @len) where one side lies in the mapping [@map, @map + @map_len): 0, or
 * -EFAULT when touching the mapping raised SIGBUS (the file was truncated, or its pages could
 * not be read or allocated); the copy is then partial.
 */
int bb_mapcopy(void *dst, const void *src, size_t len, const void *map, size_t map_len);

#endif
