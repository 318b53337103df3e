/* Grant tables (v1): a domain's shared grant entries, what it maps of others' grants, and their lifetime. */
#ifndef KEEL_GRANT_TABLE_H
#define KEEL_GRANT_TABLE_H

#include <keel/types.h>

struct domain;

#define GNTTAB_INITIAL_FRAMES 1		/* allocated at domain creation, as Xen */
#define GNTTAB_DEFAULT_MAX_FRAMES 32	/* gnttab_max_frames= default */
#define GNTTAB_MAX_FRAMES_LIMIT 64	/* the most gnttab_max_frames= allows */
#define GNTTAB_MAX_MAPTRACK_FRAMES 64	/* pages of mapping handles per domain */
#define GNTTAB_NO_GPA (~0ULL)		/* a frame not placed in the p2m */

/* Give @d a v1 table of GNTTAB_INITIAL_FRAMES frames: 0 or -ENOMEM. */
int grant_table_init(struct domain *d);

/*
 * Grant @to access to @d's frame @gfn in entry @ref, one of the entries
 * Xen's toolstack seeds before the guest runs (GNTTAB_RESERVED_*).
 */
void grant_table_seed(struct domain *d, u32 ref, u16 to, u64 gfn);

/*
 * @d is dying: undo every grant of another domain (or its own) that it
 * still maps, dropping the granters' flags and references. Its own grants
 * stay: a granter lives on until the last of its frames is unmapped.
 */
void grant_table_release_mappings(struct domain *d);

/* Free @d's table (from domain_free: nobody maps its grants any more). */
void grant_table_destroy(struct domain *d);

/*
 * Frame @idx of @d's table, growing the table up to it: 0 with its host
 * address in *@hpa and, in *@placed, where the record of its place in @d's
 * p2m is (GNTTAB_NO_GPA: nowhere), which p2m_place_keel_page() updates;
 * -EINVAL beyond the domain's maximum, -ENOMEM.
 */
int grant_table_frame(struct domain *d, u64 idx, u64 *hpa, u64 **placed);

#endif
