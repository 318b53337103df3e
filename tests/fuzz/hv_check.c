/* The hypercall fuzzer's invariants over keel's memory, after each step and at the end. */
/*
 * No host frame owned by two domains, every frame a p2m maps still allocated, references that
 * add up, and once every domain is destroyed every page back.
 */
#include <string.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/frame.h>
#include <keel/page_alloc.h>
#include <keel/percpu.h>
#include "hv_env.h"

#define NR_FRAMES (HV_ARENA_SIZE >> PAGE_SHIFT)

static u64 owned[NR_FRAMES / 64];

#define MAX_SEEN 256		/* live domains, and owners of foreign pages, in one check */

struct walk {
	struct domain *d;
	unsigned int nr_owners;
	struct {
		int id;
		unsigned int maps;
	} owners[MAX_SEEN];		/* foreign mappings by their frame's owner */
};

static void count_foreign(struct walk *w, int owner)
{
	unsigned int i = 0;

	while (i < w->nr_owners && w->owners[i].id != owner)
		i++;
	if (i == MAX_SEEN)
		hv_fail("foreign pages of more than %u domains", MAX_SEEN);
	if (i == w->nr_owners)
		w->owners[w->nr_owners++] = (typeof(w->owners[0])){ owner, 0 };
	w->owners[i].maps++;
}

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
	if ((attr & P2M_FOREIGN_BIT) && page_owner(hpa) < 0)
		hv_fail("d%u: foreign gpa %#llx maps a frame without an owner", w->d->id,
			(unsigned long long)gpa);
	else if (attr & P2M_FOREIGN_BIT)
		count_foreign(w, page_owner(hpa));
}

void hv_check_p2ms(void)
{
	static struct walk w;
	struct domain *d;
	unsigned int n = 0;

	memset(owned, 0, sizeof(owned));
	w.nr_owners = 0;
	/*
	 * The live domains (domain_next() skips the id table's empty pages; a
	 * scan of all 32752 ids after every step would slow the fuzzer threefold),
	 * then the dying ones their foreign pages name.
	 */
	for (domid_t next = 0; (d = domain_next(&next)); domain_put(d)) {
		if (domain_held(d->id) != d || domain_in_slot(d->id) != d)
			hv_fail("domain %u not found under its id", d->id);
		if (n++ == MAX_SEEN)
			hv_fail("more than %u domains", MAX_SEEN);
		w.d = d;
		if (d->p2m.root)
			pt_for_each_leaf(&d->p2m, check_leaf, &w);
	}
	for (unsigned int i = 0; i < w.nr_owners; i++) {
		d = domain_in_slot(w.owners[i].id);
		if (!d || !d->dying)
			continue;
		w.d = d;
		if (d->p2m.root)
			pt_for_each_leaf(&d->p2m, check_leaf, &w);
	}
	/* Each foreign mapping holds a reference to the domain it maps (its frame's owner). */
	for (unsigned int i = 0; i < w.nr_owners; i++) {
		unsigned int maps = w.owners[i].maps;

		d = domain_in_slot(w.owners[i].id);
		if (d && atomic_read(&d->refcnt) < (int)maps + !d->dying)
			hv_fail("d%u: %d references, but %u foreign mappings%s", d->id,
				atomic_read(&d->refcnt), maps, d->dying ? "" : " and the table's");
		if (!d)
			hv_fail("d%d is gone but mapped %u times", w.owners[i].id, maps);
	}
}

void hv_check_all_freed(u64 free_at_start)
{
	for (unsigned int s = 0; s < DOMID_FIRST_RESERVED; s++)
		if (domain_in_slot(s))
			hv_fail("d%u is left after every domain was destroyed (refcnt %d)",
				domain_in_slot(s)->id, atomic_read(&domain_in_slot(s)->refcnt));
	for (unsigned int cpu = 0; cpu < HV_NR_CPUS; cpu++)
		if (pcpus[cpu]->timers)
			hv_fail("CPU%u still has a timer armed (fn %p)", cpu,
				(void *)pcpus[cpu]->timers->fn);
	if (hv_tasklets_pending())
		hv_fail("tasklets left queued");
	if (hv_free_pages() != free_at_start)
		hv_fail("%lld pages not returned (%llu free, %llu at start)",
			(long long)(free_at_start - hv_free_pages()),
			(unsigned long long)hv_free_pages(),
			(unsigned long long)free_at_start);
}
