/* Host tests of event channels: the port state machine within and across domains, the hypercall's error codes and the 2-level bits. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* keel's scheduler has a sched_yield() too (pthread.h brings libc's). */
#define sched_yield keel_sched_yield
#include <keel/arch.h>
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

/*
 * Fake guest RAM for FIFO's frames: gfns GFN_BASE .. + NR_GUEST_FRAMES - 1
 * are the domain's own writable pages (host pointers as host addresses);
 * RO_GFN is its own but read-only, FOREIGN_GFN another domain's page (a
 * grant mapping), anything else not RAM.
 */
#define GFN_BASE 0x100
#define NR_GUEST_FRAMES 16
#define RO_GFN (GFN_BASE + NR_GUEST_FRAMES)
#define FOREIGN_GFN (RO_GFN + 1)
#define FAKE_EPT_READ BIT(0)
#define FAKE_EPT_WRITE BIT(1)
static u8 guest_ram[NR_GUEST_FRAMES + 2][PAGE_SIZE] __attribute__((aligned(4096)));

u64 arch_p2m_attr(unsigned int access)
{
	return (access & P2M_READ ? FAKE_EPT_READ : 0) |
	       (access & P2M_WRITE ? FAKE_EPT_WRITE : 0) | BIT(6) |
	       (access & P2M_OWNED ? P2M_OWNED_BIT : 0);
}

/* References keel holds on each fake frame (p2m_get_page() minus put_page()). */
static int frame_refs[NR_GUEST_FRAMES + 2];

int p2m_get_page(struct domain *pd, u64 gpa, unsigned int need, u64 *hpa,
		 u64 *attr)
{
	u64 gfn = gpa >> PAGE_SHIFT;
	unsigned int access = gfn == FOREIGN_GFN ? P2M_READ | P2M_WRITE :
			      gfn == RO_GFN ? P2M_READ | P2M_OWNED :
			      P2M_RWX | P2M_OWNED;

	if (gfn < GFN_BASE || gfn > FOREIGN_GFN)
		return -ENOENT;
	if ((access & need) != need)
		return -EACCES;
	frame_refs[gfn - GFN_BASE]++;
	*hpa = (u64)(uintptr_t)guest_ram[gfn - GFN_BASE];
	if (attr)
		*attr = arch_p2m_attr(access);
	return 0;
}

void put_page(u64 hpa)
{
	u64 i = (hpa - (u64)(uintptr_t)guest_ram[0]) / PAGE_SIZE;

	assert_true(i < ARRAY_SIZE(frame_refs) && !(hpa & ~PAGE_MASK));
	assert_true(frame_refs[i] > 0);
	frame_refs[i]--;
}

void *phys_to_virt(u64 phys)
{
	return (void *)(uintptr_t)phys;
}

u64 virt_to_phys(const void *virt)
{
	return (u64)(uintptr_t)virt;
}

/* Fake vcpu_kick() and vcpu_poll_wake(): count calls per domain and vCPU. */
#define TEST_MAX_DOMID 16
#define MAIN_DOMID 3
static unsigned int kicks_of[TEST_MAX_DOMID][NR_TEST_VCPUS];
static unsigned int poll_wakes_of[TEST_MAX_DOMID][NR_TEST_VCPUS];
/* The main domain's counts. */
static unsigned int *const kicks = kicks_of[MAIN_DOMID];
static unsigned int *const poll_wakes = poll_wakes_of[MAIN_DOMID];

void vcpu_kick(struct vcpu *v)
{
	assert_true(v->id < NR_TEST_VCPUS && v->domain->id < TEST_MAX_DOMID);
	kicks_of[v->domain->id][v->id]++;
}

/* Fake vcpu_signalled(): the vCPU the last send was for, whether or not it was kicked. */
static struct vcpu *last_signalled;

void vcpu_signalled(struct vcpu *v)
{
	last_signalled = v;
}

void vcpu_poll_wake(struct vcpu *v)
{
	assert_true(v->id < NR_TEST_VCPUS && v->domain->id < TEST_MAX_DOMID);
	poll_wakes_of[v->domain->id][v->id]++;
}

/*
 * A domain table like common/domain.c's: domain_get() finds live domains
 * by id with a reference; the last domain_put() frees the domain.
 */
static struct domain *domain_table[TEST_MAX_DOMID];
static int live_domains;

struct domain *domain_get(domid_t id)
{
	struct domain *d = id < TEST_MAX_DOMID ? domain_table[id] : NULL;

	if (!d || d->dying)
		return NULL;
	atomic_inc_return(&d->refcnt);
	return d;
}

void domain_hold(struct domain *d)
{
	assert_true(atomic_inc_return(&d->refcnt) > 1);
}

static void free_domain(struct domain *d)
{
	evtchn_domain_free(d);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		free(d->vcpus[i]);
	free(d->shared_info);
	free(d);
	live_domains--;
}

void domain_put(struct domain *d)
{
	int refs = atomic_dec_return(&d->refcnt);

	assert_true(refs >= 0);
	if (!refs)
		free_domain(d);
}

/* A domain in the table with NR_TEST_VCPUS vCPUs (no ports if @max_ports is 0). */
static struct domain *new_domain(domid_t id, bool privileged,
				 unsigned int max_ports)
{
	struct domain *nd = calloc(1, sizeof(*nd));

	assert_true(id < TEST_MAX_DOMID && !domain_table[id]);
	nd->id = id;
	nd->privileged = privileged;
	atomic_set(&nd->refcnt, 1);
	nd->shared_info = calloc(1, sizeof(*nd->shared_info));
	for (unsigned int i = 0; i < NR_TEST_VCPUS; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		v->id = i;
		v->domain = nd;
		v->vcpu_info = &nd->shared_info->vcpu_info[i];
		nd->vcpus[i] = v;
	}
	nd->nr_vcpus = NR_TEST_VCPUS;
	if (max_ports)
		assert_int_equal(evtchn_domain_init(nd, max_ports), 0);
	domain_table[id] = nd;
	live_domains++;
	memset(kicks_of[id], 0, sizeof(kicks_of[id]));
	memset(poll_wakes_of[id], 0, sizeof(poll_wakes_of[id]));
	return nd;
}

/* As domain_destroy(): out of the table, ports closed, the table's reference dropped. */
static void kill_domain(struct domain *kd)
{
	kd->dying = true;
	domain_table[kd->id] = NULL;
	evtchn_domain_destroy(kd);
	domain_put(kd);
}

static struct domain *d;	/* MAIN_DOMID, unprivileged */
static struct shared_info *si;	/* d's */

extern void (*evtchn_fifo_race_hook)(event_word_t *word);

static int setup_ports(unsigned int max_ports)
{
	evtchn_fifo_race_hook = NULL;
	fail_copy_to = false;
	allocs_until_failure = -1;
	live_allocs = 0;
	live_domains = 0;
	d = new_domain(MAIN_DOMID, false, max_ports);
	si = d->shared_info;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_ports(64 * 4);
}

/* Kill whatever the test left alive: nothing may leak, memory or references. */
static int teardown(void **state)
{
	(void)state;
	for (unsigned int id = 0; id < TEST_MAX_DOMID; id++)
		if (domain_table[id])
			kill_domain(domain_table[id]);
	assert_int_equal(live_domains, 0);
	assert_int_equal(live_allocs, 0);
	/* FIFO held its guest frames by reference, and let every one go. */
	for (unsigned int i = 0; i < ARRAY_SIZE(frame_refs); i++)
		assert_int_equal(frame_refs[i], 0);
	return 0;
}

/* The hypercall from vCPU 0 of @caller; no port lock stays held. */
static long op_as(struct domain *caller, int cmd, void *arg)
{
	long rc = do_event_channel_op(caller->vcpus[0], cmd,
				      (u64)(uintptr_t)arg);

	for (unsigned int id = 0; id < TEST_MAX_DOMID; id++)
		if (domain_table[id] && domain_table[id]->evtchn)
			assert_false(spin_is_locked(&domain_table[id]->evtchn->lock));
	return rc;
}

static long op(int cmd, void *arg)
{
	return op_as(d, cmd, arg);
}

static long bind_ipi_as(struct domain *caller, u32 vcpu)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu, .port = 0xbad };
	long rc = op_as(caller, EVTCHNOP_bind_ipi, &b);

	return rc ? rc : (long)b.port;
}

static long bind_ipi(u32 vcpu)
{
	return bind_ipi_as(d, vcpu);
}

static long bind_virq_as(struct domain *caller, u32 virq, u32 vcpu)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = op_as(caller, EVTCHNOP_bind_virq, &b);

	return rc ? rc : (long)b.port;
}

static long bind_virq(u32 virq, u32 vcpu)
{
	return bind_virq_as(d, virq, vcpu);
}

static long alloc_unbound_as(struct domain *caller, domid_t dom,
			     domid_t remote)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote,
					  .port = 0xbad };
	long rc = op_as(caller, EVTCHNOP_alloc_unbound, &a);

	return rc ? rc : (long)a.port;
}

static long alloc_unbound(domid_t dom, domid_t remote)
{
	return alloc_unbound_as(d, dom, remote);
}

/* EVTCHNOP_bind_interdomain: the local port or the error. */
static long bind_interdomain_as(struct domain *caller, domid_t remote_dom,
				evtchn_port_t remote_port)
{
	struct evtchn_bind_interdomain b = { .remote_dom = remote_dom,
					     .remote_port = remote_port,
					     .local_port = 0xbad };
	long rc = op_as(caller, EVTCHNOP_bind_interdomain, &b);

	return rc ? rc : (long)b.local_port;
}

static long send_as(struct domain *caller, evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return op_as(caller, EVTCHNOP_send, &s);
}

static long send(evtchn_port_t port)
{
	return send_as(d, port);
}

static long close_as(struct domain *caller, evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return op_as(caller, EVTCHNOP_close, &c);
}

static long close_port(evtchn_port_t port)
{
	return close_as(d, port);
}

static long unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return op(EVTCHNOP_unmask, &u);
}

static long bind_vcpu_as(struct domain *caller, evtchn_port_t port, u32 vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return op_as(caller, EVTCHNOP_bind_vcpu, &b);
}

static long bind_vcpu(evtchn_port_t port, u32 vcpu)
{
	return bind_vcpu_as(d, port, vcpu);
}

static long status_as(struct domain *caller, domid_t dom, evtchn_port_t port,
		      struct evtchn_status *st)
{
	memset(st, 0xa5, sizeof(*st));
	st->dom = dom;
	st->port = port;
	return op_as(caller, EVTCHNOP_status, st);
}

static long status(evtchn_port_t port, struct evtchn_status *st)
{
	return status_as(d, DOMID_SELF, port, st);
}

static u32 status_of(evtchn_port_t port)
{
	struct evtchn_status st;

	assert_int_equal(status(port, &st), 0);
	return st.status;
}

static long reset_as(struct domain *caller, domid_t dom)
{
	struct evtchn_reset r = { .dom = dom };

	return op_as(caller, EVTCHNOP_reset, &r);
}

static bool bit(const u64 *words, unsigned int nr)
{
	return words[nr / 64] & BIT(nr % 64);
}

static void mask_in(struct domain *md, evtchn_port_t port)
{
	md->shared_info->evtchn_mask[port / 64] |= BIT(port % 64);
}

static void mask(evtchn_port_t port)
{
	mask_in(d, port);
}

/* What Linux's upcall handler does: take everything signalled to vCPU @id of @ad. */
static void ack_in(struct domain *ad, unsigned int id)
{
	struct shared_info *s = ad->shared_info;

	s->vcpu_info[id].evtchn_upcall_pending = 0;
	s->vcpu_info[id].evtchn_pending_sel = 0;
	memset(s->evtchn_pending, 0, sizeof(s->evtchn_pending));
}

static void guest_ack(unsigned int id)
{
	ack_in(d, id);
}

/* Is @port of @pd pending, with vCPU @vcpu's selector and upcall flag set? */
static bool signalled(struct domain *pd, evtchn_port_t port, unsigned int vcpu)
{
	struct shared_info *s = pd->shared_info;

	return bit(s->evtchn_pending, port) &&
	       (s->vcpu_info[vcpu].evtchn_pending_sel & BIT(port / 64)) &&
	       s->vcpu_info[vcpu].evtchn_upcall_pending;
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

	/* Out of memory at any allocation (its page, group, bucket): nothing leaked. */
	evtchn_domain_free(d);
	for (int n = 0; n < 3; n++) {
		allocs_until_failure = n;
		assert_int_equal(evtchn_domain_init(d, 100), -ENOMEM);
		assert_null(d->evtchn);
		assert_int_equal(live_allocs, 0);
	}
	allocs_until_failure = -1;

	/*
	 * The most any ABI names, but memory for one bucket: ports past it
	 * are invalid (as Xen's port_is_valid) until bound.
	 */
	assert_int_equal(evtchn_domain_init(d, EVTCHN_MAX_PORTS), 0);
	assert_int_equal(EVTCHN_MAX_PORTS, 1 << 17);
	assert_int_equal(d->evtchn->max_ports, EVTCHN_MAX_PORTS);
	assert_int_equal(live_allocs, 3);
	assert_int_equal(d->evtchn->valid_ports, EVTCHNS_PER_BUCKET);
	assert_int_equal(status_of(0), EVTCHNSTAT_closed);
	assert_int_equal(status_of(EVTCHNS_PER_BUCKET - 1), EVTCHNSTAT_closed);
	assert_int_equal(status(EVTCHNS_PER_BUCKET, &st), -EINVAL);
	assert_int_equal(status(EVTCHN_MAX_PORTS, &st), -EINVAL);
	assert_int_equal(evtchn_set_max_ports(d, 0), -EINVAL);
	assert_int_equal(evtchn_set_max_ports(d, EVTCHN_MAX_PORTS + 1), -EINVAL);
	assert_int_equal(d->evtchn->max_ports, EVTCHN_MAX_PORTS);
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
	assert_int_equal(unmask(EVTCHNS_PER_BUCKET - 1), 0);
	assert_int_equal(unmask(EVTCHNS_PER_BUCKET), -EINVAL);
	assert_int_equal(kicks[0] + kicks[1], 0);
}

static void test_exhaustion(void **state)
{
	(void)state;
	evtchn_domain_free(d);
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
	/* Past the limit but in the bucket: a port Xen knows too, never bound. */
	assert_int_equal(send(8), -EINVAL);
	assert_int_equal(unmask(8), 0);
	assert_int_equal(status_of(8), EVTCHNSTAT_closed);
	assert_int_equal(unmask(EVTCHNS_PER_BUCKET), -EINVAL);
}

static void test_bad_pointers(void **state)
{
	static const int cmds[] = {
		EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq, EVTCHNOP_close,
		EVTCHNOP_send, EVTCHNOP_status, EVTCHNOP_alloc_unbound,
		EVTCHNOP_bind_ipi, EVTCHNOP_bind_vcpu, EVTCHNOP_unmask,
		EVTCHNOP_reset, EVTCHNOP_init_control, EVTCHNOP_expand_array,
		EVTCHNOP_set_priority,
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
		EVTCHNOP_bind_pirq, 14, 255, -1,
		0x7fffffff, (int)0x80000000,
	};
	u64 buf[8] = { 0 };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		assert_int_equal(op(cmds[i], buf), -ENOSYS);
	for (unsigned int i = 0; i < ARRAY_SIZE(buf); i++)
		assert_int_equal(buf[i], 0);
}

/*
 * Destroy with ports in every state: all close, the memory stays for
 * holders of a reference until the domain is freed, and a second destroy
 * is harmless.
 */
static void test_destroy_open_ports(void **state)
{
	long ipi, xen, peer;

	(void)state;
	ipi = bind_ipi(0);
	assert_true(ipi > 0);
	assert_true(bind_virq(VIRQ_TIMER, 1) > 0);
	assert_true(bind_virq(VIRQ_DOM_EXC, 0) > 0);
	assert_true(alloc_unbound(DOMID_SELF, DOMID_SELF) > 0);
	peer = alloc_unbound(DOMID_SELF, DOMID_SELF);
	assert_true(bind_interdomain_as(d, DOMID_SELF, peer) > 0);
	xen = evtchn_alloc_xen_port(d, NULL);
	assert_true(xen > 0);
	guest_ack(0);
	mask(ipi);
	assert_int_equal(send(ipi), 0);
	memset(kicks, 0, sizeof(kicks_of[MAIN_DOMID]));

	d->dying = true;
	evtchn_domain_destroy(d);
	assert_int_equal(live_allocs, 3);	/* its page, a group, a bucket */
	for (evtchn_port_t port = 1; port < d->evtchn->valid_ports; port++)
		assert_int_equal(status_of(port), EVTCHNSTAT_closed);
	assert_false(evtchn_is_pending(d, ipi));
	evtchn_domain_destroy(d);

	/* A dying domain gets no new ports (-EINVAL, as Xen); the rest fails safely. */
	assert_int_equal(bind_ipi(0), -EINVAL);
	assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF), -EINVAL);
	assert_int_equal(evtchn_alloc_xen_port(d, NULL), -EINVAL);
	assert_int_equal(evtchn_alloc_unbound_port(d, 0), -EINVAL);
	assert_int_equal(send(1), -EINVAL);
	send_guest_virq(d->vcpus[1], VIRQ_TIMER);
	evtchn_notify_guest(d, xen);
	assert_int_equal(kicks[0] + kicks[1], 0);

	/* Freed: every call still fails safely. */
	evtchn_domain_free(d);
	assert_null(d->evtchn);
	assert_int_equal(live_allocs, 0);
	evtchn_domain_free(d);
	evtchn_domain_destroy(d);
	assert_int_equal(send(1), -ENOSYS);
	assert_int_equal(evtchn_send(d, 1), -EINVAL);
	assert_false(evtchn_is_pending(d, 1));
	assert_false(evtchn_port_is_valid(d, 1));
	evtchn_notify_guest(d, 1);
	send_guest_virq(d->vcpus[0], VIRQ_TIMER);
	assert_int_equal(kicks[0] + kicks[1], 0);
}


/* The multi-domain tests: d (3) and d5 unprivileged, dom0 privileged. */
static struct domain *dom0, *d5;

static int setup_three(void **state)
{
	setup(state);
	dom0 = new_domain(0, true, 64 * 4);
	d5 = new_domain(5, false, 64 * 4);
	return 0;
}

/* A keel-served port's handler: counts, and raises the port back as the console does. */
static unsigned int xen_notifies;
static struct domain *xen_notified_dom;
static evtchn_port_t xen_notified_port;

static void xen_notify(struct domain *nd, evtchn_port_t port)
{
	xen_notifies++;
	xen_notified_dom = nd;
	xen_notified_port = port;
	evtchn_notify_guest(nd, port);
}

static void assert_unbound(struct domain *caller, domid_t dom,
			   evtchn_port_t port, domid_t remote)
{
	struct evtchn_status st;

	assert_int_equal(status_as(caller, dom, port, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, remote);
}

static void assert_interdomain(struct domain *caller, domid_t dom,
			       evtchn_port_t port, domid_t remote,
			       evtchn_port_t remote_port)
{
	struct evtchn_status st;

	assert_int_equal(status_as(caller, dom, port, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, remote);
	assert_int_equal(st.u.interdomain.port, remote_port);
}

static u32 status_in(struct domain *caller, evtchn_port_t port)
{
	struct evtchn_status st;

	assert_int_equal(status_as(caller, DOMID_SELF, port, &st), 0);
	return st.status;
}

/* d5 offers a port to d, d binds it; sends go both ways, to the right vCPU. */
static void test_interdomain_bind_send(void **state)
{
	long p5, p3;

	(void)state;
	p5 = alloc_unbound_as(d5, DOMID_SELF, MAIN_DOMID);
	assert_int_equal(p5, 1);
	assert_unbound(d5, DOMID_SELF, p5, MAIN_DOMID);
	assert_int_equal(bind_ipi(0), 1);	/* so the two ends differ */
	p3 = bind_interdomain_as(d, 5, p5);
	assert_int_equal(p3, 2);
	assert_interdomain(d, DOMID_SELF, p3, 5, p5);
	assert_interdomain(d5, DOMID_SELF, p5, MAIN_DOMID, p3);

	/* As Xen, the binder's end is raised; the offering end is not. */
	assert_true(signalled(d, p3, 0));
	assert_int_equal(kicks[0], 1);
	assert_false(bit(d5->shared_info->evtchn_pending, p5));
	assert_int_equal(kicks_of[5][0], 0);

	/* d to d5: d5's pending bit, selector, upcall and kick; pollers wake. */
	guest_ack(0);
	assert_int_equal(send(p3), 0);
	assert_true(signalled(d5, p5, 0));
	assert_int_equal(kicks_of[5][0], 1);
	assert_int_equal(poll_wakes_of[5][0], 1);
	assert_int_equal(poll_wakes_of[5][1], 1);
	assert_false(bit(si->evtchn_pending, p3));
	assert_int_equal(kicks[0], 1);

	/* d5 to d. */
	assert_int_equal(send_as(d5, p5), 0);
	assert_true(signalled(d, p3, 0));
	assert_false(bit(d5->shared_info->evtchn_pending, p3));
	assert_int_equal(kicks[0], 2);
	assert_int_equal(kicks_of[5][0], 1);

	/* d5 moves its end to vCPU 1: d's sends follow it, and so does the yield's note. */
	ack_in(d5, 0);
	assert_int_equal(bind_vcpu_as(d5, p5, 1), 0);
	last_signalled = NULL;
	assert_int_equal(send(p3), 0);
	assert_true(signalled(d5, p5, 1));
	assert_int_equal(d5->shared_info->vcpu_info[0].evtchn_upcall_pending, 0);
	assert_int_equal(kicks_of[5][1], 1);
	assert_int_equal(kicks_of[5][0], 1);
	assert_ptr_equal(last_signalled, d5->vcpus[1]);
	/* Still pending, so no kick: the send is noted all the same. */
	last_signalled = NULL;
	assert_int_equal(send(p3), 0);
	assert_int_equal(kicks_of[5][1], 1);
	assert_ptr_equal(last_signalled, d5->vcpus[1]);

	/* A masked remote port is only marked pending. */
	ack_in(d5, 1);
	mask_in(d5, p5);
	assert_int_equal(send(p3), 0);
	assert_true(bit(d5->shared_info->evtchn_pending, p5));
	assert_int_equal(d5->shared_info->vcpu_info[1].evtchn_upcall_pending, 0);
	assert_int_equal(kicks_of[5][1], 1);

	/* Both ends are taken: nobody can bind either again. */
	assert_int_equal(bind_interdomain_as(d, 5, p5), -EINVAL);
	assert_int_equal(bind_interdomain_as(dom0, 5, p5), -EINVAL);
	assert_int_equal(bind_interdomain_as(d5, MAIN_DOMID, p3), -EINVAL);
	assert_int_equal(kicks_of[0][0] + kicks_of[0][1], 0);
}

static void test_alloc_unbound_remote(void **state)
{
	long port, p3;

	(void)state;
	/* Any existing remote, by id or DOMID_SELF (the caller). */
	port = alloc_unbound(DOMID_SELF, 0);
	assert_true(port > 0);
	assert_unbound(d, DOMID_SELF, port, 0);
	port = alloc_unbound(MAIN_DOMID, DOMID_SELF);
	assert_unbound(d, DOMID_SELF, port, MAIN_DOMID);

	/* No such domain on either side: -ESRCH. */
	assert_int_equal(alloc_unbound(DOMID_SELF, 7), -ESRCH);
	assert_int_equal(alloc_unbound(DOMID_SELF, TEST_MAX_DOMID), -ESRCH);
	assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_XEN), -ESRCH);
	assert_int_equal(alloc_unbound(DOMID_SELF, 0x7ff4 /* DOMID_INVALID */), -ESRCH);
	assert_int_equal(alloc_unbound(7, DOMID_SELF), -ESRCH);
	assert_int_equal(alloc_unbound(DOMID_XEN, DOMID_SELF), -ESRCH);
	assert_int_equal(alloc_unbound(7, 5), -ESRCH);

	/* In another domain: privileged callers only, checked before the remote. */
	assert_int_equal(alloc_unbound(5, DOMID_SELF), -EPERM);
	assert_int_equal(alloc_unbound(5, MAIN_DOMID), -EPERM);
	assert_int_equal(alloc_unbound(5, 7), -EPERM);
	assert_int_equal(alloc_unbound_as(d5, 0, 5), -EPERM);
	assert_int_equal(status_in(d5, 1), EVTCHNSTAT_closed);
	assert_int_equal(status_in(dom0, 1), EVTCHNSTAT_closed);

	/* dom0 allocates in d5 for d; d binds it as if d5 had offered it. */
	port = alloc_unbound_as(dom0, 5, MAIN_DOMID);
	assert_int_equal(port, 1);
	assert_unbound(d5, DOMID_SELF, port, MAIN_DOMID);
	assert_int_equal(status_in(dom0, 1), EVTCHNSTAT_closed);
	p3 = bind_interdomain_as(d, 5, port);
	assert_true(p3 > 0);
	assert_interdomain(dom0, 5, port, MAIN_DOMID, p3);
	assert_int_equal(alloc_unbound_as(dom0, 5, 7), -ESRCH);

	/* Its remote DOMID_SELF is the caller, dom0, not d5 (as Xen). */
	port = alloc_unbound_as(dom0, 5, DOMID_SELF);
	assert_unbound(dom0, 5, port, 0);
	assert_int_equal(bind_interdomain_as(d5, DOMID_SELF, port), -EINVAL);
	assert_true(bind_interdomain_as(dom0, 5, port) > 0);

	/* A domain still being built (no ports yet) is not there. */
	new_domain(9, false, 0);
	assert_int_equal(alloc_unbound(DOMID_SELF, 9), -ESRCH);
	assert_int_equal(alloc_unbound_as(dom0, 9, 0), -ESRCH);
	assert_int_equal(bind_interdomain_as(d, 9, 1), -ESRCH);
	assert_int_equal(status_as(dom0, 9, 0, &(struct evtchn_status){ 0 }),
			 -ESRCH);
}

static void test_bind_interdomain_errors(void **state)
{
	struct domain *small;
	long offer, port;

	(void)state;
	assert_int_equal(bind_interdomain_as(d, 7, 1), -ESRCH);
	assert_int_equal(bind_interdomain_as(d, TEST_MAX_DOMID, 1), -ESRCH);
	assert_int_equal(bind_interdomain_as(d, DOMID_XEN, 1), -ESRCH);
	assert_int_equal(bind_interdomain_as(d, 0x7ff4 /* DOMID_INVALID */, 1), -ESRCH);

	/* The remote port must be unbound and waiting for the caller. */
	offer = alloc_unbound_as(d5, DOMID_SELF, 0);
	assert_int_equal(bind_interdomain_as(d, 5, offer), -EINVAL);
	assert_int_equal(bind_interdomain_as(d5, DOMID_SELF, offer), -EINVAL);
	assert_int_equal(bind_interdomain_as(d, 5, 0), -EINVAL);
	assert_int_equal(bind_interdomain_as(d, 5, 200), -EINVAL);
	assert_int_equal(bind_interdomain_as(d, 5, 256), -EINVAL);
	assert_int_equal(bind_interdomain_as(d, 5, 0xffffffff), -EINVAL);
	port = bind_ipi_as(d5, 0);
	assert_int_equal(bind_interdomain_as(d, 5, port), -EINVAL);
	port = bind_virq_as(d5, VIRQ_DOM_EXC, 0);
	assert_int_equal(bind_interdomain_as(d, 5, port), -EINVAL);
	/* The failures took no port; the one it was offered to binds it. */
	assert_int_equal(status_of(1), EVTCHNSTAT_closed);
	assert_unbound(d5, DOMID_SELF, offer, 0);
	assert_int_equal(bind_interdomain_as(dom0, 5, offer), 1);

	/* A full binder: -ENOSPC before the remote port is looked at (Xen's order). */
	small = new_domain(9, false, 4);
	for (int i = 1; i < 4; i++)
		assert_int_equal(bind_ipi_as(small, 0), i);
	offer = alloc_unbound_as(d5, DOMID_SELF, 9);
	assert_int_equal(bind_interdomain_as(small, 5, offer), -ENOSPC);
	assert_int_equal(bind_interdomain_as(small, 5, 0xffffffff), -ENOSPC);
	assert_int_equal(bind_interdomain_as(small, 7, 1), -ESRCH);
	assert_unbound(d5, DOMID_SELF, offer, 9);
	assert_int_equal(close_as(small, 2), 0);
	assert_int_equal(bind_interdomain_as(small, 5, offer), 2);
}

/* Closing either end: the other goes back to unbound, waiting for the closer (Xen). */
static void test_interdomain_close(void **state)
{
	struct evtchn_status st;
	long p5, p3, q, a, b;

	(void)state;
	p5 = alloc_unbound_as(d5, DOMID_SELF, MAIN_DOMID);
	assert_int_equal(bind_vcpu_as(d5, p5, 1), 0);
	p3 = bind_interdomain_as(d, 5, p5);

	/* d closes: its pending bit goes, d5's end waits for d again. */
	assert_true(bit(si->evtchn_pending, p3));
	assert_int_equal(close_port(p3), 0);
	assert_false(bit(si->evtchn_pending, p3));
	assert_int_equal(status_of(p3), EVTCHNSTAT_closed);
	assert_int_equal(status_as(d5, DOMID_SELF, p5, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, MAIN_DOMID);
	assert_int_equal(st.vcpu, 1);
	guest_ack(0);
	assert_int_equal(send_as(d5, p5), 0);		/* dropped */
	assert_int_equal(kicks[0] + kicks[1], 1);
	assert_int_equal(close_port(p3), -EINVAL);
	assert_int_equal(send(p3), -EINVAL);

	/* d binds it again; then d5 closes: d's end waits for d5. */
	p3 = bind_interdomain_as(d, 5, p5);
	assert_true(p3 > 0);
	assert_int_equal(close_as(d5, p5), 0);
	assert_int_equal(status_in(d5, p5), EVTCHNSTAT_closed);
	assert_unbound(d, DOMID_SELF, p3, 5);
	assert_int_equal(send(p3), 0);
	assert_int_equal(kicks_of[5][0] + kicks_of[5][1], 0);

	/* d5 binds the survivor; sends reach its new port. */
	q = bind_interdomain_as(d5, MAIN_DOMID, p3);
	assert_true(q > 0);
	assert_interdomain(dom0, 5, q, MAIN_DOMID, p3);
	assert_int_equal(send(p3), 0);
	assert_true(signalled(d5, q, 0));

	/* With the higher id closing first and second (d 3, dom0 0). */
	a = alloc_unbound_as(dom0, DOMID_SELF, MAIN_DOMID);
	b = bind_interdomain_as(d, 0, a);
	assert_int_equal(close_as(dom0, a), 0);
	assert_unbound(d, DOMID_SELF, b, 0);
	a = bind_interdomain_as(dom0, MAIN_DOMID, b);
	assert_interdomain(dom0, DOMID_SELF, a, MAIN_DOMID, b);
	assert_int_equal(close_port(b), 0);
	assert_unbound(dom0, DOMID_SELF, a, MAIN_DOMID);
}

static void test_bind_vcpu_ports(void **state)
{
	struct evtchn_status st;
	long p5, p3, ipi, timer, exc, xen;

	(void)state;
	/* An unbound end keeps its vCPU once bound. */
	p5 = alloc_unbound_as(d5, DOMID_SELF, MAIN_DOMID);
	assert_int_equal(bind_vcpu_as(d5, p5, 1), 0);
	assert_int_equal(status_as(d5, DOMID_SELF, p5, &st), 0);
	assert_int_equal(st.vcpu, 1);
	p3 = bind_interdomain_as(d, 5, p5);
	assert_int_equal(send(p3), 0);
	assert_true(signalled(d5, p5, 1));
	assert_int_equal(kicks_of[5][1], 1);
	assert_int_equal(kicks_of[5][0], 0);

	/* The binder's end starts on vCPU 0 and can move. */
	assert_int_equal(status(p3, &st), 0);
	assert_int_equal(st.vcpu, 0);
	assert_int_equal(bind_vcpu(p3, 1), 0);
	guest_ack(0);
	assert_int_equal(send_as(d5, p5), 0);
	assert_true(signalled(d, p3, 1));
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);

	/* The vCPU is checked first (-ENOENT), then the port (-EINVAL). */
	assert_int_equal(bind_vcpu(p3, NR_TEST_VCPUS), -ENOENT);
	assert_int_equal(bind_vcpu(p3, DOMAIN_MAX_VCPUS), -ENOENT);
	assert_int_equal(bind_vcpu(p3, 0xffffffff), -ENOENT);
	assert_int_equal(bind_vcpu(0xffffffff, NR_TEST_VCPUS), -ENOENT);
	ipi = bind_ipi(0);
	timer = bind_virq(VIRQ_TIMER, 0);
	exc = bind_virq(VIRQ_DOM_EXC, 0);
	xen = evtchn_alloc_xen_port(d, xen_notify);
	assert_int_equal(bind_vcpu(ipi, 1), -EINVAL);
	assert_int_equal(bind_vcpu(timer, 1), -EINVAL);
	assert_int_equal(bind_vcpu(xen, 1), -EINVAL);
	assert_int_equal(bind_vcpu(0, 1), -EINVAL);
	assert_int_equal(bind_vcpu(200, 1), -EINVAL);
	assert_int_equal(bind_vcpu(256, 1), -EINVAL);
	assert_int_equal(bind_vcpu(exc, 1), 0);
	assert_int_equal(status(exc, &st), 0);
	assert_int_equal(st.vcpu, 1);

	/* A closed port's next binding starts on vCPU 0 again. */
	assert_int_equal(close_port(p3), 0);
	assert_int_equal(alloc_unbound(DOMID_SELF, 5), p3);
	assert_int_equal(status(p3, &st), 0);
	assert_int_equal(st.vcpu, 0);
}

static void test_status_other_domains(void **state)
{
	struct evtchn_status st;
	long p5, p3;

	(void)state;
	p5 = alloc_unbound_as(d5, DOMID_SELF, MAIN_DOMID);
	/* Unprivileged: its own ports only, checked before the port. */
	assert_int_equal(status_as(d, 5, p5, &st), -EPERM);
	assert_int_equal(status_as(d, 5, 0xffffffff, &st), -EPERM);
	assert_int_equal(status_as(d, 0, 0, &st), -EPERM);
	assert_int_equal(status_as(d5, MAIN_DOMID, 1, &st), -EPERM);
	assert_int_equal(status_as(d, 7, 0, &st), -ESRCH);
	assert_int_equal(status_as(d, DOMID_XEN, 0, &st), -ESRCH);
	assert_int_equal(status_as(d, MAIN_DOMID, 1, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);

	/* Privileged: any domain's. */
	assert_unbound(dom0, 5, p5, MAIN_DOMID);
	assert_int_equal(status_as(dom0, 5, 0, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	assert_int_equal(status_as(dom0, 5, 256, &st), -EINVAL);
	assert_int_equal(status_as(dom0, 7, 0, &st), -ESRCH);
	p3 = bind_interdomain_as(d, 5, p5);
	assert_interdomain(dom0, MAIN_DOMID, p3, 5, p5);
	assert_interdomain(dom0, 5, p5, MAIN_DOMID, p3);
	assert_int_equal(status_as(dom0, MAIN_DOMID, p3, &st), 0);
	assert_int_equal(st.vcpu, 0);
}

static void test_reset(void **state)
{
	long ipi, timer, unbound, p5, p3, xen, q;

	(void)state;
	ipi = bind_ipi(1);
	timer = bind_virq(VIRQ_TIMER, 1);
	unbound = alloc_unbound(DOMID_SELF, 0);
	p5 = alloc_unbound_as(d5, DOMID_SELF, MAIN_DOMID);
	p3 = bind_interdomain_as(d, 5, p5);
	xen = evtchn_alloc_xen_port(d, xen_notify);

	/* Another domain's ports: privileged only; no such domain: -ESRCH. */
	assert_int_equal(reset_as(d, 5), -EPERM);
	assert_int_equal(reset_as(d5, MAIN_DOMID), -EPERM);
	assert_int_equal(reset_as(d, 7), -ESRCH);
	assert_int_equal(reset_as(d, DOMID_XEN), -ESRCH);
	assert_int_equal(status_of(ipi), EVTCHNSTAT_ipi);
	assert_interdomain(d5, DOMID_SELF, p5, MAIN_DOMID, p3);

	/* Its own: everything but keel's ports closes; peers see it. */
	assert_int_equal(reset_as(d, DOMID_SELF), 0);
	assert_int_equal(status_of(ipi), EVTCHNSTAT_closed);
	assert_int_equal(status_of(timer), EVTCHNSTAT_closed);
	assert_int_equal(status_of(unbound), EVTCHNSTAT_closed);
	assert_int_equal(status_of(p3), EVTCHNSTAT_closed);
	assert_false(bit(si->evtchn_pending, p3));
	assert_unbound(d, DOMID_SELF, xen, DOMID_XEN);
	assert_unbound(d5, DOMID_SELF, p5, MAIN_DOMID);
	assert_int_equal(bind_virq(VIRQ_TIMER, 1), ipi);
	guest_ack(1);
	send_guest_virq(d->vcpus[1], VIRQ_TIMER);
	assert_true(signalled(d, ipi, 1));

	/* dom0 resets d5 once it is paused (Xen); by its own id works too. */
	q = bind_interdomain_as(d, 5, p5);
	assert_int_equal(reset_as(dom0, 5), -EINVAL);
	assert_int_equal(status_in(d5, p5), EVTCHNSTAT_interdomain);
	d5->pause_count = 1;
	assert_int_equal(reset_as(dom0, 5), 0);
	assert_int_equal(status_in(d5, p5), EVTCHNSTAT_closed);
	assert_unbound(d, DOMID_SELF, q, 5);
	assert_int_equal(reset_as(d, MAIN_DOMID), 0);
	assert_int_equal(status_of(q), EVTCHNSTAT_closed);
	assert_unbound(d, DOMID_SELF, xen, DOMID_XEN);
}

/* d5 is destroyed while bound to d and dom0: their ends wait for it again. */
static void test_destroyed_while_bound(void **state)
{
	struct domain *held, *reborn;
	long p5, p3, q0, q5, waiting;

	(void)state;
	p5 = alloc_unbound_as(d5, DOMID_SELF, MAIN_DOMID);
	p3 = bind_interdomain_as(d, 5, p5);
	q0 = alloc_unbound_as(dom0, DOMID_SELF, 5);
	q5 = bind_interdomain_as(d5, 0, q0);
	waiting = alloc_unbound(DOMID_SELF, 5);
	assert_true(p3 > 0 && q5 > 0 && waiting > 0);

	held = domain_get(5);
	kill_domain(d5);
	assert_unbound(d, DOMID_SELF, p3, 5);
	assert_unbound(dom0, DOMID_SELF, q0, 5);
	assert_unbound(d, DOMID_SELF, waiting, 5);
	guest_ack(0);
	ack_in(dom0, 0);
	assert_int_equal(send(p3), 0);			/* dropped */
	assert_int_equal(send_as(dom0, q0), 0);
	assert_int_equal(kicks[0] + kicks[1], 1);	/* binding p3 */
	assert_int_equal(kicks_of[0][0] + kicks_of[0][1], 0);

	/* Gone for new bindings. */
	assert_int_equal(bind_interdomain_as(d, 5, q5), -ESRCH);
	assert_int_equal(alloc_unbound(DOMID_SELF, 5), -ESRCH);
	assert_int_equal(status_as(dom0, 5, p5, &(struct evtchn_status){ 0 }),
			 -ESRCH);

	/* A reference keeps its (closed) ports until the last put. */
	assert_int_equal(live_domains, 3);
	assert_non_null(held->evtchn);
	assert_int_equal(evtchn_from_port(held, p5)->state, ECS_FREE);
	assert_int_equal(evtchn_from_port(held, q5)->state, ECS_FREE);
	assert_int_equal(bind_ipi_as(held, 0), -EINVAL);
	domain_put(held);
	assert_int_equal(live_domains, 2);

	/* A new domain 5 binds a port still waiting for that id, as in Xen. */
	reborn = new_domain(5, false, 64);
	assert_int_equal(bind_interdomain_as(reborn, MAIN_DOMID, p3), 1);
	assert_int_equal(send(p3), 0);
	assert_true(signalled(reborn, 1, 0));
	assert_int_equal(close_port(waiting), 0);
	assert_int_equal(close_as(dom0, q0), 0);
}

/* A dying domain not yet destroyed: peers close their ends; it gets no new ports. */
static void test_close_with_dying_peer(void **state)
{
	long p5, p3, offer;

	(void)state;
	p5 = alloc_unbound_as(d5, DOMID_SELF, MAIN_DOMID);
	p3 = bind_interdomain_as(d, 5, p5);
	offer = alloc_unbound_as(d5, DOMID_SELF, MAIN_DOMID);

	d5->dying = true;		/* domain_destroy(), first step */
	domain_table[5] = NULL;
	assert_int_equal(bind_interdomain_as(d, 5, offer), -ESRCH);
	assert_int_equal(send(p3), 0);
	assert_true(bit(d5->shared_info->evtchn_pending, p5));
	assert_int_equal(close_port(p3), 0);
	assert_int_equal(evtchn_from_port(d5, p5)->state, ECS_UNBOUND);
	assert_int_equal(evtchn_from_port(d5, p5)->remote_domid, MAIN_DOMID);

	/* Its own calls: no new ports (-EINVAL, as Xen); closing still works. */
	assert_int_equal(bind_ipi_as(d5, 0), -EINVAL);
	assert_int_equal(bind_virq_as(d5, VIRQ_TIMER, 0), -EINVAL);
	assert_int_equal(alloc_unbound_as(d5, DOMID_SELF, DOMID_SELF), -EINVAL);
	assert_int_equal(bind_interdomain_as(d5, MAIN_DOMID, 1), -EINVAL);
	assert_int_equal(close_as(d5, offer), 0);

	evtchn_domain_destroy(d5);
	assert_int_equal(evtchn_from_port(d5, p5)->state, ECS_FREE);
	domain_put(d5);
	assert_int_equal(live_domains, 2);
}

static void test_dom_exc(void **state)
{
	long port, mine;

	(void)state;
	port = bind_virq_as(dom0, VIRQ_DOM_EXC, 0);
	mine = bind_virq(VIRQ_DOM_EXC, 0);
	assert_true(port > 0 && mine > 0);
	evtchn_notify_dom_exc();
	assert_true(signalled(dom0, port, 0));
	assert_int_equal(kicks_of[0][0], 1);
	assert_false(bit(si->evtchn_pending, mine));
	assert_int_equal(kicks[0] + kicks[1], 0);

	/* A global VIRQ: it follows bind_vcpu. */
	ack_in(dom0, 0);
	assert_int_equal(bind_vcpu_as(dom0, port, 1), 0);
	evtchn_notify_dom_exc();
	assert_true(signalled(dom0, port, 1));
	assert_int_equal(kicks_of[0][1], 1);

	/* Unbound, no dom0, or a dom0 without ports: nothing happens. */
	ack_in(dom0, 1);
	assert_int_equal(close_as(dom0, port), 0);
	evtchn_notify_dom_exc();
	assert_int_equal(kicks_of[0][0] + kicks_of[0][1], 2);
	kill_domain(dom0);
	evtchn_notify_dom_exc();
	new_domain(0, true, 0);
	evtchn_notify_dom_exc();
	assert_int_equal(kicks[0] + kicks[1], 0);
}

/* Keel-served ports and the builder's unbound ports next to guest channels. */
static void test_keel_ports(void **state)
{
	long xen, xs, g, b;

	(void)state;
	xen = evtchn_alloc_xen_port(d, xen_notify);
	assert_int_equal(xen, 1);
	assert_unbound(d, DOMID_SELF, xen, DOMID_XEN);
	xen_notifies = 0;
	assert_int_equal(send(xen), 0);
	assert_int_equal(xen_notifies, 1);
	assert_ptr_equal(xen_notified_dom, d);
	assert_int_equal(xen_notified_port, xen);
	assert_true(signalled(d, xen, 0));	/* raised back, no deadlock */

	/* Guests cannot close, move or bind it (as Xen's Xen-attached ports). */
	assert_int_equal(close_port(xen), -EINVAL);
	assert_int_equal(bind_vcpu(xen, 1), -EINVAL);
	assert_int_equal(bind_interdomain_as(d, DOMID_SELF, xen), -EINVAL);
	assert_int_equal(bind_interdomain_as(dom0, MAIN_DOMID, xen), -EINVAL);
	assert_unbound(d, DOMID_SELF, xen, DOMID_XEN);

	/* The xenstore port: unbound for dom0 itself; then dom0's in a guest. */
	xs = evtchn_alloc_unbound_port(dom0, 0);
	assert_unbound(dom0, DOMID_SELF, xs, 0);
	b = bind_interdomain_as(dom0, DOMID_SELF, xs);
	assert_interdomain(dom0, DOMID_SELF, b, 0, xs);
	g = evtchn_alloc_unbound_port(d, 0);
	assert_unbound(d, DOMID_SELF, g, 0);
	b = bind_interdomain_as(dom0, MAIN_DOMID, g);
	ack_in(dom0, 0);
	assert_int_equal(send(g), 0);
	assert_true(signalled(dom0, b, 0));

	/* Keel raises bound ports only. */
	guest_ack(0);
	evtchn_notify_guest(d, 200);
	evtchn_notify_guest(d, 256);
	evtchn_notify_guest(d, 0xffffffff);
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);
	evtchn_notify_guest(d, g);
	assert_true(signalled(d, g, 0));
}

/* max_ports per domain: -ENOSPC when full, whoever allocates. */
static void test_port_limit(void **state)
{
	struct domain *small = new_domain(9, false, 4);
	long offer;

	(void)state;
	for (int i = 1; i < 4; i++)
		assert_int_equal(alloc_unbound_as(dom0, 9, MAIN_DOMID), i);
	assert_int_equal(alloc_unbound_as(dom0, 9, MAIN_DOMID), -ENOSPC);
	assert_int_equal(alloc_unbound_as(d, 9, MAIN_DOMID), -EPERM);
	assert_int_equal(alloc_unbound_as(small, DOMID_SELF, 0), -ENOSPC);
	assert_int_equal(bind_ipi_as(small, 0), -ENOSPC);
	assert_int_equal(bind_virq_as(small, VIRQ_TIMER, 0), -ENOSPC);
	assert_int_equal(evtchn_alloc_unbound_port(small, 0), -ENOSPC);
	assert_int_equal(evtchn_alloc_xen_port(small, xen_notify), -ENOSPC);
	offer = alloc_unbound(DOMID_SELF, 9);
	assert_int_equal(bind_interdomain_as(small, MAIN_DOMID, offer), -ENOSPC);
	assert_unbound(d, DOMID_SELF, offer, 9);

	/* Binding to a full domain's port takes none of its ports. */
	assert_int_equal(bind_interdomain_as(d, 9, 1), offer + 1);
	assert_int_equal(close_as(small, 2), 0);
	assert_int_equal(bind_interdomain_as(small, MAIN_DOMID, offer), 2);
	assert_int_equal(alloc_unbound_as(dom0, 9, MAIN_DOMID), -ENOSPC);
}

/* ---- FIFO: Linux's set-up on fake guest frames, and the guest's side of the queues. ---- */

#define CB_GFN GFN_BASE			/* both vCPUs' control blocks */
#define CB_OFFSET(vcpu) ((vcpu) * 0x800u)
#define ARRAY_GFN (GFN_BASE + 1)	/* event-array page i is ARRAY_GFN + i */
#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(event_word_t))
#define W(b) (1u << EVTCHN_FIFO_##b)
#define LINK(w) ((w) & EVTCHN_FIFO_LINK_MASK)

/* Linux's per-vCPU copy of each queue's head (events_fifo.c's cpu_queue). */
static evtchn_port_t local_head[NR_TEST_VCPUS][EVTCHN_FIFO_MAX_QUEUES];

static void *frame(u64 gfn)
{
	return guest_ram[gfn - GFN_BASE];
}

static struct evtchn_fifo_control_block *cb(unsigned int vcpu)
{
	return (void *)((u8 *)frame(CB_GFN) + CB_OFFSET(vcpu));
}

static event_word_t *word(evtchn_port_t port)
{
	return (event_word_t *)frame(ARRAY_GFN + port / WORDS_PER_PAGE) +
	       port % WORDS_PER_PAGE;
}

static event_word_t word_of(evtchn_port_t port)
{
	return __atomic_load_n(word(port), __ATOMIC_SEQ_CST);
}

static long init_control_as(struct domain *caller, u64 gfn, u32 offset,
			    u32 vcpu)
{
	struct evtchn_init_control ic = { .control_gfn = gfn,
					  .offset = offset, .vcpu = vcpu };
	long rc = op_as(caller, EVTCHNOP_init_control, &ic);

	/* link_bits is written back on success only (Xen). */
	assert_int_equal(ic.link_bits, rc ? 0 : EVTCHN_FIFO_LINK_BITS);
	return rc;
}

static long init_control(u64 gfn, u32 offset, u32 vcpu)
{
	return init_control_as(d, gfn, offset, vcpu);
}

static long expand_as(struct domain *caller, u64 gfn)
{
	struct evtchn_expand_array e = { .array_gfn = gfn };

	return op_as(caller, EVTCHNOP_expand_array, &e);
}

static long expand(u64 gfn)
{
	return expand_as(d, gfn);
}

static long set_priority_as(struct domain *caller, evtchn_port_t port,
			    u32 priority)
{
	struct evtchn_set_priority sp = { .port = port, .priority = priority };

	return op_as(caller, EVTCHNOP_set_priority, &sp);
}

static long set_priority(evtchn_port_t port, u32 priority)
{
	return set_priority_as(d, port, priority);
}

/* Linux's evtchn_fifo_setup(): every word of a new page masked first. */
static void add_array_page_as(struct domain *caller, unsigned int i)
{
	event_word_t *w = frame(ARRAY_GFN + i);

	for (unsigned int n = 0; n < WORDS_PER_PAGE; n++)
		w[n] = W(MASKED);
	assert_int_equal(expand_as(caller, ARRAY_GFN + i), 0);
}

/* Linux's FIFO start for @caller's two vCPUs, with @pages event-array pages. */
static void fifo_on_as(struct domain *caller, unsigned int pages)
{
	memset(guest_ram, 0, sizeof(guest_ram));
	memset(local_head, 0, sizeof(local_head));
	assert_int_equal(init_control_as(caller, CB_GFN, CB_OFFSET(0), 0), 0);
	assert_int_equal(init_control_as(caller, CB_GFN, CB_OFFSET(1), 1), 0);
	assert_ptr_equal(caller->evtchn->ops, &evtchn_port_ops_fifo);
	for (unsigned int i = 0; i < pages; i++)
		add_array_page_as(caller, i);
}

static void fifo_on(unsigned int pages)
{
	fifo_on_as(d, pages);
}

static void guest_set(evtchn_port_t port, u32 bits)
{
	__atomic_fetch_or(word(port), bits, __ATOMIC_SEQ_CST);
}

static void guest_clear(evtchn_port_t port, u32 bits)
{
	__atomic_fetch_and(word(port), ~bits, __ATOMIC_SEQ_CST);
}

/* A port bound to vCPU @vcpu by IPI, unmasked as Linux does once bound. */
static evtchn_port_t fifo_ipi(unsigned int vcpu)
{
	long port = bind_ipi(vcpu);

	assert_true(port > 0);
	guest_clear(port, W(MASKED));
	return port;
}

/*
 * Linux's handler for vCPU @vcpu: clear the upcall flag, then walk the
 * ready queues as consume_one_event() does (unlink each head, handle it
 * if pending and unmasked, clearing PENDING as its ack does). Returns
 * the ports handled, in order, in @out.
 */
static unsigned int guest_consume(unsigned int vcpu, evtchn_port_t *out,
				  unsigned int max)
{
	struct evtchn_fifo_control_block *c = cb(vcpu);
	unsigned int n = 0;
	u32 ready;

	si->vcpu_info[vcpu].evtchn_upcall_pending = 0;
	ready = __atomic_exchange_n(&c->ready, 0, __ATOMIC_SEQ_CST);
	while (ready) {
		unsigned int q = __builtin_ctz(ready);
		evtchn_port_t port = local_head[vcpu][q];
		event_word_t old;

		if (!port)
			port = __atomic_load_n(&c->head[q], __ATOMIC_SEQ_CST);
		assert_true(port > 0 && port < EVTCHN_FIFO_NR_CHANNELS);
		old = word_of(port);
		while (!__atomic_compare_exchange_n(word(port), &old,
				old & ~(W(LINKED) | EVTCHN_FIFO_LINK_MASK),
				false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			;
		local_head[vcpu][q] = LINK(old);
		if (!local_head[vcpu][q])
			ready &= ~BIT(q);
		if ((old & W(PENDING)) && !(old & W(MASKED))) {
			guest_clear(port, W(PENDING));
			assert_true(n < max);
			out[n++] = port;
		}
		ready |= __atomic_exchange_n(&c->ready, 0, __ATOMIC_SEQ_CST);
	}
	return n;
}

/* guest_consume() for vCPU @vcpu must hand exactly @n ports, in this order. */
static void assert_consumed(unsigned int vcpu, unsigned int n, ...)
{
	evtchn_port_t got[64];
	unsigned int taken = guest_consume(vcpu, got, ARRAY_SIZE(got));
	va_list ap;

	assert_int_equal(taken, n);
	va_start(ap, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(got[i], va_arg(ap, unsigned int));
	va_end(ap);
}

static void test_fifo_init_control_errors(void **state)
{
	static const u64 bad_gfns[] = {
		0, GFN_BASE - 1, RO_GFN, FOREIGN_GFN, FOREIGN_GFN + 1,
		1ULL << 36, 1ULL << 52, ~0ULL,
	};
	const u32 last = PAGE_SIZE - sizeof(struct evtchn_fifo_control_block);
	int allocs = live_allocs;
	long port;

	(void)state;
	/* A vCPU the domain has. */
	assert_int_equal(init_control(CB_GFN, 0, NR_TEST_VCPUS), -ENOENT);
	assert_int_equal(init_control(CB_GFN, 0, 0xffffffff), -ENOENT);
	/* The block within the page, 8-byte aligned. */
	assert_int_equal(init_control(CB_GFN, last + 8, 0), -EINVAL);
	assert_int_equal(init_control(CB_GFN, PAGE_SIZE, 0), -EINVAL);
	assert_int_equal(init_control(CB_GFN, 0xfffffff8, 0), -EINVAL);
	assert_int_equal(init_control(CB_GFN, 4, 0), -EINVAL);
	assert_int_equal(init_control(CB_GFN, 1, 0), -EINVAL);
	/* A page the domain owns as RAM and may write. */
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_gfns); i++)
		assert_int_equal(init_control(bad_gfns[i], 0, 0), -EINVAL);
	/* Out of memory for FIFO's own state. */
	allocs_until_failure = 0;
	assert_int_equal(init_control(CB_GFN, 0, 0), -ENOMEM);
	allocs_until_failure = -1;

	/* Nothing of it stayed: still 2-level, nothing allocated. */
	assert_null(d->evtchn->fifo);
	assert_ptr_equal(d->evtchn->ops, &evtchn_port_ops_2l);
	assert_int_equal(live_allocs, allocs);
	assert_int_equal(expand(ARRAY_GFN), -EOPNOTSUPP);
	assert_int_equal(set_priority(1, 0), -ENOSYS);
	assert_int_equal(set_priority(EVTCHNS_PER_BUCKET, 0), -EINVAL);
	port = bind_ipi(0);
	assert_int_equal(send(port), 0);
	assert_true(signalled(d, port, 0));
	assert_int_equal(close_port(port), 0);

	/* The last offset that fits; then once per vCPU. */
	assert_int_equal(init_control(CB_GFN, last, 0), 0);
	assert_ptr_equal(d->evtchn->ops, &evtchn_port_ops_fifo);
	assert_int_equal(init_control(CB_GFN, last, 0), -EINVAL);
	assert_int_equal(init_control(CB_GFN + 1, 0, 0), -EINVAL);
	assert_int_equal(init_control(CB_GFN, 4, 1), -EINVAL);
	assert_int_equal(init_control(RO_GFN, 0, 1), -EINVAL);
	assert_int_equal(init_control(CB_GFN, 0, 2), -ENOENT);
	assert_int_equal(init_control(CB_GFN, 0, 1), 0);
	/* Each vCPU's control block holds its frame; the refusals took none. */
	assert_int_equal(frame_refs[CB_GFN - GFN_BASE], 2);
	assert_int_equal(frame_refs[CB_GFN + 1 - GFN_BASE], 0);
	assert_int_equal(init_control(CB_GFN + 2, 0, 1), -EINVAL);
	assert_int_equal(set_priority(EVTCHNS_PER_BUCKET, 0), -EINVAL);
	assert_int_equal(set_priority(0xffffffff, 0), -EINVAL);
}

static void test_fifo_expand_limits(void **state)
{
	static const u64 bad_gfns[] = {
		0, GFN_BASE - 1, RO_GFN, FOREIGN_GFN, FOREIGN_GFN + 1, ~0ULL,
	};

	(void)state;
	assert_int_equal(expand(ARRAY_GFN), -EOPNOTSUPP);	/* 2-level */
	fifo_on(0);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_gfns); i++)
		assert_int_equal(expand(bad_gfns[i]), -EINVAL);
	/* 128 pages name every port FIFO can; a frame may come again (Xen). */
	for (unsigned int i = 0; i < EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE; i++)
		assert_int_equal(expand(ARRAY_GFN), 0);
	assert_int_equal(expand(ARRAY_GFN), -ENOSPC);
	assert_int_equal(expand(0), -ENOSPC);	/* the limit first, as Xen */
	assert_int_equal(expand(RO_GFN), -ENOSPC);
	assert_int_equal(frame_refs[ARRAY_GFN - GFN_BASE],
			 EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE);
	assert_int_equal(frame_refs[RO_GFN - GFN_BASE], 0);
	assert_int_equal(frame_refs[FOREIGN_GFN - GFN_BASE], 0);

	/* The domain's end lets every one go (a dying domain: destroy). */
	d->dying = true;
	evtchn_domain_destroy(d);
	assert_null(d->evtchn->fifo);
	for (unsigned int i = 0; i < ARRAY_SIZE(frame_refs); i++)
		assert_int_equal(frame_refs[i], 0);
}

/* Queue linking on one priority: head, LINK, ready bit, one upcall. */
static void test_fifo_delivery(void **state)
{
	evtchn_port_t a, b;

	(void)state;
	fifo_on(1);
	a = fifo_ipi(0);
	assert_int_equal(word_of(a), 0);
	assert_int_equal(send(a), 0);
	assert_int_equal(word_of(a), W(PENDING) | W(LINKED));
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
	assert_int_equal(cb(0)->ready, BIT(EVTCHN_FIFO_PRIORITY_DEFAULT));
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 1);
	assert_int_equal(kicks[0], 1);
	assert_int_equal(poll_wakes[0], 1);
	assert_true(evtchn_is_pending(d, a));
	/* Not a bit of 2-level. */
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(si->evtchn_pending); i++)
		assert_int_equal(si->evtchn_pending[i], 0);

	/* Again while pending: nothing more. */
	assert_int_equal(send(a), 0);
	assert_int_equal(word_of(a), W(PENDING) | W(LINKED));
	assert_int_equal(kicks[0], 1);
	assert_int_equal(poll_wakes[0], 1);

	assert_consumed(0, 1, a);
	assert_int_equal(word_of(a), 0);
	assert_false(evtchn_is_pending(d, a));

	/* Its queue ran empty: the next event is its head again. */
	cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT] = 0;
	assert_int_equal(send(a), 0);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
	assert_int_equal(kicks[0], 2);
	assert_consumed(0, 1, a);

	/* A second event while the first is queued goes behind it. */
	b = fifo_ipi(0);
	assert_int_equal(send(a), 0);
	assert_int_equal(send(b), 0);
	assert_int_equal(LINK(word_of(a)), b);
	assert_int_equal(word_of(b), W(PENDING) | W(LINKED));
	assert_int_equal(kicks[0], 3);		/* the queue was already ready */
	assert_consumed(0, 2, a, b);
	assert_int_equal(kicks[1], 0);
	assert_int_equal(cb(1)->ready, 0);
}

/* Per-priority queues: 0 first, 15 last, each in the order raised. */
static void test_fifo_priorities(void **state)
{
	evtchn_port_t a, b, c, e, again;

	(void)state;
	fifo_on(1);
	a = fifo_ipi(0);
	b = fifo_ipi(0);
	c = fifo_ipi(0);
	e = fifo_ipi(0);
	assert_int_equal(set_priority(a, EVTCHN_FIFO_PRIORITY_MIN), 0);
	assert_int_equal(set_priority(b, EVTCHN_FIFO_PRIORITY_MAX), 0);
	assert_int_equal(set_priority(e, EVTCHN_FIFO_PRIORITY_MAX), 0);
	assert_int_equal(set_priority(a, EVTCHN_FIFO_PRIORITY_MIN + 1), -EINVAL);
	assert_int_equal(set_priority(a, 0xffffffff), -EINVAL);
	assert_int_equal(set_priority(EVTCHNS_PER_BUCKET, 0), -EINVAL);

	assert_int_equal(send(a), 0);
	assert_int_equal(send(b), 0);
	assert_int_equal(send(c), 0);
	assert_int_equal(send(e), 0);
	assert_int_equal(cb(0)->ready, BIT(0) | BIT(7) | BIT(15));
	assert_int_equal(cb(0)->head[0], b);
	assert_int_equal(cb(0)->head[7], c);
	assert_int_equal(cb(0)->head[15], a);
	assert_int_equal(LINK(word_of(b)), e);
	assert_int_equal(kicks[0], 1);
	assert_consumed(0, 4, b, e, c, a);

	/* A queued event stays on its queue; the next takes the new priority. */
	assert_int_equal(send(a), 0);
	assert_int_equal(set_priority(a, 3), 0);
	assert_consumed(0, 1, a);
	assert_int_equal(send(a), 0);
	assert_int_equal(cb(0)->ready, BIT(3));
	assert_int_equal(cb(0)->head[3], a);
	assert_consumed(0, 1, a);

	/* A port bound again starts at the default priority. */
	assert_int_equal(close_port(c), 0);
	assert_int_equal(set_priority(c, 1), 0);	/* free, but valid */
	again = fifo_ipi(0);
	assert_int_equal(again, c);
	assert_int_equal(send(again), 0);
	assert_int_equal(cb(0)->ready, BIT(EVTCHN_FIFO_PRIORITY_DEFAULT));
	assert_consumed(0, 1, again);
}

/* Masked events are only pending; EVTCHNOP_unmask links them. */
static void test_fifo_mask_unmask(void **state)
{
	long port;

	(void)state;
	fifo_on(1);
	port = bind_ipi(0);			/* masked, as Linux's pages come */
	assert_int_equal(send(port), 0);
	assert_int_equal(word_of(port), W(PENDING) | W(MASKED));
	assert_int_equal(cb(0)->ready, 0);
	assert_int_equal(kicks[0], 0);
	assert_true(evtchn_is_pending(d, port));	/* SCHEDOP_poll sees it */
	assert_int_equal(poll_wakes[0], 1);

	/* Linux leaves MASKED on a pending port and asks keel. */
	assert_int_equal(unmask(port), 0);
	assert_int_equal(word_of(port), W(PENDING) | W(LINKED));
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], port);
	assert_int_equal(kicks[0], 1);
	assert_consumed(0, 1, port);
	assert_int_equal(unmask(port), 0);	/* idle: nothing */
	assert_int_equal(word_of(port), 0);
	assert_int_equal(kicks[0], 1);

	/* Masked while queued: the guest skips it; unmask raises it again. */
	assert_int_equal(send(port), 0);
	guest_set(port, W(MASKED));
	assert_consumed(0, 0);
	assert_int_equal(word_of(port), W(PENDING) | W(MASKED));
	assert_int_equal(unmask(port), 0);
	assert_int_equal(kicks[0], 3);
	assert_consumed(0, 1, port);

	/* Cleared by the guest before the unmask: nothing to raise. */
	guest_set(port, W(MASKED));
	assert_int_equal(send(port), 0);
	guest_clear(port, W(PENDING));
	assert_int_equal(unmask(port), 0);
	assert_int_equal(word_of(port), 0);
	assert_int_equal(cb(0)->ready, 0);
	assert_int_equal(kicks[0], 3);
}

/* Raised without an event word (and under 2-level): raised once the page comes. */
static void test_fifo_pending_before_page(void **state)
{
	evtchn_port_t old, early, closed;

	(void)state;
	old = bind_ipi(0);
	mask(old);
	assert_int_equal(send(old), 0);		/* 2-level, masked */
	assert_int_equal(poll_wakes[0], 1);
	fifo_on(0);
	assert_false(evtchn_is_pending(d, old));

	early = bind_ipi(0);
	closed = bind_ipi(0);
	assert_int_equal(send(early), 0);
	assert_int_equal(send(closed), 0);
	assert_int_equal(close_port(closed), 0);
	assert_false(evtchn_is_pending(d, early));
	assert_int_equal(kicks[0], 0);
	assert_int_equal(poll_wakes[0], 1);

	/* A page the guest left unmasked: both raised, in port order. */
	assert_int_equal(expand(ARRAY_GFN), 0);
	assert_int_equal(word_of(old), W(PENDING) | W(LINKED) | early);
	assert_int_equal(word_of(closed), 0);
	assert_int_equal(kicks[0], 1);
	assert_int_equal(poll_wakes[0], 3);
	assert_consumed(0, 2, old, early);

	/* Raised once only: a second page raises nothing old again. */
	assert_int_equal(expand(ARRAY_GFN + 1), 0);
	assert_int_equal(kicks[0], 1);
	assert_consumed(0, 0);
}

/* No control block for the port's vCPU: pending, dropped (Xen); unmask later links it. */
static void test_fifo_vcpu_without_block(void **state)
{
	evtchn_port_t port;

	(void)state;
	memset(guest_ram, 0, sizeof(guest_ram));
	assert_int_equal(init_control(CB_GFN, CB_OFFSET(0), 0), 0);
	assert_int_equal(expand(ARRAY_GFN), 0);
	port = bind_ipi(1);
	assert_int_equal(send(port), 0);
	assert_int_equal(word_of(port), W(PENDING));
	assert_int_equal(kicks[1], 0);
	assert_int_equal(init_control(CB_GFN, CB_OFFSET(1), 1), 0);
	assert_int_equal(unmask(port), 0);
	assert_int_equal(cb(1)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], port);
	assert_int_equal(kicks[1], 1);
	assert_int_equal(cb(0)->ready, 0);
	assert_consumed(1, 1, port);
}

/* A closed port still on the guest's queue is not handed out again until unlinked. */
static void test_fifo_close_busy(void **state)
{
	evtchn_port_t a;

	(void)state;
	fifo_on(1);
	a = fifo_ipi(0);
	assert_int_equal(send(a), 0);
	assert_int_equal(close_port(a), 0);
	assert_int_equal(status_of(a), EVTCHNSTAT_closed);
	assert_int_equal(word_of(a), W(LINKED));	/* PENDING cleared */
	assert_int_equal(bind_ipi(0), a + 1);
	assert_consumed(0, 0);			/* unlinked, not handled */
	assert_int_equal(bind_ipi(0), a);
}

/*
 * A port moved to another vCPU after its queue ran empty: linked there,
 * and its old queue forgets it as tail, so that the next event on the
 * old queue starts it afresh rather than writing the moved port's word.
 */
static void test_fifo_moved_port(void **state)
{
	evtchn_port_t u, l, x;

	(void)state;
	fifo_on(1);
	u = alloc_unbound(DOMID_SELF, DOMID_SELF);
	l = bind_interdomain_as(d, DOMID_SELF, u);
	assert_int_equal(word_of(l), W(PENDING) | W(MASKED));	/* bind raises it */
	guest_clear(l, W(MASKED) | W(PENDING));
	guest_clear(u, W(MASKED));
	assert_int_equal(send(u), 0);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], l);
	assert_consumed(0, 1, l);

	assert_int_equal(bind_vcpu(l, 1), 0);
	assert_int_equal(send(u), 0);
	assert_int_equal(cb(1)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], l);
	assert_int_equal(cb(1)->ready, BIT(EVTCHN_FIFO_PRIORITY_DEFAULT));
	assert_int_equal(kicks[1], 1);

	x = fifo_ipi(0);
	assert_int_equal(send(x), 0);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], x);
	assert_int_equal(LINK(word_of(l)), 0);
	assert_consumed(1, 1, l);
	assert_consumed(0, 1, x);
}

/* The other vCPU of the guest, played between keel's read of the tail word and its swap. */
static unsigned int races;
static u32 race_bits;		/* what it changes each time */
static unsigned int race_times;	/* how often: then it stops */

static void race(event_word_t *w)
{
	if (races++ < race_times)
		__atomic_fetch_xor(w, race_bits, __ATOMIC_SEQ_CST);
}

static void fifo_race(u32 bits, unsigned int times)
{
	races = 0;
	race_bits = bits;
	race_times = times;
	evtchn_fifo_race_hook = race;
}

static void test_fifo_hostile_link(void **state)
{
	evtchn_port_t a, b, c;

	(void)state;
	fifo_on(1);
	a = fifo_ipi(0);
	b = fifo_ipi(0);
	c = fifo_ipi(0);

	/* The guest takes the tail meanwhile: its queue is empty, b is its head. */
	assert_int_equal(send(a), 0);
	fifo_race(W(LINKED), 1);
	assert_int_equal(send(b), 0);
	assert_int_equal(races, 1);		/* then not LINKED: no swap */
	assert_int_equal(word_of(a), W(PENDING));	/* BUSY cleared again */
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], b);
	evtchn_fifo_race_hook = NULL;
	guest_clear(a, W(PENDING));
	assert_consumed(0, 1, b);

	/* A fair guest masks the tail once: keel retries with BUSY and links. */
	assert_int_equal(send(a), 0);
	fifo_race(W(MASKED), 1);
	assert_int_equal(send(b), 0);
	assert_int_equal(races, 2);
	assert_int_equal(word_of(a), W(PENDING) | W(LINKED) | W(MASKED) | b);
	assert_int_equal(evtchn_fifo_lost_events(d), 0);
	evtchn_fifo_race_hook = NULL;
	guest_clear(a, W(MASKED));
	assert_consumed(0, 2, a, b);

	/* A hostile guest changes it every time: 1 + 4 tries, then the event is lost. */
	assert_int_equal(send(a), 0);
	fifo_race(BIT(5), ~0u);
	assert_int_equal(send(b), 0);
	assert_int_equal(races, 5);
	assert_int_equal(evtchn_fifo_lost_events(d), 1);
	assert_false(word_of(a) & W(BUSY));
	assert_int_equal(word_of(b), W(PENDING) | W(LINKED));
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
	/* It only hurt itself: other queues work. */
	evtchn_fifo_race_hook = NULL;
	assert_int_equal(set_priority(c, 0), 0);
	assert_int_equal(send(c), 0);
	assert_int_equal(cb(0)->head[0], c);
}

/* A guest vCPU flipping bits in every word and in its control block while keel delivers. */
static volatile bool hostile_stop;

static unsigned long hostile_rounds;

static void *hostile_vcpu(void *arg)
{
	u32 x = 1;

	(void)arg;
	while (!__atomic_load_n(&hostile_stop, __ATOMIC_SEQ_CST)) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		/* Any bit of any word, most often the LINK of a bound port. */
		__atomic_fetch_xor(word(x % 16), x, __ATOMIC_SEQ_CST);
		for (evtchn_port_t port = 1; port <= 8; port++)
			__atomic_fetch_xor(word(port), x & 0xff, __ATOMIC_SEQ_CST);
		/* Take a port off its queue now and then, as a consumer. */
		if (!(x & 0x30))
			__atomic_fetch_and(word(1 + x % 8),
					   ~(W(LINKED) | W(PENDING)),
					   __ATOMIC_SEQ_CST);
		__atomic_fetch_xor(&cb(0)->ready, x >> 7, __ATOMIC_SEQ_CST);
		__atomic_fetch_xor(&cb(0)->head[x % 16], x >> 11,
				   __ATOMIC_SEQ_CST);
		hostile_rounds++;
	}
	return NULL;
}

static void test_fifo_hostile_threads(void **state)
{
	pthread_t t;

	(void)state;
	fifo_on(1);
	for (int i = 0; i < 8; i++)
		fifo_ipi(i % 2);
	hostile_stop = false;
	assert_int_equal(pthread_create(&t, NULL, hostile_vcpu, NULL), 0);
	/* Until the guest made keel give up a few times (or long enough). */
	for (unsigned int i = 0;
	     i < 200000 && (i < 20000 || evtchn_fifo_lost_events(d) < 3); i++) {
		evtchn_port_t port = 1 + i % 8;

		assert_int_equal(send(port), 0);
		assert_int_equal(unmask(port), 0);
		assert_int_equal(set_priority(port, i % 16), 0);
		if (i % 1000 == 0)
			evtchn_is_pending(d, port);
	}
	__atomic_store_n(&hostile_stop, true, __ATOMIC_SEQ_CST);
	assert_int_equal(pthread_join(t, NULL), 0);
	printf("hostile guest: %lu rounds, %lu events lost\n", hostile_rounds,
	       evtchn_fifo_lost_events(d));
}

/* Interdomain between a FIFO domain and a 2-level one; reset back to 2-level. */
static void test_fifo_interdomain_reset(void **state)
{
	long p0, pd;
	u8 zero[PAGE_SIZE] = { 0 };

	(void)state;
	fifo_on(1);
	p0 = alloc_unbound_as(dom0, DOMID_SELF, MAIN_DOMID);
	pd = bind_interdomain_as(d, 0, p0);
	assert_true(p0 > 0 && pd > 0);
	guest_clear(pd, W(MASKED) | W(PENDING));
	assert_int_equal(send_as(dom0, p0), 0);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], pd);
	assert_consumed(0, 1, pd);
	assert_int_equal(send_as(d, pd), 0);
	assert_true(signalled(dom0, p0, 0));

	/* Held: both control blocks' frame and the array page. */
	assert_int_equal(frame_refs[CB_GFN - GFN_BASE], 2);
	assert_int_equal(frame_refs[ARRAY_GFN - GFN_BASE], 1);

	/* dom0 resets d, paused: 2-level again, dom0's end waits for d. */
	d->pause_count = 1;
	assert_int_equal(reset_as(dom0, MAIN_DOMID), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(frame_refs); i++)
		assert_int_equal(frame_refs[i], 0);
	assert_null(d->evtchn->fifo);
	assert_ptr_equal(d->evtchn->ops, &evtchn_port_ops_2l);
	assert_unbound(dom0, DOMID_SELF, p0, MAIN_DOMID);

	/* Its frames are left alone: events go through shared_info again. */
	memset(guest_ram, 0, sizeof(guest_ram));
	pd = bind_interdomain_as(d, 0, p0);
	assert_true(signalled(d, pd, 0));
	guest_ack(0);
	assert_int_equal(send_as(dom0, p0), 0);
	assert_true(signalled(d, pd, 0));
	for (unsigned int i = 0; i < ARRAY_SIZE(guest_ram); i++)
		assert_memory_equal(guest_ram[i], zero, PAGE_SIZE);
	assert_int_equal(set_priority(pd, 0), -ENOSYS);

	/* And FIFO may start afresh. */
	fifo_on(1);
	assert_int_equal(send_as(dom0, p0), 0);
	assert_true(evtchn_is_pending(d, pd));
}

/* Past 2-level's 4096 ports: a domain allowed the ABI's limit. */
static void test_fifo_many_ports(void **state)
{
	struct domain *big = new_domain(9, true, EVTCHN_MAX_PORTS);
	const unsigned int nr = 5000;
	long port = 0;

	(void)state;
	for (unsigned int i = 1; i < EVTCHN_2L_NR_CHANNELS; i++)
		assert_int_equal(bind_ipi_as(big, 0), i);
	assert_int_equal(bind_ipi_as(big, 0), -ENOSPC);
	assert_int_equal(reset_as(big, DOMID_SELF), 0);

	fifo_on_as(big, (nr + WORDS_PER_PAGE - 1) / WORDS_PER_PAGE);
	for (unsigned int i = 1, failed = 0; i <= nr; i++) {
		/* A new bucket that cannot be had: -ENOMEM, nothing bound. */
		if (i == big->evtchn->valid_ports && !failed++) {
			allocs_until_failure = 0;
			assert_int_equal(bind_ipi_as(big, 0), -ENOMEM);
			allocs_until_failure = -1;
		}
		port = bind_ipi_as(big, 0);
		assert_int_equal(port, i);
	}
	assert_true(big->evtchn->valid_ports > nr);
	guest_clear(port, W(MASKED));
	assert_int_equal(send_as(big, port), 0);
	assert_int_equal(word_of(port), W(PENDING) | W(LINKED));
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], port);
	assert_int_equal(kicks_of[9][0], 1);
	/* Past the event array: pending for when the page comes. */
	for (unsigned int i = nr + 1; i <= 6 * WORDS_PER_PAGE; i++)
		assert_int_equal(bind_ipi_as(big, 0), i);
	assert_int_equal(send_as(big, 6 * WORDS_PER_PAGE - 1), 0);
	assert_false(evtchn_is_pending(big, 6 * WORDS_PER_PAGE - 1));

	/* FIFO does not lift a domain's own limit (here 256 ports). */
	fifo_on(0);
	for (unsigned int i = 1; i < 256; i++)
		assert_int_equal(bind_ipi(0), i);
	assert_int_equal(bind_ipi(0), -ENOSPC);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define T3(fn) cmocka_unit_test_setup_teardown(fn, setup_three, teardown)

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
		T3(test_interdomain_bind_send),
		T3(test_alloc_unbound_remote),
		T3(test_bind_interdomain_errors),
		T3(test_interdomain_close),
		T3(test_bind_vcpu_ports),
		T3(test_status_other_domains),
		T3(test_reset),
		T3(test_destroyed_while_bound),
		T3(test_close_with_dying_peer),
		T3(test_dom_exc),
		T3(test_keel_ports),
		T3(test_port_limit),
		T(test_fifo_init_control_errors),
		T(test_fifo_expand_limits),
		T(test_fifo_delivery),
		T(test_fifo_priorities),
		T(test_fifo_mask_unmask),
		T(test_fifo_pending_before_page),
		T(test_fifo_vcpu_without_block),
		T(test_fifo_close_busy),
		T(test_fifo_moved_port),
		T(test_fifo_hostile_link),
		T(test_fifo_hostile_threads),
		T3(test_fifo_interdomain_reset),
		T(test_fifo_many_ports),
	};

	return cmocka_run_group_tests_name("evtchn", tests, NULL, NULL);
}
