/* sched_op: yield, block and shutdown with its reason. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/vcpu.h>
#include <public/sched.h>

long do_sched_op(struct vcpu *v, int cmd, u64 arg)
{
	switch (cmd) {
	case SCHEDOP_yield:
		return 0;
	case SCHEDOP_block:
		vcpu_block(v);
		return 0;
	case SCHEDOP_shutdown: {
		struct sched_shutdown s;

		if (copy_from_guest(v, &s, arg, sizeof(s)))
			return -EFAULT;
		if (s.reason > SHUTDOWN_MAX)
			return -EINVAL;
		domain_shutdown(v->domain, s.reason);
		return 0;
	}
	default:
		return -ENOSYS;
	}
}
