/* A dom0 backend's environment: xenstored's socket, /dev/xen/gntdev, /dev/xen/evtchn. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "alloc.h"
#include "xenbe_linux.h"
#include <xen/sys/evtchn.h>
#include "privcmd.h"
#include "xs.h"

static int l_xs_read(void *priv, uint32_t tx, const char *path, char **value)
{
	return xs_read(((struct xenbe_linux *)priv)->xs, tx, path, value);
}

static int l_xs_write(void *priv, uint32_t tx, const char *path, const char *value)
{
	return xs_write(((struct xenbe_linux *)priv)->xs, tx, path, value);
}

static int l_xs_rm(void *priv, uint32_t tx, const char *path)
{
	return xs_rm(((struct xenbe_linux *)priv)->xs, tx, path);
}

static int l_xs_directory(void *priv, const char *path, char ***names, unsigned int *nr)
{
	return xs_directory(((struct xenbe_linux *)priv)->xs, 0, path, names, nr);
}

static int l_xs_watch(void *priv, const char *path, const char *token)
{
	return xs_watch(((struct xenbe_linux *)priv)->xs, path, token);
}

static int l_xs_unwatch(void *priv, const char *path, const char *token)
{
	return xs_unwatch(((struct xenbe_linux *)priv)->xs, path, token);
}

static int l_xs_tx_start(void *priv, uint32_t *tx)
{
	return xs_transaction_start(((struct xenbe_linux *)priv)->xs, tx);
}

static int l_xs_tx_end(void *priv, uint32_t tx, bool commit)
{
	return xs_transaction_end(((struct xenbe_linux *)priv)->xs, tx, commit);
}

static bool l_domain_alive(void *priv, uint16_t domid)
{
	struct keel_domctl_info info;
	int rc = keel_getinfo(domid, &info);

	if (rc == -ESRCH)
		return false;
	return rc || !(info.flags & KEEL_DOMINF_dying);
}

static void *l_gnt_map(void *priv, uint16_t domid, const uint32_t *refs, unsigned int n,
		       bool writable)
{
	struct xenbe_linux *l = priv;
	struct ioctl_gntdev_map_grant_ref *op;
	struct ioctl_gntdev_unmap_grant_ref un;
	unsigned int i;
	void *addr;
	int err;

	op = xcalloc(1, sizeof(*op) + n * sizeof(op->refs[0]));
	op->count = n;
	for (i = 0; i < n; i++) {
		op->refs[i].domid = domid;
		op->refs[i].ref = refs[i];
	}
	if (ioctl(l->gntdev, IOCTL_GNTDEV_MAP_GRANT_REF, op) < 0) {
		free(op);
		return NULL;
	}
	addr = mmap(NULL, (size_t)n * 4096, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED,
		    l->gntdev, op->index);
	err = errno;
	/*
	 * The mapping holds the grants from here on (gntdev's map is freed, and the grants
	 * unmapped, when the last page of it is munmap()ed): give the index back now, so that
	 * any page can later be unmapped alone, by munmap only.
	 */
	un.index = op->index;
	un.count = n;
	un.pad = 0;
	ioctl(l->gntdev, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
	free(op);
	errno = err;
	return addr == MAP_FAILED ? NULL : addr;
}

static void l_gnt_unmap(void *priv, void *addr, unsigned int n)
{
	munmap(addr, (size_t)n * 4096);
}

static int l_gnt_copy(void *priv, struct ioctl_gntdev_grant_copy_segment *segs, unsigned int n)
{
	struct xenbe_linux *l = priv;
	struct ioctl_gntdev_grant_copy op = { .count = n, .segments = segs };

	if (!n)
		return 0;
	return ioctl(l->gntdev, IOCTL_GNTDEV_GRANT_COPY, &op) < 0 ? -errno : 0;
}

static int l_evtchn_bind(void *priv, uint16_t domid, uint32_t remote_port)
{
	struct xenbe_linux *l = priv;
	struct ioctl_evtchn_bind_interdomain op = {
		.remote_domain = domid, .remote_port = remote_port };
	int rc = ioctl(l->evtchn, IOCTL_EVTCHN_BIND_INTERDOMAIN, &op);

	return rc < 0 ? -errno : rc;
}

static void l_evtchn_unbind(void *priv, uint32_t port)
{
	struct ioctl_evtchn_unbind op = { .port = port };

	ioctl(((struct xenbe_linux *)priv)->evtchn, IOCTL_EVTCHN_UNBIND, &op);
}

static void l_evtchn_notify(void *priv, uint32_t port)
{
	struct ioctl_evtchn_notify op = { .port = port };

	ioctl(((struct xenbe_linux *)priv)->evtchn, IOCTL_EVTCHN_NOTIFY, &op);
}

static void l_evtchn_unmask(void *priv, uint32_t port)
{
	/* Fails only when the port was unbound meanwhile: nothing to re-enable then. */
	(void)!write(((struct xenbe_linux *)priv)->evtchn, &port, sizeof(port));
}

static const struct xenbe_env_ops linux_ops = {
	.xs_read = l_xs_read,
	.xs_write = l_xs_write,
	.xs_rm = l_xs_rm,
	.xs_directory = l_xs_directory,
	.xs_watch = l_xs_watch,
	.xs_unwatch = l_xs_unwatch,
	.xs_tx_start = l_xs_tx_start,
	.xs_tx_end = l_xs_tx_end,
	.domain_alive = l_domain_alive,
	.gnt_map = l_gnt_map,
	.gnt_unmap = l_gnt_unmap,
	.gnt_copy = l_gnt_copy,
	.evtchn_bind = l_evtchn_bind,
	.evtchn_unbind = l_evtchn_unbind,
	.evtchn_notify = l_evtchn_notify,
	.evtchn_unmask = l_evtchn_unmask,
};

int xenbe_linux_open(struct xenbe_linux *l, const char *xs_path, struct xenbe_env *env)
{
	memset(l, 0, sizeof(*l));
	l->gntdev = l->evtchn = -1;
	l->xs = xs_open(xs_path);
	if (!l->xs)
		return -ENOENT;
	l->gntdev = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	if (l->gntdev < 0)
		goto err;
	l->evtchn = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (l->evtchn < 0)
		goto err;
	{
		struct keel_domctl_info info;

		/* Opens privcmd now: the fds held stay the same from here on (tests count them). */
		keel_getinfo(0, &info);
	}
	env->ops = &linux_ops;
	env->priv = l;
	return 0;
err:
	{
		int err = -errno;

		xenbe_linux_close(l);
		return err;
	}
}

void xenbe_linux_close(struct xenbe_linux *l)
{
	if (l->xs)
		xs_close(l->xs);
	if (l->gntdev >= 0)
		close(l->gntdev);
	if (l->evtchn >= 0)
		close(l->evtchn);
	l->xs = NULL;
	l->gntdev = l->evtchn = -1;
}
