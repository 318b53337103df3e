/* Virtual CPUs: the generic part of a guest CPU (the arch keeps its register state). */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <keel/sched_credit.h>
#include <keel/timer.h>
#include <keel/types.h>
#include <asm/vcpu.h>
#include <public/event_channel.h>
#include <public/keel_domctl.h>
#include <public/xen.h>

struct domain;
struct vcpu_info;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_BLOCKED,		/* waiting for an event or timer */
	VCPU_DOWN,
};

struct vcpu {
	unsigned int id;
	struct domain *domain;
	enum vcpu_state state;		/* changed under the scheduler lock */
	unsigned int processor;		/* last ran on (or created on); its timers fire there */
	volatile bool is_running;	/* loaded on a CPU; its state is not in memory */
	struct sched_unit sched_unit;
	/* Where events are signalled: shared_info's slot or a registered page. */
	struct vcpu_info *vcpu_info;
	u64 vcpu_info_hpa;		/* the registered frame, referenced; 0: none */
	u8 upcall_vector;		/* HVMOP_set_evtchn_upcall_vector; 0 = none */

	struct timer singleshot_timer;	/* raises VIRQ_TIMER */
	struct timer periodic_timer;
	u64 periodic_period;		/* ns; 0 = stopped */
	struct timer poll_timer;	/* SCHEDOP_poll timeout */
	bool polling;			/* in SCHEDOP_poll: any new event wakes it */
	/* Port bound to each VIRQ here, 0 if none; vCPU 0's: global VIRQs too (evtchn lock). */
	evtchn_port_t virq_to_port[NR_VIRQS];

	/* hypercall_create_continuation() ran: the call is issued again. */
	bool hcall_preempted;
	/* Hypercalls issued, by number (domain_stats.c; the last entry: the rest). */
	u64 hcall_count[KEEL_STATS_HCALLS];

	u64 runstate_va;		/* guest-virtual; 0 = not registered */
	u64 time_area_va;		/* guest-virtual vcpu_time_info copy; 0 = none */
	struct vcpu_runstate_info runstate;

	struct arch_vcpu arch;
};

struct vcpu *vcpu_create(struct domain *d, unsigned int id);
/* Can @v run: started, not blocked, its domain running and not paused? */
bool vcpu_runnable(const struct vcpu *v);
/* Start a vCPU that is down (boot, SIPI, VCPUOP_up). */
void vcpu_up(struct vcpu *v);
/* INIT: @v stops until started again (vcpu_up()); its CPU lets it go at once. */
void vcpu_down(struct vcpu *v);
/*
 * Its domain is being destroyed and @v is off every CPU: stop its periodic
 * timer for good and kill every timer of it (kill_timer()), so that none
 * can fire once its memory is gone.
 */
void vcpu_kill_timers(struct vcpu *v);
/* Free @v (the domain's last reference went); its timers are dead already. */
void vcpu_destroy(struct vcpu *v);
/* Drop the reference to @v's registered vcpu_info frame (at destruction). */
void vcpu_info_release(struct vcpu *v);

/*
 * Events are pending for @v (vcpu_info->evtchn_upcall_pending was just set):
 * wake it if blocked, and have the upcall injected before it next runs.
 */
void vcpu_kick(struct vcpu *v);

/* A port of @v's domain became pending: wake @v if it polls. */
void vcpu_poll_wake(struct vcpu *v);

/* Block @v until an event or timer; it stays runnable if an upcall is pending. */
void vcpu_block(struct vcpu *v);
/* Block @v for SCHEDOP_poll: only a polled port or the timeout wakes it. */
void vcpu_block_poll(struct vcpu *v);
/* Move @v to RUNSTATE_* @state, accounting the time and updating the guest's area. */
void vcpu_set_runstate(struct vcpu *v, int state);
/* Refresh the pvclock in @v's vcpu_info. */
void vcpu_update_time(struct vcpu *v);
/* The vector to deliver @v's event upcall on, or 0 when none is registered. */
unsigned int vcpu_upcall_vector(const struct vcpu *v);
/* Print what could wake @v (state, events, timers, interrupts): KEEL_DOMCTL_dump_vcpus. */
void vcpu_dump(const struct vcpu *v);

#endif
