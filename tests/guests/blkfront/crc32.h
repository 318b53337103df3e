/* zlib's CRC-32 (what dom0's busybox crc32 prints), so dom0 can check an image against the guest's reads. */
#ifndef BLKFRONT_GUEST_CRC32_H
#define BLKFRONT_GUEST_CRC32_H

#include <keel/types.h>

/* Start with crc32_update(0, ...); feed the result back for each next piece. */
u32 crc32_update(u32 crc, const void *buf, u64 len);

#endif
