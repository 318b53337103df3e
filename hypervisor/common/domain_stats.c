/* A domain's VM-exit and hypercall counts, its vCPUs summed (keel_domctl getstats). */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/domain_stats.h>
#include <keel/string.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>

void domain_stats_fill(const struct domain *d, struct keel_domstats *s)
{
	memset(s, 0, sizeof(*s));
	s->nr_vcpus = d->nr_vcpus;
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		const struct vcpu *v = d->vcpus[i];

		if (!v)
			continue;
		s->exits_total += arch_vcpu_exit_counts(v, s->exits, KEEL_STATS_EXITS);
		for (unsigned int nr = 0; nr < KEEL_STATS_HCALLS; nr++) {
			u64 c = READ_ONCE(v->hcall_count[nr]);

			s->hypercalls[nr] += c;
			s->hypercalls_total += c;
		}
	}
}
