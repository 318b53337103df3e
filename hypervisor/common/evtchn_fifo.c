/* FIFO event delivery: per-vCPU priority queues linked through the guest's event words, and the guest frames keel keeps for them. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/frame.h>
#include <keel/p2m.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/pagetable.h>
#include <keel/vcpu.h>

/*
 * The guest owns every word keel touches here and may change it at any
 * moment from another vCPU: keel only sets and clears bits atomically and
 * compare-and-swaps LINK, never follows a link the guest wrote, and gives
 * up on a word after a bounded number of tries (Xen's protocol, which
 * loses the event when a hostile guest keeps changing the word).
 *
 * Everything here runs under d->evtchn->lock (evtchn.c), which guards the
 * queues' tails, the frames and the switch between 2-level and FIFO.
 */

#define EVENT_WORDS_PER_PAGE (PAGE_SIZE / sizeof(event_word_t))
#define MAX_EVENT_ARRAY_PAGES (EVTCHN_FIFO_NR_CHANNELS / EVENT_WORDS_PER_PAGE)
/* Tries to link once the tail word is BUSY: a fair guest needs at most 4. */
#define LINK_TRIES 4

#define WORD_BIT(b) (1u << (b))

#ifdef KEEL_HOSTED
/*
 * Host tests only: called where another vCPU of the guest may change the
 * word keel is about to swap, to play that vCPU deterministically.
 */
void (*evtchn_fifo_race_hook)(event_word_t *word);
#define guest_may_race(word)                                   \
	do {                                                   \
		if (evtchn_fifo_race_hook)                     \
			evtchn_fifo_race_hook(word);           \
	} while (0)
#else
#define guest_may_race(word) do { } while (0)
#endif

struct evtchn_fifo_queue {
	u32 *head;			/* in the guest's control block */
	evtchn_port_t tail;		/* the port keel linked last; 0: none */
	u8 priority;
};

struct evtchn_fifo_vcpu {
	struct evtchn_fifo_control_block *control_block;	/* NULL: none yet */
	struct evtchn_fifo_queue queue[EVTCHN_FIFO_MAX_QUEUES];
};

struct evtchn_fifo_domain {
	event_word_t *event_array[MAX_EVENT_ARRAY_PAGES];	/* guest frames */
	unsigned int num_evtchns;	/* ports with an event word */
	unsigned long lost_events;	/* links given up on a hostile word */
	unsigned int order;		/* its size: 2^order pages */
	struct evtchn_fifo_vcpu vcpu[];	/* one per vCPU of the domain */
};

BUILD_BUG_ON(DOMAIN_MAX_VCPUS > 256);	/* struct evtchn.last_vcpu */

/*
 * The one way keel keeps a guest frame for FIFO: @d's own writable RAM
 * page at @gfn, held by a frame reference (keel/frame.h) until
 * release_guest_frame(), so that XENMEM_add_to_physmap, a balloon or
 * anything else cannot free it while keel still writes into it (the
 * vcpu_info problem of audit finding 1). NULL when @gfn is no such page
 * (Xen then answers -EINVAL).
 */
static void *keep_guest_frame(struct domain *d, u64 gfn)
{
	u64 hpa;

	if (gfn >= PFN_DOWN(PT_ADDR_LIMIT) ||
	    p2m_get_page(d, PFN_PHYS(gfn), P2M_OWNED | P2M_WRITE, &hpa, NULL))
		return NULL;
	return phys_to_virt(hpa);
}

/* Give back a frame from keep_guest_frame() (@virt may point inside it). */
static void release_guest_frame(struct domain *d, void *virt)
{
	(void)d;
	put_page(virt_to_phys(virt) & PAGE_MASK);
}

static struct evtchn_fifo_domain *domain_fifo(struct domain *d)
{
	ASSERT(spin_is_locked(&d->evtchn->lock));
	return d->evtchn->fifo;
}

static event_word_t *word_from_port(struct evtchn_fifo_domain *f,
				    evtchn_port_t port)
{
	if (port >= f->num_evtchns)
		return NULL;
	return f->event_array[port / EVENT_WORDS_PER_PAGE] +
	       port % EVENT_WORDS_PER_PAGE;
}

/* Locked read-modify-writes: the guest sees each as one atomic change. */
static bool word_test_and_set(event_word_t *word, unsigned int bit)
{
	return __atomic_fetch_or(word, WORD_BIT(bit), __ATOMIC_SEQ_CST) &
	       WORD_BIT(bit);
}

static void word_set(event_word_t *word, unsigned int bit)
{
	__atomic_fetch_or(word, WORD_BIT(bit), __ATOMIC_SEQ_CST);
}

static void word_clear(event_word_t *word, unsigned int bit)
{
	__atomic_fetch_and(word, ~WORD_BIT(bit), __ATOMIC_SEQ_CST);
}

static bool word_test(const event_word_t *word, unsigned int bit)
{
	return __atomic_load_n(word, __ATOMIC_SEQ_CST) & WORD_BIT(bit);
}

/*
 * Point *@word, last read as *@w, at @link if it is still LINKED: 1
 * linked, 0 not LINKED (its queue is empty), -EAGAIN if the guest changed
 * it (*@w is then the new value). Clears BUSY with the same swap.
 */
static int try_set_link(event_word_t *word, event_word_t *w, u32 link)
{
	event_word_t new;

	if (!(*w & WORD_BIT(EVTCHN_FIFO_LINKED)))
		return 0;
	new = (*w & ~(WORD_BIT(EVTCHN_FIFO_BUSY) | EVTCHN_FIFO_LINK_MASK)) |
	      link;
	guest_may_race(word);
	if (__atomic_compare_exchange_n(word, w, new, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		return 1;
	return -EAGAIN;
}

/*
 * Link @link after the tail word @word, if it is still LINKED. The guest
 * may meanwhile set or clear MASKED, clear PENDING, or clear LINKED;
 * BUSY stops it clearing MASKED, so a fair guest changes the word at most
 * 4 times. After that many tries keel gives up, as Xen does, and the event
 * is lost (reported as linked: the head is not touched). True if linked.
 */
static bool set_link(struct evtchn_fifo_domain *f, event_word_t *word,
		     u32 link)
{
	event_word_t w = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	int ret = try_set_link(word, &w, link);

	if (ret >= 0)
		return ret;
	word_set(word, EVTCHN_FIFO_BUSY);
	w = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	for (unsigned int try = 0; try < LINK_TRIES; try++) {
		ret = try_set_link(word, &w, link);
		if (ret == 0)
			word_clear(word, EVTCHN_FIFO_BUSY);
		if (ret >= 0)
			return ret;
	}
	f->lost_events++;
	word_clear(word, EVTCHN_FIFO_BUSY);
	return true;
}

static void fifo_init(struct domain *d, struct evtchn *chn)
{
	chn->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
}

/*
 * Xen's evtchn_fifo_set_pending: set PENDING; an unmasked event not yet
 * on a queue goes at the tail of @v's queue of its priority, and a queue
 * that was empty sets its ready bit and the upcall.
 */
static bool fifo_set_pending(struct vcpu *v, struct evtchn *chn)
{
	struct domain *d = v->domain;
	struct evtchn_fifo_domain *f = domain_fifo(d);
	struct evtchn_fifo_vcpu *fv = &f->vcpu[v->id];
	event_word_t *word = word_from_port(f, chn->port);
	struct evtchn_fifo_queue *q, *old_q;
	bool was_pending, linked = true;

	ASSERT(chn->priority <= EVTCHN_FIFO_PRIORITY_MIN &&
	       chn->last_priority <= EVTCHN_FIFO_PRIORITY_MIN &&
	       chn->last_vcpu < d->nr_vcpus);
	if (!word) {
		/* No event word yet: raised when the guest adds its page. */
		chn->pending = true;
		return false;
	}
	was_pending = word_test_and_set(word, EVTCHN_FIFO_PENDING);
	/* The guest may not unmask before it has a control block: dropped. */
	if (!fv->control_block)
		return !was_pending;

	q = &fv->queue[chn->priority];
	old_q = &f->vcpu[chn->last_vcpu].queue[chn->last_priority];
	if (!word_test(word, EVTCHN_FIFO_MASKED) &&
	    !word_test_and_set(word, EVTCHN_FIFO_LINKED)) {
		/*
		 * If it was its last queue's tail, that queue is empty now:
		 * forget the tail, or linking there would write this word.
		 */
		if (old_q->tail == chn->port)
			old_q->tail = 0;
		chn->last_vcpu = v->id;
		chn->last_priority = q->priority;

		linked = false;
		if (q->tail) {
			event_word_t *tail = word_from_port(f, q->tail);

			ASSERT(tail);
			linked = set_link(f, tail, chn->port);
		}
		if (!linked)
			__atomic_store_n(q->head, chn->port, __ATOMIC_SEQ_CST);
		q->tail = chn->port;
	}
	if (!linked && !(__atomic_fetch_or(&fv->control_block->ready,
					   WORD_BIT(q->priority),
					   __ATOMIC_SEQ_CST) &
			 WORD_BIT(q->priority)))
		evtchn_mark_events_pending(v);
	return !was_pending;
}

static void fifo_clear_pending(struct domain *d, struct evtchn *chn)
{
	event_word_t *word = word_from_port(domain_fifo(d), chn->port);

	/* The guest unlinks it and skips it, not being pending (Xen). */
	if (word)
		word_clear(word, EVTCHN_FIFO_PENDING);
}

/* EVTCHNOP_unmask: Linux asks when the port it unmasks is pending. */
static void fifo_unmask(struct domain *d, struct evtchn *chn)
{
	event_word_t *word = word_from_port(domain_fifo(d), chn->port);
	struct vcpu *v = chn->notify_vcpu < d->nr_vcpus ?
				 d->vcpus[chn->notify_vcpu] : NULL;

	if (!word || !v)
		return;
	word_clear(word, EVTCHN_FIFO_MASKED);
	if (word_test(word, EVTCHN_FIFO_PENDING))
		fifo_set_pending(v, chn);
}

static bool fifo_is_pending(struct domain *d, const struct evtchn *chn)
{
	event_word_t *word = word_from_port(domain_fifo(d), chn->port);

	return word && word_test(word, EVTCHN_FIFO_PENDING);
}

static bool fifo_is_busy(struct domain *d, const struct evtchn *chn)
{
	event_word_t *word = word_from_port(domain_fifo(d), chn->port);

	return word && word_test(word, EVTCHN_FIFO_LINKED);
}

/* Future events only: one already linked stays on its queue (Xen). */
static int fifo_set_priority(struct domain *d, struct evtchn *chn,
			     unsigned int priority)
{
	if (priority > EVTCHN_FIFO_PRIORITY_MIN)
		return -EINVAL;
	chn->priority = priority;
	return 0;
}

const struct evtchn_port_ops evtchn_port_ops_fifo = {
	.init = fifo_init,
	.set_pending = fifo_set_pending,
	.clear_pending = fifo_clear_pending,
	.unmask = fifo_unmask,
	.is_pending = fifo_is_pending,
	.is_busy = fifo_is_busy,
	.set_priority = fifo_set_priority,
	.nr_ports = EVTCHN_FIFO_NR_CHANNELS,
};

static struct evtchn_fifo_domain *alloc_fifo(struct domain *d)
{
	unsigned int order = pages_order(sizeof(struct evtchn_fifo_domain) +
					 d->nr_vcpus * sizeof(struct evtchn_fifo_vcpu));
	struct evtchn_fifo_domain *f = alloc_pages(order);	/* zeroed */

	if (!f)
		return NULL;
	f->order = order;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		for (unsigned int p = 0; p < EVTCHN_FIFO_MAX_QUEUES; p++)
			f->vcpu[i].queue[p].priority = p;
	return f;
}

/*
 * Leave 2-level for FIFO (Xen's setup_ports): each port's 2-level pending
 * bit is kept, to be raised once its event word exists, and every port
 * gets the default priority.
 */
static void switch_to_fifo(struct domain *d, struct evtchn_fifo_domain *f)
{
	struct evtchn_domain *ed = d->evtchn;

	ASSERT(ed->ops == &evtchn_port_ops_2l && !ed->fifo);
	for (evtchn_port_t port = 1; port < ed->valid_ports; port++) {
		struct evtchn *chn = evtchn_from_port(d, port);

		chn->pending = chn->state != ECS_FREE &&
			       ed->ops->is_pending(d, chn);
		chn->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
	}
	ed->fifo = f;
	ed->ops = &evtchn_port_ops_fifo;
}

int evtchn_fifo_init_control(struct domain *d, struct evtchn_init_control *op)
{
	struct evtchn_domain *ed = d->evtchn;
	struct vcpu *v = op->vcpu < d->nr_vcpus ? d->vcpus[op->vcpu] : NULL;
	u32 offset = op->offset;
	struct evtchn_fifo_domain *f;
	struct evtchn_fifo_vcpu *fv;
	u8 *page;
	int rc = 0;

	op->link_bits = EVTCHN_FIFO_LINK_BITS;
	if (!v)
		return -ENOENT;
	/* Within the page, 8-byte aligned. */
	if (offset > PAGE_SIZE - sizeof(struct evtchn_fifo_control_block) ||
	    (offset & 7))
		return -EINVAL;

	spin_lock(&ed->lock);
	f = ed->fifo ? ed->fifo : alloc_fifo(d);
	if (!f) {
		rc = -ENOMEM;
		goto out;
	}
	fv = &f->vcpu[v->id];
	if (fv->control_block) {
		rc = -EINVAL;		/* once per vCPU, until a reset */
	} else if (!(page = keep_guest_frame(d, op->control_gfn))) {
		rc = -EINVAL;
	} else {
		fv->control_block = (void *)(page + offset);
		for (unsigned int p = 0; p < EVTCHN_FIFO_MAX_QUEUES; p++)
			fv->queue[p].head = &fv->control_block->head[p];
	}
	if (!ed->fifo) {
		if (rc)
			free_pages(f, f->order);
		else
			switch_to_fifo(d, f);
	}
out:
	spin_unlock(&ed->lock);
	return rc;
}

int evtchn_fifo_expand_array(struct domain *d,
			     const struct evtchn_expand_array *op)
{
	struct evtchn_domain *ed = d->evtchn;
	struct evtchn_fifo_domain *f;
	unsigned int slot;
	void *page;
	int rc = 0;

	spin_lock(&ed->lock);
	f = ed->fifo;
	slot = f ? f->num_evtchns / EVENT_WORDS_PER_PAGE : 0;
	if (!f) {
		rc = -EOPNOTSUPP;
	} else if (slot >= MAX_EVENT_ARRAY_PAGES) {
		rc = -ENOSPC;
	} else if (!(page = keep_guest_frame(d, op->array_gfn))) {
		rc = -EINVAL;
	} else {
		f->event_array[slot] = page;
		f->num_evtchns += EVENT_WORDS_PER_PAGE;
		/* Raise what was raised while these ports had no word. */
		for (evtchn_port_t port = slot * EVENT_WORDS_PER_PAGE;
		     port < f->num_evtchns; port++) {
			struct evtchn *chn = evtchn_from_port(d, port);

			if (!chn)
				break;
			if (chn->pending) {
				chn->pending = false;
				evtchn_port_set_pending(d, chn);
			}
		}
	}
	spin_unlock(&ed->lock);
	return rc;
}

void evtchn_fifo_destroy(struct domain *d)
{
	struct evtchn_fifo_domain *f = domain_fifo(d);

	if (!f)
		return;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (f->vcpu[i].control_block)
			release_guest_frame(d, f->vcpu[i].control_block);
	for (unsigned int i = 0; i < f->num_evtchns / EVENT_WORDS_PER_PAGE; i++)
		release_guest_frame(d, f->event_array[i]);
	d->evtchn->ops = &evtchn_port_ops_2l;
	d->evtchn->fifo = NULL;
	free_pages(f, f->order);
}

unsigned long evtchn_fifo_lost_events(struct domain *d)
{
	unsigned long lost;

	spin_lock(&d->evtchn->lock);
	lost = d->evtchn->fifo ? d->evtchn->fifo->lost_events : 0;
	spin_unlock(&d->evtchn->lock);
	return lost;
}
