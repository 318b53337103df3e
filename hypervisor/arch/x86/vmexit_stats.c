/* A vCPU's VM-exit counts by VMX basic exit reason, for keel_domctl getstats. */
#include <keel/arch.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>

u64 arch_vcpu_exit_counts(const struct vcpu *v, u64 *counts, unsigned int n)
{
	u64 total = 0;

	for (unsigned int i = 0; i <= EXIT_REASON_MAX; i++) {
		u64 c = READ_ONCE(v->arch.exit_count[i]);

		total += c;
		if (i < n)
			counts[i] += c;
	}
	return total;
}
