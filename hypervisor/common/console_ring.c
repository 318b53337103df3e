/*
 * The PV console of a domain keel serves itself: the guest's output ring is
 * drained whenever the guest notifies, its newest output kept for the
 * toolstack (console_read) and what guest_console.c lets through printed on
 * keel's console as "(dN)" lines; bytes typed on keel's console, or written
 * by the toolstack, are fed into its input ring.
 */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/console_keep.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/guest_console.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/pvh_layout.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <public/console.h>
#include <public/hvm_op.h>

/* How often typed input is polled while it does not fit, or without an interrupt. */
#define CONSOLE_POLL_NS MILLISECS(20)

/* The domain keel's console input goes to through arch_console_input_irq(). */
static struct domain *input_irq_domain;

/* Guest output: kept, and what guest_console.c lets through printed; d->console_lock held. */
static void console_output_locked(struct domain *d, const char *s, size_t n)
{
	enum guest_console_mode mode = guest_console_mode(d->privileged);

	ASSERT(spin_is_locked(&d->console_lock));
	text_ring_put(&d->console_out, s, n);
	if (guest_console_put(&d->console_print, d->id, mode, s, n, now_ns()) &&
	    !READ_ONCE(d->console_flush.active))
		timer_set(&d->console_flush, now_ns() + GUEST_CONSOLE_FLUSH_NS);
}

void domain_console_write(struct domain *d, const char *s, size_t n)
{
	spin_lock(&d->console_lock);
	console_output_locked(d, s, n);
	spin_unlock(&d->console_lock);
}

/* An unfinished line waited long enough (a prompt): print it. */
static void console_flush_fired(void *data)
{
	struct domain *d = data;

	spin_lock(&d->console_lock);
	guest_console_flush(&d->console_print, d->id,
			    guest_console_mode(d->privileged), now_ns());
	spin_unlock(&d->console_lock);
}

/* Take what the guest put in its output ring; d->console_lock held. */
static void console_ring_drain_locked(struct domain *d)
{
	struct xencons_interface *ring = d->console_ring;
	XENCONS_RING_IDX cons, prod;
	char chunk[64];

	ASSERT(spin_is_locked(&d->console_lock));
	cons = ring->out_cons;
	prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
	if (prod - cons > XENCONS_OUT_SIZE) {
		pr_warn("d%u: console ring indices %u/%u are corrupt; output dropped\n",
			d->id, cons, prod);
		cons = prod;
	}
	while (cons != prod) {
		size_t n = 0;

		while (cons != prod && n < sizeof(chunk))
			chunk[n++] = ring->out[cons++ % XENCONS_OUT_SIZE];
		console_output_locked(d, chunk, n);
	}
	__atomic_store_n(&ring->out_cons, cons, __ATOMIC_RELEASE);
}

static void console_ring_drain(struct domain *d, evtchn_port_t port)
{
	spin_lock(&d->console_lock);
	console_ring_drain_locked(d);
	spin_unlock(&d->console_lock);
	evtchn_notify_guest(d, port);	/* room in the ring again */
}

/*
 * Bytes typed on keel's console go to the input domain's ring, from the
 * console's interrupt (or its timer). The interrupt is an edge: what is
 * left waiting while the ring is full raises none, so until it fits a
 * timer polls; without an interrupt the timer always does.
 */
static void console_input(void *data)
{
	struct domain *d = data;
	struct xencons_interface *ring = d->console_ring;
	XENCONS_RING_IDX prod;
	bool got = false, full;
	int c = -1;

	spin_lock(&d->console_lock);
	prod = ring->in_prod;
	while (!(full = prod - __atomic_load_n(&ring->in_cons, __ATOMIC_ACQUIRE) >=
		 XENCONS_IN_SIZE) && (c = arch_console_getc()) >= 0) {
		ring->in[prod++ % XENCONS_IN_SIZE] = c;
		got = true;
	}
	if (got)
		__atomic_store_n(&ring->in_prod, prod, __ATOMIC_RELEASE);
	spin_unlock(&d->console_lock);
	if (got)
		evtchn_notify_guest(d, d->console_port);
	if (full || READ_ONCE(input_irq_domain) != d)
		timer_set(&d->console_poll, now_ns() + CONSOLE_POLL_NS);
}

long console_ring_read(struct domain *d, u64 *pos, char *buf, size_t size,
		       u64 *head)
{
	long n;

	spin_lock(&d->console_lock);
	n = text_ring_read(&d->console_out, pos, buf, size);
	*head = d->console_out.head;
	spin_unlock(&d->console_lock);
	return n;
}

long console_ring_write(struct domain *d, const char *buf, size_t n)
{
	struct xencons_interface *ring = d->console_ring;
	XENCONS_RING_IDX prod, used;

	if (!ring)
		return -EINVAL;		/* no memory, no console yet */
	spin_lock(&d->console_lock);
	prod = ring->in_prod;
	used = prod - __atomic_load_n(&ring->in_cons, __ATOMIC_ACQUIRE);
	if (used > XENCONS_IN_SIZE) {
		spin_unlock(&d->console_lock);
		pr_warn("d%u: console input indices %u/%u are corrupt\n", d->id,
			prod - used, prod);
		return -EIO;
	}
	n = MIN(n, (size_t)(XENCONS_IN_SIZE - used));
	for (size_t i = 0; i < n; i++)
		ring->in[prod++ % XENCONS_IN_SIZE] = buf[i];
	__atomic_store_n(&ring->in_prod, prod, __ATOMIC_RELEASE);
	spin_unlock(&d->console_lock);
	if (n)
		evtchn_notify_guest(d, d->console_port);
	return n;
}

int console_ring_init(struct domain *d, bool input)
{
	u64 gpa = domain_special_gpa(d, PVH_SPECIAL_CONSOLE);
	char *keep = alloc_pages(CONSOLE_KEEP_ORDER);
	int port;

	if (!keep)
		return -ENOMEM;
	text_ring_init(&d->console_out, keep, PAGE_SIZE << CONSOLE_KEEP_ORDER);
	d->console_ring = guest_page(d, gpa);
	if (!d->console_ring)
		return -EINVAL;
	port = evtchn_alloc_xen_port(d, console_ring_drain);
	if (port < 0)
		return port;
	d->hvm_params[HVM_PARAM_CONSOLE_PFN] = gpa >> 12;
	d->hvm_params[HVM_PARAM_CONSOLE_EVTCHN] = port;
	d->console_port = port;
	if (input) {
		ASSERT(!input_irq_domain);
		if (!arch_console_input_irq(console_input, d))
			WRITE_ONCE(input_irq_domain, d);
		pr_info("d%u: console input %s\n", d->id, input_irq_domain ?
			"by interrupt" : "polled every 20 ms (no interrupt)");
		/* Once in any case: what was typed before raised no edge. */
		timer_set(&d->console_poll, now_ns());
	}
	return 0;
}

void console_domain_init(struct domain *d)
{
	timer_init(&d->console_poll, console_input, d);
	timer_init(&d->console_flush, console_flush_fired, d);
}

void console_domain_destroy(struct domain *d)
{
	/* Neither the interrupt nor the timer can reach @d after these. */
	if (input_irq_domain == d) {
		arch_console_input_irq(NULL, NULL);
		WRITE_ONCE(input_irq_domain, NULL);
	}
	kill_timer(&d->console_poll);
	kill_timer(&d->console_flush);
	spin_lock(&d->console_lock);
	/* What it wrote last, notified or not, is kept too. */
	if (d->console_ring)
		console_ring_drain_locked(d);
	guest_console_end(&d->console_print, d->id,
			  guest_console_mode(d->privileged), now_ns());
	console_keep_save(d);
	spin_unlock(&d->console_lock);
}

void console_ring_free(struct domain *d)
{
	ASSERT(d->console_poll.killed && d->console_flush.killed);
	if (d->console_out.buf)
		free_pages(d->console_out.buf, CONSOLE_KEEP_ORDER);
}
