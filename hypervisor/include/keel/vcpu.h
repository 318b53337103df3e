/* Virtual CPUs: the generic part of a guest CPU (the arch keeps its register state). */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <keel/types.h>
#include <asm/vcpu.h>

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
	enum vcpu_state state;
	/* Where events are signalled: shared_info's slot or a registered page. */
	struct vcpu_info *vcpu_info;
	struct arch_vcpu arch;
};

struct vcpu *vcpu_create(struct domain *d, unsigned int id);
void vcpu_destroy(struct vcpu *v);

/*
 * Events are pending for @v (vcpu_info->evtchn_upcall_pending was just set):
 * wake it if blocked, and have the upcall injected before it next runs.
 */
void vcpu_kick(struct vcpu *v);

#endif
