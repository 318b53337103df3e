/* Writing a domain's memory through foreign mappings, a chunk of frames at a time. */
#ifndef KEELCTL_GUEST_MEM_H
#define KEELCTL_GUEST_MEM_H

#include <stdint.h>
#include "hv.h"

#define GUEST_MEM_CHUNK_PAGES	1024	/* frames per mapping (4 MiB) */

struct guest_mem {
	struct hv *hv;
	uint16_t domid;
	uint64_t bytes_written;
};

/*
 * Copies @len bytes from @src (NULL: zeroes) to guest-physical @gpa of @ctx's domain (a
 * struct guest_mem): the write callback of pvh_elf_load(). 0 or -errno, with a message.
 */
int guest_mem_write(void *ctx, uint64_t gpa, const void *src, uint64_t len);

#endif
