/* The credit scheduling policy (see keel/sched_credit.h): queues, credit, caps, stealing. */
#include <keel/assert.h>
#include <keel/errno.h>
#include <keel/sched_credit.h>

enum { PRIO_IDLE = -1, PRIO_OVER, PRIO_UNDER, PRIO_BOOST };

#define unit_of(l) ((struct sched_unit *)((char *)(l) - offsetof(struct sched_unit, rq)))

static int prio(const struct sched_unit *u)
{
	if (u->starved || u->boosted)
		return PRIO_BOOST;
	return u->credit >= 0 ? PRIO_UNDER : PRIO_OVER;
}

static void link_before(struct sched_link *pos, struct sched_link *l)
{
	l->prev = pos->prev;
	l->next = pos;
	pos->prev->next = l;
	pos->prev = l;
}

static void link_del(struct sched_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->next = l->prev = l;
}

static struct sched_unit *runq_head(struct sched_cpu *c)
{
	return c->runq.next == &c->runq ? NULL : unit_of(c->runq.next);
}

/*
 * After the last unit of the same priority or better. A yielding unit goes
 * behind every unit of its priority or better but never behind a worse one:
 * a guest's OVER vCPUs queued on dom0's CPU must not collect the CPU that
 * dom0's backends yield to the guest they serve (Xen lets a yielder fall
 * behind one worse unit; keel does not). Only the unit the yielder signalled
 * may have it, for a short slice (yield_target()).
 */
/*
 * Does @u go before the queued @q? Higher priority first; FIFO within
 * boosted and UNDER units, but OVER units by least debt, so that a CPU with
 * only OVER units still shares it by weight rather than in equal turns.
 */
static bool runs_before(const struct sched_unit *u, const struct sched_unit *q)
{
	if (prio(q) != prio(u))
		return prio(q) < prio(u);
	return prio(u) == PRIO_OVER && q->credit < u->credit;
}

static void runq_insert(struct sched_cpu *c, struct sched_unit *u)
{
	struct sched_link *pos = &c->runq;

	for (pos = c->runq.next; pos != &c->runq; pos = pos->next)
		if (u->yielded ? prio(unit_of(pos)) < prio(u) : runs_before(u, unit_of(pos)))
			break;
	link_before(pos, &u->rq);
	u->queued = true;
	c->nr_queued++;
}

static void runq_remove(struct scheduler *s, struct sched_unit *u)
{
	if (!u->queued)
		return;
	link_del(&u->rq);
	u->queued = false;
	s->cpu[u->cpu].nr_queued--;
}


/* The CPU of @u's affinity with the fewest queued units (@u's own on a tie). */
static unsigned int allowed_cpu(const struct scheduler *s, const struct sched_unit *u)
{
	unsigned int best = u->cpu;

	if (!cpumask_test(&u->affinity, best))
		best = cpumask_first_and(&u->affinity, NULL);
	for (unsigned int i = 0; i < s->ncpus; i++)
		if (cpumask_test(&u->affinity, i) && s->cpu[i].nr_queued < s->cpu[best].nr_queued)
			best = i;
	return best;
}

/* Queue a runnable unit that is ready to run from @now on, inside its affinity. */
static void make_ready(struct scheduler *s, struct sched_unit *u, u64 now)
{
	if (!cpumask_test(&u->affinity, u->cpu)) {
		u->cpu = allowed_cpu(s, u);
		u->migrated = true;
		u->migrations++;
	}
	u->ready_since = now;
	runq_insert(&s->cpu[u->cpu], u);
}

static u64 cap_budget(const struct sched_dom *d)
{
	return SCHED_PERIOD_NS * d->cap / 100;
}

/* @c's current unit runs on @payer's credit from now (NULL: its own). */
static void set_payer(struct sched_cpu *c, struct sched_unit *payer)
{
	if (c->payer)
		c->payer->paying = false;
	c->payer = payer;
	if (payer)
		payer->paying = true;
}

static void set_idle(struct scheduler *s, unsigned int cpu)
{
	s->cpu[cpu].curr = NULL;
	s->cpu[cpu].woken = NULL;
	set_payer(&s->cpu[cpu], NULL);
	cpumask_set(&s->idle_mask, cpu);
}

int sched_init(struct scheduler *s, unsigned int ncpus, struct sched_cpu *cpus, u64 now)
{
	if (!ncpus || ncpus > SCHED_MAX_CPUS)
		return -EINVAL;
	s->ncpus = ncpus;
	s->cpu = cpus;
	s->ratelimit_ns = SCHED_RATELIMIT_NS;
	s->idle_mask = (cpumask_t){ 0 };
	s->last_tick = now;
	s->doms = NULL;
	for (unsigned int i = 0; i < ncpus; i++) {
		struct sched_cpu *c = &s->cpu[i];

		c->runq.next = c->runq.prev = &c->runq;
		c->nr_queued = 0;
		c->payer = NULL;
		c->charged_to = now;
		set_idle(s, i);
	}
	return 0;
}

void sched_add_dom(struct scheduler *s, struct sched_dom *d)
{
	d->weight = SCHED_DEFAULT_WEIGHT;
	d->cap = 0;
	d->used_ns = 0;
	d->capped = false;
	d->nr_units = 0;
	d->units = NULL;
	d->next = s->doms;
	s->doms = d;
}

int sched_remove_dom(struct scheduler *s, struct sched_dom *d)
{
	struct sched_dom **p;

	if (d->nr_units)
		return -EBUSY;
	for (p = &s->doms; *p; p = &(*p)->next) {
		if (*p == d) {
			*p = d->next;
			return 0;
		}
	}
	return -ENOENT;
}

int sched_set_params(struct scheduler *s, struct sched_dom *d, u32 weight, u32 cap)
{
	if (!weight || weight > SCHED_MAX_WEIGHT || cap > 100 * s->ncpus)
		return -EINVAL;
	d->weight = weight;
	d->cap = cap;
	return 0;
}

int sched_add_unit(struct scheduler *s, struct sched_unit *u, struct sched_dom *d,
		   unsigned int cpu)
{
	if (cpu >= s->ncpus)
		return -EINVAL;
	u->dom = d;
	u->state = SCHED_BLOCKED;
	u->credit = 0;
	u->cpu = cpu;
	u->queued = u->yielded = u->migrated = u->starved = u->boosted = false;
	u->hand_on = u->paying = false;
	u->gave_ns = u->got_ns = 0;
	u->rq.next = u->rq.prev = &u->rq;
	u->ready_since = 0;
	u->run_ns = u->tick_run_ns = 0;
	u->migrations = 0;
	cpumask_fill(&u->affinity, s->ncpus);
	u->dom_next = d->units;
	d->units = u;
	d->nr_units++;
	return 0;
}

int sched_remove_unit(struct scheduler *s, struct sched_unit *u, u64 now)
{
	struct sched_dom *d = u->dom;
	struct sched_unit **p;
	int was_on = -1;

	if (!d)
		return -1;
	/* Charge what ran up to now (@u's own run, any run @u paid for), then forget @u. */
	for (unsigned int i = 0; i < s->ncpus; i++) {
		struct sched_cpu *c = &s->cpu[i];

		if (c->curr == u || c->payer == u)
			sched_account(s, i, now);
		if (c->woken == u)
			c->woken = NULL;
		if (c->payer == u)
			set_payer(c, NULL);	/* its runner pays from now */
	}
	runq_remove(s, u);
	if (s->cpu[u->cpu].curr == u) {
		was_on = u->cpu;
		set_idle(s, u->cpu);
	}
	for (p = &d->units; *p; p = &(*p)->dom_next) {
		if (*p == u) {
			*p = u->dom_next;
			d->nr_units--;
			break;
		}
	}
	u->state = SCHED_BLOCKED;
	u->dom = NULL;
	return was_on;
}

/* @d reached its cap: take its waiting units off the queues until the next tick. */
static void park_dom(struct scheduler *s, struct sched_dom *d)
{
	d->capped = true;
	for (struct sched_unit *u = d->units; u; u = u->dom_next)
		runq_remove(s, u);
}

void sched_account(struct scheduler *s, unsigned int cpu, u64 now)
{
	struct sched_cpu *c = &s->cpu[cpu];
	struct sched_unit *u = c->curr;
	u64 ran;

	if (now <= c->charged_to)
		return;
	ran = now - c->charged_to;
	c->charged_to = now;
	if (!u)
		return;
	if (c->payer) {
		c->payer->credit -= (s64)ran;
		c->payer->gave_ns += ran;
		u->got_ns += ran;
	} else {
		u->credit -= (s64)ran;
	}
	u->run_ns += ran;
	u->dom->used_ns += ran;
	if (u->dom->cap && !u->dom->capped && u->dom->used_ns >= cap_budget(u->dom))
		park_dom(s, u->dom);
}

/* Which CPU should look at the newly queued @u: see sched_wake(). */
static int tickle(struct scheduler *s, struct sched_unit *u, u64 now)
{
	struct sched_cpu *c = &s->cpu[u->cpu];
	int cpu = -1;

	sched_account(s, u->cpu, now);
	/* As Xen: an idle CPU rather than preempting what runs. */
	if (!c->curr)
		cpu = u->cpu;
	else if ((cpu = cpumask_first_and(&s->idle_mask, &u->affinity)) < 0 &&
		 prio(u) > prio(c->curr))
		cpu = u->cpu;
	if (cpu >= 0)
		cpumask_clear(&s->idle_mask, cpu);
	return cpu;
}

int sched_wake(struct scheduler *s, struct sched_unit *u, u64 now)
{
	if (u->state != SCHED_BLOCKED || !u->dom)
		return -1;
	if (s->cpu[u->cpu].curr == u) {
		/* Blocked and woken before its CPU rescheduled: it goes on. */
		u->state = SCHED_RUNNING;
		return -1;
	}
	u->state = SCHED_RUNNABLE;
	if (u->dom->capped)
		return -1;
	/* Xen's BOOST: a waker with credit left runs ahead of UNDER and OVER units. */
	u->boosted = u->credit >= 0;
	make_ready(s, u, now);
	return tickle(s, u, now);
}

int sched_set_affinity(struct scheduler *s, struct sched_unit *u, const cpumask_t *mask,
		       u64 now)
{
	cpumask_t m;

	cpumask_fill(&m, s->ncpus);
	if (!cpumask_and(&m, mask))
		return -EINVAL;
	u->affinity = m;
	if (cpumask_test(&m, u->cpu) || !u->dom)
		return -1;
	/* Running, or blocked but its CPU has not switched it out yet: that CPU requeues it. */
	if (u->state == SCHED_RUNNING || s->cpu[u->cpu].curr == u)
		return u->cpu;	/* requeued inside @mask when its CPU picks next */
	if (!u->queued) {	/* blocked or parked: placed when it is queued */
		u->cpu = allowed_cpu(s, u);
		return -1;
	}
	runq_remove(s, u);
	make_ready(s, u, now);
	return tickle(s, u, now);
}

void sched_block(struct scheduler *s, struct sched_unit *u, u64 now)
{
	if (u->state == SCHED_BLOCKED)
		return;
	if (u->state == SCHED_RUNNING)
		sched_account(s, u->cpu, now);
	runq_remove(s, u);
	u->state = SCHED_BLOCKED;
	u->starved = u->boosted = false;
}

void sched_yield(struct scheduler *s, struct sched_unit *u, bool hand_on)
{
	if (u->state == SCHED_RUNNING) {
		u->yielded = true;
		u->hand_on = hand_on;
	}
}

/* Ran on its own credit since the last tick (sched_account charged it), in ns. */
static u64 ran_since_tick(const struct sched_unit *u)
{
	return u->run_ns - u->tick_run_ns - u->got_ns;
}

void sched_signalled(struct scheduler *s, unsigned int cpu, struct sched_unit *u)
{
	struct sched_cpu *c = &s->cpu[cpu];

	if (c->curr && c->curr != u && u->dom)
		c->woken = u;
}

/*
 * What @yielder, requeued on @c, hands its CPU to, and for how long at most
 * (*@most): the unit it signalled, if that waits there and nothing of
 * @yielder's priority or better does (the yield would come straight back),
 * while @yielder pays nowhere else and has given less than its bound since
 * the tick; else NULL.
 */
static struct sched_unit *yield_target(struct sched_cpu *c, unsigned int cpu,
				       const struct sched_unit *yielder, u64 *most)
{
	struct sched_unit *t = c->woken;
	u64 may = SCHED_GIFT_FACTOR * ran_since_tick(yielder);

	if (!t || runq_head(c) != yielder || !t->queued || t->cpu != cpu ||
	    yielder->paying || may <= yielder->gave_ns || yielder->credit <= 0)
		return NULL;
	*most = MIN(MIN(may - yielder->gave_ns, (u64)yielder->credit), SCHED_MIN_SLICE_NS);
	return t;
}

/* @peer's first waiting unit better than @than that may run on @cpu, or NULL. */
static struct sched_unit *first_for(struct sched_cpu *peer, unsigned int cpu, int than)
{
	for (struct sched_link *l = peer->runq.next; l != &peer->runq; l = l->next) {
		struct sched_unit *u = unit_of(l);

		if (prio(u) <= than)
			break;		/* the queue is sorted: no better one follows */
		if (cpumask_test(&u->affinity, cpu))
			return u;
	}
	return NULL;
}

/* The busiest other CPU's first waiting unit better than @than, moved to @cpu. */
static struct sched_unit *steal(struct scheduler *s, unsigned int cpu, int than)
{
	struct sched_unit *best = NULL, *u;
	unsigned int most = 0;

	for (unsigned int i = 0; i < s->ncpus; i++) {
		struct sched_cpu *peer = &s->cpu[i];

		if (i == cpu || peer->nr_queued <= most)
			continue;
		u = first_for(peer, cpu, than);
		if (u) {
			best = u;
			most = peer->nr_queued;
		}
	}
	if (!best)
		return NULL;
	runq_remove(s, best);
	best->cpu = cpu;
	best->migrated = true;
	best->migrations++;
	return best;
}

static u64 slice_for(const struct sched_unit *u)
{
	const struct sched_dom *d = u->dom;
	u64 slice = SCHED_SLICE_NS;

	if (u->starved)
		slice = SCHED_MIN_SLICE_NS;
	else if (u->credit >= 0)
		slice = MAX(MIN((u64)u->credit, SCHED_SLICE_NS), SCHED_MIN_SLICE_NS);
	if (d->cap)
		slice = MIN(slice, cap_budget(d) - d->used_ns);
	return slice;
}

struct sched_unit *sched_pick_next(struct scheduler *s, unsigned int cpu, u64 now,
				   u64 *slice_ns)
{
	struct sched_cpu *c = &s->cpu[cpu];
	struct sched_unit *prev = c->curr, *next, *given = NULL;
	u64 most = 0;

	sched_account(s, cpu, now);
	/*
	 * Ratelimit: what runs keeps the CPU a while, unless it yields, stops or is pinned away;
	 * a given unit not at all, a starved one no longer than its short slice.
	 */
	if (prev && prev->state == SCHED_RUNNING && !prev->yielded && !prev->dom->capped &&
	    cpumask_test(&prev->affinity, cpu) &&
	    now < c->picked_at + MIN(s->ratelimit_ns, c->keep_ns)) {
		*slice_ns = c->picked_at + MIN(s->ratelimit_ns, c->keep_ns) - now;
		return prev;
	}
	if (prev) {
		prev->boosted = false;	/* it had its run */
		if (prev->state == SCHED_RUNNING) {
			prev->state = SCHED_RUNNABLE;
			if (!prev->dom->capped)
				make_ready(s, prev, now);
		}
		if (prev->yielded && prev->hand_on)
			given = yield_target(c, cpu, prev, &most);
		prev->yielded = prev->hand_on = false;
	}
	c->woken = NULL;
	set_payer(c, given ? prev : NULL);
	next = given ? given : runq_head(c);
	if (!given && (!next || prio(next) < PRIO_UNDER)) {
		struct sched_unit *stolen = steal(s, cpu, next ? prio(next) : PRIO_IDLE);

		if (stolen)
			next = stolen;
	}
	if (!next) {
		set_idle(s, cpu);
		*slice_ns = 0;
		return NULL;
	}
	runq_remove(s, next);
	next->state = SCHED_RUNNING;
	c->curr = next;
	c->picked_at = now;
	cpumask_clear(&s->idle_mask, cpu);
	*slice_ns = slice_for(next);
	if (given)
		*slice_ns = MIN(*slice_ns, most);
	c->keep_ns = given ? 0 : next->starved ? *slice_ns : ~0ULL;
	next->starved = false;
	return next;
}

/* Shares in @refunds' pass: runnable units, and blocked ones that ran since the tick. */
static bool counted(const struct sched_unit *u, bool refunds)
{
	return u->state != SCHED_BLOCKED || (refunds && ran_since_tick(u));
}

/*
 * @budget by weight between the domains with a counted unit, each domain's share split
 * evenly between those units; what was given. With @refunds, blocked units that ran since
 * the tick count too and get back what they ran, up to their part, and runnable units take
 * their part whole, so each domain's share is spent once; without, what is left goes to the
 * runnable units alone.
 */
static u64 share_pass(struct scheduler *s, u64 elapsed, u64 budget, bool refunds)
{
	u64 total = 0, given = 0;
	struct sched_dom *d;
	struct sched_unit *u;

	for (d = s->doms; d; d = d->next)
		for (u = d->units; u; u = u->dom_next)
			if (counted(u, refunds)) {
				total += d->weight;
				break;
			}
	if (!total)
		return 0;
	for (d = s->doms; d; d = d->next) {
		unsigned int n = 0;
		u64 share;
		s64 each, c;

		for (u = d->units; u; u = u->dom_next)
			n += counted(u, refunds);
		if (!n)
			continue;
		share = budget * d->weight / total;
		if (d->cap)	/* no credit it may not use: as Xen does */
			share = MIN(share, elapsed * d->cap / 100);
		each = (s64)(share / n);
		for (u = d->units; u; u = u->dom_next) {
			if (!counted(u, refunds))
				continue;
			/* A runnable unit takes its part here: its domain's share is spent once. */
			c = u->state == SCHED_BLOCKED ? MIN(each, (s64)ran_since_tick(u)) : each;
			given += (u64)c;
			u->credit = MIN(u->credit + c, (s64)SCHED_PERIOD_NS);
			u->credit = MAX(u->credit, -(s64)SCHED_MAX_DEBT_NS);
		}
	}
	return given;
}

/*
 * Share out @elapsed ns of all CPUs between the active domains by weight. A vCPU that runs
 * in bursts and blocks between them (a guest answering requests) is blocked at most ticks:
 * counted only when runnable it paid for every burst and earned nothing, sank into debt
 * and, woken in debt, was not boosted. So first each unit blocked now that ran since the
 * last tick gets back what it ran, up to its part of its domain's share, as the runnable
 * units get theirs; then what the blocked ones did not use goes to the runnable units (as
 * Xen's active list keeps a vCPU that uses its credit and drops one that does not).
 */
static void share_credit(struct scheduler *s, u64 elapsed)
{
	u64 budget = elapsed * s->ncpus, given = share_pass(s, elapsed, budget, true);

	ASSERT(given <= budget);
	share_pass(s, elapsed, budget - given, false);
}

/* A new period for caps: carry any overrun, and queue units of domains let off. */
static void renew_caps(struct scheduler *s, u64 now)
{
	for (struct sched_dom *d = s->doms; d; d = d->next) {
		bool was_capped = d->capped;
		u64 budget = cap_budget(d);

		d->used_ns = d->used_ns > budget ? d->used_ns - budget : 0;
		d->capped = d->cap && d->used_ns >= budget;
		if (!was_capped || d->capped)
			continue;
		for (struct sched_unit *u = d->units; u; u = u->dom_next)
			if (u->state == SCHED_RUNNABLE && !u->queued)
				make_ready(s, u, now);
	}
}

/* Re-sort @c's queue after credit changed, boosting units starved for too long. */
static void requeue_cpu(struct sched_cpu *c, u64 now)
{
	struct sched_link old = c->runq, *l, *next;

	if (!c->nr_queued)
		return;
	old.next->prev = old.prev->next = &old;
	c->runq.next = c->runq.prev = &c->runq;
	c->nr_queued = 0;
	for (l = old.next; l != &old; l = next) {
		struct sched_unit *u = unit_of(l);

		next = l->next;
		if (now >= u->ready_since + SCHED_STARVE_NS)
			u->starved = true;
		runq_insert(c, u);
	}
}

void sched_tick(struct scheduler *s, u64 now, cpumask_t *kick)
{
	u64 elapsed = now > s->last_tick ? now - s->last_tick : 0;
	bool waiting = false;
	unsigned int i;

	*kick = (cpumask_t){ 0 };
	s->last_tick = now;
	for (i = 0; i < s->ncpus; i++)
		sched_account(s, i, now);
	share_credit(s, MIN(elapsed, 2 * SCHED_PERIOD_NS));
	for (struct sched_dom *d = s->doms; d; d = d->next) {
		for (struct sched_unit *u = d->units; u; u = u->dom_next) {
			u->tick_run_ns = u->run_ns;
			u->gave_ns = u->got_ns = 0;
		}
	}
	renew_caps(s, now);
	for (i = 0; i < s->ncpus; i++) {
		struct sched_cpu *c = &s->cpu[i];
		struct sched_unit *head;

		requeue_cpu(c, now);
		head = runq_head(c);
		waiting |= head != NULL;
		if (!c->curr)
			continue;
		if ((head && prio(head) > prio(c->curr)) || c->curr->dom->capped)
			cpumask_set(kick, i);
	}
	/* Idle CPUs with work waiting anywhere come and take it. */
	if (waiting)
		cpumask_or(kick, &s->idle_mask);
	cpumask_andnot(&s->idle_mask, kick);
}
