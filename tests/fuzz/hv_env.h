/* The hypercall fuzzer's host environment: arena, CPUs, clock, scheduler, checks. */
/*
 * A fake host RAM arena behind keel's own page allocator (free pages poisoned for ASan), two
 * CPUs taking turns, a fake clock, a scheduler that only tracks vCPU states, and the checks
 * run after every step.
 */
#ifndef TESTS_FUZZ_HV_ENV_H
#define TESTS_FUZZ_HV_ENV_H

#include <keel/domain.h>
#include <keel/types.h>

#define HV_ARENA_SIZE MiB(48)
#define HV_NR_CPUS 2

/* Set by control_domain_ended()/last_domain_ended(): keel would stop here. */
extern bool hv_stopped;

/* A fresh allocator over the whole arena (every page poisoned), CPUs and clock reset. */
void hv_env_reset(void);
/* A scheduler with no domains and no tasklets queued. */
void hv_sched_reset(void);
/* Pages free in the arena right now. */
u64 hv_free_pages(void);

/* The fake clock: now_ns() is this many ns after boot. */
void hv_time_advance(u64 ns);

/* Run queued tasklets (the boot CPU's loop does), and the timers due on @cpu. */
void hv_run_tasklets(void);
bool hv_tasklets_pending(void);
void hv_run_timers(unsigned int cpu);

/* hypercall_preempt_check() sees a kick at its check number this (0: none). */
extern unsigned int hv_preempt_after;

/* Make @v the running vCPU of its CPU around one hypercall, as the scheduler loop would. */
void hv_enter(struct vcpu *v);
void hv_leave(struct vcpu *v);
/* Move @v to @cpu as context_switch_in() does: its timers follow. */
void hv_migrate(struct vcpu *v, unsigned int cpu);

/* FUZZ_VERBOSE is set: keel's console and each step go to stderr. */
bool hv_verbose(void);

/* Traps (a crash for the fuzzer) with a message when an invariant does not hold. */
void __noreturn hv_fail(const char *fmt, ...) __printf(1, 2);
/* After every step: frames owned once, every mapped frame allocated, references sane. */
void hv_check_p2ms(void);
/* At the end, every domain destroyed: nothing left, every page back. */
void hv_check_all_freed(u64 free_at_start);

#endif
