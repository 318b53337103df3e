/* Host tests of the VPID allocator: never 0, never one tag twice, exhaustion, and its lock under threads. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <keel/errno.h>
#include <asm/vpid.h>
#include "host.h"

static u16 held[VPID_MAX + 1];
static unsigned char seen[VPID_MAX + 1];

/* Every one of the 65535 VPIDs once, none of them 0; then none is left. */
static void test_all_vpids_once_never_zero(void **state)
{
	unsigned int n = 0;
	u16 v;

	(void)state;
	memset(seen, 0, sizeof(seen));
	while (vpid_alloc(&v) == 0) {
		assert_int_not_equal(v, 0);
		assert_int_equal(seen[v], 0);
		seen[v] = 1;
		held[n++] = v;
		assert_true(n <= VPID_MAX);
	}
	assert_int_equal(n, VPID_MAX);
	assert_int_equal(vpid_in_use(), VPID_MAX);
	assert_int_equal(vpid_alloc(&v), -ENOSPC);

	/* A freed VPID is the only one there is to hand out again. */
	vpid_free(held[1234]);
	assert_int_equal(vpid_alloc(&v), 0);
	assert_int_equal(v, held[1234]);
	assert_int_equal(vpid_alloc(&v), -ENOSPC);

	vpid_free(0);		/* the host's: ignored */
	assert_int_equal(vpid_in_use(), VPID_MAX);
	for (unsigned int i = 0; i < n; i++)
		vpid_free(held[i]);
	assert_int_equal(vpid_in_use(), 0);
}

/* 70000 vCPU lifetimes (a reboot loop): the tags go round without reaching 0. */
static void test_reuse_without_wrap_to_zero(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 70000; i++) {
		u16 a, b;

		assert_int_equal(vpid_alloc(&a), 0);
		assert_int_equal(vpid_alloc(&b), 0);
		assert_int_not_equal(a, 0);
		assert_int_not_equal(b, 0);
		assert_int_not_equal(a, b);
		vpid_free(a);
		vpid_free(b);
	}
	assert_int_equal(vpid_in_use(), 0);
}

/*
 * Two CPUs starting and destroying vCPUs at once, a batch at a time, in
 * bursts that begin together: no VPID may be held by both, and the count
 * of held ones must come out even.
 */
#define BURSTS 50
#define ROUNDS 100
#define BATCH 32
static unsigned int owner[VPID_MAX + 1];
static unsigned int duplicates;
static pthread_barrier_t start;

static void *churn(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;

	for (unsigned int b = 0; b < BURSTS; b++) {
		pthread_barrier_wait(&start);
		for (unsigned int i = 0; i < ROUNDS; i++) {
			u16 v[BATCH];
			unsigned int n = 0;

			while (n < BATCH && vpid_alloc(&v[n]) == 0) {
				if (__atomic_exchange_n(&owner[v[n]], me,
							__ATOMIC_SEQ_CST) != 0)
					__atomic_fetch_add(&duplicates, 1,
							   __ATOMIC_SEQ_CST);
				n++;
			}
			while (n--) {
				__atomic_store_n(&owner[v[n]], 0,
						 __ATOMIC_SEQ_CST);
				vpid_free(v[n]);
			}
		}
	}
	return NULL;
}

static void test_concurrent_allocations(void **state)
{
	pthread_t t[2];

	(void)state;
	pthread_barrier_init(&start, NULL, 2);
	for (uintptr_t i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn,
						(void *)(i + 1)), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	assert_int_equal(duplicates, 0);
	assert_int_equal(vpid_in_use(), 0);
}

/* Another CPU holds the lock: an allocation waits for it. */
static volatile int done;

static void *alloc_one(void *arg)
{
	u16 *v = arg;

	assert_int_equal(vpid_alloc(v), 0);
	__atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_allocation_takes_the_lock(void **state)
{
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };
	pthread_t t;
	u16 v = 0;

	(void)state;
	spin_lock(&vpid_lock);
	assert_int_equal(pthread_create(&t, NULL, alloc_one, &v), 0);
	for (int i = 0; i < 20; i++)
		nanosleep(&ms10, NULL);
	assert_int_equal(__atomic_load_n(&done, __ATOMIC_SEQ_CST), 0);
	spin_unlock(&vpid_lock);
	pthread_join(t, NULL);
	assert_int_equal(done, 1);
	assert_int_not_equal(v, 0);
	vpid_free(v);
	assert_int_equal(vpid_in_use(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_vpids_once_never_zero),
		cmocka_unit_test(test_reuse_without_wrap_to_zero),
		cmocka_unit_test(test_concurrent_allocations),
		cmocka_unit_test(test_allocation_takes_the_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
