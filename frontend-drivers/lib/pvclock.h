/* Xen system time from the pvclock in vcpu_info, and waits bounded by it. */
#ifndef GUEST_PVCLOCK_H
#define GUEST_PVCLOCK_H

#include <keel/types.h>
#include <public/xen.h>

#define NS_PER_US 1000ULL
#define NS_PER_MS 1000000ULL

/* System time (ns since keel booted) from @t, the way Linux's pvclock reads it. */
u64 pvclock_read(const volatile struct vcpu_time_info *t);

/* From vCPU 0's slot in shared_info: events_init() must have placed it. */
u64 pvclock_ns(void);

/* Enable interrupts; disable them. */
static inline void irq_enable(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" ::: "memory");
}

/*
 * Wait until @cond holds or @timeout_ns of system time passed; evaluates
 * to whether @cond held. spin_until() spins (PAUSE) with interrupts as they
 * are. halt_until() sleeps in HLT with interrupts on, checking @cond with
 * them off so that no wake-up is lost; it returns with interrupts on, and
 * only an interrupt (an event upcall) ends each HLT, so the deadline is
 * checked only then.
 */
#define spin_until(cond, timeout_ns)					\
	({								\
		u64 __end = pvclock_ns() + (timeout_ns);		\
		bool __done;						\
		while (!(__done = !!(cond)) && pvclock_ns() < __end)	\
			asm volatile("pause" ::: "memory");		\
		__done;							\
	})

#define halt_until(cond, timeout_ns)					\
	({								\
		u64 __end = pvclock_ns() + (timeout_ns);		\
		bool __done;						\
		for (;;) {						\
			irq_disable();					\
			__done = !!(cond);				\
			if (__done || pvclock_ns() >= __end)		\
				break;					\
			asm volatile("sti; hlt" ::: "memory");		\
		}							\
		irq_enable();						\
		__done;							\
	})

#endif
