/* vcpu_op and set_timer_op: vcpu_info (held) and runstate registration, single-shot and periodic timers. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/vcpu.h>

/* The longest periodic timer, as Xen's STIME_DELTA_MAX. */
#define PERIOD_MAX_NS (~0ULL >> 2)

/*
 * @v calls, for @t: Linux's boot CPU registers its APs' vcpu_info before
 * starting them. As Xen's map_guest_area: only a writable frame the
 * domain owns, held by a reference until the vCPU is destroyed, and only
 * once (Xen: -EINVAL while one is registered). Keel keeps writing there
 * (event bits, the pvclock), so it must hold what it writes to.
 */
static long register_vcpu_info(struct vcpu *v, struct vcpu *t, u64 arg)
{
	struct vcpu_register_vcpu_info r;
	struct vcpu_info *info, *prev;
	u64 hpa, none = 0;

	if (copy_from_guest(v, &r, arg, sizeof(r)))
		return -EFAULT;
	if (r.offset > PAGE_SIZE - sizeof(struct vcpu_info) ||
	    r.offset % 8 || r.mfn >= PFN_DOWN(PT_ADDR_LIMIT))
		return -EINVAL;
	if (READ_ONCE(t->vcpu_info_hpa))
		return -EINVAL;
	if (p2m_get_page(v->domain, PFN_PHYS(r.mfn), P2M_OWNED | P2M_WRITE,
			 &hpa, NULL))
		return -EINVAL;
	/* Two registrations racing for @t: one wins, the other lets go. */
	if (!__atomic_compare_exchange_n(&t->vcpu_info_hpa, &none, hpa, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		put_page(hpa);
		return -EINVAL;
	}
	info = (struct vcpu_info *)((u8 *)phys_to_virt(hpa) + r.offset);
	prev = READ_ONCE(t->vcpu_info);
	if (prev)
		memcpy(info, prev, sizeof(*info));
	else
		memset(info, 0, sizeof(*info));
	smp_mb();
	WRITE_ONCE(t->vcpu_info, info);
	smp_mb();
	/* Events signalled in the old place while it moved are not lost. */
	if (prev) {
		__atomic_fetch_or(&info->evtchn_pending_sel,
				  READ_ONCE(prev->evtchn_pending_sel),
				  __ATOMIC_SEQ_CST);
		if (READ_ONCE(prev->evtchn_upcall_pending))
			WRITE_ONCE(info->evtchn_upcall_pending, 1);
	}
	vcpu_update_time(t);
	return 0;
}

void vcpu_info_release(struct vcpu *v)
{
	u64 hpa = v->vcpu_info_hpa;

	if (!hpa)
		return;
	v->vcpu_info = NULL;
	v->vcpu_info_hpa = 0;
	put_page(hpa);
}

static long set_singleshot(struct vcpu *v, u64 timeout, u32 flags)
{
	if ((flags & VCPU_SSHOTTMR_future) && timeout < now_ns())
		return -ETIME;
	timer_set(&v->singleshot_timer, timeout);
	return 0;
}

long do_vcpu_op(struct vcpu *v, int cmd, unsigned int vcpuid, u64 arg)
{
	struct domain *d = v->domain;
	struct vcpu *t;

	if (vcpuid >= d->nr_vcpus)
		return -ENOENT;
	t = d->vcpus[vcpuid];
	switch (cmd) {		/* these may name any vCPU of the domain */
	case VCPUOP_is_up:
		return t->state != VCPU_DOWN;
	case VCPUOP_register_vcpu_info:
		return register_vcpu_info(v, t, arg);
	case VCPUOP_register_runstate_memory_area: {
		struct vcpu_register_runstate_memory_area r;

		if (copy_from_guest(v, &r, arg, sizeof(r)))
			return -EFAULT;
		t->runstate_va = r.addr;
		vcpu_set_runstate(t, t->runstate.state);
		return 0;
	}
	case VCPUOP_stop_periodic_timer:
		t->periodic_period = 0;
		timer_stop(&t->periodic_timer);
		return 0;
	}
	/* The rest act on the calling vCPU only, as Xen's do. */
	if (vcpuid != v->id)
		return -EINVAL;
	switch (cmd) {
	case VCPUOP_register_vcpu_time_memory_area: {
		struct vcpu_register_time_memory_area r;

		if (copy_from_guest(v, &r, arg, sizeof(r)))
			return -EFAULT;
		v->time_area_va = r.addr;
		vcpu_update_time(v);
		return 0;
	}
	case VCPUOP_set_periodic_timer: {
		struct vcpu_set_periodic_timer p;

		if (copy_from_guest(v, &p, arg, sizeof(p)))
			return -EFAULT;
		/* Xen's bounds: now + period cannot wrap (STIME_DELTA_MAX). */
		if (p.period_ns < MILLISECS(1) || p.period_ns > PERIOD_MAX_NS)
			return -EINVAL;
		v->periodic_period = p.period_ns;
		timer_set(&v->periodic_timer, now_ns() + p.period_ns);
		return 0;
	}
	case VCPUOP_set_singleshot_timer: {
		struct vcpu_set_singleshot_timer s;

		if (copy_from_guest(v, &s, arg, sizeof(s)))
			return -EFAULT;
		return set_singleshot(v, s.timeout_abs_ns, s.flags);
	}
	case VCPUOP_stop_singleshot_timer:
		timer_stop(&v->singleshot_timer);
		return 0;
	default:
		return -ENOSYS;
	}
}

long do_set_timer_op(struct vcpu *v, u64 timeout)
{
	if (!timeout) {
		timer_stop(&v->singleshot_timer);
		return 0;
	}
	return set_singleshot(v, timeout, 0);
}
