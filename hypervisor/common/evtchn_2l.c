/* 2-level event delivery: pending and mask bits in shared_info, selector and upcall flag in vcpu_info. */
#include <keel/domain.h>
#include <keel/evtchn.h>
#include <keel/vcpu.h>
#include <public/xen.h>

/*
 * Locked read-modify-writes the guest sees as atomic (GCC emits lock
 * bts/btr for a single tested bit). Each is also a full barrier, which
 * gives the ordering below that Linux's scan relies on.
 */
static bool test_and_set_bit(unsigned int nr, u64 *words)
{
	u64 bit = BIT(nr % 64);

	return __atomic_fetch_or(&words[nr / 64], bit, __ATOMIC_SEQ_CST) & bit;
}

static bool test_and_clear_bit(unsigned int nr, u64 *words)
{
	u64 bit = BIT(nr % 64);

	return __atomic_fetch_and(&words[nr / 64], ~bit, __ATOMIC_SEQ_CST) &
	       bit;
}

static bool test_bit(unsigned int nr, const u64 *words)
{
	return __atomic_load_n(&words[nr / 64], __ATOMIC_SEQ_CST) &
	       BIT(nr % 64);
}

/* Flag an upcall for @v; kick it when the flag goes from 0 to 1. */
static void mark_events_pending(struct vcpu *v)
{
	if (!__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1,
				 __ATOMIC_SEQ_CST))
		vcpu_kick(v);
}

/* Selector bit first, then the upcall flag: the order Linux scans them in. */
static void signal_word(struct vcpu *v, evtchn_port_t port)
{
	if (!test_and_set_bit(port / 64, &v->vcpu_info->evtchn_pending_sel))
		mark_events_pending(v);
}

bool evtchn_2l_set_pending(struct vcpu *v, evtchn_port_t port)
{
	struct shared_info *s = v->domain->shared_info;

	if (test_and_set_bit(port, s->evtchn_pending))
		return false;
	if (v->vcpu_info && !test_bit(port, s->evtchn_mask))
		signal_word(v, port);
	return true;
}

void evtchn_2l_clear_pending(struct domain *d, evtchn_port_t port)
{
	test_and_clear_bit(port, d->shared_info->evtchn_pending);
}

/*
 * As Xen: only a mask bit that was set re-delivers. Linux clears the mask
 * itself and, if the port is pending, sets it again and asks for this.
 */
void evtchn_2l_unmask(struct vcpu *v, evtchn_port_t port)
{
	struct shared_info *s = v->domain->shared_info;

	if (test_and_clear_bit(port, s->evtchn_mask) &&
	    test_bit(port, s->evtchn_pending) && v->vcpu_info)
		signal_word(v, port);
}

bool evtchn_2l_is_pending(struct domain *d, evtchn_port_t port)
{
	return test_bit(port, d->shared_info->evtchn_pending);
}
