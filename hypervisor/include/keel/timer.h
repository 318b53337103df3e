/* One-shot software timers on system time, each fired by the scheduler loop of its own CPU. */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H

#include <keel/types.h>

#define TIMER_NONE (~0ULL)

struct timer {
	u64 expires;		/* system time, ns */
	void (*fn)(void *data);
	void *data;
	struct timer *next;
	unsigned int cpu;	/* whose list it is on, and where it fires; kept while running */
	bool active;
	bool killed;		/* kill_timer(): never armed again */
	unsigned int running;	/* 1 + the CPU calling its function now; 0: none */
};

/* @t fires on the calling CPU until timer_migrate() moves it. */
void timer_init(struct timer *t, void (*fn)(void *data), void *data);
/* (Re)arm @t to fire at @expires; a time in the past fires at the next run. */
void timer_set(struct timer *t, u64 expires);
/* Disarm @t; on return its function is not running on any other CPU. */
void timer_stop(struct timer *t);
/*
 * Disarm @t for good, as Xen's kill_timer(): timer_set() and
 * timer_migrate() do nothing from now on, even from its own function
 * running on another CPU, and on return that function has finished. Call
 * it on every timer before the memory holding it is freed; never from the
 * timer's own function.
 */
void kill_timer(struct timer *t);
/*
 * Make @t fire on @cpu from now on (kept armed if it was). While its
 * function runs @t stays where it is, so that it never runs on two CPUs at
 * once (the next call moves it).
 */
void timer_migrate(struct timer *t, unsigned int cpu);
/* Fire every timer of this CPU due at @now, in deadline order. */
void timers_run(u64 now);
/* The earliest deadline of this CPU's timers, or TIMER_NONE. */
u64 timers_next_deadline(void);

#endif
