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

/*
 * Ports past the bitmaps exist only while FIFO is in use, and reset
 * closes them before switching back; check anyway, the bitmaps are small.
 */
static bool in_bitmap(const struct evtchn *chn)
{
	return chn->port < EVTCHN_2L_NR_CHANNELS;
}

/* Selector bit first, then the upcall flag: the order Linux scans them in. */
static void signal_word(struct vcpu *v, evtchn_port_t port)
{
	if (!test_and_set_bit(port / 64, &v->vcpu_info->evtchn_pending_sel))
		evtchn_mark_events_pending(v);
}

static bool evtchn_2l_set_pending(struct vcpu *v, struct evtchn *chn)
{
	struct shared_info *s = v->domain->shared_info;
	evtchn_port_t port = chn->port;

	if (!in_bitmap(chn) || test_and_set_bit(port, s->evtchn_pending))
		return false;
	if (v->vcpu_info && !test_bit(port, s->evtchn_mask))
		signal_word(v, port);
	return true;
}

static void evtchn_2l_clear_pending(struct domain *d, struct evtchn *chn)
{
	if (in_bitmap(chn))
		test_and_clear_bit(chn->port, d->shared_info->evtchn_pending);
}

/*
 * As Xen: only a mask bit that was set re-delivers. Linux clears the mask
 * itself and, if the port is pending, sets it again and asks for this.
 */
static void evtchn_2l_unmask(struct domain *d, struct evtchn *chn)
{
	struct shared_info *s = d->shared_info;
	struct vcpu *v = chn->notify_vcpu < d->nr_vcpus ?
				 d->vcpus[chn->notify_vcpu] : NULL;

	if (!v || !in_bitmap(chn))
		return;
	if (test_and_clear_bit(chn->port, s->evtchn_mask) &&
	    test_bit(chn->port, s->evtchn_pending) && v->vcpu_info)
		signal_word(v, chn->port);
}

static bool evtchn_2l_is_pending(struct domain *d, const struct evtchn *chn)
{
	return in_bitmap(chn) &&
	       test_bit(chn->port, d->shared_info->evtchn_pending);
}

const struct evtchn_port_ops evtchn_port_ops_2l = {
	.set_pending = evtchn_2l_set_pending,
	.clear_pending = evtchn_2l_clear_pending,
	.unmask = evtchn_2l_unmask,
	.is_pending = evtchn_2l_is_pending,
	.nr_ports = EVTCHN_2L_NR_CHANNELS,
};
