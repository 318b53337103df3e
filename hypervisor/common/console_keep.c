/* The newest destroyed domains' console output, copied at their end so that a reader gets it whole. */
#include <keel/assert.h>
#include <keel/console_keep.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/text_ring.h>

/*
 * A console reader polls: whatever a domain wrote since its last poll
 * and before keel destroyed it (on_poweroff = "destroy" acts at once)
 * would be lost with the domain. The copies are keel's own memory, so a
 * destroy still returns every frame the domain had.
 */
struct kept_console {
	u64 instance;			/* 0: unused */
	domid_t id;
	struct text_ring out;
	char buf[CONSOLE_KEEP_SIZE];
};

static struct kept_console kept[CONSOLE_KEEP_DEAD];
static DEFINE_SPINLOCK(keep_lock);	/* kept[] */

void console_keep_save(struct domain *d)
{
	struct kept_console *k = &kept[0];

	ASSERT(spin_is_locked(&d->console_lock));
	if (!d->console_out.buf)
		return;			/* it never had memory: nothing was written */
	ASSERT(d->console_out.size == CONSOLE_KEEP_SIZE);
	spin_lock(&keep_lock);
	for (unsigned int i = 1; i < CONSOLE_KEEP_DEAD && k->instance; i++)
		if (!kept[i].instance || kept[i].instance < k->instance)
			k = &kept[i];
	k->instance = d->console_instance;
	k->id = d->id;
	memcpy(k->buf, d->console_out.buf, CONSOLE_KEEP_SIZE);
	k->out = (struct text_ring){ .buf = k->buf, .size = CONSOLE_KEEP_SIZE,
				     .head = d->console_out.head };
	spin_unlock(&keep_lock);
}

/* The copy of @id's domain @instance, or with @instance 0 its newest one; keep_lock held. */
static struct kept_console *find_kept(domid_t id, u64 instance)
{
	struct kept_console *found = NULL;

	for (unsigned int i = 0; i < CONSOLE_KEEP_DEAD; i++) {
		struct kept_console *k = &kept[i];

		if (!k->instance || k->id != id)
			continue;
		if (instance ? k->instance == instance :
			       !found || k->instance > found->instance)
			found = k;
	}
	return found;
}

long console_keep_read(struct domain *d, domid_t id, u64 *instance, u64 *pos,
		       char *buf, size_t size, u64 *head, bool *gone)
{
	struct kept_console *k;
	long n = -ESRCH;

	if (d && (!*instance || *instance == d->console_instance)) {
		*instance = d->console_instance;
		*gone = false;
		return console_ring_read(d, pos, buf, size, head);
	}
	spin_lock(&keep_lock);
	k = find_kept(id, *instance);
	if (k) {
		*instance = k->instance;
		*gone = true;
		n = text_ring_read(&k->out, pos, buf, size);
		*head = k->out.head;
	}
	spin_unlock(&keep_lock);
	return n;
}
