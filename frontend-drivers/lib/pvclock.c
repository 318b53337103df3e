/* Reading Xen's pvclock: the version loop and the TSC-to-ns scaling of struct vcpu_time_info. */
#include <asm/processor.h>
#include "events.h"
#include "pvclock.h"

u64 pvclock_read(const volatile struct vcpu_time_info *t)
{
	u32 version;
	u64 ns;

	do {
		u64 delta;

		version = t->version;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		delta = rdtsc() - t->tsc_timestamp;
		if (t->tsc_shift < 0)
			delta >>= -t->tsc_shift;
		else
			delta <<= t->tsc_shift;
		ns = t->system_time +
		     (u64)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} while ((version & 1) || version != t->version);
	return ns;
}

u64 pvclock_ns(void)
{
	return pvclock_read(&events_shared_info()->vcpu_info[0].time);
}
