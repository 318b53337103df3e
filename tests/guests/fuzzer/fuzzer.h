/* The hypercall fuzzer's shared state: its memory layout, the PRNG, the value generators and the call wrapper. */
#ifndef FUZZER_H
#define FUZZER_H

#include "guest.h"

/*
 * Memory (guest-physical = guest-virtual below 4 GiB):
 *
 *   0 - 1 MiB          low RAM, boot page, legacy space: not mapped in our
 *                      page tables (a small number taken for a pointer
 *                      faults), but hypercalls may move its frames
 *   1 MiB - image end  the fuzzer itself: no hypercall argument ever points
 *                      into it or names one of its frames
 *   guard, arena, guard
 *                      ARENA_PAGES the fuzzer fills with its arguments; keel
 *                      writes results there; a long batch stops at the guard
 *   scratch - RAM end  the rest of RAM: a target for hypercalls only, with a
 *                      guard page every 16 pages and a read-only one too
 *
 * Every value the fuzzer lets keel read (a register, a word in the arena,
 * a grant entry) is "safe": neither a frame of [image, scratch) nor an
 * address in [image, arena), so no hypercall moves the fuzzer's own pages
 * or writes over them, however it reads its argument. After each round
 * the arena words keel may have written are made safe again. Arguments keel interprets (structs, arrays of
 * frames) are only read from the arena, unreadable addresses or the peer's
 * page (gen_in_ptr()); what keel only writes may go anywhere (gen_ptr()).
 */
#define ARENA_PAGES 2
#define ARENA_SIZE (ARENA_PAGES * 4096ULL)
#define LOW_UNMAPPED MiB(1)		/* [0, LOW_UNMAPPED) is not mapped */
#define SCRATCH_GUARD_EVERY 16
#define NR_TRACKED 32
#define RO_WINDOW 0xd0000000ULL		/* where we map the peer's page */
#define RO_WINDOW_SIZE MiB(4)

struct fz_layout {
	u64 image_start, image_end;	/* page aligned */
	u64 arena, arena_end;
	u64 scratch, ram_end;
	u64 forbid_pfn_lo, forbid_pfn_hi;
};

struct fz_map {
	grant_handle_t handle;
	u64 addr;
	bool peer;			/* of the peer's read-only page */
};

struct fz_state {
	u32 self, peer, peer_ref, dom0port;
	u64 ro_gpa;			/* our read-only mapping of the peer's page */
	bool ro_mapped;
	u64 known;			/* BIT(n): leave out what triggers audit finding n */
	grant_handle_t ro_handle;
	u64 vinfo_pfn;			/* our vcpu_info page */
	u64 sinfo_gpa;			/* where shared_info was last placed; 0: never */
	evtchn_port_t ports[NR_TRACKED];	/* ports keel gave us lately */
	struct fz_map maps[NR_TRACKED];	/* grant mappings we made lately */
	unsigned int nr_ports, nr_maps;
	u64 iter, calls, trace_from;
	unsigned int oracle_failures;
	unsigned int oracle_skips;	/* calls whose result the call itself overwrote */
};

extern struct fz_layout L;
extern struct fz_state S;

/* layout.c */
void layout_init(void);
bool gfn_forbidden(u64 gfn);
bool ptr_forbidden(u64 va);
bool is_safe(u64 v);
bool in_ro_window(u64 gpa);
bool va_guard(u64 va);
bool va_writable(u64 va);
void arena_sanitize(void);
void arena_dirty(u64 va, u64 len);
u64 put(const void *buf, u64 size);
u64 put_in_arena(const void *buf, u64 size);
bool put_placed(void);
bool get(void *buf, u64 va, u64 size);
bool in_arena(u64 va, u64 size);
bool write_u64_safe(u64 va, u64 val);
bool arena_args_safe(void);

/* rand.c */
void rng_seed(u64 seed);
u64 rnd(void);
u64 below(u64 n);
bool chance(unsigned int percent);
u64 safe(u64 v);
u64 gen_int(void);
u64 gen_count(void);
u64 gen_word(void);
u16 gen_domid(void);
u32 gen_port(void);
u32 gen_ref(void);
u32 gen_vcpu(void);
u64 gen_gfn(void);
u64 gen_gfn_mapped(void);
u64 gen_ptr(u64 len);
u64 gen_in_ptr(u64 len);
u64 gen_bad_ptr(void);
u64 pick(const u64 *v, unsigned int n);
#define PICK(...) ({ const u64 __v[] = { __VA_ARGS__ }; pick(__v, ARRAY_SIZE(__v)); })

/* main.c */
long hc(unsigned long nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4);
u64 now_ns(void);
void track_port(evtchn_port_t port);
void track_map(grant_handle_t handle, u64 addr, bool peer);
void oracle_fail(const char *fmt, ...) __printf(1, 2);
/* A call whose result cannot be judged (it overwrote its own arguments): say so, count it. */
void oracle_skip(const char *what);
void self_ipi(void);

/* ops.c */
void fuzz_one(void);
bool map_peer_page(void);

#endif
