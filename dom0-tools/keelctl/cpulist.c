/* CPU lists as xl writes them: parsing "0-3,^1" into masks and printing masks back. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpulist.h"

/* A CPU number at *@p (decimal, < CPULIST_MAX_CPUS); moves *@p past it. */
static int cpu_number(const char **p, unsigned int *cpu)
{
	char *end;
	unsigned long v;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v >= CPULIST_MAX_CPUS)
		return -1;
	*p = end;
	*cpu = (unsigned int)v;
	return 0;
}

static uint64_t range_mask(unsigned int lo, unsigned int hi)
{
	uint64_t top = hi == 63 ? ~0ULL : (1ULL << (hi + 1)) - 1;

	return top & ~((1ULL << lo) - 1);
}

int cpulist_parse(const char *s, uint64_t *mask, const char **why)
{
	const char *p = s;
	uint64_t m = 0;

	if (!strcmp(s, "all")) {
		*mask = ~0ULL;
		return 0;
	}
	for (;;) {
		bool out = *p == '^';
		unsigned int lo, hi;

		p += out;
		if (cpu_number(&p, &lo)) {
			*why = "expected a CPU number (0-63), a range N-M or \"all\"";
			return -1;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (cpu_number(&p, &hi)) {
				*why = "a range needs a CPU number (0-63) after '-'";
				return -1;
			}
			if (hi < lo) {
				*why = "a range must go upwards (N-M with N <= M)";
				return -1;
			}
		}
		if (out)
			m &= ~range_mask(lo, hi);
		else
			m |= range_mask(lo, hi);
		if (!*p)
			break;
		if (*p++ != ',') {
			*why = "CPUs and ranges are separated by commas";
			return -1;
		}
	}
	if (!m) {
		*why = "no CPU left";
		return -1;
	}
	*mask = m;
	return 0;
}

void cpulist_format(uint64_t mask, unsigned int nr_cpus, char *buf, unsigned int size)
{
	uint64_t all = nr_cpus >= 64 ? ~0ULL : (1ULL << nr_cpus) - 1;
	unsigned int len = 0;

	buf[0] = 0;
	if (nr_cpus && (mask & all) == all) {
		snprintf(buf, size, "all");
		return;
	}
	if (!mask) {
		snprintf(buf, size, "none");
		return;
	}
	for (unsigned int i = 0; i < 64 && len < size; i++) {
		unsigned int j = i;

		if (!(mask & (1ULL << i)))
			continue;
		while (j < 63 && (mask & (1ULL << (j + 1))))
			j++;
		if (j == i)
			len += snprintf(buf + len, size - len, "%s%u", len ? "," : "", i);
		else
			len += snprintf(buf + len, size - len, "%s%u-%u", len ? "," : "", i, j);
		i = j;
	}
}
