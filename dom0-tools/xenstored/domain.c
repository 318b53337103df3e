/* Introduced domains: INTRODUCE maps a domain's ring and connects it, RELEASE disconnects it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include "alloc.h"
#include "conn.h"
#include "domain.h"
#include "log.h"
#include "path.h"
#include "ring.h"
#include "watch.h"

struct domain {
	LIST_ENTRY(domain) link;
	unsigned int domid;
	bool shut_down;		/* @releaseDomain fired for its shutdown already */
};

static LIST_HEAD(, domain) domains = LIST_HEAD_INITIALIZER(domains);
static const struct ring_backend *ring_backend;

void domain_set_backend(const struct ring_backend *backend)
{
	ring_backend = backend;
}

static struct domain *find(unsigned int domid)
{
	struct domain *d;

	LIST_FOREACH(d, &domains, link)
		if (d->domid == domid)
			return d;
	return NULL;
}

static bool real_domain(unsigned int domid)
{
	return domid != 0 && domid < DOMID_FIRST_RESERVED;
}

int domain_introduce(unsigned int domid, uint64_t mfn, unsigned int evtchn)
{
	struct ring_port *port;
	struct domain *d;

	if (!real_domain(domid))
		return -EINVAL;
	d = find(domid);
	if (d && conn_find_domain(domid))
		return 0;
	if (!ring_backend)
		return -ENOSYS;
	port = ring_backend->open(domid, mfn, evtchn);
	if (!port) {
		log_msg("domain %u: cannot map its ring (mfn %llu, event channel %u): %s", domid,
			(unsigned long long)mfn, evtchn, strerror(errno));
		return -EIO;
	}
	ring_conn_new(port);
	log_msg("domain %u connected", domid);
	if (d)
		return 0;
	d = xcalloc(1, sizeof(*d));
	d->domid = domid;
	LIST_INSERT_HEAD(&domains, d, link);
	watch_fire(SPECIAL_INTRODUCE, false, NULL);
	return 0;
}

static void forget(struct domain *d)
{
	struct conn *c = conn_find_domain(d->domid);

	if (c)
		conn_kill(c, 0);
	LIST_REMOVE(d, link);
	free(d);
}

int domain_release(unsigned int domid)
{
	struct domain *d;

	if (!real_domain(domid))
		return -EINVAL;
	d = find(domid);
	if (!d)
		return -ENOENT;
	forget(d);
	log_msg("domain %u released", domid);
	watch_fire(SPECIAL_RELEASE, false, NULL);
	return 0;
}

void domain_check_all(void)
{
	struct domain *d, *next;
	bool changed = false;

	if (!ring_backend || !ring_backend->domain_state)
		return;
	for (d = LIST_FIRST(&domains); d; d = next) {
		next = LIST_NEXT(d, link);
		switch (ring_backend->domain_state(d->domid)) {
		case DOMAIN_GONE:
			log_msg("domain %u is gone: released", d->domid);
			forget(d);
			changed = true;
			break;
		case DOMAIN_SHUT_DOWN:
			changed |= !d->shut_down;
			d->shut_down = true;
			break;
		case DOMAIN_RUNNING:
			d->shut_down = false;	/* restarted under the same id */
			break;
		}
	}
	if (changed)
		watch_fire(SPECIAL_RELEASE, false, NULL);
}

bool domain_is_introduced(unsigned int domid)
{
	return domid == 0 || find(domid);
}

void domain_fini(void)
{
	while (!LIST_EMPTY(&domains))
		forget(LIST_FIRST(&domains));
}
