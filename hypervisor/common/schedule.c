/* The run loop of the boot CPU: one domain's vCPUs in turn, timers, and idle in HLT. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/schedule.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>

/* The next runnable vCPU after @prev, round the domain's list; NULL if none. */
static struct vcpu *pick_next(struct domain *d, unsigned int *prev)
{
	for (unsigned int i = 1; i <= d->nr_vcpus; i++) {
		unsigned int id = (*prev + i) % d->nr_vcpus;

		if (d->vcpus[id]->state == VCPU_RUNNABLE) {
			*prev = id;
			return d->vcpus[id];
		}
	}
	return NULL;
}

void schedule_run(struct domain *d)
{
	unsigned int last = d->nr_vcpus - 1;

	while (d->state == DOMAIN_RUNNING) {
		struct vcpu *v;
		u64 deadline;

		timers_run(now_ns());
		deadline = timers_next_deadline();
		v = pick_next(d, &last);
		if (v) {
			arch_timer_program(deadline);
			arch_vcpu_run(v);
			continue;
		}
		if (deadline == TIMER_NONE) {
			domain_crash(d, "every vCPU blocked with nothing to wake it");
			break;
		}
		arch_timer_program(deadline);
		arch_idle();
	}
}
