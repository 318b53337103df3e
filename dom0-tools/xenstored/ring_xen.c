/*
 * The ring backend of a Linux dom0: a domain's ring is its reserved xenstore grant mapped
 * through /dev/xen/gntdev, its event channel one bound through /dev/xen/evtchn; dom0's
 * own kernel's ring and port come from /dev/xen/xenbus_backend.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>
#include <xen/sys/xenbus_dev.h>
#include "alloc.h"
#include "conn.h"
#include "log.h"
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

static struct ring_port *xen_open(unsigned int domid, uint64_t mfn, unsigned int evtchn);
static void xen_notify(struct ring_port *port);
static void xen_close(struct ring_port *port);
static void xen_ack_events(void);

static struct ring_backend xen_backend = {
	.name = "xen",
	.open = xen_open,
	.notify = xen_notify,
	.close = xen_close,
	.event_fd = -1,
	.ack_events = xen_ack_events,
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

/* Reading the fired ports and writing them back unmasks them; the loop then scans every ring. */
static void xen_ack_events(void)
{
	uint32_t ports[64];	/* evtchn_port_t */
	ssize_t n = read(evtchn_fd, ports, sizeof(ports));

	if (n > 0 && write(evtchn_fd, ports, (size_t)n) != n)
		log_msg("event channels: unmask failed");
}

const struct ring_backend *ring_xen_backend(void)
{
	if (evtchn_fd < 0)
		evtchn_fd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (gntdev_fd < 0)
		gntdev_fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	if (evtchn_fd < 0 || gntdev_fd < 0)
		return NULL;
	xen_backend.event_fd = evtchn_fd;
	return &xen_backend;
}

int ring_xen_connect_dom0(void)
{
	struct xen_port *xp;
	int fd, remote_port, err;
	void *page;

	fd = open("/dev/xen/xenbus_backend", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	remote_port = ioctl(fd, IOCTL_XENBUS_BACKEND_EVTCHN, 0);
	page = mmap(NULL, XEN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = remote_port < 0 || page == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err) {
		if (page != MAP_FAILED)
			munmap(page, XEN_PAGE_SIZE);
		return err;
	}
	xp = xcalloc(1, sizeof(*xp));
	xp->port.intf = page;
	xp->port.backend = &xen_backend;
	xp->port.domid = 0;
	err = bind_port(xp, 0, (unsigned int)remote_port);
	if (err) {
		munmap(page, XEN_PAGE_SIZE);
		free(xp);
		return err;
	}
	ring_conn_new(&xp->port);
	return 0;
}
