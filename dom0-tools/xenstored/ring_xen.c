/*
 * The ring backend of a Linux dom0: a domain's ring is its reserved xenstore grant mapped
 * through /dev/xen/gntdev, its event channel one bound through /dev/xen/evtchn (dom0's own
 * too: keel seeds every domain's grant); VIRQ_DOM_EXC and keel's getinfo tell which
 * domains died.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>
#include "alloc.h"
#include "conn.h"
#include "log.h"
#include "privcmd.h"
#include "ring.h"
#include "ring_xen.h"

#define XEN_PAGE_SIZE			4096
/* The grant reference a domain's toolstack reserves for its xenstore page (grant_table.h). */
#define GNTTAB_RESERVED_XENSTORE	1

struct xen_port {
	struct ring_port port;
	unsigned int local_port;
	uint64_t gntdev_index;
	bool granted;			/* mapped through gntdev, else xenbus_backend */
};

static int evtchn_fd = -1, gntdev_fd = -1;
static int dom_exc_port = -1;	/* VIRQ_DOM_EXC, bound through the evtchn device */

static struct ring_port *xen_open(unsigned int domid, uint64_t mfn, unsigned int evtchn);
static void xen_notify(struct ring_port *port);
static void xen_close(struct ring_port *port);
static bool xen_ack_events(void);
static enum domain_state xen_domain_state(unsigned int domid);

static struct ring_backend xen_backend = {
	.name = "xen",
	.open = xen_open,
	.notify = xen_notify,
	.close = xen_close,
	.event_fd = -1,
	.ack_events = xen_ack_events,
	.domain_state = xen_domain_state,
};

static int bind_port(struct xen_port *xp, unsigned int domid, unsigned int remote_port)
{
	struct ioctl_evtchn_bind_interdomain bind = {
		.remote_domain = domid,
		.remote_port = remote_port,
	};
	int rc = ioctl(evtchn_fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bind);

	if (rc < 0)
		return -errno;
	xp->local_port = (unsigned int)rc;
	return 0;
}

static struct ring_port *xen_open(unsigned int domid, uint64_t mfn, unsigned int evtchn)
{
	struct ioctl_gntdev_map_grant_ref map = {
		.count = 1,
		.refs[0] = { .domid = domid, .ref = GNTTAB_RESERVED_XENSTORE },
	};
	struct ioctl_gntdev_unmap_grant_ref unmap = { .count = 1 };
	struct xen_port *xp;
	void *page;
	int err;

	if (ioctl(gntdev_fd, IOCTL_GNTDEV_MAP_GRANT_REF, &map))
		return NULL;
	unmap.index = map.index;
	page = mmap(NULL, XEN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, gntdev_fd,
		    (off_t)map.index);
	if (page == MAP_FAILED)
		goto unmap_grant;
	xp = xcalloc(1, sizeof(*xp));
	xp->port.intf = page;
	xp->port.backend = &xen_backend;
	xp->port.domid = domid;
	xp->gntdev_index = map.index;
	xp->granted = true;
	err = bind_port(xp, domid, evtchn);
	if (!err)
		return &xp->port;
	free(xp);
	munmap(page, XEN_PAGE_SIZE);
	errno = -err;
unmap_grant:
	err = errno;
	ioctl(gntdev_fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap);
	errno = err;
	return NULL;
}

static void xen_notify(struct ring_port *port)
{
	struct xen_port *xp = (struct xen_port *)port;
	struct ioctl_evtchn_notify notify = { .port = xp->local_port };

	ioctl(evtchn_fd, IOCTL_EVTCHN_NOTIFY, &notify);
}

static void xen_close(struct ring_port *port)
{
	struct xen_port *xp = (struct xen_port *)port;
	struct ioctl_evtchn_unbind unbind = { .port = xp->local_port };
	struct ioctl_gntdev_unmap_grant_ref unmap = { .index = xp->gntdev_index, .count = 1 };

	ioctl(evtchn_fd, IOCTL_EVTCHN_UNBIND, &unbind);
	munmap(port->intf, XEN_PAGE_SIZE);
	if (xp->granted)
		ioctl(gntdev_fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap);
	free(xp);
}

/*
 * Reading the fired ports and writing them back unmasks them; the loop then scans every
 * ring. True when VIRQ_DOM_EXC was among them.
 */
static bool xen_ack_events(void)
{
	uint32_t ports[64];	/* evtchn_port_t */
	ssize_t n = read(evtchn_fd, ports, sizeof(ports));
	bool changed = false;

	for (ssize_t i = 0; i < n / (ssize_t)sizeof(ports[0]); i++)
		changed |= (int)ports[i] == dom_exc_port;
	if (n > 0 && write(evtchn_fd, ports, (size_t)n) != n)
		log_msg("event channels: unmask failed");
	return changed;
}

static enum domain_state xen_domain_state(unsigned int domid)
{
	struct keel_domctl_info info;
	int rc = keel_getinfo(domid, &info);

	if (rc == -ESRCH)
		return DOMAIN_GONE;
	if (rc) {
		log_msg("domain %u: getinfo failed: %s", domid, strerror(-rc));
		return DOMAIN_RUNNING;
	}
	if (info.flags & KEEL_DOMINF_dying)
		return DOMAIN_GONE;
	if (info.flags & (KEEL_DOMINF_shutdown | KEEL_DOMINF_crashed))
		return DOMAIN_SHUT_DOWN;
	return DOMAIN_RUNNING;
}

/* keel notifies dom0 of every domain's change of state on VIRQ_DOM_EXC. */
static void bind_dom_exc(void)
{
	struct ioctl_evtchn_bind_virq bind = { .virq = VIRQ_DOM_EXC };
	int rc = ioctl(evtchn_fd, IOCTL_EVTCHN_BIND_VIRQ, &bind);

	if (rc < 0)
		log_msg("VIRQ_DOM_EXC: %s; dead domains stay until RELEASE", strerror(errno));
	else
		dom_exc_port = rc;
}

const struct ring_backend *ring_xen_backend(void)
{
	if (evtchn_fd < 0)
		evtchn_fd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (gntdev_fd < 0)
		gntdev_fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	if (evtchn_fd < 0 || gntdev_fd < 0)
		return NULL;
	if (dom_exc_port < 0)
		bind_dom_exc();
	xen_backend.event_fd = evtchn_fd;
	return &xen_backend;
}

/*
 * dom0's kernel found its ring page saying "reconnect" and waits for an event on its
 * port: serve the ring, mark it connected, and send that event.
 */
int ring_xen_connect_dom0(void)
{
	struct keel_domctl_info info;
	struct ring_port *port;
	int rc = keel_getinfo(DOMID_SELF, &info);

	if (rc)
		return rc;
	port = xen_open(info.domid, info.xenstore_pfn, info.xenstore_port);
	if (!port)
		return -errno;
	ring_conn_new(port);
	__atomic_store_n(&port->intf->connection, XENSTORE_CONNECTED, __ATOMIC_SEQ_CST);
	xen_notify(port);
	return 0;
}
