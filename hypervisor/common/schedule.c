/* The run loop of the boot CPU: one domain's vCPUs in turn, timers, and idle in HLT. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/schedule.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>

/* How long a vCPU runs before another runnable one of the domain gets the CPU. */
#define TIME_SLICE_NS MILLISECS(10)

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

static bool others_runnable(struct domain *d, struct vcpu *v)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i] != v && d->vcpus[i]->state == VCPU_RUNNABLE)
			return true;
	return false;
}

static void slice_ended(void *data)
{
	/* Nothing to do: the interrupt exit already returned to the loop. */
}

void schedule_run(struct domain *d)
{
	unsigned int last = d->nr_vcpus - 1;
	struct timer slice_end;

	timer_init(&slice_end, slice_ended, NULL);

	while (d->state == DOMAIN_RUNNING) {
		struct vcpu *v;
		u64 deadline;

		timers_run(now_ns());
		deadline = timers_next_deadline();
		v = pick_next(d, &last);
		if (v) {
			/* Its slice ends with an interrupt exit if others wait. */
			if (others_runnable(d, v))
				timer_set(&slice_end, now_ns() + TIME_SLICE_NS);
			else
				timer_stop(&slice_end);
			arch_timer_program(timers_next_deadline());
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
	timer_stop(&slice_end);
}
