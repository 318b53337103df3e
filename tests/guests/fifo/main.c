/*
 * fifo: FIFO event channels end to end, the way Linux uses them. The
 * guest first checks every error Xen returns for bad init_control,
 * expand_array and set_priority arguments (while still 2-level), then
 * sets up control blocks for both vCPUs (one page, two offsets) and
 * event-array pages masked before adding them, and takes upcalls on
 * vector 0xf3 with Linux's queue walk (consume_one_event). Checked: an
 * IPI to itself arrives once; four ports at priorities 15, 0, 7, 0 raised
 * with interrupts off arrive 0, 0, 7, 15; a masked port is only pending
 * (SCHEDOP_poll returns on it) until EVTCHNOP_unmask links it; an IPI to
 * vCPU 1 (down) lands on vCPU 1's queue only; more than 4096 ports bound,
 * the last one delivered, a loopback interdomain pair up there too; the
 * array ends at 128 pages (-ENOSPC); EVTCHNOP_reset goes back to 2-level
 * and FIFO may start again; an array page ballooned out under keel stays
 * keel's (its writes never reach the fresh page ballooned back in) until
 * the reset lets it go (keel's free pages at the end: as at the start).
 */
#include "guest.h"
#include <public/event_channel.h>
#include <public/memory.h>
#include <public/sched.h>

#define PAGE 4096
#define WORDS_PER_PAGE (PAGE / sizeof(event_word_t))
#define MAX_ARRAY_PAGES (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)
#define MANY_PORTS 5000			/* past 2-level's 4096 */
#define ARRAY_PAGES ((MANY_PORTS + WORDS_PER_PAGE) / WORDS_PER_PAGE)
#define CB_OFFSET(vcpu) ((vcpu) * 0x800u)
#define W(b) (1u << EVTCHN_FIFO_##b)
#define UPCALL_WAIT_NS (100 * NS_PER_MS)
#define NO_UPCALL_WAIT_NS (2 * NS_PER_MS)
#define NOT_RAM_GFN 0x10000		/* 256 MiB: dom0 has 32 */
#define MAP_GPA 0x80000000ULL		/* empty guest-physical space */

static u8 control_page[PAGE] __aligned(PAGE);
static u8 array_pages[ARRAY_PAGES][PAGE] __aligned(PAGE);
static u8 scratch_page[PAGE] __aligned(PAGE);	/* added again and again */
static u8 grant_table_page[PAGE] __aligned(PAGE);

static event_word_t *event_array[MAX_ARRAY_PAGES];
static unsigned int nr_array_pages;
/* Linux's per-vCPU copy of each queue's head, vCPU 0's. */
static evtchn_port_t local_head[EVTCHN_FIFO_MAX_QUEUES];

static volatile unsigned int upcalls, handled;
static evtchn_port_t order[16];		/* the first ports handled */

static u64 gfn_of(const void *p)
{
	return (uptr)p >> 12;
}

static struct evtchn_fifo_control_block *control_block(unsigned int vcpu)
{
	return (void *)(control_page + CB_OFFSET(vcpu));
}

static volatile event_word_t *word(evtchn_port_t port)
{
	return &event_array[port / WORDS_PER_PAGE][port % WORDS_PER_PAGE];
}

static long evtchn_op(int cmd, void *arg)
{
	return HYPERVISOR_event_channel_op(cmd, arg);
}

static long init_control(u64 gfn, u32 offset, u32 vcpu)
{
	struct evtchn_init_control ic = { .control_gfn = gfn,
					  .offset = offset, .vcpu = vcpu };
	long rc = evtchn_op(EVTCHNOP_init_control, &ic);

	CHECK(ic.link_bits == (rc ? 0 : EVTCHN_FIFO_LINK_BITS),
	      "init_control: rc %ld, link_bits %u", rc, ic.link_bits);
	return rc;
}

static long expand_array(u64 gfn)
{
	struct evtchn_expand_array e = { .array_gfn = gfn };

	return evtchn_op(EVTCHNOP_expand_array, &e);
}

static long set_priority(evtchn_port_t port, u32 priority)
{
	struct evtchn_set_priority sp = { .port = port, .priority = priority };

	return evtchn_op(EVTCHNOP_set_priority, &sp);
}

/* Linux's evtchn_fifo_setup(): mask every word, then add the page. */
static long add_array_page(u8 *page)
{
	long rc;

	for (unsigned int i = 0; i < WORDS_PER_PAGE; i++)
		((event_word_t *)page)[i] = W(MASKED);
	rc = expand_array(gfn_of(page));
	if (!rc)
		event_array[nr_array_pages++] = (event_word_t *)page;
	return rc;
}

/* Linux's clear_masked_cond(): unmask unless pending (then ask keel). */
static void unmask_word(evtchn_port_t port)
{
	__atomic_fetch_and(word(port), ~W(MASKED), __ATOMIC_SEQ_CST);
}

/* Linux's consume_one_event() for vCPU 0's queue @q. */
static void consume_one(struct evtchn_fifo_control_block *cb, unsigned int q,
			u32 *ready)
{
	evtchn_port_t port = local_head[q];
	event_word_t old;

	if (!port)
		port = __atomic_load_n(&cb->head[q], __ATOMIC_SEQ_CST);
	if (!port || port / WORDS_PER_PAGE >= nr_array_pages) {
		CHECK(false, "queue %u: head %u has no event word", q, port);
		*ready &= ~BIT(q);
		return;
	}
	old = *word(port);
	while (!__atomic_compare_exchange_n(word(port), &old,
			old & ~(W(LINKED) | EVTCHN_FIFO_LINK_MASK), false,
			__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	local_head[q] = old & EVTCHN_FIFO_LINK_MASK;
	if (!local_head[q])
		*ready &= ~BIT(q);
	if ((old & W(PENDING)) && !(old & W(MASKED))) {
		__atomic_fetch_and(word(port), ~W(PENDING), __ATOMIC_SEQ_CST);
		if (handled < ARRAY_SIZE(order))
			order[handled] = port;
		handled++;
	}
}

/* The upcall: Linux's __xen_evtchn_do_upcall() with the FIFO handler. */
static void fifo_upcall(struct cpu_regs *regs)
{
	volatile struct vcpu_info *vi = &events_shared_info()->vcpu_info[0];
	struct evtchn_fifo_control_block *cb = control_block(0);
	u32 ready;

	upcalls++;
	do {
		vi->evtchn_upcall_pending = 0;
		ready = __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST);
		while (ready) {
			consume_one(cb, __builtin_ctz(ready), &ready);
			ready |= __atomic_exchange_n(&cb->ready, 0,
						     __ATOMIC_SEQ_CST);
		}
	} while (vi->evtchn_upcall_pending);
}

static void reset_counts(void)
{
	handled = 0;
	memset(order, 0, sizeof(order));
}

static bool wait_handled(unsigned int n)
{
	return spin_until(handled >= n, UPCALL_WAIT_NS);
}

/* Every error Xen returns for FIFO's arguments, while still 2-level. */
static void bad_arguments(void)
{
	const u32 last = PAGE - sizeof(struct evtchn_fifo_control_block);
	volatile struct shared_info *si = events_shared_info();
	evtchn_port_t port = 0;
	grant_handle_t handle;
	s16 st;

	EXPECT(evtchn_bind_ipi(0, &port), 0);
	/* 2-level: no array to expand, no priorities. */
	EXPECT(expand_array(gfn_of(array_pages[0])), -EOPNOTSUPP);
	EXPECT(set_priority(port, 0), -ENOSYS);
	EXPECT(set_priority(0xffffffff, 0), -EINVAL);
	EXPECT(set_priority(0x100000, 0), -EINVAL);

	/* A vCPU we have. */
	EXPECT(init_control(gfn_of(control_page), 0, 2), -ENOENT);
	EXPECT(init_control(gfn_of(control_page), 0, 0xffffffff), -ENOENT);
	/* The block inside the page, 8-byte aligned. */
	EXPECT(init_control(gfn_of(control_page), last + 8, 0), -EINVAL);
	EXPECT(init_control(gfn_of(control_page), PAGE, 0), -EINVAL);
	EXPECT(init_control(gfn_of(control_page), 0xfffffff8, 0), -EINVAL);
	EXPECT(init_control(gfn_of(control_page), 4, 0), -EINVAL);
	EXPECT(init_control(gfn_of(control_page), 1, 0), -EINVAL);
	/* RAM of our own: not past RAM, not keel's shared_info, not a grant. */
	EXPECT(init_control(NOT_RAM_GFN, 0, 0), -EINVAL);
	EXPECT(init_control(0xfee00, 0, 0), -EINVAL);	/* the LAPIC page */
	EXPECT(init_control(1ULL << 40, 0, 0), -EINVAL);
	EXPECT(init_control(~0ULL, 0, 0), -EINVAL);
	EXPECT(init_control(gfn_of((void *)si), 0, 0), -EINVAL);
	if (CHECK(!gnttab_init((uptr)grant_table_page, 1),
		  "cannot place the grant table")) {
		EXPECT(init_control(gfn_of(grant_table_page), 0, 0), -EINVAL);
		/* Our own page, mapped read-only through a grant to ourselves. */
		gnttab_grant_access(10, 0, (uptr)scratch_page, true);
		EXPECT(gnttab_map(0, 10, MAP_GPA,
				  GNTMAP_host_map | GNTMAP_readonly, &handle,
				  &st), 0);
		if (CHECK(st == GNTST_okay, "read-only self map: status %d", st)) {
			EXPECT(init_control(MAP_GPA >> 12, 0, 0), -EINVAL);
			EXPECT(gnttab_unmap(handle, MAP_GPA, &st), 0);
		}
		gnttab_end_access(10);
	}
	CHECK(evtchn_op(EVTCHNOP_init_control, BAD_PTR) == -EFAULT,
	      "init_control with a bad pointer");
	CHECK(evtchn_op(EVTCHNOP_expand_array, BAD_PTR) == -EFAULT,
	      "expand_array with a bad pointer");
	CHECK(evtchn_op(EVTCHNOP_set_priority, BAD_PTR) == -EFAULT,
	      "set_priority with a bad pointer");

	/* Still 2-level after all that. */
	EXPECT(expand_array(gfn_of(array_pages[0])), -EOPNOTSUPP);
	evtchn_set_mask(port, true);
	EXPECT(evtchn_send(port), 0);
	CHECK(evtchn_is_pending(port), "2-level send after refused FIFO");
	EXPECT(evtchn_close(port), 0);
}

/* Linux's xen_evtchn_fifo_init() and its CPU-prepare step for vCPU 1. */
static bool fifo_start(void)
{
	memset(control_page, 0, sizeof(control_page));
	memset(local_head, 0, sizeof(local_head));
	nr_array_pages = 0;
	EXPECT(init_control(gfn_of(control_page), CB_OFFSET(0), 0), 0);
	EXPECT(init_control(gfn_of(control_page), CB_OFFSET(0), 0), -EINVAL);
	EXPECT(init_control(gfn_of(array_pages[0]), 0, 0), -EINVAL);
	EXPECT(init_control(gfn_of(control_page), CB_OFFSET(1), 1), 0);
	EXPECT(init_control(gfn_of(control_page), CB_OFFSET(1), 1), -EINVAL);
	EXPECT(init_control(gfn_of(control_page), 4, 1), -EINVAL);
	EXPECT(expand_array(NOT_RAM_GFN), -EINVAL);
	EXPECT(expand_array(gfn_of((void *)events_shared_info())), -EINVAL);
	return CHECK(!add_array_page(array_pages[0]), "first array page");
}

/* A port on vCPU @vcpu, unmasked as Linux does once it is bound. */
static evtchn_port_t bind_ipi(u32 vcpu)
{
	evtchn_port_t port = 0;

	EXPECT(evtchn_bind_ipi(vcpu, &port), 0);
	while (port / WORDS_PER_PAGE >= nr_array_pages &&
	       nr_array_pages < ARRAY_PAGES)
		if (add_array_page(array_pages[nr_array_pages]))
			break;
	if (port / WORDS_PER_PAGE < nr_array_pages)
		unmask_word(port);
	return port;
}

static void self_ipi(void)
{
	unsigned int n = upcalls;
	evtchn_port_t port = bind_ipi(0);

	reset_counts();
	EXPECT(evtchn_send(port), 0);
	CHECK(wait_handled(1), "IPI on port %u not handled", port);
	CHECK(upcalls == n + 1 && handled == 1 && order[0] == port,
	      "IPI on port %u: %u upcalls, %u handled (first %u)", port,
	      upcalls - n, handled, order[0]);
	CHECK(*word(port) == 0, "port %u's word %#x after handling", port,
	      *word(port));
	printf("guest: FIFO IPI on port %u\n", port);
}

/* Raised in the order 15, 0, 7, 0 with interrupts off: handled 0, 0, 7, 15. */
static void priorities(void)
{
	evtchn_port_t low = bind_ipi(0), high = bind_ipi(0);
	evtchn_port_t dflt = bind_ipi(0), high2 = bind_ipi(0);
	struct evtchn_fifo_control_block *cb = control_block(0);

	EXPECT(set_priority(low, EVTCHN_FIFO_PRIORITY_MIN), 0);
	EXPECT(set_priority(high, EVTCHN_FIFO_PRIORITY_MAX), 0);
	EXPECT(set_priority(high2, EVTCHN_FIFO_PRIORITY_MAX), 0);
	EXPECT(set_priority(low, EVTCHN_FIFO_PRIORITY_MIN + 1), -EINVAL);
	EXPECT(set_priority(low, 0xffffffff), -EINVAL);
	EXPECT(set_priority(0xffffffff, 0), -EINVAL);

	reset_counts();
	irq_disable();
	EXPECT(evtchn_send(low), 0);
	EXPECT(evtchn_send(high), 0);
	EXPECT(evtchn_send(dflt), 0);
	EXPECT(evtchn_send(high2), 0);
	CHECK(cb->ready == (BIT(0) | BIT(7) | BIT(15)), "ready %#x", cb->ready);
	CHECK(cb->head[0] == high && cb->head[7] == dflt && cb->head[15] == low,
	      "heads %u %u %u", cb->head[0], cb->head[7], cb->head[15]);
	CHECK((*word(high) & EVTCHN_FIFO_LINK_MASK) == high2,
	      "port %u links to %u, not %u", high,
	      *word(high) & EVTCHN_FIFO_LINK_MASK, high2);
	irq_enable();
	CHECK(wait_handled(4), "%u of 4 prioritised events handled", handled);
	CHECK(order[0] == high && order[1] == high2 && order[2] == dflt &&
	      order[3] == low, "order %u %u %u %u, want %u %u %u %u", order[0],
	      order[1], order[2], order[3], high, high2, dflt, low);
}

/* Masked: pending only (SCHEDOP_poll sees it); EVTCHNOP_unmask links it. */
static void masking(void)
{
	evtchn_port_t port = bind_ipi(0);
	struct sched_poll poll = { .ports = (uptr)&port, .nr_ports = 1 };
	unsigned int n = upcalls;

	__atomic_fetch_or(word(port), W(MASKED), __ATOMIC_SEQ_CST);
	reset_counts();
	EXPECT(evtchn_send(port), 0);
	CHECK(!spin_until(upcalls != n, NO_UPCALL_WAIT_NS),
	      "upcall for masked port %u", port);
	CHECK(*word(port) == (W(PENDING) | W(MASKED)), "masked port %u: %#x",
	      port, *word(port));
	/* No timeout: returns only because the port is pending. */
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0);
	/* Linux leaves a pending port masked and asks keel to unmask it. */
	EXPECT(evtchn_unmask(port), 0);
	CHECK(wait_handled(1) && order[0] == port,
	      "port %u not handled after unmask", port);
	EXPECT(evtchn_unmask(port), 0);
	CHECK(!spin_until(upcalls != n + 1, NO_UPCALL_WAIT_NS),
	      "upcall from a second unmask");
}

/* An IPI to vCPU 1 (down) goes on vCPU 1's queue and flags vCPU 1 only. */
static void other_vcpu(void)
{
	volatile struct shared_info *si = events_shared_info();
	struct evtchn_fifo_control_block *cb = control_block(1);
	evtchn_port_t port = bind_ipi(1);
	unsigned int n = upcalls;

	EXPECT(evtchn_send(port), 0);
	CHECK(cb->ready == BIT(EVTCHN_FIFO_PRIORITY_DEFAULT) &&
	      cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT] == port,
	      "vCPU 1's queue: ready %#x head %u", cb->ready,
	      cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT]);
	CHECK(*word(port) == (W(PENDING) | W(LINKED)), "port %u: %#x", port,
	      *word(port));
	CHECK(si->vcpu_info[1].evtchn_upcall_pending,
	      "vCPU 1's upcall flag not set");
	CHECK(!spin_until(upcalls != n, NO_UPCALL_WAIT_NS),
	      "vCPU 0 took vCPU 1's event");
	CHECK(control_block(0)->ready == 0, "vCPU 0 ready %#x",
	      control_block(0)->ready);
}

/* Past 2-level's 4096: the last port delivered, and a loopback pair there. */
static void many_ports(void)
{
	evtchn_port_t port = 0, unbound = 0, local = 0;
	unsigned int bound = 0;

	while (port < MANY_PORTS) {
		port = bind_ipi(0);
		if (!port)
			break;
		bound++;
	}
	printf("guest: %u more ports bound, up to port %u, %u array pages\n",
	       bound, port, nr_array_pages);
	CHECK(port >= MANY_PORTS && port > EVTCHN_2L_NR_CHANNELS,
	      "ports stopped at %u", port);
	reset_counts();
	EXPECT(evtchn_send(port), 0);
	CHECK(wait_handled(1) && order[0] == port, "port %u not handled", port);

	EXPECT(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &unbound), 0);
	EXPECT(evtchn_bind_interdomain(DOMID_SELF, unbound, &local), 0);
	CHECK(local > EVTCHN_2L_NR_CHANNELS, "loopback ports %u/%u", unbound,
	      local);
	/* Raised by the binding, masked until Linux unmasks it. */
	CHECK(*word(local) == (W(PENDING) | W(MASKED)), "new port %u: %#x",
	      local, *word(local));
	__atomic_fetch_and(word(local), ~W(PENDING), __ATOMIC_SEQ_CST);
	unmask_word(local);
	reset_counts();
	EXPECT(evtchn_send(unbound), 0);
	CHECK(wait_handled(1) && order[0] == local,
	      "send on %u did not reach %u", unbound, local);

	/* 128 array pages name every port FIFO can: then -ENOSPC. */
	while (nr_array_pages < MAX_ARRAY_PAGES)
		if (add_array_page(scratch_page))
			break;
	CHECK(nr_array_pages == MAX_ARRAY_PAGES, "array stopped at %u pages",
	      nr_array_pages);
	EXPECT(expand_array(gfn_of(scratch_page)), -ENOSPC);
	EXPECT(expand_array(NOT_RAM_GFN), -ENOSPC);
}

/* XENMEM_decrease_reservation or populate_physmap of our page at @p. */
static long balloon(unsigned int cmd, const void *p)
{
	u64 gfn = gfn_of(p);
	struct xen_memory_reservation r = {
		.extent_start = (uptr)&gfn, .nr_extents = 1, .domid = DOMID_SELF,
	};

	return HYPERVISOR_memory_op(cmd, &r);
}

/* XENMEM_current_reservation: the frames this domain owns, held ones too. */
static long reservation(void)
{
	domid_t self = DOMID_SELF;

	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

static bool page_is_zero(const u8 *page)
{
	for (unsigned int i = 0; i < PAGE; i++)
		if (((volatile const u8 *)page)[i])
			return false;
	return true;
}

/*
 * The first array page ballooned out while keel holds it: the frame stays
 * keel's, so an event raised meanwhile goes into it, never into the fresh
 * page that comes back at that address (audit finding 1 for FIFO). As in
 * Xen, a held frame stays the domain's until its last reference goes:
 * returns the number of frames the domain owns once FIFO lets it go.
 */
static long array_page_ballooned(void)
{
	evtchn_port_t port = bind_ipi(0);
	long pages = reservation();

	irq_disable();		/* the upcall would read the missing page */
	EXPECT(balloon(XENMEM_decrease_reservation, array_pages[0]), 1);
	CHECK(reservation() == pages,
	      "a ballooned-out array page keel holds left the domain (%ld -> %ld frames)",
	      pages, reservation());
	EXPECT(evtchn_send(port), 0);
	EXPECT(balloon(XENMEM_populate_physmap, array_pages[0]), 1);
	CHECK(page_is_zero(array_pages[0]),
	      "keel wrote port %u's event into a page it does not hold", port);
	EXPECT(evtchn_close(port), 0);
	CHECK(page_is_zero(array_pages[0]),
	      "keel cleared port %u's event in a page it does not hold", port);
	irq_enable();
	CHECK(reservation() == pages + 1, "%ld frames with the fresh page, want %ld",
	      reservation(), pages + 1);
	return pages;
}

/* EVTCHNOP_reset: back to 2-level, and FIFO may start again. */
static void reset_and_again(void)
{
	evtchn_port_t port = 0;
	long pages;

	EXPECT(evtchn_reset(DOMID_SELF), 0);
	EXPECT(expand_array(gfn_of(scratch_page)), -EOPNOTSUPP);
	EXPECT(evtchn_bind_ipi(0, &port), 0);
	EXPECT(set_priority(port, 0), -ENOSYS);
	evtchn_set_mask(port, true);
	EXPECT(evtchn_send(port), 0);
	CHECK(evtchn_is_pending(port), "2-level port %u after reset", port);
	EXPECT(evtchn_close(port), 0);

	if (!fifo_start())
		return;
	self_ipi();
	pages = array_page_ballooned();
	EXPECT(evtchn_reset(DOMID_SELF), 0);
	CHECK(reservation() == pages, "%ld frames after the reset let the old array page go, want %ld",
	      reservation(), pages);
}

int guest_main(const char *cmdline)
{
	if (!CHECK(!events_init(), "cannot set up event delivery"))
		return test_result("fifo");
	bad_arguments();
	set_exception_handler(EVENTS_UPCALL_VECTOR, fifo_upcall);
	irq_enable();
	if (fifo_start()) {
		self_ipi();
		priorities();
		masking();
		other_vcpu();
		many_ports();
		reset_and_again();
	}
	irq_disable();
	printf("guest: %u FIFO upcalls\n", upcalls);
	return test_result("fifo");
}
