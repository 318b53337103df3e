/* Foreign mappings of other domains' frames into the privileged domain's p2m. */
#ifndef KEEL_FOREIGN_MAP_H
#define KEEL_FOREIGN_MAP_H

#include <keel/types.h>

struct domain;
struct vcpu;

/*
 * XENMEM_add_to_physmap_batch, XENMAPSPACE_gmfn_foreign: per frame, the
 * foreign domain's own page appears at the caller's gpfn (its own RAM or
 * another foreign page there is released), holding a reference to the
 * frame and one to that domain; per-frame errors go to the errs array.
 * Privileged callers only. p2m_release_foreign() drops them all.
 */
long foreign_map_batch(struct vcpu *v, u64 arg);
/* XENMEM_remove_from_physmap of a foreign mapping. */
long foreign_remove_from_physmap(struct vcpu *v, u64 arg);

#endif
