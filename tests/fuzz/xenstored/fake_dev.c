/*
 * Fake /dev/xen/{evtchn,gntdev,privcmd} and keel for the fuzzers: ring_xen.c's and
 * privcmd.c's open, ioctl, mmap, munmap, read and write are renamed to fake_* in their
 * objects (objcopy, see tests/fuzz/xenstored.mk), so their real code runs on these.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <xen/xen.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>
#include <xen/sys/privcmd.h>
#include <public/keel_domctl.h>
#include "fake_dev.h"

#define EVTCHN_FD	9001
#define GNTDEV_FD	9002
#define PRIVCMD_FD	9003
#define DOM_EXC_PORT	3
#define PAGE		4096

struct fake_domain fake_domains[FAKE_DOMAINS];
static uint8_t pages[FAKE_DOMAINS][PAGE] __attribute__((aligned(PAGE)));
static unsigned int next_port = 10;
static bool dom_exc_pending;

struct xenstore_domain_interface *fake_page(unsigned int domid)
{
	return (struct xenstore_domain_interface *)pages[domid % FAKE_DOMAINS];
}

void fake_reset(void)
{
	memset(fake_domains, 0, sizeof(fake_domains));
	memset(pages, 0, sizeof(pages));
	dom_exc_pending = false;
}

void fake_raise_dom_exc(void)
{
	dom_exc_pending = true;
}

int fake_open(const char *path, int flags, ...)
{
	if (!strcmp(path, "/dev/xen/evtchn"))
		return EVTCHN_FD;
	if (!strcmp(path, "/dev/xen/gntdev"))
		return GNTDEV_FD;
	if (!strcmp(path, "/dev/xen/privcmd"))
		return PRIVCMD_FD;
	errno = ENOENT;
	return -1;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static int gntdev_ioctl(unsigned long request, void *arg)
{
	struct ioctl_gntdev_map_grant_ref *map = arg;
	unsigned int domid;

	switch (request) {
	case IOCTL_GNTDEV_MAP_GRANT_REF:
		domid = map->refs[0].domid;
		if (map->count != 1 || domid >= FAKE_DOMAINS || fake_domains[domid].map_fails)
			return fail(EINVAL);
		map->index = (uint64_t)domid * PAGE;
		return 0;
	case IOCTL_GNTDEV_UNMAP_GRANT_REF:
		return 0;
	}
	return fail(ENOTTY);
}

static int evtchn_ioctl(unsigned long request, void *arg)
{
	struct ioctl_evtchn_bind_interdomain *bind = arg;

	switch (request) {
	case IOCTL_EVTCHN_BIND_INTERDOMAIN:
		if (bind->remote_domain >= FAKE_DOMAINS ||
		    fake_domains[bind->remote_domain].bind_fails)
			return fail(EINVAL);
		return (int)next_port++;
	case IOCTL_EVTCHN_BIND_VIRQ:
		return DOM_EXC_PORT;
	case IOCTL_EVTCHN_NOTIFY:
	case IOCTL_EVTCHN_UNBIND:
		return 0;
	}
	return fail(ENOTTY);
}

/* keel's getinfo, the only domctl xenstored makes. */
static int privcmd_ioctl(unsigned long request, void *arg)
{
	struct privcmd_hypercall *call = arg;
	struct keel_domctl *op;
	struct fake_domain *d;
	unsigned int domid;

	if (request != IOCTL_PRIVCMD_HYPERCALL || call->op != 48)
		return fail(ENOTTY);
	op = (struct keel_domctl *)(uintptr_t)call->arg[0];
	if (op->cmd != KEEL_DOMCTL_getinfo || op->version != KEEL_DOMCTL_VERSION)
		return fail(ENOSYS);
	domid = op->domain == DOMID_SELF ? 0 : op->domain;
	if (domid >= FAKE_DOMAINS)
		return fail(ESRCH);
	d = &fake_domains[domid];
	if (d->state == FAKE_GONE)
		return fail(ESRCH);
	if (d->state == FAKE_GETINFO_FAILS)
		return fail(EIO);
	memset(&op->u.info, 0, sizeof(op->u.info));
	op->u.info.domid = (uint16_t)domid;
	op->u.info.flags = d->state == FAKE_SHUTDOWN ? KEEL_DOMINF_shutdown :
			   d->state == FAKE_CRASHED ? KEEL_DOMINF_crashed :
			   d->state == FAKE_DYING ? KEEL_DOMINF_dying : KEEL_DOMINF_running;
	op->u.info.xenstore_pfn = 0x1000 + domid;
	op->u.info.xenstore_port = 1;
	return 0;
}

int fake_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (fd) {
	case GNTDEV_FD:
		return gntdev_ioctl(request, arg);
	case EVTCHN_FD:
		return evtchn_ioctl(request, arg);
	case PRIVCMD_FD:
		return privcmd_ioctl(request, arg);
	}
	return fail(EBADF);
}

void *fake_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	if (fd != GNTDEV_FD || len != PAGE || offset < 0 || offset % PAGE ||
	    offset / PAGE >= FAKE_DOMAINS) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	return pages[offset / PAGE];
}

int fake_munmap(void *addr, size_t len)
{
	return 0;
}

/* The event channel device reports fired ports, VIRQ_DOM_EXC when raised. */
ssize_t fake_read(int fd, void *buf, size_t len)
{
	uint32_t port = DOM_EXC_PORT;

	if (fd != EVTCHN_FD)
		return fail(EBADF);
	if (!dom_exc_pending || len < sizeof(port))
		return fail(EAGAIN);
	dom_exc_pending = false;
	memcpy(buf, &port, sizeof(port));
	return sizeof(port);
}

ssize_t fake_write(int fd, const void *buf, size_t len)
{
	return fd == EVTCHN_FD ? (ssize_t)len : fail(EBADF);
}
