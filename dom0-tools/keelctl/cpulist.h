/* CPU lists as xl writes them ("all", "0-3,5", "^1"): parsing into CPU sets and printing. */
#ifndef KEELCTL_CPULIST_H
#define KEELCTL_CPULIST_H

#include <stdbool.h>
#include <stdint.h>
#include <public/keel_domctl.h>

#define CPULIST_MAX_CPUS KEEL_MAX_CPUS	/* keel's host CPUs at most */

/*
 * A set of host CPUs. On x86 its words are the bytes of Xen's xenctl_bitmap (CPU N: bit N % 8
 * of byte N / 8), which keel's affinity domctls take.
 */
struct cpuset {
	uint64_t w[CPULIST_MAX_CPUS / 64];
};
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "cpuset words as bitmap bytes");

static inline bool cpuset_has(const struct cpuset *s, unsigned int cpu)
{
	return cpu < CPULIST_MAX_CPUS && (s->w[cpu / 64] >> (cpu % 64) & 1);
}

/* The highest CPU in @s, or -1 when it is empty. */
int cpuset_last(const struct cpuset *s);

/*
 * Parses @s: "all", or comma-separated CPUs N and ranges N-M, each of which may start with
 * ^ to take it out again (xl's "0-7,^3"). Sets *@set; "all" is every CPU up to
 * CPULIST_MAX_CPUS. 0, or -1 with a reason in @why (a bad number, a range backwards, a CPU >=
 * CPULIST_MAX_CPUS, nothing left).
 */
int cpulist_parse(const char *s, struct cpuset *set, const char **why);

/*
 * Writes @set as xl prints affinities: "all" when it holds every one of @nr_cpus CPUs,
 * "none" for none, else ranges "0-3,5". @buf of @size bytes (cut short, still a string).
 */
void cpulist_format(const struct cpuset *set, unsigned int nr_cpus, char *buf, unsigned int size);

#endif
