/*
 * Host tests of the page allocator and the frame table from several
 * threads at once (the audit's poc_alloc_race.c, finding 2): no frame is
 * ever handed to two owners, nothing is lost, and references taken and
 * dropped concurrently keep every count exact.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/page_alloc.h>
#include "host.h"

#define NR_FRAMES 4096
#define SCAN 3584		/* frames a search for a free pair walks past */
#define THREADS 2
#define ITERS 200000
#define PAGE_ITERS 50000

static u8 *arena;
static u64 arena_size;

void *phys_to_virt(u64 phys)
{
	return arena + phys;
}

u64 virt_to_phys(const void *virt)
{
	return (const u8 *)virt - arena;
}

/* ---- the bare allocator: poc_alloc_race.c ------------------------------- */

static struct page_allocator pa;
static int owner[NR_FRAMES];
static long doubles;
static int started;

/* Every thread runs its loop at the same time, not one after the other. */
static void start_together(void)
{
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < THREADS)
		;
}

#define HELD 32			/* allocations each thread keeps a while */

/* Give back @pfn (order @order) that @me owns; count what went wrong. */
static void give_back(int me, u64 pfn, unsigned int order)
{
	for (u64 f = pfn; f < pfn + (1u << order); f++)
		if (__atomic_exchange_n(&owner[f], 0, __ATOMIC_SEQ_CST) != me)
			__atomic_fetch_add(&doubles, 1, __ATOMIC_SEQ_CST);
	if (page_free_frames(&pa, pfn, order))
		__atomic_fetch_add(&doubles, 1, __ATOMIC_SEQ_CST);
}

static void *alloc_worker(void *arg)
{
	int me = (int)(long)arg;
	u64 held[HELD];
	unsigned int n = 0;

	start_together();
	for (long i = 0; i < ITERS; i++) {
		/* A pair is a long search, then the bitmap update: a wide window. */
		unsigned int order = i % 2;
		u64 pfn;

		if (n == HELD) {
			n--;
			give_back(me, held[n], n % 2);
		}
		if (page_alloc_frames(&pa, order, &pfn))
			continue;
		for (u64 f = pfn; f < pfn + (1u << order); f++)
			if (__atomic_exchange_n(&owner[f], me, __ATOMIC_SEQ_CST))
				__atomic_fetch_add(&doubles, 1, __ATOMIC_SEQ_CST);
		/* held[k] has order k % 2: keep the slots in step. */
		if (order != n % 2) {
			give_back(me, pfn, order);
			continue;
		}
		held[n++] = pfn;
	}
	while (n) {
		n--;
		give_back(me, held[n], n % 2);
	}
	return NULL;
}

static void run_threads(void *(*fn)(void *))
{
	pthread_t t[THREADS];

	started = 0;
	for (long i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fn, (void *)(i + 1)), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
}

static void test_allocator_from_threads(void **state)
{
	u64 *bitmap = calloc(NR_FRAMES / 64, 8);

	(void)state;
	page_alloc_init(&pa, bitmap, NR_FRAMES);
	page_alloc_add_free(&pa, 0, (u64)NR_FRAMES << 12);
	/* Every other frame below SCAN in use: no pair free there. */
	for (u64 pfn = 0; pfn < SCAN; pfn += 2)
		page_alloc_reserve(&pa, PFN_PHYS(pfn), PFN_PHYS(pfn + 1));
	doubles = 0;
	run_threads(alloc_worker);
	assert_int_equal(doubles, 0);
	assert_int_equal(pa.nr_free, NR_FRAMES - SCAN / 2);
	for (u64 pfn = 0; pfn < NR_FRAMES; pfn++)
		assert_true(page_is_free(&pa, pfn) == (pfn >= SCAN || pfn % 2));
	free(bitmap);
}

/* ---- alloc_pages()/free_pages() and references on the frame table -------- */

static u64 *frame_words;
static u64 owner_counts[FRAME_MAX_OWNERS];

/* The domain table's counts of frames, without a domain table. */
u64 *frame_owner_count(unsigned int owner)
{
	return owner < FRAME_MAX_OWNERS ? &owner_counts[owner] : NULL;
}
static u64 shared_hpa;

static void host_setup(void)
{
	arena_size = (u64)NR_FRAMES << 12;
	arena = aligned_alloc(PAGE_SIZE, arena_size);
	page_alloc_init(&host_pages, calloc(NR_FRAMES / 64, 8), NR_FRAMES);
	frame_words = calloc(NR_FRAMES, sizeof(u64));
	frame_table_init(frame_words, NR_FRAMES);
	/* Frame 0 stays out, as on the real machine. */
	page_alloc_add_free(&host_pages, PAGE_SIZE, arena_size);
}

static void host_teardown(void)
{
	free(host_pages.bitmap);
	free(frame_words);
	free(arena);
}

static void *page_worker(void *arg)
{
	u64 me = (u64)(long)arg;

	start_together();
	for (long i = 0; i < PAGE_ITERS; i++) {
		u64 *p = alloc_page();

		/* A reference on the frame main() holds, dropped at once. */
		if (get_page(shared_hpa))
			put_page(shared_hpa);
		else
			__atomic_fetch_add(&doubles, 1, __ATOMIC_SEQ_CST);
		if (!p)
			continue;
		/* Zeroed, and ours alone while we hold it. */
		if (p[0] || p[511])
			__atomic_fetch_add(&doubles, 1, __ATOMIC_SEQ_CST);
		p[0] = p[511] = me;
		if (get_page(virt_to_phys(p)))	/* a second user of it */
			put_page(virt_to_phys(p));
		if (p[0] != me || p[511] != me)
			__atomic_fetch_add(&doubles, 1, __ATOMIC_SEQ_CST);
		p[0] = p[511] = 0;
		free_page(p);
	}
	return NULL;
}

static void test_frame_refs_from_threads(void **state)
{
	u64 start;
	void *shared;

	(void)state;
	host_setup();
	start = host_pages.nr_free;
	shared = alloc_page();
	shared_hpa = virt_to_phys(shared);
	doubles = 0;
	run_threads(page_worker);
	assert_int_equal(doubles, 0);
	assert_int_equal(page_count(shared_hpa), 1);
	assert_int_equal(host_pages.nr_free, start - 1);
	free_page(shared);
	assert_int_equal(host_pages.nr_free, start);
	host_teardown();
}

/* ---- the rules of the frame table ------------------------------------------ */

static void test_frame_rules(void **state)
{
	void *p;
	u64 hpa, start;

	(void)state;
	host_setup();
	start = host_pages.nr_free;
	p = alloc_pages(1);
	hpa = virt_to_phys(p);
	assert_int_equal(page_count(hpa), 1);
	assert_int_equal(page_count(hpa + PAGE_SIZE), 1);
	assert_int_equal(page_owner(hpa), -1);
	/* Charged to domain 7 while it lives; owners take 16 bits (domain ids). */
	page_set_owner(hpa, 7);
	assert_int_equal(page_owner(hpa), 7);
	assert_int_equal(frames_owned(7), 1);
	page_set_owner(hpa + PAGE_SIZE, 32751);
	assert_int_equal(page_owner(hpa + PAGE_SIZE), 32751);
	assert_int_equal(frames_owned(32751), 1);
	assert_int_equal(frames_owned(7), 1);
	/* Someone else holds it: free_pages() drops only the allocation's. */
	assert_true(get_page(hpa));
	free_pages(p, 1);
	assert_int_equal(host_pages.nr_free, start - 1);
	assert_false(page_is_free(&host_pages, PFN_DOWN(hpa)));
	assert_true(page_is_free(&host_pages, PFN_DOWN(hpa) + 1));
	assert_int_equal(frames_owned(32751), 0);
	assert_int_equal(frames_owned(7), 1);
	/* The last reference frees it and uncharges the owner. */
	put_page(hpa);
	assert_int_equal(host_pages.nr_free, start);
	assert_int_equal(frames_owned(7), 0);
	assert_int_equal(page_owner(hpa), -1);
	/* A free frame, frame 0 (never RAM here) and one beyond: no reference. */
	assert_false(get_page(hpa));
	assert_false(get_page(0));
	assert_false(get_page(arena_size));
	assert_int_equal(page_count(hpa), 0);
	host_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocator_from_threads),
		cmocka_unit_test(test_frame_refs_from_threads),
		cmocka_unit_test(test_frame_rules),
	};

	return cmocka_run_group_tests_name("mm_smp", tests, NULL, NULL);
}
