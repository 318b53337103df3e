/* Sets of host CPUs: a bit per CPU number below MAX_CPUS. */
#ifndef KEEL_CPUMASK_H
#define KEEL_CPUMASK_H

#include <keel/assert.h>
#include <keel/percpu.h>
#include <keel/types.h>

#define CPUMASK_WORDS (MAX_CPUS / 64)

typedef struct {
	u64 w[CPUMASK_WORDS];
} cpumask_t;

static inline bool cpumask_test(const cpumask_t *m, unsigned int cpu)
{
	return cpu < MAX_CPUS && (m->w[cpu / 64] >> (cpu % 64) & 1);
}

static inline void cpumask_set(cpumask_t *m, unsigned int cpu)
{
	m->w[cpu / 64] |= 1ULL << (cpu % 64);
}

static inline void cpumask_clear(cpumask_t *m, unsigned int cpu)
{
	m->w[cpu / 64] &= ~(1ULL << (cpu % 64));
}

/* CPUs 0 .. @n - 1. */
static inline void cpumask_fill(cpumask_t *m, unsigned int n)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		m->w[i] = n >= 64 * (i + 1) ? ~0ULL :
			  n > 64 * i ? (1ULL << (n - 64 * i)) - 1 : 0;
}

/* The lowest CPU in both @a and @b (@b NULL: in @a), or -1. */
static inline int cpumask_first_and(const cpumask_t *a, const cpumask_t *b)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++) {
		u64 w = a->w[i] & (b ? b->w[i] : ~0ULL);

		if (w)
			return (int)(64 * i + __builtin_ctzll(w));
	}
	return -1;
}

/* @a &= @b; is anything left? */
static inline bool cpumask_and(cpumask_t *a, const cpumask_t *b)
{
	u64 any = 0;

	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		any |= a->w[i] &= b->w[i];
	return any;
}

/* @a |= @b */
static inline void cpumask_or(cpumask_t *a, const cpumask_t *b)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		a->w[i] |= b->w[i];
}

/* @a &= ~@b */
static inline void cpumask_andnot(cpumask_t *a, const cpumask_t *b)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		a->w[i] &= ~b->w[i];
}

/*
 * Xen's xenctl_bitmap form (CPU N: bit N % 8 of byte N / 8): @m from the
 * first @nr_bits bits of @map (at most MAX_CPUS; bits past them not read).
 */
static inline void cpumask_from_bytes(cpumask_t *m, const u8 *map, unsigned int nr_bits)
{
	ASSERT(nr_bits <= MAX_CPUS);
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		m->w[i] = 0;
	for (unsigned int cpu = 0; cpu < nr_bits; cpu++)
		if (map[cpu / 8] >> (cpu % 8) & 1)
			cpumask_set(m, cpu);
}

/* @m's first @nr_bits CPUs (at most MAX_CPUS) into @map, the last byte's spare bits clear. */
static inline void cpumask_to_bytes(const cpumask_t *m, u8 *map, unsigned int nr_bits)
{
	ASSERT(nr_bits <= MAX_CPUS);
	for (unsigned int i = 0; i < (nr_bits + 7) / 8; i++)
		map[i] = 0;
	for (unsigned int cpu = 0; cpu < nr_bits; cpu++)
		if (cpumask_test(m, cpu))
			map[cpu / 8] |= 1 << (cpu % 8);
}

/* Atomically set the bits of CPUs 0 .. @n - 1 but @except's (MAX_CPUS: none). */
static inline void cpumask_set_all_atomic(cpumask_t *m, unsigned int n, unsigned int except)
{
	cpumask_t all;

	cpumask_fill(&all, n);
	if (except < MAX_CPUS)
		cpumask_clear(&all, except);
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		if (all.w[i])
			__atomic_fetch_or(&m->w[i], all.w[i], __ATOMIC_SEQ_CST);
}

/* Atomically clear @cpu's bit: was it set? */
static inline bool cpumask_test_and_clear_atomic(cpumask_t *m, unsigned int cpu)
{
	u64 bit = 1ULL << (cpu % 64);

	return (__atomic_load_n(&m->w[cpu / 64], __ATOMIC_SEQ_CST) & bit) &&
	       (__atomic_fetch_and(&m->w[cpu / 64], ~bit, __ATOMIC_SEQ_CST) & bit);
}

static inline bool cpumask_test_atomic(const cpumask_t *m, unsigned int cpu)
{
	return __atomic_load_n(&m->w[cpu / 64], __ATOMIC_SEQ_CST) >> (cpu % 64) & 1;
}

#endif
