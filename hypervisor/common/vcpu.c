/* vCPUs: allocation, blocking and waking, runstate accounting and the pvclock. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/evtchn.h>
#include <keel/frame.h>
#include <keel/hypercall.h>
#include <keel/page_alloc.h>
#include <keel/percpu.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/event_channel.h>
#include <public/hvm_op.h>
#include <public/xen.h>

BUILD_BUG_ON(sizeof(struct vcpu) > PAGE_SIZE);

static void singleshot_fired(void *data)
{
	send_guest_virq(data, VIRQ_TIMER);
}

static void periodic_fired(void *data)
{
	struct vcpu *v = data;

	u64 period = READ_ONCE(v->periodic_period);

	send_guest_virq(v, VIRQ_TIMER);
	/* A no-op once killed (domain_destroy()), whatever the period says. */
	if (period)
		timer_set(&v->periodic_timer, now_ns() + period);
}

static void poll_timeout(void *data)
{
	vcpu_poll_wake(data);
}

void vcpu_poll_wake(struct vcpu *v)
{
	if (!READ_ONCE(v->polling))
		return;
	WRITE_ONCE(v->polling, false);
	timer_stop(&v->poll_timer);
	vcpu_kick(v);
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
	struct vcpu *v = alloc_page();

	if (!v)
		return NULL;
	v->id = id;
	v->domain = d;
	v->state = VCPU_DOWN;
	v->processor = smp_processor_id();	/* where timer_init() puts its timers */
	if (id < XEN_LEGACY_MAX_VCPUS)
		v->vcpu_info = &d->shared_info->vcpu_info[id];
	timer_init(&v->singleshot_timer, singleshot_fired, v);
	timer_init(&v->periodic_timer, periodic_fired, v);
	timer_init(&v->poll_timer, poll_timeout, v);
	v->runstate.state = RUNSTATE_offline;
	v->runstate.state_entry_time = now_ns();
	return v;
}

void vcpu_kill_timers(struct vcpu *v)
{
	/* A periodic timer's function re-arms it while a period is set. */
	WRITE_ONCE(v->periodic_period, 0);
	kill_timer(&v->singleshot_timer);
	kill_timer(&v->periodic_timer);
	kill_timer(&v->poll_timer);
}

void vcpu_destroy(struct vcpu *v)
{
	/* domain_destroy() killed them: none can fire into the freed page. */
	ASSERT(v->domain->dying);
	ASSERT(v->singleshot_timer.killed && v->periodic_timer.killed &&
	       v->poll_timer.killed);
	ASSERT(!v->singleshot_timer.active && !v->periodic_timer.active &&
	       !v->poll_timer.active);
	ASSERT(!READ_ONCE(v->is_running));
	vcpu_info_release(v);
	arch_vcpu_destroy(v);
	free_page(v);
}

/*
 * Copy @v's runstate to its area. With VMASST_TYPE_runstate_update_flag,
 * as Xen does, XEN_RUNSTATE_UPDATE is set in the area's state_entry_time
 * before the copy and cleared after it, so that another vCPU reading the
 * area (Linux's steal clock of a remote CPU) can tell a torn read: the
 * flag lives in the last byte of state_entry_time, written alone. An area
 * within one page of the guest's own RAM is written through one
 * translation; any other (across a page, lent by another domain) by three
 * copies. The guest may change its page tables meanwhile: each write is
 * to a page keel holds, wherever it is now mapped.
 */
static void runstate_publish(struct vcpu *v)
{
	struct vcpu_runstate_info r = v->runstate;
	u64 va = v->runstate_va, flag_va, hpa;
	u8 flag_on, flag_off;

	if (!vm_assist_enabled(v->domain, VMASST_TYPE_runstate_update_flag)) {
		copy_to_guest(v, va, &r, sizeof(r));
		return;
	}
	flag_va = va + offsetof(struct vcpu_runstate_info, state_entry_time) + 7;
	flag_off = r.state_entry_time >> 56;
	r.state_entry_time |= XEN_RUNSTATE_UPDATE;
	flag_on = r.state_entry_time >> 56;
	if ((va & ~PAGE_MASK) + sizeof(r) <= PAGE_SIZE &&
	    !guest_virt_get_page(v, va, true, &hpa)) {
		u8 *area = (u8 *)phys_to_virt(hpa) + (va & ~PAGE_MASK);
		u8 *flag = area + (flag_va - va);

		WRITE_ONCE(*flag, flag_on);
		smp_mb();
		memcpy(area, &r, sizeof(r));
		smp_mb();
		WRITE_ONCE(*flag, flag_off);
		put_page(hpa);
		return;
	}
	if (copy_to_guest(v, flag_va, &flag_on, 1))
		return;
	smp_mb();
	copy_to_guest(v, va, &r, sizeof(r));
	smp_mb();
	copy_to_guest(v, flag_va, &flag_off, 1);
}

void vcpu_set_runstate(struct vcpu *v, int state)
{
	u64 now = now_ns();

	v->runstate.time[v->runstate.state] += now - v->runstate.state_entry_time;
	v->runstate.state = state;
	v->runstate.state_entry_time = now;
	/* Guest-virtual addresses resolve only through the loaded vCPU's state. */
	if (v->runstate_va && this_cpu()->curr == v)
		runstate_publish(v);
}

bool vcpu_runnable(const struct vcpu *v)
{
	const struct domain *d = v->domain;

	return v->state == VCPU_RUNNABLE && d->state == DOMAIN_RUNNING &&
	       !READ_ONCE(d->pause_count);
}

void vcpu_update_time(struct vcpu *v)
{
	struct vcpu_time_info *t;
	u64 tsc;

	if (!v->vcpu_info)
		return;
	t = &v->vcpu_info->time;
	t->version++;			/* odd: update in progress */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* The stamp is in the guest's TSC, which is offset from the host's. */
	tsc = arch_read_tsc();
	t->tsc_timestamp = arch_vcpu_guest_tsc(v, tsc);
	t->system_time = scale_delta(tsc - boot_tsc, &tsc_scale);
	t->tsc_to_system_mul = tsc_scale.mul_frac;
	t->tsc_shift = tsc_scale.shift;
	t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->version++;
	/* Its own guest-virtual address: only its own loaded state translates it. */
	if (v->time_area_va && this_cpu()->curr == v)
		copy_to_guest(v, v->time_area_va, t, sizeof(*t));
}

unsigned int vcpu_upcall_vector(const struct vcpu *v)
{
	u64 cb = v->domain->hvm_params[HVM_PARAM_CALLBACK_IRQ];

	if (v->upcall_vector)
		return v->upcall_vector;
	if ((cb >> 56) == HVM_PARAM_CALLBACK_TYPE_VECTOR)
		return cb & 0xff;
	return 0;
}

/* A timer for vcpu_dump(): its absolute deadline, or "off". */
static const char *timer_str(const struct timer *t, char *buf, size_t len)
{
	if (!READ_ONCE(t->active))
		return "off";
	snprintf(buf, len, "%#llx", (unsigned long long)READ_ONCE(t->expires));
	return buf;
}

void vcpu_dump(const struct vcpu *v)
{
	const struct vcpu_info *vi = READ_ONCE(v->vcpu_info);
	char ss[24], pe[24], po[24];

	pr_info("d%uv%u: state %d runstate %d CPU%u%s%s; upcall vector %u pending %u mask %u sel %#llx\n",
		v->domain->id, v->id, v->state, v->runstate.state, v->processor,
		READ_ONCE(v->is_running) ? " running" : "", READ_ONCE(v->polling) ? " polling" : "",
		vcpu_upcall_vector(v), vi ? vi->evtchn_upcall_pending : 0,
		vi ? vi->evtchn_upcall_mask : 0,
		vi ? (unsigned long long)vi->evtchn_pending_sel : 0);
	pr_info("d%uv%u: now %#llx; timers: single-shot %s, periodic %s (%llu ns), poll %s\n",
		v->domain->id, v->id, (unsigned long long)now_ns(),
		timer_str(&v->singleshot_timer, ss, sizeof(ss)),
		timer_str(&v->periodic_timer, pe, sizeof(pe)),
		(unsigned long long)READ_ONCE(v->periodic_period),
		timer_str(&v->poll_timer, po, sizeof(po)));
	arch_vcpu_dump(v);
}
