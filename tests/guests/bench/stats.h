/* Samples of one figure in TSC ticks: collecting them and printing min and median. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <keel/types.h>

#define BENCH_MAX_SAMPLES 1024

struct samples {
	unsigned int n;
	u32 tick[BENCH_MAX_SAMPLES];
};

/* Record one sample (dropped beyond BENCH_MAX_SAMPLES). */
void samples_add(struct samples *s, u64 ticks);

/*
 * Print "bench: @name min M median D ticks (n N)" and return whether every
 * sample was above zero and there was at least one. Sorts @s.
 */
bool samples_report(const char *name, struct samples *s);

#endif
