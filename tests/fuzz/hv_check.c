/* The hypercall fuzzer's invariants over keel's memory, after each step and at the end. */
/*
 * No host frame owned by two domains, every frame a p2m maps still allocated, references that
 * add up, and once every domain is destroyed every page back.
 */
#include <string.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/page_alloc.h>
#include <keel/percpu.h>
#include "hv_env.h"

#define NR_FRAMES (HV_ARENA_SIZE >> PAGE_SHIFT)

static u64 owned[NR_FRAMES / 64];

struct walk {
	struct domain *d;
	unsigned int foreign_maps[DOMID_MAX_LIVE];
};

static void check_leaf(void *ctx, u64 gpa, u64 hpa, u64 size, u64 attr)
{
	struct walk *w = ctx;
	u64 first = PFN_DOWN(hpa);

	if (hpa + size > HV_ARENA_SIZE || hpa + size < hpa)
		hv_fail("d%u: gpa %#llx maps hpa %#llx outside host RAM", w->d->id,
			(unsigned long long)gpa, (unsigned long long)hpa);
	for (u64 pfn = first; pfn < first + PFN_DOWN(size); pfn++) {
		if (page_is_free(&host_pages, pfn))
			hv_fail("d%u: gpa %#llx maps frame %#llx, which is free (attr %#llx)",
				w->d->id, (unsigned long long)(gpa + PFN_PHYS(pfn - first)),
				(unsigned long long)pfn, (unsigned long long)attr);
		if (!(attr & P2M_OWNED_BIT))
			continue;
		if (owned[pfn / 64] & BIT(pfn % 64))
			hv_fail("d%u: frame %#llx at gpa %#llx is owned twice", w->d->id,
				(unsigned long long)pfn,
				(unsigned long long)(gpa + PFN_PHYS(pfn - first)));
		owned[pfn / 64] |= BIT(pfn % 64);
	}
	if (attr & P2M_FOREIGN_BIT)
		w->foreign_maps[P2M_DOMID(attr)]++;
}

void hv_check_p2ms(void)
{
	static struct walk w;
	unsigned int refs_needed[DOMID_MAX_LIVE] = { 0 };

	memset(owned, 0, sizeof(owned));
	memset(w.foreign_maps, 0, sizeof(w.foreign_maps));
	for (unsigned int s = 0; s < DOMID_MAX_LIVE; s++) {
		struct domain *d = domain_in_slot(s);

		if (!d)
			continue;
		if (d->slot != s || domain_held(d->id) != d)
			hv_fail("domain %u (slot %u) found in slot %u", d->id, d->slot, s);
		w.d = d;
		if (d->p2m.root)
			pt_for_each_leaf(&d->p2m, check_leaf, &w);
	}
	/* Each foreign mapping holds a reference to the domain it maps (tagged by slot). */
	for (unsigned int s = 0; s < DOMID_MAX_LIVE; s++)
		refs_needed[s] = w.foreign_maps[s];
	for (unsigned int s = 0; s < DOMID_MAX_LIVE; s++) {
		struct domain *d = domain_in_slot(s);

		if (d && atomic_read(&d->refcnt) < (int)refs_needed[s] + !d->dying)
			hv_fail("d%u: %d references, but %u foreign mappings%s", d->id,
				atomic_read(&d->refcnt), refs_needed[s],
				d->dying ? "" : " and the table's");
		if (!d && refs_needed[s])
			hv_fail("slot %u is empty but mapped %u times", s, refs_needed[s]);
	}
}

void hv_check_all_freed(u64 free_at_start)
{
	for (unsigned int s = 0; s < DOMID_MAX_LIVE; s++)
		if (domain_in_slot(s))
			hv_fail("d%u is left after every domain was destroyed (refcnt %d)",
				domain_in_slot(s)->id, atomic_read(&domain_in_slot(s)->refcnt));
	for (unsigned int cpu = 0; cpu < HV_NR_CPUS; cpu++)
		if (pcpus[cpu].timers)
			hv_fail("CPU%u still has a timer armed (fn %p)", cpu,
				(void *)pcpus[cpu].timers->fn);
	if (hv_tasklets_pending())
		hv_fail("tasklets left queued");
	if (hv_free_pages() != free_at_start)
		hv_fail("%lld pages not returned (%llu free, %llu at start)",
			(long long)(free_at_start - hv_free_pages()),
			(unsigned long long)hv_free_pages(),
			(unsigned long long)free_at_start);
}
