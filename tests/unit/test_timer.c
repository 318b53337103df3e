/* Host tests of the software timer list: ordering, re-arming, stopping, killing and the hardware deadline. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <keel/percpu.h>
#include <keel/timer.h>
#include "host.h"

HOSTED_PCPUS
unsigned int nr_cpus = 2;
__thread unsigned int hosted_cpu;	/* each thread is a CPU of its own */
static int ipis[MAX_CPUS];

void arch_send_ipi(unsigned int cpu)
{
	__atomic_add_fetch(&ipis[cpu], 1, __ATOMIC_RELAXED);
}

static u64 programmed = TIMER_NONE;
static int fired[8], order[8], nr_order;

void arch_timer_program(u64 deadline)
{
	programmed = deadline;
}

static void fire(void *data)
{
	int id = (int)(uintptr_t)data;

	fired[id]++;
	order[nr_order++] = id;
}

static struct timer t[4];

static int setup(void **state)
{
	(void)state;
	memset(fired, 0, sizeof(fired));
	nr_order = 0;
	programmed = TIMER_NONE;
	memset(ipis, 0, sizeof(ipis));
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++) {
		pcpus[cpu]->self = pcpus[cpu];
		pcpus[cpu]->id = cpu;
	}
	hosted_cpu = 0;
	for (int i = 0; i < 4; i++)
		timer_init(&t[i], fire, (void *)(uintptr_t)i);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++)
		timer_stop(&t[i]);
	return 0;
}

static void test_fires_in_deadline_order(void **state)
{
	(void)state;
	timer_set(&t[0], 300);
	timer_set(&t[1], 100);
	timer_set(&t[2], 200);
	assert_int_equal(timers_next_deadline(), 100);
	assert_int_equal(programmed, 100);	/* the earliest reached the hardware */
	timers_run(150);
	assert_int_equal(nr_order, 1);
	assert_int_equal(order[0], 1);
	assert_int_equal(timers_next_deadline(), 200);
	timers_run(1000);
	assert_int_equal(nr_order, 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
	assert_int_equal(timers_next_deadline(), TIMER_NONE);
}

static void test_rearm_and_stop(void **state)
{
	(void)state;
	timer_set(&t[0], 100);
	timer_set(&t[0], 500);		/* re-arming moves it, never duplicates */
	timer_set(&t[1], 400);
	timers_run(450);
	assert_int_equal(fired[0], 0);
	assert_int_equal(fired[1], 1);
	timer_stop(&t[0]);
	timer_stop(&t[0]);		/* stopping twice is harmless */
	timers_run(10000);
	assert_int_equal(fired[0], 0);
	assert_false(t[0].active);
}

static void test_equal_deadlines_keep_insertion_order(void **state)
{
	(void)state;
	timer_set(&t[2], 50);
	timer_set(&t[3], 50);
	timers_run(50);
	assert_int_equal(nr_order, 2);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 3);
}

/* A periodic timer re-arms itself from its callback. */
static u64 now;
static void periodic(void *data)
{
	struct timer *self = data;

	fired[7]++;
	timer_set(self, now + 10);
}

static void test_rearm_from_callback(void **state)
{
	struct timer p;

	(void)state;
	timer_init(&p, periodic, &p);
	timer_set(&p, 10);
	for (now = 0; now <= 100; now++)
		timers_run(now);
	assert_int_equal(fired[7], 10);
	timer_stop(&p);
}

/* A timer fires on its own CPU; arming it from another kicks that CPU instead of programming. */
static void test_timers_are_per_cpu(void **state)
{
	(void)state;
	hosted_cpu = 1;
	timer_init(&t[3], fire, (void *)(uintptr_t)3);	/* belongs to CPU 1 */
	hosted_cpu = 0;
	timer_set(&t[0], 500);
	assert_int_equal(programmed, 500);
	timer_set(&t[3], 100);			/* earliest on CPU 1: an IPI */
	assert_int_equal(ipis[1], 1);
	assert_int_equal(programmed, 500);	/* CPU 0's hardware untouched */
	assert_int_equal(timers_next_deadline(), 500);
	timers_run(1000);			/* CPU 0 fires only its own */
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[3], 0);
	hosted_cpu = 1;
	assert_int_equal(timers_next_deadline(), 100);
	timers_run(1000);
	assert_int_equal(fired[3], 1);
}

/* Migrating an armed timer moves its deadline to the new CPU's list. */
static void test_migrate_keeps_it_armed(void **state)
{
	(void)state;
	timer_set(&t[1], 300);
	timer_migrate(&t[1], 1);
	assert_int_equal(t[1].cpu, 1);
	assert_int_equal(ipis[1], 1);		/* the new earliest there */
	assert_int_equal(timers_next_deadline(), TIMER_NONE);
	hosted_cpu = 1;
	assert_int_equal(timers_next_deadline(), 300);
	timer_stop(&t[1]);
	assert_int_equal(timers_next_deadline(), TIMER_NONE);
	timer_migrate(&t[1], 0);		/* unarmed: just moves */
	assert_int_equal(t[1].cpu, 0);
	hosted_cpu = 0;
	assert_int_equal(timers_next_deadline(), TIMER_NONE);
}

/* A killed timer stays disarmed: set and migrate do nothing, stop is harmless. */
static void test_killed_timer_is_never_armed_again(void **state)
{
	(void)state;
	timer_set(&t[0], 100);
	kill_timer(&t[0]);
	assert_false(t[0].active);
	assert_int_equal(timers_next_deadline(), TIMER_NONE);
	timer_set(&t[0], 50);
	assert_false(t[0].active);
	timer_migrate(&t[0], 1);
	assert_int_equal(t[0].cpu, 0);
	timer_stop(&t[0]);
	kill_timer(&t[0]);		/* twice is harmless */
	timers_run(1000);
	assert_int_equal(fired[0], 0);
	timer_init(&t[0], fire, (void *)(uintptr_t)0);	/* a new life */
	timer_set(&t[0], 10);
	timers_run(10);
	assert_int_equal(fired[0], 1);
}

/*
 * Audit finding 4 (poc_timer_race.c): CPU 1 runs a vCPU's periodic timer,
 * whose function re-arms it while the period is set, as periodic_fired()
 * does; CPU 0 destroys the vCPU meanwhile and frees it. After kill_timer()
 * the timer must be off every list and its function finished, however the
 * two interleave: the freed memory is never touched again (ASan would
 * report it). timer_stop() alone, as vcpu_destroy() used, fails this in a
 * good part of the tries: the function re-arms it after the stop looked.
 */
struct fake_vcpu {
	struct timer periodic;
	u64 period;		/* v->periodic_period, never cleared here */
	char rest[200];		/* the rest of the vCPU, freed with it */
};

#define RACE_TRIES 50000
static volatile bool race_over;
static unsigned long race_calls;

static void race_periodic_fired(void *data)
{
	struct fake_vcpu *v = data;

	for (volatile int i = 0; i < 100; i++)	/* send_guest_virq() */
		;
	__atomic_add_fetch(&race_calls, 1, __ATOMIC_RELAXED);
	if (READ_ONCE(v->period))
		timer_set(&v->periodic, 0);
}

static void *race_cpu1(void *arg)
{
	(void)arg;
	hosted_cpu = 1;
	while (!race_over)
		timers_run(1);
	return NULL;
}

static void test_kill_while_rearming_on_another_cpu(void **state)
{
	unsigned long armed_after_kill = 0, running_after_kill = 0;
	pthread_t cpu1;

	(void)state;
	race_over = false;
	assert_int_equal(pthread_create(&cpu1, NULL, race_cpu1, NULL), 0);
	for (long i = 0; i < RACE_TRIES; i++) {
		struct fake_vcpu *v = calloc(1, sizeof(*v));

		assert_non_null(v);
		timer_init(&v->periodic, race_periodic_fired, v);
		timer_migrate(&v->periodic, 1);		/* it last ran on CPU 1 */
		v->period = 1;
		timer_set(&v->periodic, 0);
		for (volatile int spin = 0; spin < (int)(i % 400); spin++)
			;
		kill_timer(&v->periodic);		/* vcpu_destroy() */
		armed_after_kill += __atomic_load_n(&v->periodic.active, __ATOMIC_SEQ_CST);
		running_after_kill += __atomic_load_n(&v->periodic.running, __ATOMIC_SEQ_CST) != 0;
		if (v->periodic.active)
			timer_stop(&v->periodic);	/* keep the run going to count */
		free(v);
	}
	race_over = true;
	pthread_join(cpu1, NULL);
	print_message("%lu tries, %lu periodic calls on CPU 1; armed after kill: %lu, running: %lu\n",
		      (unsigned long)RACE_TRIES, race_calls, armed_after_kill,
		      running_after_kill);
	assert_true(race_calls > 0);
	assert_int_equal(armed_after_kill, 0);
	assert_int_equal(running_after_kill, 0);
	hosted_cpu = 1;
	assert_int_equal(timers_next_deadline(), TIMER_NONE);
	hosted_cpu = 0;
}

/*
 * audit19: a timer fired on CPU 1, its vCPU switched in on CPU 0 meanwhile
 * (the scheduler loop's timer_migrate()) and the timer armed again in the
 * past there (set_timer_op). Moved, it would run on CPU 0 while CPU 1 is
 * still inside it, and the first run to end would clear `running` under
 * the other: kill_timer() would return with the function still running and
 * its vCPU be freed under it. It stays on CPU 1 instead, runs again there
 * after the first run, and the next migrate moves it.
 */
static struct timer once;
static int entered, inside, most_inside;
static int release[3];

static void one_at_a_time(void *data)
{
	int me = __atomic_add_fetch(&entered, 1, __ATOMIC_SEQ_CST);
	int now = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);

	(void)data;
	if (now > most_inside)
		most_inside = now;
	while (me < 3 && !__atomic_load_n(&release[me], __ATOMIC_SEQ_CST))
		;
	__atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
}

static void *once_cpu1(void *arg)
{
	(void)arg;
	hosted_cpu = 1;
	timers_run(100);	/* the first run, then the second when armed again meanwhile */
	return NULL;
}

static void wait_entered(int n)
{
	while (__atomic_load_n(&entered, __ATOMIC_SEQ_CST) < n)
		;
}

static void test_never_runs_on_two_cpus(void **state)
{
	pthread_t cpu1;

	(void)state;
	entered = inside = most_inside = 0;
	memset(release, 0, sizeof(release));
	hosted_cpu = 1;
	timer_init(&once, one_at_a_time, NULL);
	timer_set(&once, 10);
	hosted_cpu = 0;
	assert_int_equal(pthread_create(&cpu1, NULL, once_cpu1, NULL), 0);
	wait_entered(1);
	timer_migrate(&once, 0);		/* refused while it runs */
	assert_int_equal(once.cpu, 1);
	timer_set(&once, 0);			/* armed again, on CPU 1's list */
	timers_run(100);			/* nothing of it here */
	assert_int_equal(__atomic_load_n(&entered, __ATOMIC_SEQ_CST), 1);
	__atomic_store_n(&release[1], 1, __ATOMIC_SEQ_CST);
	wait_entered(2);			/* its second run, on CPU 1 */
	__atomic_store_n(&release[2], 1, __ATOMIC_SEQ_CST);
	pthread_join(cpu1, NULL);
	assert_int_equal(most_inside, 1);
	assert_int_equal(once.running, 0);
	timer_migrate(&once, 0);		/* not running: moves */
	assert_int_equal(once.cpu, 0);
	kill_timer(&once);
	assert_int_equal(inside, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fires_in_deadline_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_equal_deadlines_keep_insertion_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timers_are_per_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_keeps_it_armed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_timer_is_never_armed_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_while_rearming_on_another_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_runs_on_two_cpus, setup, teardown),
	};

	return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
