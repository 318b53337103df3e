/* A domain's VM-exit and hypercall counts for the toolstack (keel_domctl getstats). */
#ifndef KEEL_DOMAIN_STATS_H
#define KEEL_DOMAIN_STATS_H

#include <public/keel_domctl.h>

struct domain;

/*
 * domain_stats_fill() - @d's counts so far, its vCPUs summed, into @s. The vCPUs run on:
 * each counter is read once (a snapshot, not one instant). @d is held by the caller.
 */
void domain_stats_fill(const struct domain *d, struct keel_domstats *s);

#endif
