/* CPU lists as xl writes them: parsing "0-3,^1" into CPU sets and printing sets back. */
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

/* CPUs @lo..@hi into (@in) or out of @set. */
static void set_range(struct cpuset *set, unsigned int lo, unsigned int hi, bool in)
{
	for (unsigned int cpu = lo; cpu <= hi; cpu++) {
		uint64_t bit = 1ULL << (cpu % 64);

		if (in)
			set->w[cpu / 64] |= bit;
		else
			set->w[cpu / 64] &= ~bit;
	}
}

int cpuset_last(const struct cpuset *s)
{
	for (int i = CPULIST_MAX_CPUS / 64 - 1; i >= 0; i--)
		if (s->w[i])
			return 64 * i + 63 - __builtin_clzll(s->w[i]);
	return -1;
}

int cpulist_parse(const char *s, struct cpuset *set, const char **why)
{
	const char *p = s;
	struct cpuset m = { { 0 } };

	if (!strcmp(s, "all")) {
		set_range(set, 0, CPULIST_MAX_CPUS - 1, true);
		return 0;
	}
	for (;;) {
		bool out = *p == '^';
		unsigned int lo, hi;

		p += out;
		if (cpu_number(&p, &lo)) {
			*why = "expected a CPU number (0-255), a range N-M or \"all\"";
			return -1;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (cpu_number(&p, &hi)) {
				*why = "a range needs a CPU number (0-255) after '-'";
				return -1;
			}
			if (hi < lo) {
				*why = "a range must go upwards (N-M with N <= M)";
				return -1;
			}
		}
		set_range(&m, lo, hi, !out);
		if (!*p)
			break;
		if (*p++ != ',') {
			*why = "CPUs and ranges are separated by commas";
			return -1;
		}
	}
	if (cpuset_last(&m) < 0) {
		*why = "no CPU left";
		return -1;
	}
	*set = m;
	return 0;
}

void cpulist_format(const struct cpuset *set, unsigned int nr_cpus, char *buf, unsigned int size)
{
	unsigned int len = 0, cpu;

	buf[0] = 0;
	for (cpu = 0; cpu < nr_cpus && cpuset_has(set, cpu); cpu++)
		;
	if (nr_cpus && cpu == nr_cpus) {
		snprintf(buf, size, "all");
		return;
	}
	if (cpuset_last(set) < 0) {
		snprintf(buf, size, "none");
		return;
	}
	for (unsigned int i = 0; i < CPULIST_MAX_CPUS && len < size; i++) {
		unsigned int j = i;

		if (!cpuset_has(set, i))
			continue;
		while (cpuset_has(set, j + 1))
			j++;
		if (j == i)
			len += snprintf(buf + len, size - len, "%s%u", len ? "," : "", i);
		else
			len += snprintf(buf + len, size - len, "%s%u-%u", len ? "," : "", i, j);
		i = j;
	}
}
