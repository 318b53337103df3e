/* schedule.c's interface for the hypercall fuzzer: vCPU states, the policy, tasklets. */
/*
 * vCPU states change as keel's do (blocked, woken, up), the credit policy keeps each domain's
 * weight and cap, tasklets queue for the boot CPU; a vCPU runs only while the harness makes
 * one of its hypercalls.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/percpu.h>
#include <keel/sched_credit.h>
#include <keel/schedule.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <public/vcpu.h>
#include "hv_env.h"

static struct scheduler sched;
static struct sched_cpu sched_cpus[HV_NR_CPUS];
static bool sched_ready;
static struct tasklet *tasklet_list;

void sched_domain_add(struct domain *d)
{
	if (!sched_ready) {
		sched_init(&sched, HV_NR_CPUS, sched_cpus, now_ns());
		sched_ready = true;
	}
	sched_add_dom(&sched, &d->sched_dom);
}

void sched_domain_remove(struct domain *d)
{
	if (sched_remove_dom(&sched, &d->sched_dom))
		hv_fail("d%u: sched_remove_dom refused", d->id);
	/* Taken out of the scheduler: no CPU runs it any more. */
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i]->is_running)
			hv_fail("d%u v%u removed while it runs", d->id, i);
}

int sched_domain_set_params(struct domain *d, u32 weight, u32 cap)
{
	return sched_set_params(&sched, &d->sched_dom, weight, cap);
}

u64 sched_domain_runtime(struct domain *d)
{
	return 0;
}

/* The policy checks the mask; the unit is not queued here, so nothing moves. */
int sched_vcpu_set_affinity(struct vcpu *v, const cpumask_t *mask)
{
	return sched_set_affinity(&sched, &v->sched_unit, mask, now_ns()) == -EINVAL ?
	       -EINVAL : 0;
}

void sched_vcpu_info(struct vcpu *v, unsigned int *cpu, u64 *run_ns, cpumask_t *affinity)
{
	if (v->sched_unit.cpu >= HV_NR_CPUS)
		hv_fail("d%u v%u on CPU %u", v->domain->id, v->id, v->sched_unit.cpu);
	*cpu = v->sched_unit.cpu;
	*run_ns = v->sched_unit.run_ns;
	*affinity = v->sched_unit.affinity;
}

static void set_state(struct vcpu *v, enum vcpu_state state)
{
	v->state = state;
	vcpu_set_runstate(v, state == VCPU_RUNNABLE ? RUNSTATE_runnable :
			  state == VCPU_BLOCKED ? RUNSTATE_blocked : RUNSTATE_offline);
}

void vcpu_wake(struct vcpu *v) { }
void vcpu_sleep(struct vcpu *v) { }
void vcpu_yield(struct vcpu *v, bool hand_on) { }

/* The shutdown tasklet's: here no vCPU runs while tasklets do. */
bool vcpu_sleep_try(struct vcpu *v)
{
	return !v->is_running;
}

/*
 * As schedule.c's: this CPU has other work (a kick, its vCPU stopped, a tasklet, a due
 * timer). A kick also comes after hv_preempt_after checks, as the fuzzer chooses.
 */
unsigned int hv_preempt_after;

bool hypercall_preempt_check(void)
{
	struct pcpu *c = this_cpu();

	if (hv_preempt_after && !--hv_preempt_after)
		c->need_resched = true;
	return c->need_resched || (c->curr && !vcpu_runnable(c->curr)) ||
	       (c->id == 0 && tasklet_list) || timers_next_deadline() <= now_ns();
}

/* The harness runs one vCPU at a time: none is on another CPU to wait for. */
void vcpu_sleep_sync(struct vcpu *v)
{
	if (v->is_running && this_cpu()->curr != v)
		hv_fail("d%u v%u runs on another CPU", v->domain->id, v->id);
}

void vcpu_block(struct vcpu *v)
{
	if (v->state == VCPU_RUNNABLE &&
	    !(v->vcpu_info && v->vcpu_info->evtchn_upcall_pending))
		set_state(v, VCPU_BLOCKED);
}

void vcpu_block_poll(struct vcpu *v)
{
	if (v->state == VCPU_RUNNABLE)
		set_state(v, VCPU_BLOCKED);
}

void vcpu_kick(struct vcpu *v)
{
	if (v->state == VCPU_BLOCKED)
		set_state(v, VCPU_RUNNABLE);
}

void vcpu_signalled(struct vcpu *v) { }

void vcpu_up(struct vcpu *v)
{
	if (v->state == VCPU_DOWN)
		set_state(v, VCPU_RUNNABLE);
}

void hv_enter(struct vcpu *v)
{
	struct pcpu *c = pcpus[v->processor];

	if (c->curr || v->is_running)
		hv_fail("CPU%u already runs a vCPU", c->id);
	hosted_cpu = c->id;
	v->is_running = true;
	c->curr = v;
	vcpu_set_runstate(v, RUNSTATE_running);
}

void hv_leave(struct vcpu *v)
{
	struct pcpu *c = pcpus[v->processor];

	vcpu_set_runstate(v, v->state == VCPU_RUNNABLE ? RUNSTATE_runnable :
			  v->state == VCPU_BLOCKED ? RUNSTATE_blocked : RUNSTATE_offline);
	c->curr = NULL;
	c->need_resched = false;	/* the scheduler loop has run */
	v->is_running = false;
	hosted_cpu = 0;
}

void hv_migrate(struct vcpu *v, unsigned int cpu)
{
	v->processor = cpu;
	timer_migrate(&v->singleshot_timer, cpu);
	timer_migrate(&v->periodic_timer, cpu);
	timer_migrate(&v->poll_timer, cpu);
}

void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data)
{
	t->fn = fn;
	t->data = data;
	t->next = NULL;
	t->queued = false;
}

void tasklet_schedule(struct tasklet *t)
{
	struct tasklet **p;

	if (t->queued)
		return;
	for (p = &tasklet_list; *p; p = &(*p)->next)
		;
	*p = t;
	t->next = NULL;
	t->queued = true;
}

bool hv_tasklets_pending(void)
{
	return tasklet_list != NULL;
}

void hv_run_tasklets(void)
{
	unsigned int was = hosted_cpu;

	hosted_cpu = 0;
	while (tasklet_list) {
		struct tasklet *t = tasklet_list;

		tasklet_list = t->next;
		t->queued = false;
		t->fn(t->data);
	}
	hosted_cpu = was;
}

/* A fresh scheduler for the next input (every domain is gone by then). */
void hv_sched_reset(void)
{
	sched_ready = false;
	tasklet_list = NULL;
}
