/* Both backends' wait after a p2m change: CPUs running the domain are kicked until they flushed. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/percpu.h>
#include <asm/hvm.h>

void hvm_p2m_kick(struct domain *d)
{
	unsigned int self = smp_processor_id();

	smp_mb();
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		struct pcpu *c = pcpus[cpu];

		if (cpu == self || !READ_ONCE(c->in_guest))
			continue;
		arch_send_ipi(cpu);
		while (READ_ONCE(c->in_guest) &&
		       cpumask_test_atomic(&d->arch.ept_stale, cpu))
			arch_cpu_relax();
	}
}
