/* The guest's identity map of the first 4 GiB in 2 MiB pages, built by head.S. */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H

#include <keel/types.h>

#define IDENTITY_MAP_END GiB(4)
#define LARGE_PAGE_SIZE MiB(2)

/*
 * Remove or restore the 2 MiB page at @addr (2 MiB aligned, below 4 GiB)
 * and flush it from the TLB. Return 0, or -EINVAL for a bad address.
 */
int identity_unmap_2m(u64 addr);
int identity_map_2m(u64 addr);

#endif
