/* Virtual CPUs: the generic part of a guest CPU (the arch keeps its register state). */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <keel/types.h>
#include <asm/vcpu.h>

struct domain;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_BLOCKED,		/* waiting for an event or timer */
	VCPU_DOWN,
};

struct vcpu {
	unsigned int id;
	struct domain *domain;
	enum vcpu_state state;
	struct arch_vcpu arch;
};

struct vcpu *vcpu_create(struct domain *d, unsigned int id);
void vcpu_destroy(struct vcpu *v);

#endif
