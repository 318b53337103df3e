/* Software timers: a deadline-ordered list per CPU; the earliest arms that CPU's hardware timer. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/percpu.h>
#include <keel/timer.h>

void timer_init(struct timer *t, void (*fn)(void *data), void *data)
{
	t->fn = fn;
	t->data = data;
	t->next = NULL;
	t->active = false;
	t->killed = false;
	t->running = 0;
	t->expires = TIMER_NONE;
	t->cpu = smp_processor_id();
}

/* Lock the list @t is on; @t may move while we wait, so check again. */
static struct pcpu *lock_timer_cpu(struct timer *t)
{
	for (;;) {
		struct pcpu *c = pcpus[READ_ONCE(t->cpu)];

		spin_lock(&c->timer_lock);
		if (c->id == t->cpu)
			return c;
		spin_unlock(&c->timer_lock);
	}
}

static void unlink_timer(struct pcpu *c, struct timer *t)
{
	for (struct timer **p = &c->timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->active = false;
	t->next = NULL;
}

/* Insert @t in @c's list; true when it became the earliest. */
static bool link_timer(struct pcpu *c, struct timer *t)
{
	struct timer **p;

	for (p = &c->timers; *p && (*p)->expires <= t->expires; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	t->active = true;
	return c->timers == t;
}

/* A new earliest deadline must reach @c's hardware timer, even while a guest runs. */
static void deadline_changed(struct pcpu *c, u64 expires)
{
	if (c == this_cpu())
		arch_timer_program(expires);
	else
		arch_send_ipi(c->id);
}

/*
 * Another CPU may be in the middle of calling @t's function (the timer may
 * have moved to another list since): wait for it, unless it is this CPU,
 * which then is inside that function.
 */
static void wait_not_running(struct timer *t)
{
	unsigned int running, self = smp_processor_id() + 1;

	while ((running = READ_ONCE(t->running)) && running != self)
		arch_cpu_relax();
}

void timer_stop(struct timer *t)
{
	struct pcpu *c = lock_timer_cpu(t);

	if (t->active)
		unlink_timer(c, t);
	spin_unlock(&c->timer_lock);
	wait_not_running(t);
}

void kill_timer(struct timer *t)
{
	struct pcpu *c;

	/* It would wait for itself, and its caller would free it under it. */
	ASSERT(READ_ONCE(t->running) != smp_processor_id() + 1);
	c = lock_timer_cpu(t);
	if (t->active)
		unlink_timer(c, t);
	t->killed = true;
	spin_unlock(&c->timer_lock);
	/* Its function may still run elsewhere; any timer_set() it makes is ignored. */
	wait_not_running(t);
	ASSERT(!t->active);
}

void timer_set(struct timer *t, u64 expires)
{
	struct pcpu *c = lock_timer_cpu(t);
	bool earliest;

	if (t->killed) {
		spin_unlock(&c->timer_lock);
		return;
	}
	if (t->active)
		unlink_timer(c, t);
	t->expires = expires;
	earliest = link_timer(c, t);
	spin_unlock(&c->timer_lock);
	if (earliest)
		deadline_changed(c, expires);
}

void timer_migrate(struct timer *t, unsigned int cpu)
{
	struct pcpu *to = pcpus[cpu], *c, *first, *second;
	bool earliest = false;

	/* Both lists locked, lower CPU first, with @t still on the old one. */
	for (;;) {
		c = pcpus[READ_ONCE(t->cpu)];
		if (c == to)
			return;
		first = c->id < to->id ? c : to;
		second = first == c ? to : c;
		spin_lock(&first->timer_lock);
		spin_lock(&second->timer_lock);
		if (c->id == t->cpu)
			break;
		spin_unlock(&second->timer_lock);
		spin_unlock(&first->timer_lock);
	}
	/*
	 * Its function running on its CPU (a run starts only under that CPU's
	 * lock, held here): moved now and armed again, it could fire here
	 * while that run goes on, and the first of the two to end would tell
	 * kill_timer() that none runs while the other still does.
	 */
	if (t->killed || READ_ONCE(t->running)) {
		spin_unlock(&second->timer_lock);
		spin_unlock(&first->timer_lock);
		return;
	}
	WRITE_ONCE(t->cpu, cpu);
	if (t->active) {
		unlink_timer(c, t);
		earliest = link_timer(to, t);
	}
	spin_unlock(&second->timer_lock);
	spin_unlock(&first->timer_lock);
	if (earliest)
		deadline_changed(to, t->expires);
}

void timers_run(u64 now)
{
	struct pcpu *c = this_cpu();

	spin_lock(&c->timer_lock);
	while (c->timers && c->timers->expires <= now) {
		struct timer *t = c->timers;

		c->timers = t->next;
		t->next = NULL;
		t->active = false;
		ASSERT(!READ_ONCE(t->running));	/* its one run at a time: timer_migrate() */
		WRITE_ONCE(t->running, c->id + 1);
		spin_unlock(&c->timer_lock);
		t->fn(t->data);
		/* The last touch: kill_timer() may let its memory go at once. */
		smp_mb();
		WRITE_ONCE(t->running, 0);
		spin_lock(&c->timer_lock);
	}
	spin_unlock(&c->timer_lock);
}

u64 timers_next_deadline(void)
{
	struct pcpu *c = this_cpu();
	u64 deadline;

	spin_lock(&c->timer_lock);
	deadline = c->timers ? c->timers->expires : TIMER_NONE;
	spin_unlock(&c->timer_lock);
	return deadline;
}
