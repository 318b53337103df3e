/* sched_op: yield, block and shutdown with its reason. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/hypercall.h>
#include <keel/schedule.h>
#include <keel/vcpu.h>
#include <public/sched.h>

#define POLL_MAX_PORTS 128	/* Xen's limit is 128 too */

/*
 * Block until one of the listed ports is pending (masked or not) or the
 * timeout. The ports are copied and checked first; then v->polling is set
 * before the ports are looked at, so a sender on another CPU either sees
 * it (evtchn_port_set_pending() wakes us) or raised its port before our
 * look under the same event-channel lock: no wake-up is lost, which
 * matters to Linux's spinlock slow path (SCHEDOP_poll, no timeout).
 */
static long sched_poll(struct vcpu *v, u64 arg)
{
	evtchn_port_t ports[POLL_MAX_PORTS];
	struct sched_poll p;

	if (copy_from_guest(v, &p, arg, sizeof(p)))
		return -EFAULT;
	if (p.nr_ports > POLL_MAX_PORTS)
		return -EINVAL;
	if (p.nr_ports && copy_from_guest(v, ports, p.ports,
					  p.nr_ports * sizeof(ports[0])))
		return -EFAULT;
	for (unsigned int i = 0; i < p.nr_ports; i++)
		if (!evtchn_port_is_valid(v->domain, ports[i]))
			return -EINVAL;
	WRITE_ONCE(v->polling, true);
	for (unsigned int i = 0; i < p.nr_ports; i++) {
		if (evtchn_is_pending(v->domain, ports[i])) {
			WRITE_ONCE(v->polling, false);
			return 0;
		}
	}
	if (p.timeout)
		timer_set(&v->poll_timer, p.timeout);
	vcpu_block_poll(v);
	return 0;
}

long do_sched_op(struct vcpu *v, int cmd, u64 arg)
{
	switch (cmd) {
	case SCHEDOP_yield:
		vcpu_yield(v, true);
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
