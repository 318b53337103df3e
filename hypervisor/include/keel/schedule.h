/* The scheduler: every CPU's loop, picking vCPUs by the credit policy, and vCPU sleep and wake. */
#ifndef KEEL_SCHEDULE_H
#define KEEL_SCHEDULE_H

#include <keel/cpumask.h>
#include <keel/types.h>

struct domain;
struct vcpu;

/* Start the scheduler on the CPUs brought up (after SMP bring-up). */
void scheduler_init(void);
/* Has scheduler_init() run (application processors wait for it)? */
bool scheduler_running(void);
/* This CPU's scheduler loop: run vCPUs, fire timers, run deferred work, idle. */
void __noreturn schedule_loop(void);
/* Print what each CPU's loop did (picks, steals, slices, idle time), at the end of a run. */
void sched_report(void);

/* Enter @d and its vCPUs into the scheduler / take them out (vCPUs off-CPU first). */
void sched_domain_add(struct domain *d);
void sched_domain_remove(struct domain *d);
/* Weight 1..65535 and cap (percent of one CPU, 0 = none); -EINVAL otherwise. */
int sched_domain_set_params(struct domain *d, u32 weight, u32 cap);
/* The CPU time @d's vCPUs have been charged, ns. */
u64 sched_domain_runtime(struct domain *d);
/* Hard affinity of @v: the host CPUs in @mask only; -EINVAL if it names none. */
int sched_vcpu_set_affinity(struct vcpu *v, const cpumask_t *mask);
/* @v's CPU, charged time (ns) and hard affinity, read together. */
void sched_vcpu_info(struct vcpu *v, unsigned int *cpu, u64 *run_ns, cpumask_t *affinity);

/*
 * @v may have become runnable (woken, started, unpaused): queue it and
 * kick the CPU that should run it.
 */
void vcpu_wake(struct vcpu *v);
/* @v may have stopped being runnable: take it off the CPU at the next chance. */
void vcpu_sleep(struct vcpu *v);
/* vcpu_sleep(), then wait until @v is off every CPU with its state saved. */
void vcpu_sleep_sync(struct vcpu *v);
/*
 * vcpu_sleep() without the wait, from the scheduler loop (a tasklet): @v
 * leaves this CPU at once if loaded here. True when it is off every CPU.
 */
bool vcpu_sleep_try(struct vcpu *v);
/*
 * @v gives up the rest of its time slice; with @hand_on (SCHEDOP_yield, not a
 * PAUSE loop) perhaps to the vCPU it last signalled (sched_yield()).
 */
void vcpu_yield(struct vcpu *v, bool hand_on);
/* The vCPU running here raised an event for @v (EVTCHNOP_send). */
void vcpu_signalled(struct vcpu *v);

/* Deferred work run from the scheduler loop, outside any vCPU's context. */
struct tasklet {
	void (*fn)(void *data);
	void *data;
	struct tasklet *next;
	bool queued;
};
void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data);
/* Run @t once soon on some CPU (the boot CPU is kicked); no-op if queued. */
void tasklet_schedule(struct tasklet *t);

#endif
