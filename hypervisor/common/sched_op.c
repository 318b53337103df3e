/* sched_op: yield, block and shutdown with its reason. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/hypercall.h>
#include <keel/schedule.h>
#include <keel/vcpu.h>
#include <public/sched.h>

#define POLL_MAX_PORTS 128	/* Xen's limit is 128 too */

/* Block until one of the listed ports is pending (masked or not) or the timeout. */
static long sched_poll(struct vcpu *v, u64 arg)
{
	struct sched_poll p;
	evtchn_port_t port;

	if (copy_from_guest(v, &p, arg, sizeof(p)))
		return -EFAULT;
	if (p.nr_ports > POLL_MAX_PORTS)
		return -EINVAL;
	for (unsigned int i = 0; i < p.nr_ports; i++) {
		if (copy_from_guest(v, &port, p.ports + i * sizeof(port),
				    sizeof(port)))
			return -EFAULT;
		if (!evtchn_port_is_valid(v->domain, port))
			return -EINVAL;
		if (evtchn_is_pending(v->domain, port))
			return 0;
	}
	v->polling = true;
	if (p.timeout)
		timer_set(&v->poll_timer, p.timeout);
	vcpu_block_poll(v);
	return 0;
}

long do_sched_op(struct vcpu *v, int cmd, u64 arg)
{
	switch (cmd) {
	case SCHEDOP_yield:
		vcpu_yield(v);
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
	case SCHEDOP_poll:
		return sched_poll(v, arg);
	default:
		return -ENOSYS;
	}
}
