/* The credit scheduling policy: per-CPU run queues, domain weights and caps, no hardware. */
#ifndef KEEL_SCHED_CREDIT_H
#define KEEL_SCHED_CREDIT_H

#include <keel/cpumask.h>
#include <keel/types.h>

/*
 * A simplified Xen credit scheduler. Pure policy: it never touches a CPU, a
 * timer or a VMCS, allocates nothing and takes the time (@now, ns) from the
 * caller, who also serialises every call (one scheduler lock).
 *
 * Credit is CPU time in ns. A running unit is charged what it runs; every
 * accounting period (sched_tick(), every SCHED_PERIOD_NS) the elapsed time
 * times the number of CPUs is shared out between the active domains in
 * proportion to their weights, and each domain's share is split evenly
 * between its active units: those not blocked, and those blocked at the tick
 * that ran since the last one (a vCPU answering requests is blocked at most
 * ticks), which get back what they ran, up to their part; what they leave
 * goes to the runnable units. Credit stays within one period either side of
 * zero: no banking of idle time, no endless debt.
 *
 * A unit with credit >= 0 is UNDER, one with less is OVER. Each CPU's run
 * queue holds boosted units (below), then UNDER, then OVER ones, FIFO within
 * each. A UNDER unit runs for its credit (between SCHED_MIN_SLICE_NS and
 * SCHED_SLICE_NS), an OVER one for SCHED_SLICE_NS: OVER units run only when
 * no UNDER unit is waiting, so the machine stays busy but shares go by weight.
 *
 * A cap (percent of one CPU, 0 = none) bounds what a domain's units may run
 * in one period together: it gets no more credit than its cap, slices are
 * cut short so as not to pass it, and a domain that reaches it is parked (its
 * units are not queued) until the next period, which inherits any overrun.
 *
 * A CPU whose best waiting unit is not UNDER steals the first waiting UNDER
 * unit of the busiest other CPU, and an idle CPU steals any waiting unit; the
 * stolen unit's @cpu changes and @migrated is set. A unit that has waited
 * SCHED_STARVE_NS is boosted at the tick: it runs next, for SCHED_MIN_SLICE_NS
 * and still charged, so even a weight of 1 among heavy domains runs every
 * few periods while taking little more than its share.
 *
 * A unit woken with credit left (not OVER, its domain not capped) is
 * boosted, as Xen's BOOST: it queues ahead of UNDER and OVER units and its
 * CPU is told to reschedule, so the vCPU an event woke runs at once rather
 * than after the current slice. The boost ends when the unit leaves the
 * CPU (it blocks, or is preempted or its slice ends), so a unit woken in a
 * loop runs boosted only while its credit lasts. As Xen's
 * sched_ratelimit_us, a unit keeps its CPU for @ratelimit_ns after it
 * was picked (unless it yields, blocks or its domain reaches its cap; a unit
 * given a yield's CPU keeps none, a starved one no more than its short slice):
 * a reschedule before then gives it the rest of that time as its slice.
 *
 * A yield puts the unit behind every waiting unit of its priority or better.
 * Where that is none, a yield may hand the CPU on, paid for, to the unit the
 * yielder signalled (sched_yield()): a backend's yield to its guest.
 *
 * Each unit has a hard affinity, a mask of the CPUs it may run on (all by
 * default): it is queued only on one of them, stolen only by one of them, and
 * a unit running outside a mask just set is requeued inside it at its CPU's
 * next pick (sched_set_affinity() says which CPU to kick for that).
 *
 * Wake-ups and ticks say which CPUs should reschedule (Xen's "tickle"): the
 * caller reschedules itself, or sends the others an IPI.
 */

#define SCHED_MAX_CPUS		MAX_CPUS
#define SCHED_PERIOD_NS		30000000ULL	/* accounting period: 30 ms */
#define SCHED_SLICE_NS		10000000ULL	/* longest time slice: 10 ms */
#define SCHED_MIN_SLICE_NS	1000000ULL	/* shortest, caps apart: 1 ms */
#define SCHED_RATELIMIT_NS	1000000ULL	/* default least run before a preemption */
#define SCHED_STARVE_NS		(10 * SCHED_PERIOD_NS)
#define SCHED_GIFT_FACTOR	2	/* a yield gives at most twice what its unit ran */
#define SCHED_MAX_DEBT_NS	(SCHED_PERIOD_NS)	/* credit floor at the tick */
#define SCHED_DEFAULT_WEIGHT	256
#define SCHED_MAX_WEIGHT	65535

enum sched_state {
	SCHED_BLOCKED,		/* waiting for an event or timer */
	SCHED_RUNNABLE,		/* queued, or parked while its domain is capped */
	SCHED_RUNNING,		/* some CPU's curr */
};

struct sched_link {
	struct sched_link *next, *prev;
};

/* One per domain, owned by the caller. */
struct sched_dom {
	u32 weight;			/* relative share, 1..SCHED_MAX_WEIGHT */
	u32 cap;			/* percent of one CPU per period; 0 = none */
	u64 used_ns;			/* run in this period, for the cap */
	bool capped;			/* reached its cap: parked until the next tick */
	unsigned int nr_units;
	struct sched_unit *units;	/* linked by sched_unit.dom_next */
	struct sched_dom *next;		/* in scheduler.doms */
};

/* One per vCPU, owned by the caller (meant to be embedded in struct vcpu). */
struct sched_unit {
	struct sched_dom *dom;
	enum sched_state state;
	s64 credit;			/* ns; UNDER when >= 0 */
	unsigned int cpu;		/* the CPU whose queue holds it or that runs it */
	bool queued;
	bool yielded;			/* goes to the back of the queue once */
	bool hand_on;			/* its yield may go to the unit it signalled */
	bool paying;			/* some CPU runs a unit on its credit */
	bool starved;			/* waited too long: runs next, for a short slice */
	bool boosted;			/* woken with credit: runs next, until it leaves */
	bool migrated;			/* stolen by @cpu: the arch moves it and clears this */
	struct sched_link rq;
	struct sched_unit *dom_next;
	u64 ready_since;		/* when it last became ready to run */
	u64 run_ns;			/* CPU time charged, in total */
	u64 tick_run_ns;		/* run_ns at the last accounting tick */
	u64 gave_ns;			/* others ran on its credit since that tick */
	u64 got_ns;			/* it ran on others' credit since that tick */
	unsigned int migrations;
	cpumask_t affinity;		/* hard affinity: the CPUs it may run on */
};

/* One per physical CPU. */
struct sched_cpu {
	struct sched_link runq;		/* boosted, UNDER, then OVER units; FIFO within */
	unsigned int nr_queued;
	struct sched_unit *curr;	/* NULL while idle */
	u64 charged_to;			/* curr has been charged up to this time */
	u64 picked_at;			/* when curr was last picked, for the ratelimit */
	u64 keep_ns;			/* the ratelimit at most this (given: 0; starved: its slice) */
	struct sched_unit *woken;	/* what curr last signalled, for its yield */
	struct sched_unit *payer;	/* the yielder curr runs for, charged its credit */
};

struct scheduler {
	unsigned int ncpus;
	u64 ratelimit_ns;		/* SCHED_RATELIMIT_NS unless changed; 0: none */
	cpumask_t idle_mask;		/* idle CPUs not yet kicked */
	u64 last_tick;
	struct sched_dom *doms;
	struct sched_cpu *cpu;		/* [ncpus], the caller's */
};

/*
 * Start with @ncpus idle CPUs (1..SCHED_MAX_CPUS), whose state is @cpus[ncpus]
 * (the caller's memory), and no domains; -EINVAL otherwise.
 */
int sched_init(struct scheduler *s, unsigned int ncpus, struct sched_cpu *cpus, u64 now);

/* Add @d with the default weight and no cap; remove it once it has no units (-EBUSY). */
void sched_add_dom(struct scheduler *s, struct sched_dom *d);
int sched_remove_dom(struct scheduler *s, struct sched_dom *d);
/* Weight 1..SCHED_MAX_WEIGHT, cap 0..100 * ncpus percent; -EINVAL otherwise. */
int sched_set_params(struct scheduler *s, struct sched_dom *d, u32 weight, u32 cap);

/*
 * Add @u to @d, living on @cpu, blocked until sched_wake(), with every CPU
 * as its hard affinity; -EINVAL for a bad CPU.
 */
int sched_add_unit(struct scheduler *s, struct sched_unit *u, struct sched_dom *d,
		   unsigned int cpu);
/*
 * Take @u out of the scheduler at @now, charging first what it ran and what it
 * paid for on another CPU. Returns the CPU that was running it, which must
 * reschedule before the unit's memory goes, or -1.
 */
int sched_remove_unit(struct scheduler *s, struct sched_unit *u, u64 now);

/*
 * Make a blocked @u runnable. Returns the CPU to kick: @u's own if it is idle,
 * else an idle CPU (which will steal work), else @u's own if @u preempts what
 * runs there, else -1. A unit woken before its CPU rescheduled keeps running.
 */
int sched_wake(struct scheduler *s, struct sched_unit *u, u64 now);
/*
 * Set @u's hard affinity to @mask (bits past the CPUs are dropped; -EINVAL if
 * none is left). Returns the CPU to kick: the one running @u outside @mask, or
 * the one that should pick @u up where it was moved; else -1.
 */
int sched_set_affinity(struct scheduler *s, struct sched_unit *u, const cpumask_t *mask,
		       u64 now);
/* @u waits for an event; if it is running, its CPU should reschedule. */
void sched_block(struct scheduler *s, struct sched_unit *u, u64 now);
/*
 * The running @u steps back behind every waiting unit of its priority or
 * better at its CPU's next pick. With @hand_on, if none waits, so that the
 * yield would give @u the CPU straight back, the unit it last signalled
 * (sched_signalled()) runs instead, if it waits on that CPU, however worse
 * its priority, for at most SCHED_MIN_SLICE_NS and at @u's expense: its
 * credit pays (the runner's domain still counts the time against its cap).
 * Since the last tick @u gives at most SCHED_GIFT_FACTOR times what it ran
 * itself, never more than its credit, and on one CPU at a time. The CPU was @u's to give: a
 * backend that answers a guest and yields so that the guest's next request
 * comes in the yield reaches a guest in debt too, and a guest that keeps the
 * backend busy gets no more than a multiple of the work it makes it do.
 */
void sched_yield(struct scheduler *s, struct sched_unit *u, bool hand_on);
/* The unit running on @cpu signalled @u (an event it sent): its yield may go to @u. */
void sched_signalled(struct scheduler *s, unsigned int cpu, struct sched_unit *u);

/*
 * Reschedule @cpu: charge and requeue its current unit, and return the unit
 * to run with *@slice_ns set to how long, or NULL with *@slice_ns 0 to idle
 * until kicked. A returned unit with @migrated set was moved from another CPU.
 */
struct sched_unit *sched_pick_next(struct scheduler *s, unsigned int cpu, u64 now,
				   u64 *slice_ns);
/* Charge @cpu's current unit for its time up to @now (done by pick and tick too). */
void sched_account(struct scheduler *s, unsigned int cpu, u64 now);
/*
 * The accounting period ended: share out credit, end caps' parking and lift
 * starved units. Sets @kick to the CPUs that should reschedule.
 */
void sched_tick(struct scheduler *s, u64 now, cpumask_t *kick);

#endif
