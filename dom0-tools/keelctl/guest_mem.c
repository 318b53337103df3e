/* Writing a domain's memory through foreign mappings, a chunk of frames at a time. */
#include <string.h>
#include "guest_mem.h"
#include "util.h"

int guest_mem_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	static uint64_t gfns[GUEST_MEM_CHUNK_PAGES];
	struct guest_mem *gm = ctx;

	while (len) {
		uint64_t off = gpa % HV_PAGE_SIZE, first = gpa / HV_PAGE_SIZE, n;
		unsigned int pages = (unsigned int)((off + len + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE);
		void *va;
		int rc;

		if (pages > GUEST_MEM_CHUNK_PAGES)
			pages = GUEST_MEM_CHUNK_PAGES;
		for (unsigned int i = 0; i < pages; i++)
			gfns[i] = first + i;
		rc = gm->hv->ops->map(gm->hv, gm->domid, gfns, pages, &va);
		if (rc) {
			kc_err("d%u: cannot map guest frames %#llx-%#llx: %s (%s)", gm->domid,
			       (unsigned long long)first, (unsigned long long)(first + pages - 1),
			       strerror(-rc), errno_name(-rc));
			return rc;
		}
		n = (uint64_t)pages * HV_PAGE_SIZE - off;
		if (n > len)
			n = len;
		if (src)
			memcpy((uint8_t *)va + off, src, n);
		else
			memset((uint8_t *)va + off, 0, n);
		rc = gm->hv->ops->unmap(gm->hv, va, pages);
		if (rc) {
			kc_err("d%u: cannot unmap guest frames %#llx-%#llx: %s", gm->domid,
			       (unsigned long long)first, (unsigned long long)(first + pages - 1),
			       strerror(-rc));
			return rc;
		}
		gm->bytes_written += n;
		gpa += n;
		len -= n;
		if (src)
			src = (const uint8_t *)src + n;
	}
	return 0;
}
