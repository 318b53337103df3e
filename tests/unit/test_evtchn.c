/* Host tests of event channels: the port state machine, the hypercall's error codes and the 2-level bits. */
#include <stdlib.h>
#include <string.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/page_alloc.h>
#include <keel/vcpu.h>
#include "host.h"

#define NR_TEST_VCPUS 2
#define BAD_VA 0xdead0000000ULL		/* copy_*_guest fail here */

/* Fake page allocator: calloc, with a count of live allocations and failure injection. */
static int live_allocs;
static int allocs_until_failure = -1;	/* -1: never fail */

void *alloc_pages(unsigned int order)
{
	if (allocs_until_failure == 0)
		return NULL;
	if (allocs_until_failure > 0)
		allocs_until_failure--;
	live_allocs++;
	return calloc(1, PAGE_SIZE << order);
}

void free_pages(void *virt, unsigned int order)
{
	(void)order;
	assert_non_null(virt);
	live_allocs--;
	free(virt);
}

/* Fake guest access: guest-virtual addresses are host pointers. */
static bool fail_copy_to;

int copy_from_guest(struct vcpu *v, void *dst, u64 va, u64 len)
{
	if (va == BAD_VA)
		return -EFAULT;
	memcpy(dst, (void *)(uintptr_t)va, len);
	return 0;
}

int copy_to_guest(struct vcpu *v, u64 va, const void *src, u64 len)
{
	if (va == BAD_VA || fail_copy_to)
		return -EFAULT;
	memcpy((void *)(uintptr_t)va, src, len);
	return 0;
}

/* Fake vcpu_kick() and vcpu_poll_wake(): count calls per vCPU. */
static unsigned int kicks[NR_TEST_VCPUS], poll_wakes[NR_TEST_VCPUS];

void vcpu_kick(struct vcpu *v)
{
	assert_true(v->id < NR_TEST_VCPUS);
	kicks[v->id]++;
}

void vcpu_poll_wake(struct vcpu *v)
{
	assert_true(v->id < NR_TEST_VCPUS);
	poll_wakes[v->id]++;
}

static struct domain *d;
static struct shared_info *si;

static int setup_ports(unsigned int max_ports)
{
	d = calloc(1, sizeof(*d));
	si = calloc(1, sizeof(*si));
	d->id = 3;
	d->shared_info = si;
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		v->id = i;
		v->domain = d;
		v->vcpu_info = &si->vcpu_info[i];
		d->vcpus[i] = v;
	}
	d->nr_vcpus = NR_TEST_VCPUS;
	memset(kicks, 0, sizeof(kicks));
	memset(poll_wakes, 0, sizeof(poll_wakes));
	fail_copy_to = false;
	allocs_until_failure = -1;
	live_allocs = 0;
	return evtchn_domain_init(d, max_ports);
}

static int setup(void **state)
{
	(void)state;
	return setup_ports(64 * 4);
}

static int teardown(void **state)
{
	(void)state;
	evtchn_domain_destroy(d);
	assert_null(d->evtchn);
	assert_int_equal(live_allocs, 0);
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++)
		free(d->vcpus[i]);
	free(si);
	free(d);
	return 0;
}

/* The hypercall from vCPU 0 with a host pointer argument. */
static long op(int cmd, void *arg)
{
	return do_event_channel_op(d->vcpus[0], cmd, (u64)(uintptr_t)arg);
}

static long bind_ipi(u32 vcpu)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu, .port = 0xbad };
	long rc = op(EVTCHNOP_bind_ipi, &b);

	return rc ? rc : (long)b.port;
}

static long bind_virq(u32 virq, u32 vcpu)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = op(EVTCHNOP_bind_virq, &b);

	return rc ? rc : (long)b.port;
}

static long alloc_unbound(domid_t dom, domid_t remote)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
	long rc = op(EVTCHNOP_alloc_unbound, &a);

	return rc ? rc : (long)a.port;
}

static long send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return op(EVTCHNOP_send, &s);
}

static long close_port(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return op(EVTCHNOP_close, &c);
}

static long unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return op(EVTCHNOP_unmask, &u);
}

static long bind_vcpu(evtchn_port_t port, u32 vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return op(EVTCHNOP_bind_vcpu, &b);
}

static long status(evtchn_port_t port, struct evtchn_status *st)
{
	memset(st, 0, sizeof(*st));
	st->dom = DOMID_SELF;
	st->port = port;
	return op(EVTCHNOP_status, st);
}

static u32 status_of(evtchn_port_t port)
{
	struct evtchn_status st;

	assert_int_equal(status(port, &st), 0);
	return st.status;
}

static bool bit(const u64 *words, unsigned int nr)
{
	return words[nr / 64] & BIT(nr % 64);
}

static void mask(evtchn_port_t port)
{
	si->evtchn_mask[port / 64] |= BIT(port % 64);
}

/* What Linux's upcall handler does: take everything signalled to vCPU @id. */
static void guest_ack(unsigned int id)
{
	si->vcpu_info[id].evtchn_upcall_pending = 0;
	si->vcpu_info[id].evtchn_pending_sel = 0;
	memset(si->evtchn_pending, 0, sizeof(si->evtchn_pending));
}

static void test_init_limits(void **state)
{
	struct evtchn_status st;
	int before = live_allocs;

	(void)state;
	assert_int_equal(evtchn_domain_init(d, 0), -EINVAL);
	assert_int_equal(evtchn_domain_init(d, EVTCHN_MAX_PORTS + 1), -EINVAL);
	assert_int_equal(evtchn_domain_init(d, 0xffffffff), -EINVAL);
	assert_int_equal(live_allocs, before);

	/* Out of memory at either allocation: -ENOMEM, nothing leaked. */
	evtchn_domain_destroy(d);
	for (int n = 0; n < 2; n++) {
		allocs_until_failure = n;
		assert_int_equal(evtchn_domain_init(d, 100), -ENOMEM);
		assert_null(d->evtchn);
		assert_int_equal(live_allocs, 0);
	}
	allocs_until_failure = -1;

	/* The full 2-level space. */
	assert_int_equal(evtchn_domain_init(d, EVTCHN_MAX_PORTS), 0);
	assert_int_equal(d->evtchn->max_ports, EVTCHN_MAX_PORTS);
	assert_true((PAGE_SIZE << d->evtchn->order) >=
		    EVTCHN_MAX_PORTS * sizeof(struct evtchn));
	assert_int_equal(status_of(0), EVTCHNSTAT_closed);
	assert_int_equal(status_of(EVTCHN_MAX_PORTS - 1), EVTCHNSTAT_closed);
	assert_int_equal(status(EVTCHN_MAX_PORTS, &st), -EINVAL);
}

/* An unmasked port: pending bit, selector bit, upcall flag, one kick. */
static void test_ipi_delivery(void **state)
{
	long port;

	(void)state;
	port = bind_ipi(0);
	assert_int_equal(port, 1);		/* port 0 is reserved */
	assert_int_equal(status_of(port), EVTCHNSTAT_ipi);
	assert_false(evtchn_is_pending(d, port));

	assert_int_equal(send(port), 0);
	assert_true(bit(si->evtchn_pending, port));
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, BIT(0));
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 1);
	assert_int_equal(kicks[0], 1);
	assert_true(evtchn_is_pending(d, port));

	/* Already pending: nothing more happens. */
	assert_int_equal(send(port), 0);
	assert_int_equal(kicks[0], 1);

	/* The guest took it; the next send signals again. */
	guest_ack(0);
	assert_int_equal(evtchn_send(d, port), 0);
	assert_int_equal(kicks[0], 2);
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 1);
	assert_int_equal(kicks[1], 0);
	assert_int_equal(si->vcpu_info[1].evtchn_pending_sel, 0);
}

/* Ports in another selector word, on another vCPU, and while an upcall is pending. */
static void test_selector_words(void **state)
{
	long port;

	(void)state;
	for (int i = 1; i < 70; i++)
		assert_int_equal(bind_ipi(1), i);
	port = 69;
	assert_int_equal(send(port), 0);
	assert_int_equal(si->vcpu_info[1].evtchn_pending_sel, BIT(1));
	assert_int_equal(si->vcpu_info[1].evtchn_upcall_pending, 1);
	assert_int_equal(kicks[1], 1);
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
	assert_int_equal(kicks[0], 0);

	/* Same word, upcall still pending: no second kick. */
	assert_int_equal(send(68), 0);
	assert_int_equal(kicks[1], 1);
	/* New word while the upcall is pending: selector bit, no kick. */
	assert_int_equal(send(3), 0);
	assert_int_equal(si->vcpu_info[1].evtchn_pending_sel, BIT(0) | BIT(1));
	assert_int_equal(kicks[1], 1);

	/* The selector set but the upcall flag taken: no kick either (as Xen). */
	si->vcpu_info[1].evtchn_upcall_pending = 0;
	assert_int_equal(send(4), 0);
	assert_int_equal(kicks[1], 1);

	port = bind_ipi(0);
	assert_int_equal(port, 70);
	assert_int_equal(send(port), 0);
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, BIT(1));
	assert_int_equal(kicks[0], 1);
}

/* A masked port is only marked pending; unmasking delivers it. */
static void test_mask_unmask(void **state)
{
	long port;

	(void)state;
	port = bind_ipi(0);
	mask(port);
	assert_int_equal(send(port), 0);
	assert_true(bit(si->evtchn_pending, port));
	assert_true(evtchn_is_pending(d, port));	/* for SCHEDOP_poll */
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);
	assert_int_equal(kicks[0], 0);
	/* but it wakes every vCPU in SCHEDOP_poll, once */
	assert_int_equal(poll_wakes[0], 1);
	assert_int_equal(poll_wakes[1], 1);
	assert_int_equal(send(port), 0);
	assert_int_equal(poll_wakes[0], 1);

	assert_int_equal(unmask(port), 0);
	assert_false(bit(si->evtchn_mask, port));
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, BIT(0));
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 1);
	assert_int_equal(kicks[0], 1);

	/* Unmasking an unmasked port does not signal again (Xen, which Linux relies on). */
	guest_ack(0);
	si->evtchn_pending[0] |= BIT(port);
	assert_int_equal(unmask(port), 0);
	assert_int_equal(kicks[0], 1);
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);

	/* Masked and not pending: unmask just clears the mask. */
	guest_ack(0);
	mask(port);
	assert_int_equal(unmask(port), 0);
	assert_false(bit(si->evtchn_mask, port));
	assert_int_equal(kicks[0], 1);
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
}

/*
 * Linux's evtchn_2l_unmask() on HVM: it clears the mask, sees the port
 * pending, masks it again and asks keel, which must deliver it.
 */
static void test_redelivery(void **state)
{
	long port;

	(void)state;
	port = bind_ipi(1);
	mask(port);
	assert_int_equal(send(port), 0);
	assert_int_equal(kicks[1], 0);
	si->evtchn_mask[0] &= ~BIT(port);	/* sync_clear_bit(mask) */
	assert_true(bit(si->evtchn_pending, port));
	mask(port);				/* pending: remask, hypercall */
	assert_int_equal(unmask(port), 0);
	assert_int_equal(si->vcpu_info[1].evtchn_pending_sel, BIT(0));
	assert_int_equal(si->vcpu_info[1].evtchn_upcall_pending, 1);
	assert_int_equal(kicks[1], 1);
	assert_int_equal(kicks[0], 0);

	/* Unmask signals the vCPU the port is bound to now. */
	guest_ack(1);
	port = bind_virq(VIRQ_CONSOLE, 0);
	assert_int_equal(bind_vcpu(port, 1), 0);
	mask(port);
	send_guest_virq(d->vcpus[0], VIRQ_CONSOLE);
	assert_int_equal(kicks[1], 1);
	assert_int_equal(unmask(port), 0);
	assert_int_equal(si->vcpu_info[1].evtchn_upcall_pending, 1);
	assert_int_equal(kicks[1], 2);
	assert_int_equal(kicks[0], 0);
}

static void test_virq(void **state)
{
	struct evtchn_status st;
	long t0, t1, con;

	(void)state;
	t0 = bind_virq(VIRQ_TIMER, 0);
	assert_true(t0 > 0);
	assert_int_equal(bind_virq(VIRQ_TIMER, 0), -EEXIST);
	t1 = bind_virq(VIRQ_TIMER, 1);
	assert_true(t1 > 0 && t1 != t0);
	assert_int_equal(bind_virq(VIRQ_TIMER, 1), -EEXIST);
	assert_true(bind_virq(VIRQ_DEBUG, 1) > 0);

	assert_int_equal(status(t1, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.u.virq, VIRQ_TIMER);
	assert_int_equal(st.vcpu, 1);

	/* The timer raises the port of its own vCPU. */
	send_guest_virq(d->vcpus[1], VIRQ_TIMER);
	assert_true(bit(si->evtchn_pending, t1));
	assert_false(bit(si->evtchn_pending, t0));
	assert_int_equal(kicks[1], 1);
	assert_int_equal(kicks[0], 0);
	send_guest_virq(d->vcpus[0], VIRQ_TIMER);
	assert_true(bit(si->evtchn_pending, t0));
	assert_int_equal(kicks[0], 1);

	/* Guests cannot send on a VIRQ port. */
	assert_int_equal(send(t0), -EINVAL);

	/* Bad VIRQs and vCPUs, in Xen's order of checks. */
	assert_int_equal(bind_virq(NR_VIRQS, 0), -EINVAL);
	assert_int_equal(bind_virq(9999, 0), -EINVAL);
	assert_int_equal(bind_virq(0xffffffff, 0), -EINVAL);
	assert_int_equal(bind_virq(VIRQ_CONSOLE, 1), -EINVAL);	/* global: vCPU 0 only */
	assert_int_equal(bind_virq(VIRQ_DEBUG, NR_TEST_VCPUS), -ENOENT);
	assert_int_equal(bind_virq(VIRQ_DEBUG, DOMAIN_MAX_VCPUS), -ENOENT);
	assert_int_equal(bind_virq(VIRQ_DEBUG, 0xffffffff), -ENOENT);

	/* Unbound VIRQs and bad numbers from keel are ignored. */
	send_guest_virq(d->vcpus[0], VIRQ_DEBUG);
	send_guest_virq(d->vcpus[0], NR_VIRQS);
	send_guest_virq(d->vcpus[0], 0xffffffff);
	assert_int_equal(kicks[0], 1);

	/* A global VIRQ follows bind_vcpu; a per-vCPU one cannot move. */
	con = bind_virq(VIRQ_CONSOLE, 0);
	assert_true(con > 0);
	assert_int_equal(bind_virq(VIRQ_CONSOLE, 0), -EEXIST);
	assert_int_equal(bind_vcpu(t0, 1), -EINVAL);
	assert_int_equal(bind_vcpu(con, 1), 0);
	assert_int_equal(status(con, &st), 0);
	assert_int_equal(st.vcpu, 1);
	guest_ack(1);
	send_guest_virq(d->vcpus[0], VIRQ_CONSOLE);
	assert_true(bit(si->evtchn_pending, con));
	assert_int_equal(si->vcpu_info[1].evtchn_upcall_pending, 1);
	assert_int_equal(kicks[1], 2);
	/* Still bound once, from vCPU 0's table: -EEXIST, and close frees it. */
	assert_int_equal(bind_virq(VIRQ_CONSOLE, 0), -EEXIST);
	assert_int_equal(close_port(con), 0);
	assert_int_equal(bind_virq(VIRQ_CONSOLE, 0), con);

	/* Closing frees the VIRQ for a new binding. */
	assert_int_equal(close_port(t1), 0);
	send_guest_virq(d->vcpus[1], VIRQ_TIMER);	/* dropped */
	assert_int_equal(bind_virq(VIRQ_TIMER, 1), t1);
	assert_false(bit(si->evtchn_pending, t1));	/* close cleared it */
}

static void test_bind_ipi_vcpu(void **state)
{
	struct evtchn_status st;
	long port;

	(void)state;
	assert_int_equal(bind_ipi(NR_TEST_VCPUS), -ENOENT);
	assert_int_equal(bind_ipi(0xffffffff), -ENOENT);
	port = bind_ipi(1);
	assert_int_equal(status(port, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_ipi);
	assert_int_equal(st.vcpu, 1);
	/* IPIs keep their vCPU. */
	assert_int_equal(bind_vcpu(port, 0), -EINVAL);

	/* bind_vcpu checks the vCPU before the port, as Xen. */
	assert_int_equal(bind_vcpu(0xffffffff, 5), -ENOENT);
	assert_int_equal(bind_vcpu(0, 0), -EINVAL);		/* reserved */
	assert_int_equal(bind_vcpu(100, 0), -EINVAL);		/* free */
	assert_int_equal(bind_vcpu(4096, 0), -EINVAL);
	assert_int_equal(bind_vcpu(0xffffffff, 0), -EINVAL);
}

static void test_unbound_and_status(void **state)
{
	struct evtchn_status st;
	long port;

	(void)state;
	port = alloc_unbound(DOMID_SELF, DOMID_SELF);
	assert_int_equal(port, 1);
	assert_int_equal(status(port, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, d->id);
	assert_int_equal(st.vcpu, 0);
	assert_int_equal(alloc_unbound(d->id, d->id), 2);

	/* Sending on an unbound port is dropped and succeeds. */
	assert_int_equal(send(port), 0);
	assert_false(bit(si->evtchn_pending, port));
	assert_int_equal(kicks[0], 0);

	/* Other domains: none yet. */
	assert_int_equal(alloc_unbound(DOMID_SELF, 0), -ESRCH);
	assert_int_equal(alloc_unbound(7, DOMID_SELF), -ESRCH);
	assert_int_equal(alloc_unbound(DOMID_SELF, 0xffff), -ESRCH);
	st.dom = 7;
	st.port = port;
	assert_int_equal(op(EVTCHNOP_status, &st), -ESRCH);
	st.dom = d->id;
	assert_int_equal(op(EVTCHNOP_status, &st), 0);

	/* Port 0 reads as closed; beyond the limit is invalid. */
	assert_int_equal(status_of(0), EVTCHNSTAT_closed);
	assert_int_equal(status_of(3), EVTCHNSTAT_closed);
	assert_int_equal(status(d->evtchn->max_ports, &st), -EINVAL);
	assert_int_equal(status(0x80000000, &st), -EINVAL);
	assert_int_equal(status(0xffffffff, &st), -EINVAL);
}

/* Interdomain to itself: both ends, and closing either side. */
static void test_loopback(void **state)
{
	struct evtchn_bind_interdomain b;
	struct evtchn_status st;
	long a;

	(void)state;
	a = alloc_unbound(DOMID_SELF, DOMID_SELF);
	b = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF,
					      .remote_port = a };
	assert_int_equal(op(EVTCHNOP_bind_interdomain, &b), 0);
	assert_int_equal(b.local_port, a + 1);
	/* Xen raises the new end in case the peer sent while unbound. */
	assert_true(bit(si->evtchn_pending, b.local_port));
	assert_int_equal(kicks[0], 1);

	assert_int_equal(status(a, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, d->id);
	assert_int_equal(st.u.interdomain.port, b.local_port);
	assert_int_equal(status(b.local_port, &st), 0);
	assert_int_equal(st.u.interdomain.port, a);

	/* A send arrives at the other end. */
	guest_ack(0);
	assert_int_equal(send(a), 0);
	assert_true(bit(si->evtchn_pending, b.local_port));
	assert_false(bit(si->evtchn_pending, a));
	assert_int_equal(send(b.local_port), 0);
	assert_true(bit(si->evtchn_pending, a));

	/* The remote end is taken now, or was never unbound. */
	assert_int_equal(op(EVTCHNOP_bind_interdomain, &b), -EINVAL);
	b.remote_port = 0;
	assert_int_equal(op(EVTCHNOP_bind_interdomain, &b), -EINVAL);
	b.remote_port = 0xffffffff;
	assert_int_equal(op(EVTCHNOP_bind_interdomain, &b), -EINVAL);
	b.remote_port = bind_ipi(0);
	assert_int_equal(op(EVTCHNOP_bind_interdomain, &b), -EINVAL);
	b.remote_dom = 0;
	assert_int_equal(op(EVTCHNOP_bind_interdomain, &b), -ESRCH);

	/* Closing one end leaves the other unbound, waiting for us again. */
	assert_int_equal(close_port(a + 1), 0);
	assert_int_equal(status(a, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, d->id);
	assert_int_equal(send(a), 0);			/* dropped */
	b = (struct evtchn_bind_interdomain){ .remote_dom = d->id,
					      .remote_port = a };
	assert_int_equal(op(EVTCHNOP_bind_interdomain, &b), 0);
	assert_int_equal(close_port(a), 0);
	assert_int_equal(status_of(b.local_port), EVTCHNSTAT_unbound);
	assert_int_equal(status_of(a), EVTCHNSTAT_closed);
}

static void test_close(void **state)
{
	long port;

	(void)state;
	port = bind_ipi(0);
	mask(port);
	assert_int_equal(send(port), 0);
	assert_true(bit(si->evtchn_pending, port));
	assert_int_equal(close_port(port), 0);
	assert_false(bit(si->evtchn_pending, port));
	assert_false(evtchn_is_pending(d, port));
	assert_int_equal(status_of(port), EVTCHNSTAT_closed);
	assert_int_equal(close_port(port), -EINVAL);	/* double close */
	assert_int_equal(send(port), -EINVAL);

	/* The lowest free port is reused, bound to vCPU 0 again. */
	assert_int_equal(bind_ipi(1), 1);
	assert_int_equal(bind_ipi(1), 2);
	assert_int_equal(close_port(1), 0);
	assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF), 1);

	/* Hostile ports. */
	static const u32 bad[] = { 0, 256, 4095, 4096, 0x7fffffff,
				   0x80000000, 0xffffffff };
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(close_port(bad[i]), -EINVAL);
		assert_int_equal(send(bad[i]), -EINVAL);
		assert_int_equal(evtchn_send(d, bad[i]), -EINVAL);
		assert_false(evtchn_is_pending(d, bad[i]));
		assert_int_equal(evtchn_port_is_valid(d, bad[i]), bad[i] == 0);
		if (bad[i])
			assert_int_equal(unmask(bad[i]), -EINVAL);
	}
	/* Unmask works on any existing port, as in Xen (even 0 or a free one). */
	assert_int_equal(unmask(0), 0);
	assert_int_equal(unmask(200), 0);
	assert_int_equal(kicks[0] + kicks[1], 0);
}

static void test_exhaustion(void **state)
{
	(void)state;
	evtchn_domain_destroy(d);
	assert_int_equal(evtchn_domain_init(d, 8), 0);
	for (int i = 1; i < 8; i++)
		assert_int_equal(bind_ipi(0), i);
	assert_int_equal(bind_ipi(0), -ENOSPC);
	assert_int_equal(bind_virq(VIRQ_TIMER, 0), -ENOSPC);
	assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF), -ENOSPC);
	struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF,
					     .remote_port = 1 };
	assert_int_equal(op(EVTCHNOP_bind_interdomain, &b), -ENOSPC);
	/* A failed bind_virq leaves the VIRQ unbound. */
	assert_int_equal(close_port(5), 0);
	assert_int_equal(bind_virq(VIRQ_TIMER, 0), 5);
	assert_int_equal(bind_ipi(0), -ENOSPC);
	assert_int_equal(send(8), -EINVAL);
	assert_int_equal(unmask(8), -EINVAL);
}

static void test_bad_pointers(void **state)
{
	static const int cmds[] = {
		EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq, EVTCHNOP_close,
		EVTCHNOP_send, EVTCHNOP_status, EVTCHNOP_alloc_unbound,
		EVTCHNOP_bind_ipi, EVTCHNOP_bind_vcpu, EVTCHNOP_unmask,
	};
	long port;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		assert_int_equal(do_event_channel_op(d->vcpus[0], cmds[i], BAD_VA),
				 -EFAULT);
	assert_int_equal(status_of(1), EVTCHNSTAT_closed);	/* nothing bound */

	/* The result cannot be written back: -EFAULT, but the port stays bound, as Xen. */
	fail_copy_to = true;
	assert_int_equal(bind_ipi(0), -EFAULT);
	fail_copy_to = false;
	assert_int_equal(status_of(1), EVTCHNSTAT_ipi);
	port = bind_ipi(0);
	assert_int_equal(port, 2);
	/* Ops that return nothing never write. */
	fail_copy_to = true;
	assert_int_equal(send(port), 0);
	assert_int_equal(unmask(port), 0);
	assert_int_equal(close_port(port), 0);
	fail_copy_to = false;
}

static void test_unimplemented_ops(void **state)
{
	static const int cmds[] = {
		EVTCHNOP_bind_pirq, EVTCHNOP_reset, EVTCHNOP_init_control,
		EVTCHNOP_expand_array, EVTCHNOP_set_priority, 14, 255, -1,
		0x7fffffff, (int)0x80000000,
	};
	u64 buf[8] = { 0 };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		assert_int_equal(op(cmds[i], buf), -ENOSYS);
	for (unsigned int i = 0; i < ARRAY_SIZE(buf); i++)
		assert_int_equal(buf[i], 0);
}

/* Destroy with ports in every state: nothing leaks, and a second destroy is harmless. */
static void test_destroy_open_ports(void **state)
{
	struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF };

	(void)state;
	assert_true(bind_ipi(0) > 0);
	assert_true(bind_virq(VIRQ_TIMER, 1) > 0);
	assert_true(bind_virq(VIRQ_DOM_EXC, 0) > 0);
	assert_true(alloc_unbound(DOMID_SELF, DOMID_SELF) > 0);
	b.remote_port = alloc_unbound(DOMID_SELF, DOMID_SELF);
	assert_int_equal(op(EVTCHNOP_bind_interdomain, &b), 0);
	assert_int_equal(live_allocs, 2);
	evtchn_domain_destroy(d);
	assert_null(d->evtchn);
	assert_int_equal(live_allocs, 0);
	evtchn_domain_destroy(d);

	/* Without ports every call fails safely. */
	assert_int_equal(send(1), -ENOSYS);
	assert_int_equal(evtchn_send(d, 1), -EINVAL);
	assert_false(evtchn_is_pending(d, 1));
	send_guest_virq(d->vcpus[0], VIRQ_TIMER);
	assert_int_equal(kicks[0] + kicks[1], 1);	/* only the loopback bind's */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_limits),
		T(test_ipi_delivery),
		T(test_selector_words),
		T(test_mask_unmask),
		T(test_redelivery),
		T(test_virq),
		T(test_bind_ipi_vcpu),
		T(test_unbound_and_status),
		T(test_loopback),
		T(test_close),
		T(test_exhaustion),
		T(test_bad_pointers),
		T(test_unimplemented_ops),
		T(test_destroy_open_ports),
	};

	return cmocka_run_group_tests_name("evtchn", tests, NULL, NULL);
}
