/* The fuzzer's memory_op calls: physmap placement and removal, reservations, the memory map, foreign batches. */
#include <public/memory.h>
#include "ops.h"

#define MAX_EXTENTS 64

/* Does [@gfn, @gfn + 2^@order) reach a frame of ours? */
static bool extent_hits_us(u64 gfn, unsigned int order)
{
	u64 n = order < 40 ? BIT(order) : BIT(40);

	return gfn < L.forbid_pfn_hi && gfn + n > L.forbid_pfn_lo;
}

u64 gen_extent(unsigned int order)
{
	u64 g = gen_gfn();

	while (extent_hits_us(g, order))
		g = L.forbid_pfn_hi + below(BIT(20));
	return g;
}

/* The p2m entry at @gfn may change: our mapping of the peer's page may be gone. */
static void touched(u64 gfn)
{
	if (gfn == S.ro_gpa >> 12)
		S.ro_mapped = false;
}

static unsigned int gen_order(void)
{
	return chance(80) ? below(2) : PICK(2, 9, 10, 18, 30, 40, 63, 64, gen_int());
}

/* An array of @n frames for a reservation of @order, in the arena or unreadable. */
static u64 extents(u64 n, unsigned int order)
{
	u64 list[MAX_EXTENTS];

	n = MIN(n, (u64)MAX_EXTENTS);
	for (unsigned int i = 0; i < n; i++) {
		list[i] = gen_extent(order);
		touched(list[i]);
	}
	return chance(90) ? put_in_arena(list, n * 8) : gen_bad_ptr();
}

static void reservation(struct fz_memory_reservation *r)
{
	u64 n = chance(70) ? below(5) : gen_count();

	r->extent_order = gen_order();
	r->nr_extents = n;
	r->extent_start = extents(n, r->extent_order);
	r->mem_flags = chance(70) ? 0 : gen_int();
	r->domid = chance(70) ? DOMID_SELF : gen_domid();
}

static void add_to_physmap(u64 cmd)
{
	struct xen_add_to_physmap *x = (void *)tmp;
	long rc;

	x->domid = chance(75) ? PICK(DOMID_SELF, S.self) : gen_domid();
	x->size = rnd();
	x->space = chance(85) ? below(2) : PICK(FZ_XENMAPSPACE_gmfn, FZ_XENMAPSPACE_gmfn_range,
						XENMAPSPACE_gmfn_foreign, 5, 6, gen_int());
	switch (x->space) {
	case XENMAPSPACE_shared_info:
		x->idx = chance(85) ? 0 : gen_int();
		break;
	case XENMAPSPACE_grant_table:
		x->idx = chance(60) ? below(4) : chance(50) ? below(70) : gen_int();
		break;
	case FZ_XENMAPSPACE_gmfn:
	case FZ_XENMAPSPACE_gmfn_range:	/* moves our own frames [idx, idx + size) */
		x->idx = gen_extent(16);
		break;
	default:
		x->idx = gen_int();
		break;
	}
	x->gpfn = x->space == FZ_XENMAPSPACE_gmfn_range ? gen_extent(16) : gen_gfn();
	touched(x->gpfn);
	touched(x->idx);
	rc = hc(__HYPERVISOR_memory_op, cmd,
		chance(90) ? put_in_arena(x, sizeof(*x)) : gen_bad_ptr(), 0, 0, 0);
	if (!rc && x->space == XENMAPSPACE_shared_info)
		S.sinfo_gpa = x->gpfn << 12;
}

static void foreign_batch(u64 cmd)
{
	struct xen_add_to_physmap_batch *b = (void *)tmp;
	u64 idxs[8], gpfns[8], n;
	int errs[8];
	bool errs_placed;
	long rc;

	b->domid = chance(75) ? PICK(DOMID_SELF, S.self) : gen_domid();
	b->space = chance(70) ? XENMAPSPACE_gmfn_foreign : gen_int();
	b->size = chance(70) ? below(4) : rnd();
	b->foreign_domid = PICK(0, S.peer, S.self, DOMID_SELF, gen_domid());
	n = MIN((u64)b->size, 8ULL);
	for (unsigned int i = 0; i < n; i++) {
		idxs[i] = chance(50) ? 0x100 + below(0x400) : gen_gfn();	/* their RAM */
		gpfns[i] = gen_extent(0);
		touched(gpfns[i]);
	}
	b->idxs = chance(90) ? put_in_arena(idxs, n * 8) : gen_bad_ptr();
	b->gpfns = chance(90) ? put_in_arena(gpfns, n * 8) : gen_bad_ptr();
	memset(tmp + 256, 0xff, sizeof(errs));	/* keel's answers replace -1 */
	errs_placed = chance(80);
	b->errs = errs_placed ? put_in_arena(tmp + 256, n * 4) : gen_ptr(n * 4);
	rc = hc(__HYPERVISOR_memory_op, cmd,
		chance(90) ? put_in_arena(b, sizeof(*b)) : gen_bad_ptr(), 0, 0, 0);
	if (!rc && b->space == XENMAPSPACE_gmfn_foreign && errs_placed &&
	    get(errs, b->errs, n * 4))
		for (unsigned int i = 0; i < n; i++)
			if (!errs[i])
				oracle_fail("foreign map of d%u's frame %#lx at %#lx",
					    b->foreign_domid, idxs[i], gpfns[i]);
}

/*
 * Xen takes the sub-op from the low 6 bits (the rest is a continuation's
 * start extent), keel from the whole int: a sub-op that maps or frees
 * frames always gets arguments built here, whatever the other bits are.
 */
void op_memory(void)
{
	u64 cmd = chance(85) ? PICK(7, 7, 7, 7, 9, 23, 15, 0, 1, 6, 11, 2, 3, 4, 5, 8, 10, 12,
				   13, 14, 16, 17, 18, 19, 20, 21, 22, 24, 25, 26, 27, 28) :
			       gen_int();
	u64 *q = (u64 *)tmp;

	memset(tmp, 0, 512);
	switch ((u32)cmd & 0x3f) {
	case XENMEM_add_to_physmap:
		add_to_physmap(cmd);
		return;
	case XENMEM_add_to_physmap_batch:
		foreign_batch(cmd);
		return;
	case XENMEM_memory_map: {
		struct xen_memory_map *m = (void *)tmp;

		m->nr_entries = chance(70) ? below(10) : gen_int();
		m->buffer = gen_ptr(20 * MIN(m->nr_entries, 16u));
		hc(__HYPERVISOR_memory_op, cmd, put(m, sizeof(*m)), 0, 0, 0);
		return;
	}
	case XENMEM_remove_from_physmap: {
		struct xen_remove_from_physmap *r = (void *)tmp;

		r->domid = chance(75) ? PICK(DOMID_SELF, S.self) : gen_domid();
		r->gpfn = gen_gfn();
		touched(r->gpfn);
		hc(__HYPERVISOR_memory_op, cmd,
		   chance(90) ? put_in_arena(r, sizeof(*r)) : gen_bad_ptr(), 0, 0, 0);
		return;
	}
	case FZ_XENMEM_increase_reservation:
	case FZ_XENMEM_decrease_reservation:
	case FZ_XENMEM_populate_physmap: {
		struct fz_memory_reservation *r = (void *)tmp;

		reservation(r);
		if (chance(5))		/* a continuation's start extent */
			cmd = (cmd & 0x3f) | below(64) << 6;
		hc(__HYPERVISOR_memory_op, cmd,
		   chance(90) ? put_in_arena(r, sizeof(*r)) : gen_bad_ptr(), 0, 0, 0);
		return;
	}
	case FZ_XENMEM_exchange: {
		struct fz_memory_exchange *x = (void *)tmp;

		reservation(&x->in);
		reservation(&x->out);
		x->nr_exchanged = chance(80) ? 0 : gen_int();
		hc(__HYPERVISOR_memory_op, cmd,
		   chance(90) ? put_in_arena(x, sizeof(*x)) : gen_bad_ptr(), 0, 0, 0);
		return;
	}
	case FZ_XENMEM_current_reservation:
	case FZ_XENMEM_maximum_reservation:
	case FZ_XENMEM_maximum_gpfn:
		*(u16 *)tmp = gen_domid();
		hc(__HYPERVISOR_memory_op, cmd, put(tmp, 2), 0, 0, 0);
		return;
	default:
		/* Others of Xen's: keel may not know them; nothing that moves frames. */
		for (unsigned int i = 0; i < 16; i++)
			q[i] = gen_word();
		hc(__HYPERVISOR_memory_op, cmd, put(tmp, 128), 0, 0, 0);
		return;
	}
}
