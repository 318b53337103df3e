/* The scheduler loop of every CPU: the credit policy's picks, context switches, timers, tasklets, idle. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/param.h>
#include <keel/percpu.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/sched_credit.h>
#include <keel/schedule.h>
#include <keel/stop.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <public/vcpu.h>

#define unit_vcpu(u) ((struct vcpu *)((char *)(u) - offsetof(struct vcpu, sched_unit)))

/* The policy's state; every call into sched_credit.c holds sched_lock. */
static struct scheduler sched;
static DEFINE_SPINLOCK(sched_lock);
static struct timer accounting_tick;

/* Each CPU's own, for the CPUs that came up (scheduler_init()). */
struct cpu_sched {
	struct timer slice_timer;
	/* What its loop did, written by that CPU only; sched_report() prints it. */
	u64 picks;		/* vCPUs picked to run */
	u64 stolen;		/* of those, taken from another CPU's queue */
	u64 slices_ended;	/* slice timers that fired */
	u64 wakeups;		/* times it left idle (an interrupt) */
};
static struct cpu_sched *cpu_sched;
static struct sched_cpu *sched_cpus;	/* the policy's */

static DEFINE_SPINLOCK(tasklet_lock);
static struct tasklet *tasklet_list;

/* Have @cpu pick again: at once if it is this one, else by IPI. */
static void kick_cpu(unsigned int cpu)
{
	WRITE_ONCE(pcpus[cpu]->need_resched, true);
	if (cpu != smp_processor_id())
		arch_send_ipi(cpu);
}

static void kick_mask(const cpumask_t *mask)
{
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		if (cpumask_test(mask, cpu))
			kick_cpu(cpu);
}

/* A running vCPU also needs its CPU's attention for a new interrupt. */
static void kick_running(struct vcpu *v)
{
	if (READ_ONCE(v->is_running) && v->processor != smp_processor_id())
		arch_send_ipi(v->processor);
}

static void slice_ended(void *data)
{
	struct pcpu *c = this_cpu();

	c->need_resched = true;
	cpu_sched[c->id].slices_ended++;
}

static void accounting_tick_fired(void *data)
{
	u64 now = now_ns();
	cpumask_t mask;

	spin_lock(&sched_lock);
	sched_tick(&sched, now, &mask);
	spin_unlock(&sched_lock);
	kick_mask(&mask);
	timer_set(&accounting_tick, now + SCHED_PERIOD_NS);
}

/* Xen's sched_ratelimit_us=<n>: 0 (none) or 100..10000 (a slice at most). */
static u64 ratelimit_us = SCHED_RATELIMIT_NS / 1000;

static int parse_sched_ratelimit_us(const char *value)
{
	u64 n;

	if (!value || parse_uint(value, &value, &n) || *value ||
	    (n && (n < 100 || n > SCHED_SLICE_NS / 1000)))
		return -EINVAL;
	ratelimit_us = n;
	return 0;
}
custom_param("sched_ratelimit_us", parse_sched_ratelimit_us);

static bool started;

bool scheduler_running(void)
{
	return READ_ONCE(started);
}

void scheduler_init(void)
{
	cpu_sched = alloc_pages(pages_order(nr_cpus * sizeof(*cpu_sched)));
	sched_cpus = alloc_pages(pages_order(nr_cpus * sizeof(*sched_cpus)));
	if (!cpu_sched || !sched_cpus) {
		pr_err("sched: no memory for %u CPUs\n", nr_cpus);
		keel_stop(KEEL_STATUS_PANIC);
	}
	sched_init(&sched, nr_cpus, sched_cpus, now_ns());
	sched.ratelimit_ns = ratelimit_us * 1000;
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		timer_init(&cpu_sched[cpu].slice_timer, slice_ended, NULL);
		cpu_sched[cpu].slice_timer.cpu = cpu;
	}
	timer_init(&accounting_tick, accounting_tick_fired, NULL);
	timer_set(&accounting_tick, now_ns() + SCHED_PERIOD_NS);
	pr_info("sched: credit scheduler on %u CPU(s), period %llu ms, ratelimit %llu us\n",
		nr_cpus, (unsigned long long)SCHED_PERIOD_NS / 1000000,
		(unsigned long long)ratelimit_us);
	smp_mb();
	WRITE_ONCE(started, true);
	for (unsigned int cpu = 1; cpu < nr_cpus; cpu++)
		arch_send_ipi(cpu);
}

void sched_domain_add(struct domain *d)
{
	spin_lock(&sched_lock);
	sched_add_dom(&sched, &d->sched_dom);
	/*
	 * Spread the vCPUs of a domain over the CPUs from the start: each
	 * queues there, and moves there (timers too) when it first runs.
	 */
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		sched_add_unit(&sched, &d->vcpus[i]->sched_unit, &d->sched_dom,
			       (d->id + i) % nr_cpus);
	spin_unlock(&sched_lock);
}

void sched_domain_remove(struct domain *d)
{
	u64 now = now_ns();

	spin_lock(&sched_lock);
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		int cpu = sched_remove_unit(&sched, &d->vcpus[i]->sched_unit, now);

		if (cpu >= 0)
			kick_cpu(cpu);
	}
	sched_remove_dom(&sched, &d->sched_dom);
	spin_unlock(&sched_lock);
}

int sched_domain_set_params(struct domain *d, u32 weight, u32 cap)
{
	int rc;

	spin_lock(&sched_lock);
	rc = sched_set_params(&sched, &d->sched_dom, weight, cap);
	spin_unlock(&sched_lock);
	return rc;
}

u64 sched_domain_runtime(struct domain *d)
{
	u64 ns = 0;

	spin_lock(&sched_lock);
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		sched_account(&sched, cpu, now_ns());
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		ns += d->vcpus[i]->sched_unit.run_ns;
	spin_unlock(&sched_lock);
	return ns;
}

int sched_vcpu_set_affinity(struct vcpu *v, const cpumask_t *mask)
{
	int cpu;

	spin_lock(&sched_lock);
	if (!v->sched_unit.dom) {	/* not (or no longer) scheduled */
		spin_unlock(&sched_lock);
		return -ESRCH;
	}
	cpu = sched_set_affinity(&sched, &v->sched_unit, mask, now_ns());
	spin_unlock(&sched_lock);
	if (cpu == -EINVAL)
		return cpu;
	if (cpu >= 0)
		kick_cpu(cpu);
	return 0;
}

void sched_vcpu_info(struct vcpu *v, unsigned int *cpu, u64 *run_ns, cpumask_t *affinity)
{
	spin_lock(&sched_lock);
	sched_account(&sched, v->sched_unit.cpu, now_ns());
	*cpu = v->sched_unit.cpu;
	*run_ns = v->sched_unit.run_ns;
	*affinity = v->sched_unit.affinity;
	spin_unlock(&sched_lock);
}

void vcpu_wake(struct vcpu *v)
{
	int cpu = -1;

	spin_lock(&sched_lock);
	if (v->sched_unit.dom && v->sched_unit.state == SCHED_BLOCKED &&
	    vcpu_runnable(v))
		cpu = sched_wake(&sched, &v->sched_unit, now_ns());
	spin_unlock(&sched_lock);
	if (cpu >= 0)
		kick_cpu(cpu);
	kick_running(v);
}

void vcpu_sleep(struct vcpu *v)
{
	bool running;

	spin_lock(&sched_lock);
	running = v->sched_unit.state == SCHED_RUNNING;
	if (v->sched_unit.dom && v->sched_unit.state != SCHED_BLOCKED &&
	    !vcpu_runnable(v))
		sched_block(&sched, &v->sched_unit, now_ns());
	spin_unlock(&sched_lock);
	if (running)
		kick_cpu(v->sched_unit.cpu);
}

static bool vcpu_has_work(const struct vcpu *v)
{
	return (v->vcpu_info && v->vcpu_info->evtchn_upcall_pending) ||
	       arch_vcpu_has_pending_interrupt(v);
}

/* Move @v to @state, telling the policy; under sched_lock. */
static void set_vcpu_state(struct vcpu *v, enum vcpu_state state)
{
	ASSERT(spin_is_locked(&sched_lock));
	v->state = state;
	vcpu_set_runstate(v, state == VCPU_RUNNABLE ? RUNSTATE_runnable :
			  state == VCPU_BLOCKED ? RUNSTATE_blocked :
			  RUNSTATE_offline);
	if (!v->sched_unit.dom)
		return;
	if (state == VCPU_RUNNABLE && vcpu_runnable(v)) {
		int cpu = sched_wake(&sched, &v->sched_unit, now_ns());

		if (cpu >= 0)
			kick_cpu(cpu);
	} else if (state != VCPU_RUNNABLE) {
		sched_block(&sched, &v->sched_unit, now_ns());
	}
}

/*
 * The state changes happen under sched_lock, and a waker sets what it
 * signals before taking it: a wake-up between the check and the block is
 * never lost.
 */
void vcpu_block(struct vcpu *v)
{
	spin_lock(&sched_lock);
	if (v->state == VCPU_RUNNABLE && !vcpu_has_work(v))
		set_vcpu_state(v, VCPU_BLOCKED);
	spin_unlock(&sched_lock);
}

/* Blocks only while still polling: vcpu_poll_wake() clears it first. */
void vcpu_block_poll(struct vcpu *v)
{
	spin_lock(&sched_lock);
	if (v->state == VCPU_RUNNABLE && READ_ONCE(v->polling))
		set_vcpu_state(v, VCPU_BLOCKED);
	spin_unlock(&sched_lock);
}

void vcpu_kick(struct vcpu *v)
{
	spin_lock(&sched_lock);
	if (v->state == VCPU_BLOCKED)
		set_vcpu_state(v, VCPU_RUNNABLE);
	spin_unlock(&sched_lock);
	kick_running(v);
}

void vcpu_signalled(struct vcpu *v)
{
	unsigned int cpu = smp_processor_id();

	/*
	 * A backend signals the same vCPU send after send: already noted, skip the lock. Only
	 * this CPU sets its note; another clearing it meanwhile is removing @v (nothing to note).
	 */
	if (READ_ONCE(sched.cpu[cpu].woken) == &v->sched_unit)
		return;
	spin_lock(&sched_lock);
	sched_signalled(&sched, cpu, &v->sched_unit);
	spin_unlock(&sched_lock);
}

void vcpu_up(struct vcpu *v)
{
	spin_lock(&sched_lock);
	if (v->state == VCPU_DOWN)
		set_vcpu_state(v, VCPU_RUNNABLE);
	spin_unlock(&sched_lock);
}

void vcpu_down(struct vcpu *v)
{
	bool running;

	spin_lock(&sched_lock);
	running = v->sched_unit.state == SCHED_RUNNING;
	if (v->state != VCPU_DOWN)
		set_vcpu_state(v, VCPU_DOWN);
	spin_unlock(&sched_lock);
	if (running)
		kick_cpu(v->sched_unit.cpu);
}

/* Take this CPU's vCPU off it: its state goes to memory, any CPU may load it. */
static void context_switch_out(struct pcpu *c)
{
	struct vcpu *prev = c->curr;

	if (!prev)
		return;
	arch_vcpu_switch_out(prev);
	c->curr = NULL;
	smp_mb();
	WRITE_ONCE(prev->is_running, false);
}

static void context_switch_in(struct pcpu *c, struct vcpu *next)
{
	/* The CPU it left may still be saving it. */
	while (READ_ONCE(next->is_running))
		arch_cpu_relax();
	next->is_running = true;
	next->processor = c->id;
	c->curr = next;
	arch_vcpu_switch_in(next);
}

bool vcpu_sleep_try(struct vcpu *v)
{
	struct pcpu *c = this_cpu();

	vcpu_sleep(v);
	/* Called from the loop (tasklets): this CPU's own vCPU is idle here. */
	if (c->curr == v)
		context_switch_out(c);
	return !READ_ONCE(v->is_running);
}

void vcpu_sleep_sync(struct vcpu *v)
{
	struct pcpu *c = this_cpu();

	vcpu_sleep(v);
	/* Called from the loop (tasklets, timers): this CPU's own vCPU is idle here. */
	if (c->curr == v)
		context_switch_out(c);
	while (READ_ONCE(v->is_running)) {
		/* Another CPU may wait for ours in turn: let ours go if it cannot run. */
		if (c->curr && !vcpu_runnable(c->curr))
			context_switch_out(c);
		arch_cpu_relax();
	}
}

void vcpu_yield(struct vcpu *v, bool hand_on)
{
	spin_lock(&sched_lock);
	if (v->sched_unit.dom)
		sched_yield(&sched, &v->sched_unit, hand_on);
	spin_unlock(&sched_lock);
	this_cpu()->need_resched = true;
}

static void do_schedule(struct pcpu *c, u64 now)
{
	struct sched_unit *u;
	struct vcpu *next;
	u64 slice;

	spin_lock(&sched_lock);
	u = sched_pick_next(&sched, c->id, now, &slice);
	if (u) {
		cpu_sched[c->id].picks++;
		cpu_sched[c->id].stolen += u->migrated;
		u->migrated = false;
	}
	spin_unlock(&sched_lock);
	c->need_resched = false;
	next = u ? unit_vcpu(u) : NULL;
	if (next != c->curr) {
		context_switch_out(c);
		if (next)
			context_switch_in(c, next);
	}
	if (next)
		timer_set(&cpu_sched[c->id].slice_timer, now + slice);
	else
		timer_stop(&cpu_sched[c->id].slice_timer);
}

void sched_report(void)
{
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		pr_info("sched: CPU%u: %llu picks (%llu stolen), %llu slices ended, idle %llu ms, %llu wake-ups\n",
			cpu, (unsigned long long)READ_ONCE(cpu_sched[cpu].picks),
			(unsigned long long)READ_ONCE(cpu_sched[cpu].stolen),
			(unsigned long long)READ_ONCE(cpu_sched[cpu].slices_ended),
			(unsigned long long)READ_ONCE(pcpus[cpu]->idle_ns) / 1000000,
			(unsigned long long)READ_ONCE(cpu_sched[cpu].wakeups));
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

	spin_lock(&tasklet_lock);
	if (!t->queued) {
		for (p = &tasklet_list; *p; p = &(*p)->next)
			;
		*p = t;
		t->next = NULL;
		t->queued = true;
	}
	spin_unlock(&tasklet_lock);
	kick_cpu(0);
}

/*
 * Tasklets run on the boot CPU, one at a time, in the order scheduled:
 * those queued when this pass began. One that schedules itself again (to
 * wait for something without spinning) runs on the next pass of the loop.
 * A tasklet stays marked queued until it is taken to run, so that a
 * tasklet_schedule() meanwhile leaves this pass's list alone.
 */
static void tasklets_run(void)
{
	struct tasklet *pass;

	spin_lock(&tasklet_lock);
	pass = tasklet_list;
	tasklet_list = NULL;
	spin_unlock(&tasklet_lock);
	while (pass) {
		struct tasklet *t;

		spin_lock(&tasklet_lock);
		t = pass;
		pass = t->next;
		t->next = NULL;
		ASSERT(t->queued);
		t->queued = false;
		spin_unlock(&tasklet_lock);
		t->fn(t->data);
	}
}

static bool tasklets_pending(void)
{
	return READ_ONCE(tasklet_list) != NULL;
}

bool hypercall_preempt_check(void)
{
	struct pcpu *c = this_cpu();

	/*
	 * Interrupts stay off in a hypercall: a kick IPI (a vCPU to wake, a
	 * pause or shutdown waiting for this one) shows as need_resched, set
	 * before the IPI is sent; a timer of this CPU by its deadline.
	 */
	return READ_ONCE(c->need_resched) ||
	       (c->curr && !vcpu_runnable(c->curr)) ||
	       (c->id == 0 && tasklets_pending()) ||
	       timers_next_deadline() <= now_ns();
}

/*
 * @v's timers fire where it runs: moved before each run from this loop. One
 * whose function is running on the CPU it left stays there until a later
 * run (timer_migrate()). One read each when it is here already.
 */
static void vcpu_timers_follow(struct vcpu *v, unsigned int cpu)
{
	timer_migrate(&v->singleshot_timer, cpu);
	timer_migrate(&v->periodic_timer, cpu);
	timer_migrate(&v->poll_timer, cpu);
}

void __noreturn schedule_loop(void)
{
	struct pcpu *c = this_cpu();

	for (;;) {
		u64 now = now_ns();

		timers_run(now);
		if (c->id == 0)
			tasklets_run();
		if (c->need_resched || !c->curr || !vcpu_runnable(c->curr))
			do_schedule(c, now);
		if (c->curr)
			vcpu_timers_follow(c->curr, c->id);
		arch_timer_program(timers_next_deadline());
		if (c->curr) {
			arch_vcpu_run(c->curr);
		} else if (!READ_ONCE(c->need_resched) &&
			   !(c->id == 0 && tasklets_pending())) {
			u64 idle_from = now_ns();

			arch_idle();
			c->idle_ns += now_ns() - idle_from;
			cpu_sched[c->id].wakeups++;
		}
	}
}
