/* The fuzzer's grant_table_op calls: maps and copies of its own grants and the peer's read-only one, and every other sub-op. */
#include <public/grant_table.h>
#include "../fuzz/fuzz.h"
#include "ops.h"

#define MAX_BATCH 4
#define LOW_RAM_BATCH 256	/* a batch in low RAM walks up to the guard at 1 MiB */

static u16 own_domid(void)
{
	return chance(50) ? DOMID_SELF : S.self;
}

static void map_entry(struct gnttab_map_grant_ref *m)
{
	switch (below(3)) {
	case 0:
		m->dom = S.peer;
		m->ref = chance(70) ? S.peer_ref : gen_ref();
		break;
	case 1:
		m->dom = own_domid();
		m->ref = gen_ref();
		break;
	default:
		m->dom = gen_domid();
		m->ref = gen_ref();
		break;
	}
	m->flags = chance(80) ? GNTMAP_host_map | (chance(60) ? GNTMAP_readonly : 0) :
		   chance(50) ? below(32) : gen_int();
	m->host_addr = chance(90) ? gen_gfn() << 12 : gen_int();
	if (m->dom == S.peer && (S.known & BIT(8)))	/* where nothing else points */
		m->host_addr = RO_WINDOW + below(RO_WINDOW_SIZE / 4096) * 4096;
}

/* After a map batch: keep what worked, and nothing of the peer's but its read-only page read-only. */
static void map_results(const struct gnttab_map_grant_ref *sent, u64 va, unsigned int n)
{
	struct gnttab_map_grant_ref got[MAX_BATCH];

	if (!get(got, va, n * sizeof(got[0])))
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (got[i].status != GNTST_okay)
			continue;
		track_map(got[i].handle, sent[i].host_addr, sent[i].dom == S.peer);
		if (sent[i].dom == S.peer && (sent[i].flags & GNTMAP_host_map) &&
		    (!(sent[i].flags & GNTMAP_readonly) || sent[i].ref != S.peer_ref))
			oracle_fail("mapped d%u's ref %u with flags %#x at %#lx",
				    S.peer, sent[i].ref, sent[i].flags, sent[i].host_addr);
		if (sent[i].dom == 0)
			oracle_fail("mapped dom0's ref %u (dom0 grants nothing)",
				    sent[i].ref);
	}
}

static void unmap_entry(struct gnttab_unmap_grant_ref *u)
{
	if (S.ro_mapped && chance(5)) {
		u->host_addr = S.ro_gpa;
		u->handle = S.ro_handle;
	} else if (S.nr_maps && chance(70)) {
		const struct fz_map *m = &S.maps[below(MIN(S.nr_maps, (unsigned int)NR_TRACKED))];

		u->host_addr = chance(90) ? m->addr : gen_gfn() << 12;
		u->handle = chance(90) ? m->handle : gen_int();
	} else {
		u->host_addr = gen_gfn() << 12;
		u->handle = chance(50) ? below(64) : gen_int();
	}
	u->dev_bus_addr = chance(80) ? 0 : gen_int();
}

static void unmap_results(const struct gnttab_unmap_grant_ref *sent, u64 va, unsigned int n)
{
	struct gnttab_unmap_grant_ref got[MAX_BATCH];

	if (!get(got, va, n * sizeof(got[0])))
		return;
	for (unsigned int i = 0; i < n; i++)
		if (got[i].status == GNTST_okay && sent[i].host_addr == S.ro_gpa)
			S.ro_mapped = false;
}

/* One end of a copy: the peer's grant, a frame or grant of ours, or nonsense. */
static void copy_ptr(struct gnttab_copy_ptr *p, u16 *flags, u16 gref_flag)
{
	switch (below(4)) {
	case 0:
		p->u.ref = chance(80) ? S.peer_ref : gen_ref();
		p->domid = S.peer;
		*flags |= gref_flag;
		break;
	case 1:
		p->u.gmfn = gen_gfn();
		p->domid = own_domid();
		break;
	case 2:
		p->u.ref = gen_ref();
		p->domid = own_domid();
		*flags |= gref_flag;
		break;
	default:
		p->u.gmfn = gen_int();
		p->domid = gen_domid();
		if (chance(50))
			*flags |= gref_flag;
		break;
	}
	p->offset = chance(70) ? below(4096) : gen_int();
}

static void copy_entry(struct gnttab_copy *c)
{
	c->flags = 0;
	copy_ptr(&c->source, &c->flags, GNTCOPY_source_gref);
	copy_ptr(&c->dest, &c->flags, GNTCOPY_dest_gref);
	if (chance(10))
		c->flags = gen_int();
	c->len = chance(70) ? below(4097) : gen_int();
}

static void copy_results(const struct gnttab_copy *sent, u64 va, unsigned int n)
{
	struct gnttab_copy got[MAX_BATCH];

	if (!get(got, va, n * sizeof(got[0])))
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct gnttab_copy as_sent = got[i];

		/*
		 * An earlier copy of the batch may have written over this op (its
		 * destination a frame of ours that holds the batch) before keel read
		 * it: then keel ran another op than the one sent, and its status says
		 * nothing about that one.
		 */
		as_sent.status = sent[i].status;
		if (memcmp(&as_sent, &sent[i], sizeof(as_sent))) {
			oracle_skip("a copy of the batch rewrote a later op before keel read it");
			continue;
		}
		if (got[i].status == GNTST_okay && other_domain(sent[i].dest.domid))
			oracle_fail("copied %u bytes into d%u (flags %#x, ref/frame %#lx)",
				    sent[i].len, sent[i].dest.domid, sent[i].flags,
				    sent[i].dest.u.gmfn);
	}
}

/* An op on another domain's table that only it (or dom0) may make. */
static void self_only(u64 cmd, u16 dom, long rc, s16 status)
{
	if (other_domain(dom) && rc >= 0 && status == GNTST_okay)
		oracle_fail("GNTTABOP %lu on d%u: rc %ld status %d", cmd, dom, rc, status);
}

void op_gnttab(void)
{
	u64 cmd = chance(85) ? PICK(0, 0, 0, 1, 1, 5, 5, 5, 2, 6, 8, 10, 3, 4, 7, 9, 11, 12) :
			       gen_int();
	u64 count = chance(85) ? 1 + below(MAX_BATCH) : gen_count();
	unsigned int n = MIN(count, (u64)MAX_BATCH);
	u64 va = 0;
	bool placed = true;	/* did keel read the ops we built? */
	long rc;

	memset(tmp, 0, 256);
	if (chance(3))
		cmd |= rnd() << 8;	/* bits Xen keeps for a continuation */
	switch ((u32)cmd) {
	case GNTTABOP_map_grant_ref: {
		struct gnttab_map_grant_ref *m = (void *)tmp;

		for (unsigned int i = 0; i < n; i++)
			map_entry(&m[i]);
		va = put(m, n * sizeof(*m));
		placed = put_placed();
		break;
	}
	case GNTTABOP_unmap_grant_ref: {
		struct gnttab_unmap_grant_ref *u = (void *)tmp;

		for (unsigned int i = 0; i < n; i++)
			unmap_entry(&u[i]);
		va = put(u, n * sizeof(*u));
		placed = put_placed();
		break;
	}
	case GNTTABOP_copy: {
		struct gnttab_copy *c = (void *)tmp;

		for (unsigned int i = 0; i < n; i++)
			copy_entry(&c[i]);
		placed = chance(90);
		va = placed ? put_in_arena(c, n * sizeof(*c)) : gen_bad_ptr();
		break;
	}
	case GNTTABOP_setup_table: {
		struct gnttab_setup_table *t = (void *)tmp;
		u16 dom;

		t->dom = chance(70) ? own_domid() : gen_domid();
		t->nr_frames = chance(70) ? below(5) : PICK(32, 64, 65, gen_int());
		t->frame_list = gen_ptr(8 * MIN(t->nr_frames, 64u));
		count = 1;
		va = put(t, sizeof(*t));
		placed = put_placed();
		rc = hc(__HYPERVISOR_grant_table_op, cmd, va, count, 0, 0);
		/* The domain as sent: frame_list may point at the op, and keel's GFNs overwrite it. */
		dom = t->dom;
		if (placed && get(t, va, sizeof(*t))) {
			if (t->dom != dom)
				oracle_skip("setup_table's frame list overwrote the op");
			self_only(cmd, dom, rc, t->status);
		}
		return;
	}
	case GNTTABOP_query_size: {
		struct gnttab_query_size *q = (void *)tmp;

		q->dom = chance(60) ? own_domid() : gen_domid();
		va = put(q, sizeof(*q));
		placed = put_placed();
		rc = hc(__HYPERVISOR_grant_table_op, cmd, va, 1, 0, 0);
		if (placed && get(q, va, sizeof(*q)))
			self_only(cmd, q->dom, rc, q->status);
		return;
	}
	case GNTTABOP_set_version:
		*(u32 *)tmp = chance(80) ? below(4) : gen_int();
		va = put(tmp, 4);
		break;
	case GNTTABOP_get_version: {
		struct gnttab_get_version *g = (void *)tmp;

		g->dom = chance(60) ? own_domid() : gen_domid();
		va = put(g, sizeof(*g));
		placed = put_placed();
		rc = hc(__HYPERVISOR_grant_table_op, cmd, va, 1, 0, 0);
		if (placed)
			self_only(cmd, g->dom, rc, GNTST_okay);
		return;
	}
	default:	/* dump_table, transfer, unmap_and_replace, ..., unknown: nonsense */
		for (unsigned int i = 0; i < 32; i++)
			((u64 *)tmp)[i] = gen_word();
		va = chance(90) ? put_in_arena(tmp, 256) : gen_bad_ptr();
		break;
	}
	/* A long batch stops at the next guard page; in low RAM that is 1 MiB away. */
	if (va < MiB(1) && (u32)count > LOW_RAM_BATCH)
		count = below(LOW_RAM_BATCH);
	if (count > MAX_BATCH)
		arena_dirty(va, ~0ULL);
	rc = hc(__HYPERVISOR_grant_table_op, cmd, va, count, 0, 0);
	if (rc < 0 || count > MAX_BATCH || !placed)
		return;
	switch ((u32)cmd) {
	case GNTTABOP_map_grant_ref:
		map_results((void *)tmp, va, n);
		break;
	case GNTTABOP_unmap_grant_ref:
		unmap_results((void *)tmp, va, n);
		break;
	case GNTTABOP_copy:
		copy_results((void *)tmp, va, n);
		break;
	}
}

/* Map the peer's read-only page at S.ro_gpa, or somewhere new if that is taken. */
bool map_peer_page(void)
{
	for (unsigned int tries = 0; tries < 4; tries++) {
		grant_handle_t h;
		s16 st;
		long rc = gnttab_map(S.peer, S.peer_ref, S.ro_gpa,
				     GNTMAP_host_map | GNTMAP_readonly, &h, &st);

		if (!rc && st == GNTST_okay) {
			S.ro_mapped = true;
			S.ro_handle = h;
			track_map(h, S.ro_gpa, true);
			return true;
		}
		S.ro_gpa = RO_WINDOW + below(RO_WINDOW_SIZE / 4096) * 4096;
	}
	return false;
}
