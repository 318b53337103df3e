/* The fuzzer's PRNG and its generators of interesting integers, domain ids, ports, frames and pointers. */
#include <public/grant_table.h>
#include "fuzzer.h"

#define DOMID_IO 0x7ff1
#define DOMID_COW 0x7ff3
#define DOMID_IDLE 0x7fff
#define NO_SUCH_DOMAIN 42
/*
 * Not canonical, and its low 48 bits unmapped too: whether keel refuses
 * such an address (as the CPU and Xen do) or drops the high bits, it
 * reaches nothing (noncanonical_refused() checks which).
 */
#define NONCANONICAL 0x8000123400000000ULL

static u64 state;

void rng_seed(u64 seed)
{
	state = seed ^ 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 4; i++)
		rnd();
}

/* splitmix64 */
u64 rnd(void)
{
	u64 z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

u64 below(u64 n)
{
	return n ? rnd() % n : 0;
}

bool chance(unsigned int percent)
{
	return below(100) < percent;
}

u64 pick(const u64 *v, unsigned int n)
{
	return v[below(n)];
}

/* @v, or if keel could take it for one of our frames or addresses, a random value. */
u64 safe(u64 v)
{
	while (!is_safe(v))
		v = rnd();
	return v;
}

/* Boundaries and their neighbours, small numbers, sign bits. */
u64 gen_int(void)
{
	static const u64 edges[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 129, 255,
		511, 512, 1023, 1024, 1025, 2047, 2048, 4095, 4096, 4097, 0x7fff,
		0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe,
		0xffffffff, 0x100000000ULL, BIT(47) - 1, BIT(47), BIT(48), BIT(52),
		BIT(63) - 1, BIT(63), ~0ULL - 4095, ~0ULL - 1, ~0ULL, NONCANONICAL,
	};
	u64 v;

	switch (below(6)) {
	case 0:
	case 1:
		v = pick(edges, ARRAY_SIZE(edges));
		break;
	case 2:
		v = below(64);
		break;
	case 3:
		v = (u32)rnd();
		break;
	case 4:
		v = -(u64)below(64);
		break;
	default:
		v = rnd();
		break;
	}
	return safe(v);
}

/* Batch sizes: mostly small, sometimes huge or negative as an int. */
u64 gen_count(void)
{
	return chance(70) ? below(5) : safe(PICK(7, 8, 16, 127, 128, 129, 255, 256 + 4096,
						 0x7fffffff, 0x80000000, 0xffffffff,
						 (u32)rnd()));
}

u16 gen_domid(void)
{
	switch (below(8)) {
	case 0:
	case 1:
		return DOMID_SELF;
	case 2:
		return S.self;
	case 3:
		return 0;
	case 4:
		return S.peer;
	case 5:
		return PICK(NO_SUCH_DOMAIN, 1, 2, 3, 7, DOMID_IO, DOMID_XEN, DOMID_COW,
			    DOMID_INVALID, DOMID_IDLE, 0x7ff5, 0x8000, 0xfffe, 0xffff);
	default:
		return rnd();
	}
}

u32 gen_port(void)
{
	if (S.nr_ports && chance(60))
		return S.ports[below(MIN(S.nr_ports, (unsigned int)NR_TRACKED))];
	switch (below(4)) {
	case 0:
		return below(16);
	case 1:
		return PICK(S.dom0port, 63, 64, 1023, 1024, 4095, 4096, 0x1ffff,
			    0x7fffffff, 0xffffffff);
	case 2:
		return below(1100);
	default:
		return safe((u32)rnd()) & 0xffffffff;
	}
}

u32 gen_ref(void)
{
	switch (below(4)) {
	case 0:
		return below(GNTTAB_NR_RESERVED_ENTRIES + 4);
	case 1:
		return PICK(S.peer_ref, 511, 512, 513, 32767, 32768, 0x7fffffff, 0xffffffff);
	case 2:
		return below(1024);
	default:
		return (u32)rnd();
	}
}

u32 gen_vcpu(void)
{
	return chance(50) ? 0 : PICK(1, 2, 7, 8, 31, 32, 127, 128, 0x7fffffff, 0xffffffff);
}

/* A frame number for keel to map, unmap or write: anything but our own frames. */
u64 gen_gfn(void)
{
	u64 g;

	switch (below(14)) {
	case 0:
	case 1:
		g = (L.scratch >> 12) + below((L.ram_end - L.scratch) >> 12);
		break;
	case 2:
		g = below(0x9f);			/* low RAM */
		break;
	case 3:
		g = 0x9f + below(0x61);			/* boot page, legacy ROM */
		break;
	case 4:
		g = (L.ram_end >> 12) + below(32);	/* just past RAM */
		break;
	case 5:
		g = below(0xf0000);			/* anywhere below the MMIO hole */
		break;
	case 6:
		g = 0xfc000 + below(5);			/* keel's special pages */
		break;
	case 7:
		g = PICK(0xfee00, 0xfec00, 0xfed00, 0xf0000, 0xfbfff, 0xfffff);
		break;
	case 8:		/* keel writing there is audit finding 8 */
		g = S.ro_gpa >> 12;
		break;
	case 9:
		g = S.sinfo_gpa ? S.sinfo_gpa >> 12 : below(0x9f);
		break;
	case 10:
		g = 0x100000 + below(BIT(20));		/* above 4 GiB */
		break;
	case 11:
		g = PICK(BIT(36) - 1, BIT(36), BIT(40), BIT(52) - 1, BIT(52),
			 ~0ULL >> 12, ~0ULL, BIT(63));
		break;
	case 12: {	/* where we mapped a grant (the peer's page: finding 8) */
		const struct fz_map *m = &S.maps[below(MIN(S.nr_maps, (unsigned int)NR_TRACKED))];

		g = S.nr_maps && !(m->peer && (S.known & BIT(8))) ? m->addr >> 12 : rnd();
		break;
	}
	default:
		g = chance(50) ? rnd() : (u32)rnd();
		break;
	}
	if ((S.known & BIT(6)) && g >= GiB(4) >> 12)	/* fresh p2m tables: finding 6 */
		g = below(0x9f);
	if ((S.known & BIT(8)) && g < BIT(52) && in_ro_window(g << 12))
		g = below(0x9f);
	return safe(gfn_forbidden(g) ? (L.scratch >> 12) + below(16) : g);
}

/* A frame the fuzzer can write through its own page tables once keel put something there. */
u64 gen_gfn_mapped(void)
{
	for (;;) {
		u64 g;

		switch (below(2)) {
		case 0:
			g = (L.scratch >> 12) + below((L.ram_end - L.scratch) >> 12);
			break;
		default:	/* a hole the 2 MiB identity map covers */
			g = (ALIGN_UP(L.ram_end, LARGE_PAGE_SIZE) >> 12) +
			    below((0xf0000000ULL - ALIGN_UP(L.ram_end, LARGE_PAGE_SIZE)) >> 12);
			break;
		}
		if (va_writable(g << 12) && !gfn_forbidden(g) && g != S.ro_gpa >> 12 &&
		    is_safe(g))
			return g;
	}
}

/* A guest-virtual pointer to @len bytes: valid, unmapped, read-only, MMIO, non-canonical... */
u64 gen_ptr(u64 len)
{
	u64 p;

	switch (below(16)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
		p = L.arena + below(ARENA_SIZE - MIN(len, ARENA_SIZE) + 1);
		break;
	case 6:
		p = L.arena_end - below(MIN(len, 4096ULL) + 1);	/* into the guard */
		break;
	case 7:
		p = gen_bad_ptr();
		break;
	case 8:
		p = below(LOW_UNMAPPED);			/* low RAM, not mapped */
		break;
	case 9:
		p = PICK(0x80000000, 0xc0100000, L.ram_end, 0xefffff00) + below(8192);
		break;
	case 10:		/* the peer's page, or a hole */
		p = S.ro_gpa + below(4096 + 64);
		break;
	case 11:
		p = 0xfc000000 + below(0x4000);		/* special pages */
		break;
	case 12:
		p = PICK(0xfee00000, 0xfec00000, 0xfed00000, 0xf0000000, 0xfbfff000) +
		    below(4096);
		break;
	case 13:
		p = PICK(GiB(4), BIT(47) - 4096, BIT(47) - 8, BIT(47), NONCANONICAL,
			 0xffff800000000000ULL, ~0ULL - 4095, ~0ULL - 7, 0xdead00000000ULL,
			 BIT(63) | BIT(47)) + below(4096);
		break;
	case 14:
		p = L.scratch + below(L.ram_end - L.scratch);
		break;
	default:
		p = S.sinfo_gpa ? S.sinfo_gpa + below(4096) : below(4096);
		break;
	}
	if (ptr_forbidden(p))
		p = L.arena + below(ARENA_SIZE);
	if ((S.known & BIT(8)) && in_ro_window(p + len))
		p = gen_bad_ptr();
	arena_dirty(p, len + 64);
	return safe(p);
}

/* An address keel cannot read or write: a guard page, above 4 GiB, non-canonical. */
u64 gen_bad_ptr(void)
{
	u64 p;

	switch (below(3)) {
	case 0:
		if (chance(50)) {
			p = PICK(below(LOW_UNMAPPED), L.arena_end);
		} else {	/* one of the scratch guards */
			u64 group = SCRATCH_GUARD_EVERY * 4096ULL;
			u64 first = ALIGN_UP(L.scratch, group);

			p = first + below((L.ram_end - first) / group) * group +
			    (SCRATCH_GUARD_EVERY - 1) * 4096;
		}
		p += below(4096);
		break;
	case 1:
		p = GiB(4) + below(GiB(64));
		break;
	default:
		p = PICK(BIT(47), NONCANONICAL, 0xffff800000000000ULL - 4096, 0xdead00000000ULL,
			 BIT(63) | BIT(47), ~0ULL - 4095) + below(4096);
		break;
	}
	return safe(va_guard(p) || p >= GiB(4) ? p : L.arena_end + below(4096));
}

/*
 * Where keel may read an argument it acts on: a word of the arena (its
 * words are safe, not what two of them make read across their boundary:
 * finding 22), an address it cannot read, or a word of the peer's page
 * (peer_pattern() is never small, but two halves of it can be).
 */
u64 gen_in_ptr(u64 len)
{
	u64 p;

	switch (below(8)) {
	case 0:
	case 1:
		return gen_bad_ptr();
	case 2:
		if (!S.ro_mapped || (S.known & BIT(8)))
			return gen_bad_ptr();
		p = S.ro_gpa + below(4096 + 64);
		break;
	case 3:
		p = L.arena_end - below(MIN(len, 4096ULL) + 1);	/* into the guard */
		break;
	default:
		p = L.arena + below(ARENA_SIZE - MIN(len, ARENA_SIZE) + 1);
		break;
	}
	p = ALIGN_DOWN(p, 8);
	arena_dirty(p, len + 64);
	return p;
}

/* A pointer inside an argument: anywhere but the arena, which it would dirty. */
static u64 nested_ptr(void)
{
	u64 p = gen_ptr(0);

	return in_arena(p, 1) ? gen_bad_ptr() : p;
}

/* A word for the arena: whatever keel may read there as a number, a frame, a pointer. */
u64 gen_word(void)
{
	switch (below(8)) {
	case 0:
	case 1:
		return gen_int();
	case 2:		/* into the arena only where a builder puts them */
		return nested_ptr();
	case 3:
		return gen_gfn();
	case 4:
		return safe(gen_domid() | (u64)gen_port() << 32);
	case 5:
		return safe(gen_ref() | (u64)gen_vcpu() << 32);
	default:
		return safe(rnd());
	}
}
