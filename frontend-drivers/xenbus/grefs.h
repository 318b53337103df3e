/* A pool of the guest's own grant references for frontends to take and give back. */
#ifndef GUEST_GREFS_H
#define GUEST_GREFS_H

#include <keel/types.h>
#include <public/grant_table.h>

#define GREFS_MAX 2048

/* Hand out refs @first .. @first + @count - 1 (count <= GREFS_MAX). */
void grefs_init(grant_ref_t first, u32 count);
/* A free ref, or 0 when none is left (ref 0 is never in the pool). */
grant_ref_t gref_get(void);
void gref_put(grant_ref_t ref);
u32 grefs_free(void);

#endif
