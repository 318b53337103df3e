/* One-shot software timers on system time, run from keel's main loop. */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H

#include <keel/types.h>

#define TIMER_NONE (~0ULL)

struct timer {
	u64 expires;		/* system time, ns */
	void (*fn)(void *data);
	void *data;
	struct timer *next;
	bool active;
};

void timer_init(struct timer *t, void (*fn)(void *data), void *data);
/* (Re)arm @t to fire at @expires; a time in the past fires at the next run. */
void timer_set(struct timer *t, u64 expires);
void timer_stop(struct timer *t);
/* Fire every timer due at @now, in deadline order. */
void timers_run(u64 now);
/* The earliest deadline, or TIMER_NONE. */
u64 timers_next_deadline(void);

#endif
