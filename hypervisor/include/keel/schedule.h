/* Running domains' vCPUs on this CPU. */
#ifndef KEEL_SCHEDULE_H
#define KEEL_SCHEDULE_H

struct domain;

/*
 * Run @d's vCPUs until the domain stops running, firing timers and idling
 * in HLT while every vCPU is blocked.
 */
void schedule_run(struct domain *d);

#endif
