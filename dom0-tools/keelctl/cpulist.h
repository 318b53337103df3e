/* CPU lists as xl writes them ("all", "0-3,5", "^1"): parsing into masks and printing. */
#ifndef KEELCTL_CPULIST_H
#define KEELCTL_CPULIST_H

#include <stdint.h>

#define CPULIST_MAX_CPUS 64	/* keel_domctl's affinity masks */

/*
 * Parses @s: "all", or comma-separated CPUs N and ranges N-M, each of which may start with
 * ^ to take it out again (xl's "0-7,^3"). Sets *@mask, bit N for CPU N. 0, or -1 with a
 * reason in @why (a bad number, a range backwards, a CPU >= CPULIST_MAX_CPUS, nothing left).
 */
int cpulist_parse(const char *s, uint64_t *mask, const char **why);

/*
 * Writes @mask as xl prints affinities: "all" when it holds every one of @nr_cpus CPUs,
 * "none" for none, else ranges "0-3,5". @buf of @size bytes (200 is always enough).
 */
void cpulist_format(uint64_t mask, unsigned int nr_cpus, char *buf, unsigned int size);

#endif
