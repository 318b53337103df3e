/* Host tests of the credit scheduler on a simulated machine: weights, caps, wake-ups, stealing. */
#include <string.h>
#include <keel/errno.h>
#include <keel/sched_credit.h>
#include "host.h"

#define MS(x) ((u64)(x) * 1000000ULL)
#define SEC(x) ((u64)(x) * 1000000000ULL)
#define NEVER (~0ULL)
#define MAX_UNITS 384

/*
 * The simulated machine: a fake clock, a tick every period, and each CPU
 * rescheduling when its slice ends or when the policy says to kick it.
 * What each unit ran is measured here, independently of the policy.
 */
static struct scheduler s;
static struct sched_cpu cpus[SCHED_MAX_CPUS];
static struct sched_dom doms[MAX_UNITS];
static struct sched_unit units[MAX_UNITS];
static u64 now, next_tick;
static struct sched_unit *running[SCHED_MAX_CPUS];
static u64 slice_end[SCHED_MAX_CPUS];
static u64 ran[MAX_UNITS];
static u64 last_seen[MAX_UNITS], max_gap[MAX_UNITS];
static cpumask_t ran_on[MAX_UNITS];	/* the CPUs each unit was seen running on */
static u64 busy;			/* CPU time spent running any unit */
static u64 gave[MAX_UNITS];		/* CPU time others ran at each unit's expense (a yield) */
static u64 jitter;			/* slices overrun and ticks come late by up to this */
static u64 seed;

static u64 late(void)
{
	if (!jitter)
		return 0;
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (seed >> 33) % jitter;
}

static unsigned int idx(const struct sched_unit *u)
{
	return u - units;
}

static void sim_start(unsigned int ncpus)
{
	memset(&s, 0, sizeof(s));
	memset(doms, 0, sizeof(doms));
	memset(units, 0, sizeof(units));
	memset(ran, 0, sizeof(ran));
	memset(gave, 0, sizeof(gave));
	memset(last_seen, 0, sizeof(last_seen));
	memset(max_gap, 0, sizeof(max_gap));
	memset(ran_on, 0, sizeof(ran_on));
	memset(running, 0, sizeof(running));
	for (unsigned int i = 0; i < SCHED_MAX_CPUS; i++)
		slice_end[i] = NEVER;
	now = 0;
	busy = 0;
	jitter = 0;
	seed = 1;
	next_tick = SCHED_PERIOD_NS;
	assert_int_equal(sched_init(&s, ncpus, cpus, 0), 0);
}

/* CPUs 0-63 as a mask (bit n: CPU n). */
static cpumask_t low_mask(u64 bits)
{
	return (cpumask_t){ { bits } };
}

static int set_affinity(struct sched_unit *u, u64 bits)
{
	cpumask_t m = low_mask(bits);

	return sched_set_affinity(&s, u, &m, now);
}

/* sched_tick()'s CPUs to kick, those below 64 as bits. */
static u64 tick_low(u64 at)
{
	cpumask_t kick;

	sched_tick(&s, at, &kick);
	return kick.w[0];
}

static void resched(unsigned int cpu)
{
	struct sched_unit *u;
	u64 slice;

	u = sched_pick_next(&s, cpu, now, &slice);
	running[cpu] = u;
	if (!u) {
		assert_int_equal(slice, 0);
		slice_end[cpu] = NEVER;
		return;
	}
	assert_int_equal(u->cpu, cpu);
	assert_int_equal(u->state, SCHED_RUNNING);
	assert_true(cpumask_test(&u->affinity, cpu));	/* never outside its hard affinity */
	cpumask_set(&ran_on[idx(u)], cpu);
	assert_true(slice > 0 && slice <= SCHED_SLICE_NS);
	u->migrated = false;		/* what the arch does after moving the VMCS */
	if (now - last_seen[idx(u)] > max_gap[idx(u)])
		max_gap[idx(u)] = now - last_seen[idx(u)];
	slice_end[cpu] = now + slice + late();
}

static void kick(int cpu)
{
	if (cpu >= 0)
		resched(cpu);
}

static void kick_mask(const cpumask_t *mask)
{
	for (unsigned int i = 0; i < s.ncpus; i++)
		if (cpumask_test(mask, i))
			resched(i);
}

/* What must hold between calls: queues, states, the idle mask and credit bounds. */
static void check_invariants(void)
{
	for (unsigned int i = 0; i < s.ncpus; i++) {
		struct sched_cpu *c = &s.cpu[i];
		unsigned int n = 0;

		for (struct sched_link *l = c->runq.next; l != &c->runq; l = l->next) {
			struct sched_unit *u = (struct sched_unit *)((char *)l -
						offsetof(struct sched_unit, rq));

			assert_true(u->queued);
			assert_int_equal(u->cpu, i);
			assert_true(cpumask_test(&u->affinity, i));
			assert_int_equal(u->state, SCHED_RUNNABLE);
			assert_false(u->dom->capped);
			n++;
		}
		assert_int_equal(n, c->nr_queued);
		if (c->curr)
			assert_false(cpumask_test(&s.idle_mask, i));
	}
	for (unsigned int i = 0; i < MAX_UNITS; i++) {
		if (!units[i].dom)
			continue;
		assert_true(units[i].credit <= (s64)SCHED_PERIOD_NS);
		/* Floored at the tick, then it may run for the whole period. */
		assert_true(units[i].credit >= -(s64)(SCHED_MAX_DEBT_NS + SCHED_PERIOD_NS +
						      SCHED_SLICE_NS));
	}
}

static void run_until(u64 until)
{
	while (now < until) {
		u64 next = MIN(until, next_tick);
		unsigned int i;

		for (i = 0; i < s.ncpus; i++)
			next = MIN(next, slice_end[i]);
		for (i = 0; i < s.ncpus; i++) {
			if (!running[i])
				continue;
			ran[idx(running[i])] += next - now;
			if (s.cpu[i].payer)
				gave[idx(s.cpu[i].payer)] += next - now;
			last_seen[idx(running[i])] = next;
			busy += next - now;
		}
		now = next;
		if (now == next_tick) {
			cpumask_t kick;

			sched_tick(&s, now, &kick);
			kick_mask(&kick);
			check_invariants();
			next_tick += SCHED_PERIOD_NS - late() / 2 + late();
		}
		for (i = 0; i < s.ncpus; i++)
			if (slice_end[i] <= now)
				resched(i);
	}
}

/* Domain @i with one unit on @cpu, woken now; weight 0 keeps the default. */
static struct sched_unit *add(unsigned int i, u32 weight, u32 cap, unsigned int cpu)
{
	sched_add_dom(&s, &doms[i]);
	if (weight)
		assert_int_equal(sched_set_params(&s, &doms[i], weight, cap), 0);
	assert_int_equal(sched_add_unit(&s, &units[i], &doms[i], cpu), 0);
	last_seen[i] = now;
	kick(sched_wake(&s, &units[i], now));
	return &units[i];
}

/* Domain @i with one unit on CPU 0, left blocked. */
static struct sched_unit *add_blocked(unsigned int i)
{
	sched_add_dom(&s, &doms[i]);
	assert_int_equal(sched_add_unit(&s, &units[i], &doms[i], 0), 0);
	return &units[i];
}

/* Runs until @u has had @t more of the CPU (others run meanwhile if it is not running). */
static void run_for(struct sched_unit *u, u64 t)
{
	u64 start = ran[idx(u)];

	while (ran[idx(u)] - start < t)
		run_until(now + MIN(t - (ran[idx(u)] - start), (u64)MS(1) / 100) + 1);
}

static void block(struct sched_unit *u)
{
	sched_block(&s, u, now);
	if (running[u->cpu] == u)
		resched(u->cpu);
}

static void assert_within(u64 got, u64 want, unsigned int percent)
{
	u64 tol = want * percent / 100;

	if (got + tol < want || got > want + tol)
		fail_msg("got %llu ns, want %llu +- %u%%", (unsigned long long)got,
			 (unsigned long long)want, percent);
}

/* The policy charged exactly what the simulator saw run. */
static void assert_accounting(unsigned int n)
{
	for (unsigned int i = 0; i < s.ncpus; i++)
		sched_account(&s, i, now);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(units[i].run_ns, ran[i]);
}

static void test_weights_1_1_2_4_on_two_cpus(void **state)
{
	static const u32 w[] = { 100, 100, 200, 400 };

	(void)state;
	sim_start(2);
	for (unsigned int i = 0; i < 4; i++)
		add(i, w[i], 0, i % 2);
	run_until(SEC(10));
	assert_int_equal(busy, SEC(20));
	for (unsigned int i = 0; i < 4; i++)
		assert_within(ran[i], SEC(20) * w[i] / 800, 10);
	assert_accounting(4);
}

/* The emulator test's shape: four domains 1:2:3:4 for two seconds, one or two CPUs. */
static void weights_1_2_3_4(unsigned int ncpus)
{
	static const u32 w[] = { 100, 200, 300, 400 };

	sim_start(ncpus);
	jitter = MS(1);
	/* Placed as keel places domains 1-4: by domain id round the CPUs. */
	for (unsigned int i = 0; i < 4; i++)
		add(i, w[i], 0, (i + 1) % ncpus);
	run_until(SEC(2));
	for (unsigned int i = 0; i < 4; i++)
		assert_within(ran[i], busy * w[i] / 1000, 10);
	assert_accounting(4);
}

static void test_weights_1_2_3_4_one_cpu(void **state)
{
	(void)state;
	weights_1_2_3_4(1);
}

static void test_weights_1_2_3_4_two_cpus(void **state)
{
	(void)state;
	weights_1_2_3_4(2);
}

/*
 * As in the emulator test, a dom0 that wakes now and then for a moment
 * (it polls, then pauses the spinners) beside them: the four still share
 * what they get by weight, and every partial slice is charged exactly.
 */
static void test_weights_beside_waking_dom0(void **state)
{
	static const u32 w[] = { 100, 200, 300, 400 };
	struct sched_unit *d0;
	u64 spun = 0;

	(void)state;
	sim_start(2);
	jitter = MS(1);
	d0 = add_blocked(4);
	for (unsigned int i = 0; i < 4; i++)
		add(i, w[i], 0, (i + 1) % 2);
	for (u64 t = MS(7); t < SEC(2); t += MS(53)) {
		run_until(t);
		kick(sched_wake(&s, d0, now));
		run_until(t + MS(1) / 2);
		sched_block(&s, d0, now);
		if (running[d0->cpu] == d0)
			resched(d0->cpu);
	}
	run_until(SEC(2));
	for (unsigned int i = 0; i < 4; i++)
		spun += ran[i];
	for (unsigned int i = 0; i < 4; i++)
		assert_within(ran[i], spun * w[i] / 1000, 10);
	assert_true(ran[4] > 0);
	assert_accounting(5);
}

/* The same with timing as on hardware: slices overrun and ticks come late. */
static void test_weights_with_jitter(void **state)
{
	static const u32 w[] = { 1024, 512, 256, 256 };

	(void)state;
	sim_start(2);
	jitter = MS(2);
	for (unsigned int i = 0; i < 4; i++)
		add(i, w[i], 0, 1);
	run_until(SEC(10));
	assert_int_equal(busy, SEC(20));
	for (unsigned int i = 0; i < 4; i++)
		assert_within(ran[i], SEC(20) * w[i] / 2048, 10);
	assert_accounting(4);
}

/* A weight is the domain's, however many vCPUs share it. */
static void test_weight_is_per_domain(void **state)
{
	(void)state;
	sim_start(2);
	sched_add_dom(&s, &doms[0]);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(sched_add_unit(&s, &units[i], &doms[0], i % 2), 0);
		kick(sched_wake(&s, &units[i], now));
	}
	add(3, 0, 0, 0);
	run_until(SEC(10));
	assert_within(ran[0] + ran[1] + ran[2], SEC(10), 10);
	assert_within(ran[3], SEC(10), 10);
}

static void test_equal_weights_three_on_two(void **state)
{
	(void)state;
	sim_start(2);
	for (unsigned int i = 0; i < 3; i++)
		add(i, 0, 0, i % 2);
	run_until(SEC(10));
	assert_int_equal(busy, SEC(20));
	for (unsigned int i = 0; i < 3; i++)
		assert_within(ran[i], SEC(20) / 3, 10);
	assert_accounting(3);
}

static void test_cap_alone_idles_the_rest(void **state)
{
	(void)state;
	sim_start(1);
	add(0, 256, 25, 0);
	run_until(SEC(10));
	assert_true(ran[0] <= SEC(10) / 4 + SCHED_SLICE_NS);
	assert_within(ran[0], SEC(10) / 4, 2);
	assert_int_equal(busy, ran[0]);		/* the CPU idled the rest */
}

static void test_cap_next_to_uncapped(void **state)
{
	(void)state;
	sim_start(1);
	add(0, 256, 25, 0);
	add(1, 256, 0, 0);
	run_until(SEC(10));
	assert_true(ran[0] <= SEC(10) / 4 + SCHED_SLICE_NS);
	assert_within(ran[0], SEC(10) / 4, 5);
	assert_int_equal(ran[1], SEC(10) - ran[0]);
}

/* A cap bounds the domain's units together, on every CPU. */
static void test_cap_two_vcpus_two_cpus(void **state)
{
	(void)state;
	sim_start(2);
	sched_add_dom(&s, &doms[0]);
	assert_int_equal(sched_set_params(&s, &doms[0], 256, 50), 0);
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(sched_add_unit(&s, &units[i], &doms[0], i), 0);
		kick(sched_wake(&s, &units[i], now));
	}
	add(2, 256, 0, 0);
	run_until(SEC(10));
	assert_true(ran[0] + ran[1] <= SEC(10) / 2 + 2 * SCHED_SLICE_NS);
	assert_within(ran[2], SEC(10), 5);
}

/* Weight 1 among @heavy units of the largest weight on @ncpus CPUs. */
static void starve(unsigned int ncpus, unsigned int heavy)
{
	u64 light;

	sim_start(ncpus);
	for (unsigned int i = 0; i < heavy; i++)
		add(i, SCHED_MAX_WEIGHT, 0, i % ncpus);
	add(heavy, 1, 0, 0);
	run_until(SEC(10));
	light = ran[heavy];
	assert_true(light > 0);
	/* It runs every few periods... */
	assert_true(max_gap[heavy] <= SCHED_STARVE_NS + SCHED_PERIOD_NS + SCHED_SLICE_NS);
	/* ...without taking more than a sliver of the machine. */
	assert_true(light < SEC(10) * ncpus / 50);
	for (unsigned int i = 0; i < heavy; i++)
		assert_within(ran[i], (SEC(10) * ncpus - light) / heavy, 10);
}

static void test_no_starvation(void **state)
{
	(void)state;
	starve(1, 2);
	starve(2, 4);
	starve(3, 5);		/* uneven queues: here the boost is what lets it in */
}

static void test_blocked_unit_gets_nothing(void **state)
{
	u64 before;

	(void)state;
	sim_start(2);
	for (unsigned int i = 0; i < 3; i++)
		add(i, 0, 0, i % 2);
	run_until(SEC(1));
	sched_block(&s, &units[0], now);
	if (running[units[0].cpu] == &units[0])
		resched(units[0].cpu);
	before = ran[0];
	run_until(SEC(3));
	assert_int_equal(ran[0], before);
	assert_within(ran[1], SEC(1) * 2 / 3 + SEC(2), 5);
	assert_within(ran[2], SEC(1) * 2 / 3 + SEC(2), 5);
}

static void test_wake_preempts_over_unit(void **state)
{
	struct sched_unit *x, *y;

	(void)state;
	sim_start(1);
	x = add(0, 0, 0, 0);
	y = add_blocked(1);
	run_until(SEC(1) + MS(15));		/* x alone, mid-period: it ran past its credit */
	sched_account(&s, 0, now);
	assert_true(x->credit < 0);
	assert_int_equal(y->credit, 0);
	assert_int_equal(sched_wake(&s, y, now), 0);
	resched(0);
	assert_ptr_equal(running[0], y);
}

/* A unit the tick gives credit preempts an OVER one. */
static void test_tick_preempts_over_unit(void **state)
{
	struct sched_unit *a, *b;

	(void)state;
	sim_start(1);
	a = add(0, 0, 0, 0);
	b = add_blocked(1);
	b->credit = -(s64)MS(5);
	run_until(MS(29));
	assert_ptr_equal(running[0], a);
	assert_int_equal(sched_wake(&s, b, now), -1);	/* OVER behind OVER */
	assert_int_equal(tick_low(now), BIT(0));
	assert_true(b->credit >= 0);
	resched(0);
	assert_ptr_equal(running[0], b);
}

static void test_wake_returns_idle_cpu(void **state)
{
	struct sched_unit *x, *y;

	(void)state;
	sim_start(2);
	x = add(0, 0, 0, 0);
	y = add_blocked(1);
	run_until(SEC(1));			/* at a tick: x has credit again */
	assert_ptr_equal(running[0], x);
	assert_true(x->credit >= 0);
	assert_null(running[1]);
	assert_int_equal(sched_wake(&s, y, now), 1);
	resched(1);				/* the idle CPU steals it */
	assert_ptr_equal(running[1], y);
	assert_int_equal(y->cpu, 1);
	assert_int_equal(y->migrations, 1);
	assert_int_equal(sched_wake(&s, y, now), -1);	/* already running */
}

static void test_wake_before_resched_keeps_running(void **state)
{
	struct sched_unit *x;
	u64 slice;

	(void)state;
	sim_start(1);
	x = add(0, 0, 0, 0);
	run_until(MS(5));
	sched_block(&s, x, now);
	assert_int_equal(sched_wake(&s, x, now), -1);
	assert_int_equal(x->state, SCHED_RUNNING);
	assert_false(x->queued);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), x);
}

static void test_yield(void **state)
{
	struct sched_unit *a, *b;
	u64 slice;

	(void)state;
	sim_start(1);
	sched_add_dom(&s, &doms[0]);
	sched_add_dom(&s, &doms[1]);
	a = &units[0];
	b = &units[1];
	assert_int_equal(sched_add_unit(&s, a, &doms[0], 0), 0);
	assert_int_equal(sched_add_unit(&s, b, &doms[1], 0), 0);
	b->credit = -(s64)MS(1);		/* OVER: behind a UNDER unit */
	a->credit = (s64)MS(5);			/* UNDER after paying for b's slice too */
	assert_int_equal(sched_wake(&s, a, now), 0);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	assert_int_equal(sched_wake(&s, b, now), -1);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	/* An OVER unit never gets the CPU a UNDER one yields: a keeps it. */
	sched_yield(&s, a, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	/* Unless a signalled it: then it has it, for a short slice, once, a paying. */
	now += MS(1);
	sched_signalled(&s, 0, b);
	sched_yield(&s, a, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), b);
	assert_true(slice <= SCHED_MIN_SLICE_NS);
	now += slice;
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	sched_yield(&s, a, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	/* One of the same priority does. */
	b->credit = (s64)MS(1);
	sched_yield(&s, a, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), b);
	now += SCHED_RATELIMIT_NS;
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
}

/*
 * @vic (weight 768: 75 %) runs and yields every @every_us of its run; @att (256, CPU-bound)
 * is what @vic last signalled, at every turn. With @hand_on (SCHEDOP_yield) @vic gives @att
 * its CPU for up to 1 ms a time and pays for it; a PAUSE loop's yield (no @hand_on) gives
 * nothing. Returns @vic's run and what it gave, @att's run less that.
 */
static void yield_every(bool hand_on, unsigned int every_us, u64 *vic_ran, u64 *vic_gave,
			u64 *att_own)
{
	struct sched_unit *vic, *att;

	sim_start(1);
	vic = add(0, 768, 0, 0);
	att = add(1, 256, 0, 0);
	while (now < SEC(10)) {
		if (running[0] == vic) {
			sched_signalled(&s, 0, att);
			run_until(now + (u64)every_us * 1000);
			if (running[0] == vic) {
				sched_yield(&s, vic, hand_on);
				resched(0);
			}
		} else {
			run_until(now + MS(1) / 100);
		}
		check_invariants();
	}
	*vic_ran = ran[0];
	*vic_gave = gave[0];
	*att_own = ran[1] - gave[0];
	assert_int_equal(gave[1], 0);
	assert_accounting(2);
}

/*
 * Whatever a yield hands on is the yielder's to give: with hand-on yields every 40 us to
 * 1 ms the yielder's run plus what it gave is its 75 %, the other's own run its 25 %; a
 * PAUSE loop's yields (every 40 us) give nothing and leave the yielder its 75 % (review 14:
 * a guest whose timer fired on dom0's CPU took 96 % of it by dom0's PAUSE exits).
 */
static void test_yielder_pays_what_it_gives(void **state)
{
	static const unsigned int every[] = { 40, 100, 500, 1000 };
	u64 v, g, a;

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		yield_every(true, every[i], &v, &g, &a);
		print_message("hand-on yield every %u us: yielder %llu%% + gave %llu%%, other %llu%%\n",
			      every[i], (unsigned long long)(v * 100 / busy),
			      (unsigned long long)(g * 100 / busy), (unsigned long long)(a * 100 / busy));
		assert_within(v + g, busy * 3 / 4, 3);
		assert_within(a, busy / 4, 9);
	}
	yield_every(false, 40, &v, &g, &a);
	assert_int_equal(g, 0);
	assert_within(v, busy * 3 / 4, 3);
}

/* A given slice ends at SCHED_MIN_SLICE_NS though the ratelimit is longer (review 14). */
static void test_given_slice_beats_ratelimit(void **state)
{
	struct sched_unit *a, *b;
	u64 slice;

	(void)state;
	sim_start(1);
	s.ratelimit_ns = MS(10);
	a = add(0, 0, 0, 0);
	b = add(1, 0, 0, 0);
	b->credit = -(s64)MS(5);
	b->boosted = false;
	a->credit = (s64)MS(20);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	now += MS(1);
	sched_signalled(&s, 0, b);
	sched_yield(&s, a, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), b);
	assert_int_equal(slice, SCHED_MIN_SLICE_NS);
	assert_ptr_equal(s.cpu[0].payer, a);
	now += slice;
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	/* a paid for b's 1 ms, b nothing. */
	assert_int_equal(a->credit, (s64)MS(20) - (s64)MS(1) - (s64)SCHED_MIN_SLICE_NS);
	assert_int_equal(b->credit, -(s64)MS(5));
	assert_null(s.cpu[0].payer);
}

/*
 * A guest drains dom0's credit through dom0's yields (review 14's second pass)?
 * 1 CPU: dom0 (unit 0) serves requests: woken by one, runs @req_us, notifies the sender
 * (EVTCHNOP_send -> vcpu_signalled) and yields (netback's answer_due), then blocks when it
 * has no work. Attacker G (unit 1) is CPU-bound and sends a request after each ms it runs
 * (a given slice too). H (unit 2) is a CPU-bound third domain. With @signal false dom0's
 * yield hands nothing on (as before the hand-on). Reports dom0's wakes in debt, its credit, what it gave,
 * and G's and H's CPU.
 */
static u32 drain_w0 = 0;
/* The third domain's share (weight 256) of the CPU time used, beside dom0 at @w0 and G. */
static u64 busy_share(u32 w0)
{
	return busy * 256 / (w0 + 512);
}

static void drain(bool signal, unsigned int req_us, u64 *g, u64 *h, u64 *gv,
		  unsigned int *wakes, unsigned int *debt_wakes)
{
	struct sched_unit *d0, *G, *H;
	bool work = false;
	unsigned long samples = 0, debt_samples = 0;

	sim_start(1);
	d0 = add(0, drain_w0, 0, 0);
	G = add(1, 0, 0, 0);
	H = add(2, 0, 0, 0);
	(void)H;
	*wakes = *debt_wakes = 0;
	while (now < SEC(10)) {
		if (running[0] == d0) {
			if (work) {
				run_for(d0, (u64)req_us * 1000);
				if (running[0] != d0)
					continue;
				work = false;
				if (signal)
					sched_signalled(&s, 0, G);
				sched_yield(&s, d0, true);
				resched(0);
			} else {
				block(d0);
			}
		} else if (running[0] == G) {
			u64 start = now;

			while (running[0] == G && now < start + MS(1))
				run_until(now + MS(1) / 100);
			if (!work) {	/* G's request: wakes dom0 */
				work = true;
				if (d0->state == SCHED_BLOCKED) {
					(*wakes)++;
					*debt_wakes += now > SEC(1) && d0->credit < 0;
				}
				kick(sched_wake(&s, d0, now));
			}
		} else {
			run_until(now + MS(1) / 100);
		}
		check_invariants();
		if (now > SEC(1)) {
			debt_samples += d0->credit < 0;
			samples++;
		}
	}
	*g = ran[1];
	*h = ran[2];
	*gv = gave[0];
	print_message("drain: dom0 weight %u: dom0 in debt at %lu%% of samples\n", drain_w0 ? drain_w0 : 256,
		      debt_samples * 100 / samples);
	print_message("drain: %s, req %u us: dom0 ran %llu ms gave %llu ms, credit %lld us; wakes %u, in debt %u; G %llu%% H %llu%%\n",
		      signal ? "attack " : "control", req_us, (unsigned long long)ran[0] / 1000000,
		      (unsigned long long)gave[0] / 1000000, (long long)d0->credit / 1000,
		      *wakes, *debt_wakes, (unsigned long long)(ran[1] * 100 / busy),
		      (unsigned long long)(ran[2] * 100 / busy));
	assert_accounting(3);
}

/*
 * What such a guest can have of dom0's CPU is what dom0's yields give, at most twice what
 * dom0 ran (for it) since the tick and out of dom0's own share: the third domain keeps its
 * weight's share of the CPU (a third, a sixth beside dom0 at weight 1024) and dom0 is not in
 * debt at more of its wakes. (The first version gave up to 1 ms at every yield: G 64 %, H 33 %
 * with dom0 in debt 97 % of the time for nothing it ran itself.)
 */
static void test_guest_cannot_drain_dom0(void **state)
{
	static const struct {
		u32 w0;
		unsigned int req_us;
	} runs[] = { { 0, 70 }, { 0, 20 }, { 1024, 70 } };
	u64 g, h, gv;
	unsigned int w, dw, w0, dw0;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(runs); i++) {
		u64 h_share;

		drain_w0 = runs[i].w0;
		drain(false, runs[i].req_us, &g, &h, &gv, &w0, &dw0);
		drain(true, runs[i].req_us, &g, &h, &gv, &w, &dw);
		h_share = busy_share(drain_w0 ? drain_w0 : 256);
		assert_true(gv <= SCHED_GIFT_FACTOR * ran[0]);
		assert_true(h + h_share / 20 >= h_share);
		assert_true(dw <= dw0 + w / 100);
	}
	drain_w0 = 0;
}


/*
 * A unit pays on one CPU at a time (review 14's second pass: P, stolen from CPU to CPU and
 * yielding on each, paid on 96 CPUs at once, beyond the credit floor): P gives CPU 0 to T0,
 * is stolen by CPU 1 and yields there to T1, which does not get it while P pays on CPU 0.
 */
static void test_payer_pays_on_one_cpu(void **state)
{
	struct sched_unit *P = &units[0], *t[2], *f[2];
	u64 slice;

	(void)state;
	sim_start(2);
	sched_add_dom(&s, &doms[0]);
	assert_int_equal(sched_add_unit(&s, P, &doms[0], 0), 0);
	for (unsigned int i = 0; i < 2; i++) {	/* filler f[i] runs on CPU i, t[i] waits there */
		f[i] = &units[1 + 2 * i];
		t[i] = &units[2 + 2 * i];
		sched_add_dom(&s, &doms[1 + i]);
		assert_int_equal(sched_add_unit(&s, f[i], &doms[1 + i], i), 0);
		assert_int_equal(sched_add_unit(&s, t[i], &doms[1 + i], i), 0);
		f[i]->credit = t[i]->credit = -(s64)MS(5);
		sched_wake(&s, f[i], now);
		sched_wake(&s, t[i], now);
		assert_ptr_equal(sched_pick_next(&s, i, now, &slice), f[i]);
	}
	now += MS(2);		/* past the fillers' ratelimit */
	P->credit = (s64)MS(5);
	sched_wake(&s, P, now);
	P->boosted = false;
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), P);
	now += MS(1) / 10;
	sched_signalled(&s, 0, t[0]);
	sched_yield(&s, P, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), t[0]);
	assert_ptr_equal(s.cpu[0].payer, P);
	assert_int_equal(slice, 2 * MS(1) / 10);	/* twice what P ran */
	assert_ptr_equal(sched_pick_next(&s, 1, now, &slice), P);	/* stolen */
	now += MS(1) / 10;
	sched_signalled(&s, 1, t[1]);
	sched_yield(&s, P, true);
	assert_ptr_equal(sched_pick_next(&s, 1, now, &slice), P);	/* paying on CPU 0 */
	assert_null(s.cpu[1].payer);
	/* CPU 0's gift ends: P paid for it, and may give again. */
	now += MS(1) / 10;
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), t[0]);	/* on its own credit */
	assert_null(s.cpu[0].payer);
	assert_false(P->paying);
	assert_int_equal(P->gave_ns, 2 * MS(1) / 10);
	sched_account(&s, 1, now);
	assert_int_equal(P->credit, (s64)MS(5) - 5 * (s64)MS(1) / 10);	/* ran 0.3 ms, gave 0.2 */
	assert_int_equal(t[0]->credit, -(s64)MS(5));
}

/*
 * A unit picked because it starved keeps its 1 ms against wakes, as the ratelimit gives every
 * pick (review 14's third pass: a unit woken just after each tick preempted it at once, and
 * a weight of 1 beside heavy domains ran a quarter of its turns).
 */
static void test_starved_unit_keeps_its_turn(void **state)
{
	struct sched_unit *a;

	(void)state;
	sim_start(1);
	add(0, SCHED_MAX_WEIGHT, 0, 0);
	add(1, SCHED_MAX_WEIGHT, 0, 0);
	add(2, 1, 0, 0);
	a = add(3, 256, 0, 0);
	block(a);
	while (now < SEC(10)) {
		run_until(next_tick + MS(1) / 200);	/* 5 us after the tick */
		kick(sched_wake(&s, a, now));
		if (running[0] == a)
			run_for(a, MS(1) / 200);
		block(a);
		check_invariants();
	}
	print_message("starved weight 1 beside a waker: %llu us in 10 s, longest wait %llu ms\n",
		      (unsigned long long)ran[2] / 1000, (unsigned long long)max_gap[2] / 1000000);
	assert_true(ran[2] >= MS(25));
}

/*
 * What a unit ran on a yielder's credit is not its own: blocked at the tick, it is not
 * refunded for it (review 14's third pass: it was, and stayed boosted on others' credit).
 */
/*
 * On one CPU, *a runs 2 ms, then yields to *b (blocked until then, in debt, signalled by *a),
 * which runs on *a's credit.
 */
static void start_gift(struct sched_unit **a, struct sched_unit **b)
{
	sim_start(1);
	*a = add(0, 0, 0, 0);
	*b = add_blocked(1);
	run_until(MS(2));
	assert_ptr_equal(running[0], *a);
	(*a)->credit = (s64)MS(10);
	(*b)->credit = -(s64)MS(5);
	kick(sched_wake(&s, *b, now));
	assert_false((*b)->boosted);
	sched_signalled(&s, 0, *b);
	sched_yield(&s, *a, true);
	resched(0);
	assert_ptr_equal(running[0], *b);
	assert_ptr_equal(s.cpu[0].payer, *a);
}

static void test_given_run_is_not_refunded(void **state)
{
	struct sched_unit *a, *b;

	(void)state;
	start_gift(&a, &b);
	run_until(now + MS(1) / 2);
	block(b);
	assert_int_equal(b->got_ns, MS(1) / 2);
	run_until(next_tick);
	assert_int_equal(b->credit, -(s64)MS(5));
	assert_int_equal(b->got_ns, 0);
}

/*
 * A payer taken out of the scheduler (its domain destroyed) mid-gift pays for the gift up to
 * then; its runner pays for itself from there on.
 */
static void test_removed_payer_pays_until_removed(void **state)
{
	struct sched_unit *a, *b;
	s64 a_credit;

	(void)state;
	start_gift(&a, &b);
	a_credit = a->credit;	/* its own run charged at the pick */
	run_until(now + MS(1) / 4);
	assert_int_equal(sched_remove_unit(&s, a, now), -1);
	assert_null(s.cpu[0].payer);
	assert_false(a->paying);
	assert_int_equal(a->gave_ns, MS(1) / 4);
	assert_int_equal(a->credit, a_credit - (s64)(MS(1) / 4));
	assert_int_equal(b->got_ns, MS(1) / 4);
	assert_int_equal(b->credit, -(s64)MS(5));
	run_until(now + MS(1) / 4);
	block(b);
	assert_int_equal(b->got_ns, MS(1) / 4);
	assert_int_equal(b->credit, -(s64)(MS(5) + MS(1) / 4));
}

/* A runner taken out mid-gift: its payer pays up to then and is free to give again. */
static void test_removed_runner_charges_its_payer(void **state)
{
	struct sched_unit *a, *b;
	s64 a_credit, b_credit;

	(void)state;
	start_gift(&a, &b);
	a_credit = a->credit;
	b_credit = b->credit;
	run_until(now + MS(1) / 4);
	assert_int_equal(sched_remove_unit(&s, b, now), 0);
	assert_int_equal(a->credit, a_credit - (s64)(MS(1) / 4));
	assert_int_equal(b->credit, b_credit);
	assert_null(s.cpu[0].payer);
	assert_false(a->paying);
}

/*
 * A yield goes to the unit the yielder signalled only when the CPU would come straight back
 * to the yielder: a third unit as good as the yielder runs first, the signalled one not at
 * all, and a unit gone from the scheduler is forgotten.
 */
static void test_yield_to_signalled_only_if_ours(void **state)
{
	struct sched_unit *a, *b, *c;
	u64 slice;

	(void)state;
	sim_start(1);
	for (unsigned int i = 0; i < 3; i++) {
		sched_add_dom(&s, &doms[i]);
		assert_int_equal(sched_add_unit(&s, &units[i], &doms[i], 0), 0);
	}
	a = &units[0];
	b = &units[1];
	c = &units[2];
	b->credit = -(s64)MS(1);
	assert_int_equal(sched_wake(&s, a, now), 0);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	sched_wake(&s, b, now);
	sched_wake(&s, c, now);
	c->boosted = false;
	sched_signalled(&s, 0, b);
	sched_yield(&s, a, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), c);
	now += SCHED_RATELIMIT_NS;
	sched_block(&s, c, now);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	/* c's pick forgot a's signal: a's yield now keeps the CPU. */
	sched_yield(&s, a, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	sched_signalled(&s, 0, b);
	assert_int_equal(sched_remove_unit(&s, b, now), -1);
	sched_yield(&s, a, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), a);
	assert_null(s.cpu[0].woken);
}

static void test_migration_fills_both_cpus(void **state)
{
	unsigned int moved = 0, on1 = 0;

	(void)state;
	sim_start(2);
	for (unsigned int i = 0; i < 4; i++)
		add(i, 0, 0, 0);
	run_until(SEC(1));
	assert_int_equal(busy, SEC(2));
	for (unsigned int i = 0; i < 4; i++) {
		moved += units[i].migrations;
		on1 += units[i].cpu == 1;
		assert_within(ran[i], SEC(2) / 4, 10);
	}
	assert_true(moved > 0);
	assert_true(on1 > 0);
	assert_accounting(4);
}

static void test_bad_params_rejected(void **state)
{
	struct scheduler big;

	(void)state;
	sim_start(2);
	sched_add_dom(&s, &doms[0]);
	assert_int_equal(sched_set_params(&s, &doms[0], 0, 0), -EINVAL);
	assert_int_equal(sched_set_params(&s, &doms[0], SCHED_MAX_WEIGHT + 1, 0), -EINVAL);
	assert_int_equal(sched_set_params(&s, &doms[0], 256, 201), -EINVAL);
	assert_int_equal(doms[0].weight, SCHED_DEFAULT_WEIGHT);
	assert_int_equal(doms[0].cap, 0);
	assert_int_equal(sched_set_params(&s, &doms[0], SCHED_MAX_WEIGHT, 200), 0);
	assert_int_equal(sched_set_params(&s, &doms[0], 1, 0), 0);
	assert_int_equal(sched_add_unit(&s, &units[0], &doms[0], 2), -EINVAL);
	assert_int_equal(sched_init(&big, 0, cpus, 0), -EINVAL);
	assert_int_equal(sched_init(&big, SCHED_MAX_CPUS + 1, cpus, 0), -EINVAL);
}

static void test_remove_running_unit(void **state)
{
	struct sched_unit *a;
	int cpu;

	(void)state;
	sim_start(1);
	a = add(0, 0, 0, 0);
	add(1, 0, 0, 0);
	run_until(MS(100));
	if (running[0] != a)
		run_until(slice_end[0]);
	assert_ptr_equal(running[0], a);
	cpu = sched_remove_unit(&s, a, now);
	assert_int_equal(cpu, 0);
	assert_int_equal(sched_remove_unit(&s, a, now), -1);	/* twice is harmless */
	assert_int_equal(sched_remove_dom(&s, &doms[0]), 0);
	resched(0);
	assert_ptr_equal(running[0], &units[1]);
	run_until(SEC(1));
	assert_ptr_equal(running[0], &units[1]);
	/* A unit only queued is removed without a reschedule. */
	sched_add_dom(&s, &doms[2]);
	assert_int_equal(sched_add_unit(&s, &units[2], &doms[2], 0), 0);
	sched_wake(&s, &units[2], now);		/* not kicked: stays queued */
	assert_true(units[2].queued);
	assert_int_equal(sched_remove_unit(&s, &units[2], now), -1);
	assert_int_equal(sched_remove_dom(&s, &doms[1]), -EBUSY);
	run_until(SEC(2));
	assert_ptr_equal(running[0], &units[1]);
	assert_int_equal(ran[1], SEC(2) - ran[0]);
}

static void test_domain_without_units(void **state)
{
	(void)state;
	sim_start(2);
	sched_add_dom(&s, &doms[10]);
	assert_int_equal(sched_set_params(&s, &doms[10], 1000, 50), 0);
	for (unsigned int i = 0; i < 2; i++)
		add(i, 0, 0, 0);
	run_until(SEC(1));
	assert_int_equal(ran[0], SEC(1));
	assert_int_equal(ran[1], SEC(1));
	assert_int_equal(sched_remove_dom(&s, &doms[10]), 0);
	assert_int_equal(tick_low(now), 0);
}

static void test_all_blocked_idles(void **state)
{
	u64 slice = 1;

	(void)state;
	sim_start(2);
	add(0, 0, 0, 1);
	run_until(MS(50));
	sched_block(&s, &units[0], now);
	assert_null(sched_pick_next(&s, 1, now, &slice));
	assert_int_equal(slice, 0);
	assert_int_equal(tick_low(now + SCHED_PERIOD_NS), 0);
	assert_int_equal(sched_wake(&s, &units[0], now), 1);
}

/* SCHED_MAX_CPUS (256) CPUs, 384 units woken on two of them: stolen onto all, shared fairly. */
static void test_max_cpus(void **state)
{
	u64 total = 0;

	(void)state;
	sim_start(SCHED_MAX_CPUS);
	for (unsigned int i = 0; i < MAX_UNITS; i++)
		add(i, 0, 0, i % 3 ? 0 : SCHED_MAX_CPUS - 1);
	run_until(SEC(2));
	assert_int_equal(busy, SEC(2) * SCHED_MAX_CPUS);
	for (unsigned int i = 0; i < MAX_UNITS; i++) {
		assert_within(ran[i], SEC(2) * SCHED_MAX_CPUS / MAX_UNITS, 10);
		total += ran[i];
	}
	assert_int_equal(total, busy);
	assert_accounting(MAX_UNITS);
}

/* Three units pinned to CPU 0, three free on four CPUs: the free ones take CPUs 1-3. */
static void test_affinity_pins(void **state)
{
	(void)state;
	sim_start(4);
	for (unsigned int i = 0; i < 6; i++) {
		add(i, 0, 0, i % 4);
		if (i < 3)
			kick(set_affinity(&units[i], BIT(0)));
	}
	memset(ran_on, 0, sizeof(ran_on));	/* unit 1 ran on CPU 1 until pinned */
	run_until(SEC(6));
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(ran_on[i].w[0], BIT(0));
		assert_within(ran[i], SEC(2), 10);
	}
	for (unsigned int i = 3; i < 6; i++) {
		assert_false(cpumask_test(&ran_on[i], 0));
		assert_within(ran[i], SEC(6), 10);
	}
	assert_int_equal(busy, SEC(24));
	assert_accounting(6);
}

/* Masks are cut to the machine's CPUs; one with none of them is refused. */
static void test_affinity_bad_masks(void **state)
{
	struct sched_unit *u;
	cpumask_t m;

	(void)state;
	sim_start(2);
	u = add(0, 0, 0, 0);
	assert_int_equal(set_affinity(u, 0), -EINVAL);
	assert_int_equal(set_affinity(u, BIT(2) | BIT(63)), -EINVAL);
	assert_int_equal(u->affinity.w[0], BIT(0) | BIT(1));
	assert_int_equal(set_affinity(u, BIT(1) | BIT(40)), 0);
	assert_int_equal(u->affinity.w[0], BIT(1));
	sim_start(64);
	u = add(0, 0, 0, 63);
	assert_int_equal(u->affinity.w[0], ~0ULL);
	assert_int_equal(u->affinity.w[1], 0);
	assert_int_equal(set_affinity(u, BIT(63)), -1);
	/* Past 64 CPUs: CPU 200 alone, and none beyond the machine's. */
	sim_start(SCHED_MAX_CPUS);
	u = add(0, 0, 0, 200);
	assert_true(cpumask_test(&u->affinity, SCHED_MAX_CPUS - 1));
	m = low_mask(0);
	cpumask_set(&m, 200);
	assert_int_equal(sched_set_affinity(&s, u, &m, now), -1);
	assert_int_equal(cpumask_first_and(&u->affinity, NULL), 200);
	sim_start(199);
	u = add(0, 0, 0, 0);
	assert_int_equal(sched_set_affinity(&s, u, &m, now), -EINVAL);
}

/* A running unit pinned away is kicked and moves at its CPU's next pick. */
static void test_affinity_moves_running_unit(void **state)
{
	struct sched_unit *u;

	(void)state;
	sim_start(2);
	u = add(0, 0, 0, 0);
	add(1, 0, 0, 1);
	run_until(MS(5));
	assert_ptr_equal(running[0], u);
	assert_int_equal(set_affinity(u, BIT(1)), 0);
	resched(0);
	assert_true(running[0] != u);
	assert_true(u->queued);
	assert_int_equal(u->cpu, 1);
	memset(ran_on, 0, sizeof(ran_on));
	run_until(SEC(3));
	assert_int_equal(ran_on[0].w[0], BIT(1));
	assert_true(ran[0] > SEC(1));
	/* Unpinned while unit 1 is pinned to CPU 1: unit 0 ends up on CPU 0. */
	kick(set_affinity(u, BIT(0) | BIT(1)));
	kick(set_affinity(&units[1], BIT(1)));
	run_until(SEC(4));
	memset(ran, 0, sizeof(ran));
	memset(ran_on, 0, sizeof(ran_on));
	run_until(SEC(5));
	assert_int_equal(ran_on[1].w[0], BIT(1));
	assert_int_equal(ran_on[0].w[0], BIT(0));
	assert_int_equal(ran[0], SEC(1));
}

/* Pinned away right after it was picked: the ratelimit does not keep it there. */
static void test_affinity_beats_ratelimit(void **state)
{
	struct sched_unit *u;

	(void)state;
	sim_start(2);
	u = add(0, 0, 0, 0);
	assert_ptr_equal(running[0], u);
	assert_int_equal(set_affinity(u, BIT(1)), 0);
	resched(0);			/* asserts it does not run on CPU 0 */
	assert_null(running[0]);
	assert_int_equal(u->cpu, 1);
}

/*
 * Blocked but not yet switched off its CPU: pinning it away kicks that CPU
 * and leaves it there, so a wake-up before the switch cannot queue it
 * elsewhere while that CPU still holds it as current.
 */
static void test_affinity_blocked_still_current(void **state)
{
	struct sched_unit *u;

	(void)state;
	sim_start(2);
	u = add(0, 0, 0, 0);
	assert_ptr_equal(running[0], u);
	sched_block(&s, u, now);
	assert_int_equal(set_affinity(u, BIT(1)), 0);
	assert_int_equal(u->cpu, 0);
	resched(0);
	assert_null(running[0]);
	kick(sched_wake(&s, u, now));
	assert_int_equal(u->cpu, 1);
	memset(ran_on, 0, sizeof(ran_on));
	run_until(SEC(1));
	assert_int_equal(ran_on[0].w[0], BIT(1));
}

/* A waiting unit moves at once; a blocked one is queued inside its mask when it wakes. */
static void test_affinity_queued_and_blocked(void **state)
{
	struct sched_unit *b, *c;

	(void)state;
	sim_start(2);
	add(0, 0, 0, 0);
	add(1, 0, 0, 1);
	b = add(2, 0, 0, 0);
	assert_true(b->queued);
	assert_int_equal(b->cpu, 0);
	assert_int_equal(set_affinity(b, BIT(1)), -1);
	assert_true(b->queued);
	assert_int_equal(b->cpu, 1);
	sched_add_dom(&s, &doms[3]);
	assert_int_equal(sched_add_unit(&s, &units[3], &doms[3], 0), 0);
	c = &units[3];
	assert_int_equal(set_affinity(c, BIT(1)), -1);
	assert_int_equal(c->cpu, 1);
	kick(sched_wake(&s, c, now));
	assert_int_equal(c->cpu, 1);
	run_until(SEC(3));
	assert_int_equal(ran_on[2].w[0], BIT(1));
	assert_int_equal(ran_on[3].w[0], BIT(1));
	assert_true(ran[2] > SEC(1) / 2 && ran[3] > SEC(1) / 2);
	assert_int_equal(busy, SEC(6));
}

/* Wake-up boost: y, woken with credit, preempts x (UNDER too) once x ran its ratelimit. */
static void test_boost_wake_preempts_under_unit(void **state)
{
	struct sched_unit *x, *y;

	(void)state;
	sim_start(1);
	x = add(0, 0, 0, 0);
	y = add_blocked(1);
	run_until(SEC(1) + MS(2));
	assert_ptr_equal(running[0], x);
	sched_account(&s, 0, now);
	x->credit = MS(5);			/* UNDER */
	assert_int_equal(sched_wake(&s, y, now), 0);
	assert_true(y->boosted);
	resched(0);
	assert_ptr_equal(running[0], y);
	/* Its boost ends with its run: the slice ends, x goes first again. */
	run_until(slice_end[0]);
	assert_false(y->boosted);
	assert_ptr_equal(running[0], x);
	/* An OVER waker is not boosted. */
	sched_block(&s, y, now);
	y->credit = -1;
	assert_int_equal(sched_wake(&s, y, now), -1);
	assert_false(y->boosted);
}

/* A boosted waker waits until what runs has had SCHED_RATELIMIT_NS. */
static void test_boost_ratelimit(void **state)
{
	struct sched_unit *x, *y;
	u64 picked, slice;

	(void)state;
	sim_start(1);
	x = add(0, 0, 0, 0);
	y = add_blocked(1);
	run_until(SEC(1));
	resched(0);				/* x picked afresh */
	picked = now;
	run_until(picked + SCHED_RATELIMIT_NS / 4);
	assert_int_equal(sched_wake(&s, y, now), 0);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), x);
	assert_int_equal(slice, picked + SCHED_RATELIMIT_NS - now);
	now = picked + SCHED_RATELIMIT_NS - 1;
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), x);
	assert_int_equal(slice, 1);
	now++;
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), y);
	/* A yielding unit gets no ratelimit (x, queued, as good as y). */
	x->credit = y->credit;
	sched_yield(&s, y, true);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), x);
	/* sched_ratelimit_us=0: the waker preempts at once. */
	s.ratelimit_ns = 0;
	sched_block(&s, y, now);
	assert_int_equal(sched_wake(&s, y, now), 0);
	assert_ptr_equal(sched_pick_next(&s, 0, now, &slice), y);
}

/*
 * @b runs @burst, blocks and is woken @gap later, again and again, until
 * @until; it is boosted at each wake while it has credit.
 */
static void wake_loop(struct sched_unit *b, u64 burst, u64 gap, u64 until)
{
	unsigned int ib = idx(b);

	while (now < until) {
		u64 start = ran[ib];

		while (ran[ib] - start < burst && now < until)
			run_until(now + MIN(burst / 4, (u64)MS(1) / 10));
		sched_block(&s, b, now);
		if (running[b->cpu] == b)
			resched(b->cpu);
		run_until(MIN(now + gap, until));
		kick(sched_wake(&s, b, now));
		check_invariants();
	}
}

/* A unit woken in a loop gets no more than its weight's share beside a spinner. */
static void test_boost_wake_loop_cannot_starve(void **state)
{
	static const u32 w[] = { 256, 512 };

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		sim_start(1);
		add(0, w[i], 0, 0);
		add(1, 256, 0, 0);
		wake_loop(&units[1], MS(2), MS(1) / 10, SEC(10));
		assert_true(busy >= SEC(10) - MS(1));
		/* b asks for 95 % of the CPU; a keeps its share by weight. */
		assert_within(ran[0], busy * w[i] / (w[i] + 256), 10);
		assert_accounting(2);
	}
	/* Short bursts: the spinner gets its ratelimit between them. */
	sim_start(1);
	add(0, 0, 0, 0);
	add(1, 0, 0, 0);
	wake_loop(&units[1], MS(1) / 5, MS(1) / 20, SEC(5));
	assert_true(ran[0] >= busy * SCHED_RATELIMIT_NS / (SCHED_RATELIMIT_NS + MS(1) / 5 +
							   MS(1) / 10));
	assert_true(ran[1] >= busy / 10);
	assert_accounting(2);
}

/*
 * Request/response traffic through dom0's backend on one CPU for 10 s: dom0 takes a request
 * (@req_us), wakes the guest and yields to it; the guest answers (@guest_us) and blocks; dom0
 * passes the answer on (@rsp_us). Counts the transactions, the yields dom0 kept (the answer
 * then came by event) and the guest's wakes in debt after the first second.
 */
static void request_response(unsigned int req_us, unsigned int guest_us, unsigned int rsp_us,
			     unsigned int *n, unsigned int *miss, unsigned int *debt)
{
	struct sched_unit *d0, *g;

	*n = *miss = *debt = 0;
	sim_start(1);
	d0 = add(0, 0, 0, 0);
	g = add_blocked(1);
	while (now < SEC(10)) {
		run_for(d0, MS(1) * req_us / 1000);
		*debt += now > SEC(1) && g->credit < 0;
		kick(sched_wake(&s, g, now));
		sched_signalled(&s, 0, g);	/* its EVTCHNOP_send does so */
		sched_yield(&s, d0, true);
		resched(0);
		(*n)++;
		if (running[0] == g) {
			run_for(g, MS(1) * guest_us / 1000);	/* the answer, then idle */
			block(g);
		} else {
			(*miss)++;			/* dom0 sleeps; the answer wakes it */
			block(d0);
			run_for(g, MS(1) * guest_us / 1000);
			kick(sched_wake(&s, d0, now));
			block(g);
		}
		run_for(d0, MS(1) * rsp_us / 1000);
		check_invariants();
	}
	print_message("request/response %u+%u/%u us: %u of %u yields kept dom0, %u wakes in debt,"
		      " dom0 gave %llu ms, ran %llu, guest ran %llu\n",
		      req_us, rsp_us, guest_us, *miss, *n, *debt, (unsigned long long)gave[0] / 1000000,
		      (unsigned long long)ran[0] / 1000000, (unsigned long long)ran[1] / 1000000);
	assert_accounting(2);
}

/*
 * As netbench's UDP test: the guest runs ~40 % of the CPU in bursts and is blocked at most
 * accounting ticks. After the first second it must have credit at every wake (boosted;
 * keel's credit rule left it in debt for good, a first fix at one wake in five), and its
 * answer comes in dom0's yield, not by event.
 */
static void test_yield_to_request_response_guest(void **state)
{
	unsigned int n, miss, debt;

	(void)state;
	request_response(70, 83, 66, &n, &miss, &debt);
	assert_true(n > 40000);
	assert_int_equal(debt, 0);
	assert_int_equal(miss, 0);
}

/*
 * As blockbench's random writes: the guest needs a little more than half of the CPU, so it
 * is in debt at its wakes, and unboosted. dom0's yield still reaches it (it is the unit dom0
 * signalled), where a plain yield kept the CPU 50,000 times in 60,753.
 */
static void test_yield_to_guest_in_debt(void **state)
{
	unsigned int n, miss, debt;

	(void)state;
	request_response(40, 83, 41, &n, &miss, &debt);
	assert_true(n > 50000);
	assert_true(debt > n / 2);
	assert_int_equal(miss, 0);
}

/*
 * A guest that blocks across every accounting tick and wakes at once, and blocks for a
 * moment every 2 ms between ticks for a boost, beside a spinner of three times its weight:
 * the refund for its runs between ticks (share_credit()) never buys it more than its
 * quarter of the CPU.
 */
static void test_tick_dodger_keeps_its_share(void **state)
{
	struct sched_unit *spin, *g;

	(void)state;
	sim_start(1);
	spin = add(0, 768, 0, 0);
	g = add(1, 256, 0, 0);
	while (now < SEC(10)) {
		u64 to_tick = next_tick - now;

		if (running[0] != g) {
			run_until(now + MIN(to_tick, MS(1) / 10));
			continue;
		}
		if (to_tick > MS(1) / 10) {
			run_until(now + MIN(MS(2), to_tick - MS(1) / 20));
			if (running[0] != g)
				continue;
		}
		block(g);
		/* Across the tick if it is close, else a moment. */
		run_until(next_tick - now <= MS(1) / 10 ? next_tick + MS(1) / 20 : now + 10000);
		kick(sched_wake(&s, g, now));
		check_invariants();
	}
	print_message("tick dodger: %llu of %llu ms\n", (unsigned long long)(ran[1] / MS(1)),
		      (unsigned long long)(busy / MS(1)));
	assert_true(ran[1] <= busy * 30 / 100);
	assert_true(ran[0] >= busy * 70 / 100);
	(void)spin;
	assert_accounting(2);
}

/* A capped domain woken in a loop stays within its cap. */
/*
 * The affinity domctl's xenctl_bitmap (CPU N: bit N % 8 of byte N / 8) to a cpumask and
 * back: only @nr_bits bits read, a CPU at or past the host's refused, spare bits cleared.
 */
static void test_affinity_bitmap(void **state)
{
	u8 map[MAX_CPUS / 8] = { 0 }, out[MAX_CPUS / 8];
	cpumask_t m;

	map[0] = 0x05;				/* CPUs 0, 2 */
	map[25] = 0x80;				/* CPU 207 */
	cpumask_from_bytes(&m, map, MAX_CPUS);
	assert_true(cpumask_test(&m, 0) && cpumask_test(&m, 2) && cpumask_test(&m, 207));
	assert_false(cpumask_test(&m, 1) || cpumask_test(&m, 206) || cpumask_test(&m, 208));
	assert_int_equal(m.w[3], 1ULL << (207 - 192));
	cpumask_from_bytes(&m, map, 207);	/* bit 207 not read */
	assert_int_equal(m.w[0], 5);
	assert_int_equal(m.w[3], 0);
	cpumask_from_bytes(&m, map, 2);		/* CPU 2 past the 2 bits */
	assert_int_equal(m.w[0], 1);
	cpumask_from_bytes(&m, map, 0);
	assert_int_equal(cpumask_first_and(&m, NULL), -1);

	/* As the domctl reads it on 2 CPUs: CPUs 0-7 are CPUs 0-1; CPUs 2-7 alone are none. */
	sim_start(2);
	map[0] = 0xff;
	cpumask_from_bytes(&m, map, 2);
	assert_int_equal(sched_set_affinity(&s, add(0, 0, 0, 1), &m, now), -1);
	assert_int_equal(units[0].affinity.w[0], BIT(0) | BIT(1));
	map[0] = 0xfc;
	cpumask_from_bytes(&m, map, 2);
	assert_int_equal(sched_set_affinity(&s, &units[0], &m, now), -EINVAL);
	assert_int_equal(units[0].affinity.w[0], BIT(0) | BIT(1));

	memset(out, 0xff, sizeof(out));
	cpumask_fill(&m, MAX_CPUS);
	cpumask_to_bytes(&m, out, 3);			/* one byte, bits 3-7 clear */
	assert_int_equal(out[0], 0x07);
	assert_int_equal(out[1], 0xff);			/* past the bitmap: untouched */
	cpumask_fill(&m, 130);
	cpumask_to_bytes(&m, out, MAX_CPUS);
	assert_int_equal(out[15], 0xff);
	assert_int_equal(out[16], 0x03);		/* CPUs 128, 129 */
	assert_int_equal(out[17], 0);
	assert_int_equal(out[31], 0);
}

static void test_boost_cap_holds(void **state)
{
	(void)state;
	sim_start(1);
	add(0, 0, 0, 0);
	add(1, 256, 25, 0);
	wake_loop(&units[1], MS(2), MS(1) / 10, SEC(10));
	assert_true(ran[1] <= SEC(10) / 4 + SCHED_SLICE_NS);
	assert_within(ran[1], SEC(10) / 4, 10);
	assert_int_equal(ran[0] + ran[1], busy);
}

/*
 * The refund pass (share_credit()) pays each domain's share once: a domain with one
 * spinner and @k - 1 vCPUs that block across each tick (refunded) gets no more than its
 * weight's share next to an equal-weight spinner. (A refund pass that paid only the
 * blocked units left the runnable ones' part in the budget, shared again by weight to the
 * same domain: 55-60 % for k >= 8.)
 */
static void refund_gaming(unsigned int k, bool aligned, u64 *h, u64 *v)
{
	unsigned int i;

	sim_start(1);
	sched_add_dom(&s, &doms[0]);
	for (i = 0; i < k; i++) {
		assert_int_equal(sched_add_unit(&s, &units[i], &doms[0], 0), 0);
		last_seen[i] = now;
		kick(sched_wake(&s, &units[i], now));
	}
	sched_add_dom(&s, &doms[k]);
	assert_int_equal(sched_add_unit(&s, &units[k], &doms[k], 0), 0);
	last_seen[k] = now;
	kick(sched_wake(&s, &units[k], now));
	while (now < SEC(10)) {
		u64 t = next_tick;

		if (aligned) {
			/* Blocked for 0.2 ms around each tick, runnable otherwise. */
			run_until(t - MS(1) / 10);
			for (i = 1; i < k; i++)
				block(&units[i]);
			run_until(t + MS(1) / 10);
		} else {
			/* No knowledge of the tick: 0.9 ms runnable, 0.1 ms blocked. */
			run_until(now + MS(1) * 9 / 10);
			for (i = 1; i < k; i++)
				block(&units[i]);
			run_until(now + MS(1) / 10);
		}
		for (i = 1; i < k; i++)
			kick(sched_wake(&s, &units[i], now));
		check_invariants();
	}
	*h = 0;
	for (i = 0; i < k; i++)
		*h += ran[i];
	*v = ran[k];
}

static void test_refund_tick_gaming(void **state)
{
	u64 h, v, worst = 0;

	(void)state;
	for (unsigned int k = 1; k <= 64; k *= 2) {
		refund_gaming(k, true, &h, &v);
		worst = MAX(worst, h * 100 / (h + v));
		print_message("k=%u tick-aligned: H %llu ms, V %llu ms (H %llu%%)\n", k,
			      (unsigned long long)(h / MS(1)), (unsigned long long)(v / MS(1)),
			      (unsigned long long)(h * 100 / (h + v)));
		refund_gaming(k, false, &h, &v);
		print_message("k=%u duty 90%%:     H %llu ms, V %llu ms (H %llu%%)\n", k,
			      (unsigned long long)(h / MS(1)), (unsigned long long)(v / MS(1)),
			      (unsigned long long)(h * 100 / (h + v)));
	}
	/* Equal weights: H no more than half the CPU (+ 3 % for the simulation's rounding). */
	print_message("worst: H %llu%% of the CPU at equal weights\n", (unsigned long long)worst);
	assert_true(worst <= 53);
}

/*
 * One tick in isolation: H (a spinner and a vCPU that ran, then blocked just
 * before the tick) and V (a spinner), equal weights, one CPU: each domain's income at the
 * tick should be half of the 30 ms.
 */
static void test_refund_one_tick(void **state)
{
	s64 c[3];
	u64 h, v;

	(void)state;
	sim_start(1);
	sched_add_dom(&s, &doms[0]);
	sched_add_dom(&s, &doms[1]);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(sched_add_unit(&s, &units[i], &doms[i == 2], 0), 0);
		last_seen[i] = now;
		kick(sched_wake(&s, &units[i], now));
	}
	run_until(SCHED_PERIOD_NS - 1000);
	block(&units[1]);
	sched_account(&s, 0, now);
	for (unsigned int i = 0; i < 3; i++)
		c[i] = units[i].credit;
	run_until(SCHED_PERIOD_NS);	/* the tick; 1 us more run charged to whoever runs */
	h = (u64)(units[0].credit - c[0] + units[1].credit - c[1]);
	v = (u64)(units[2].credit - c[2]);
	print_message("one tick: ran H %llu + %llu us, V %llu us; income H %llu us, V %llu us\n",
		      (unsigned long long)(ran[0] / 1000), (unsigned long long)(ran[1] / 1000),
		      (unsigned long long)(ran[2] / 1000), (unsigned long long)(h / 1000),
		      (unsigned long long)(v / 1000));
	assert_within(h, SCHED_PERIOD_NS / 2, 2);
	assert_within(v, SCHED_PERIOD_NS / 2, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weights_1_1_2_4_on_two_cpus),
		cmocka_unit_test(test_weights_with_jitter),
		cmocka_unit_test(test_weight_is_per_domain),
		cmocka_unit_test(test_equal_weights_three_on_two),
		cmocka_unit_test(test_cap_alone_idles_the_rest),
		cmocka_unit_test(test_cap_next_to_uncapped),
		cmocka_unit_test(test_cap_two_vcpus_two_cpus),
		cmocka_unit_test(test_no_starvation),
		cmocka_unit_test(test_weights_1_2_3_4_one_cpu),
		cmocka_unit_test(test_weights_1_2_3_4_two_cpus),
		cmocka_unit_test(test_weights_beside_waking_dom0),
		cmocka_unit_test(test_blocked_unit_gets_nothing),
		cmocka_unit_test(test_wake_preempts_over_unit),
		cmocka_unit_test(test_tick_preempts_over_unit),
		cmocka_unit_test(test_wake_returns_idle_cpu),
		cmocka_unit_test(test_wake_before_resched_keeps_running),
		cmocka_unit_test(test_yield),
		cmocka_unit_test(test_yield_to_signalled_only_if_ours),
		cmocka_unit_test(test_yielder_pays_what_it_gives),
		cmocka_unit_test(test_given_slice_beats_ratelimit),
		cmocka_unit_test(test_guest_cannot_drain_dom0),
		cmocka_unit_test(test_payer_pays_on_one_cpu),
		cmocka_unit_test(test_starved_unit_keeps_its_turn),
		cmocka_unit_test(test_given_run_is_not_refunded),
		cmocka_unit_test(test_removed_payer_pays_until_removed),
		cmocka_unit_test(test_removed_runner_charges_its_payer),
		cmocka_unit_test(test_migration_fills_both_cpus),
		cmocka_unit_test(test_bad_params_rejected),
		cmocka_unit_test(test_remove_running_unit),
		cmocka_unit_test(test_domain_without_units),
		cmocka_unit_test(test_all_blocked_idles),
		cmocka_unit_test(test_max_cpus),
		cmocka_unit_test(test_affinity_pins),
		cmocka_unit_test(test_affinity_bad_masks),
		cmocka_unit_test(test_affinity_moves_running_unit),
		cmocka_unit_test(test_affinity_queued_and_blocked),
		cmocka_unit_test(test_affinity_blocked_still_current),
		cmocka_unit_test(test_affinity_beats_ratelimit),
		cmocka_unit_test(test_boost_wake_preempts_under_unit),
		cmocka_unit_test(test_boost_ratelimit),
		cmocka_unit_test(test_boost_wake_loop_cannot_starve),
		cmocka_unit_test(test_boost_cap_holds),
		cmocka_unit_test(test_yield_to_request_response_guest),
		cmocka_unit_test(test_yield_to_guest_in_debt),
		cmocka_unit_test(test_tick_dodger_keeps_its_share),
		cmocka_unit_test(test_refund_tick_gaming),
		cmocka_unit_test(test_refund_one_tick),
		cmocka_unit_test(test_affinity_bitmap),
	};

	return cmocka_run_group_tests_name("sched_credit", tests, NULL, NULL);
}
