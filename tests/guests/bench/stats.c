/* Samples of one figure in TSC ticks: collecting them and printing min and median. */
#include "guest.h"
#include "stats.h"

void samples_add(struct samples *s, u64 ticks)
{
	if (s->n < BENCH_MAX_SAMPLES)
		s->tick[s->n++] = (u32)MIN(ticks, 0xffffffffULL);
}

/* Shell sort: a thousand samples, no allocation. */
static void sort(u32 *a, unsigned int n)
{
	for (unsigned int gap = n / 2; gap; gap /= 2)
		for (unsigned int i = gap; i < n; i++) {
			u32 v = a[i];
			unsigned int j = i;

			for (; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
}

bool samples_report(const char *name, struct samples *s)
{
	if (!s->n) {
		printf("bench: %s no samples\n", name);
		return false;
	}
	sort(s->tick, s->n);
	printf("bench: %s min %u median %u ticks (n %u)\n", name, s->tick[0],
	       s->tick[s->n / 2], s->n);
	return s->tick[0] > 0;
}
