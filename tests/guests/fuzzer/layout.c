/* The fuzzer's memory: 4 KiB page tables with guard pages, the argument arena, and which values are safe to hand keel. */
#include <asm/x86_page.h>
#include "fuzzer.h"

#define MAX_PTS 16			/* 4 KiB tables for the first 32 MiB */
#define SLACK 64			/* arena bytes filled around an argument */

struct fz_layout L;

extern u64 pd[];			/* head.S: four page directories, contiguous */
extern const char __stop_ex_table[];	/* the end of code and read-only data */
static u64 pts[MAX_PTS][512] __aligned(4096);

static bool scratch_ro(u64 pa)
{
	return pa >= L.scratch && (pa >> 12) % SCRATCH_GUARD_EVERY == 7;
}

bool va_guard(u64 va)
{
	u64 pa = ALIGN_DOWN(va, 4096);

	return pa < LOW_UNMAPPED || pa == L.image_end || pa == L.arena_end ||
	       (pa >= L.scratch && pa < L.ram_end &&
		(pa >> 12) % SCRATCH_GUARD_EVERY == SCRATCH_GUARD_EVERY - 1);
}

/* Would a plain store by the fuzzer to @va go through its page tables? */
bool va_writable(u64 va)
{
	return va < IDENTITY_MAP_END && !va_guard(va) && !scratch_ro(va) &&
	       !(va >= L.image_start && va < L.image_end);
}

/* The end of the RAM that holds the image (the memory map's entry at 1 MiB). */
static u64 find_ram_end(void)
{
	const struct hvm_memmap_table_entry *map =
		(const void *)start_info->memmap_paddr;

	for (u32 i = 0; i < start_info->memmap_entries; i++)
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM &&
		    map[i].addr <= L.image_start &&
		    map[i].addr + map[i].size > L.image_start)
			return ALIGN_DOWN(map[i].addr + map[i].size, 4096);
	return 0;
}

void layout_init(void)
{
	u64 split_end;

	L.image_start = ALIGN_DOWN((uptr)__image_start, 4096);
	L.image_end = ALIGN_UP((uptr)__image_end, 4096);
	L.arena = L.image_end + 4096;
	L.arena_end = L.arena + ARENA_SIZE;
	L.scratch = L.arena_end + 4096;
	L.ram_end = find_ram_end();
	L.forbid_pfn_lo = L.image_start >> 12;
	L.forbid_pfn_hi = L.scratch >> 12;

	/*
	 * 4 KiB pages for the RAM, so that guard pages can be left out; code
	 * and read-only data read-only (CR0.WP is set): keel, as Xen, writes
	 * no guest-virtual address mapped so, whatever argument reaches it.
	 */
	split_end = MIN(ALIGN_UP(L.ram_end, LARGE_PAGE_SIZE),
			(u64)MAX_PTS * LARGE_PAGE_SIZE);
	for (u64 r = 0; r < split_end; r += LARGE_PAGE_SIZE) {
		u64 *pt = pts[r / LARGE_PAGE_SIZE];

		for (unsigned int i = 0; i < 512; i++) {
			u64 pa = r + i * 4096ULL;

			bool ro = scratch_ro(pa) ||
				  (pa >= L.image_start && pa < (uptr)__stop_ex_table);

			pt[i] = va_guard(pa) ? 0 : pa | X86_PTE_P | (ro ? 0 : X86_PTE_RW);
		}
		pd[r / LARGE_PAGE_SIZE] = (uptr)pt | X86_PTE_P | X86_PTE_RW;
	}
	write_cr3(read_cr3());
}

bool gfn_forbidden(u64 gfn)
{
	return gfn >= L.forbid_pfn_lo && gfn < L.forbid_pfn_hi;
}

bool ptr_forbidden(u64 va)
{
	return va >= L.image_start && va < L.arena;
}

static bool bad(u64 v)
{
	return gfn_forbidden(v) || ptr_forbidden(v);
}

/* Both ranges lie below 2 MiB: most words are decided by the first test. */
bool is_safe(u64 v)
{
	if ((u32)v >= MiB(2) && (v >> 32) >= MiB(2))
		return true;
	return !bad(v) && !bad(v & 0xffffffffULL) && !bad(v >> 32);
}

/* With finding 8 left out, nothing but the read-only grants may point here. */
bool in_ro_window(u64 gpa)
{
	return gpa >= RO_WINDOW - 4096 && gpa < RO_WINDOW + RO_WINDOW_SIZE;
}

bool in_arena(u64 va, u64 size)
{
	return va >= L.arena && va <= L.arena_end && size <= L.arena_end - va;
}

/* The arena bytes keel may have written since the last arena_sanitize(). */
static u64 dirty_lo = ~0ULL, dirty_hi;

/* Keel may write [@va, @va + @len): to the arena's end for ~0. */
void arena_dirty(u64 va, u64 len)
{
	if (va >= L.arena_end || va + MIN(len, L.arena_end) <= L.arena)
		return;
	dirty_lo = MIN(dirty_lo, MAX(va, L.arena));
	dirty_hi = len > ARENA_SIZE ? L.arena_end : MAX(dirty_hi, MIN(va + len, L.arena_end));
}

/*
 * After each round: make the arena words keel may have written safe again
 * (a result, a port or a count, could otherwise look like one of our
 * frames when a later call reads it as one).
 */
void arena_sanitize(void)
{
	for (u64 a = ALIGN_DOWN(dirty_lo, 8); a < dirty_hi; a += 8) {
		u64 *w = (u64 *)(uptr)a;

		if (!is_safe(*w))
			*w = gen_word();
	}
	dirty_lo = ~0ULL;
	dirty_hi = 0;
}

/*
 * @buf at a random word of the arena (maybe running into the guard), safe
 * words around it. At a word only: keel may read on past @size (finding 22).
 */
u64 put_in_arena(const void *buf, u64 size)
{
	u64 va, off, room = ARENA_SIZE - MIN(size, ARENA_SIZE);

	off = ALIGN_DOWN(below(room + 1), 8);
	if (!chance(75) && chance(20))
		off = ALIGN_UP(room + below(MIN(size, 64ULL) + 1), 8);
	va = L.arena + off;
	for (u64 a = ALIGN_DOWN(MAX(va, L.arena + SLACK) - SLACK, 8);
	     a < MIN(va + size + SLACK, L.arena_end); a += 8)
		*(u64 *)(uptr)a = gen_word();
	memcpy((void *)(uptr)va, buf, MIN(size, L.arena_end - va));
	arena_dirty(va, size);
	return va;
}

static bool last_placed;

/* Where a call's argument goes: mostly the arena, sometimes where keel cannot read it. */
u64 put(const void *buf, u64 size)
{
	last_placed = !chance(10);
	return last_placed ? put_in_arena(buf, size) : gen_in_ptr(size);
}

/* Did the last put() place its argument, so that keel read what we built? */
bool put_placed(void)
{
	return last_placed;
}

/*
 * Finding 22: keel reads an argument's fields (Xen's ABI puts every frame
 * and pointer in an 8-byte word at an 8-byte offset) where the fuzzer
 * points it, and on past what the fuzzer built (a batch longer than its
 * ops, a reservation's start extent). Only the arena's words at 8-byte
 * boundaries are safe: two of them read across their boundary can make
 * any number, one of our own addresses too (a time area registered at
 * such a word was written into our code). So every argument in the arena
 * starts at a word; checked here with the arena filled as setup() does,
 * for what gen_in_ptr() and put_in_arena() hand keel.
 */
bool arena_args_safe(void)
{
	u64 buf[8], p, w;

	rng_seed(0);
	for (u64 a = L.arena; a < L.arena_end; a += 8)
		*(u64 *)(uptr)a = gen_word();
	for (unsigned int i = 0; i < 4096; i++) {
		if (chance(50)) {
			for (unsigned int j = 0; j < ARRAY_SIZE(buf); j++)
				buf[j] = gen_word();
			p = put_in_arena(buf, 8 * (1 + below(ARRAY_SIZE(buf))));
		} else {
			p = gen_in_ptr(8 + below(256));
		}
		for (u64 off = 0; off < 256 && in_arena(p + off, 8); off += 8) {
			memcpy(&w, (const void *)(uptr)(p + off), 8);
			if (!CHECK(is_safe(w), "draw %u: keel would read %#lx at %#lx", i, w,
				   p + off))
				return false;
		}
	}
	arena_sanitize();
	return true;
}

/* Copy back what keel wrote at @va, if it is in the arena. */
bool get(void *buf, u64 va, u64 size)
{
	if (!in_arena(va, size))
		return false;
	memcpy(buf, (const void *)(uptr)va, size);
	return true;
}

bool write_u64_safe(u64 va, u64 val)
{
	fault_reset();
	asm volatile("1: movq %0, (%1)\n2:\n" _ASM_EXTABLE(1b, 2b)
		     : : "r"(val), "r"(va) : "memory");
	return last_fault.vector == NO_FAULT;
}
