/* A domain's virtual disks in xenstore as libxl writes them: frontend, backend, dom0's copy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"
#include "xs_disk.h"
#include "xs_domain.h"

static const char *const disk_backends[] = { "qdisk", "vbd", NULL };

const struct xs_device_kind xs_vbd_kind = {
	.kind = "vbd", .noun = "disk", .backends = disk_backends,
	.release_key = "loop", .release = disk_loop_release,
};

char *xs_disk_fe_path(uint16_t domid, uint32_t devid)
{
	return xs_device_fe_path(&xs_vbd_kind, domid, devid);
}

char *xs_disk_be_path(uint16_t domid, enum disk_backend b, uint32_t devid)
{
	return xasprintf(XS_BACKEND_PREFIX "%s/%u/%u", disk_backend_kind(b), domid, devid);
}

char *xs_disk_priv_path(uint16_t domid, uint32_t devid)
{
	return xs_device_priv_path(&xs_vbd_kind, domid, devid);
}

static int write_disk(struct xs *xs, uint32_t tx, uint16_t domid, const char *vm,
		      const struct disk_spec *d, const struct disk_phys *phys)
{
	char *fe = xs_disk_fe_path(domid, d->devid);
	char *be = xs_disk_be_path(domid, d->backend, d->devid);
	char *priv = xs_disk_priv_path(domid, d->devid);
	char *params = d->backend == DISK_BACKEND_PHY ? xstrdup(d->target) :
			xasprintf("raw:%s", d->target);
	const char *type = d->cdrom ? "cdrom" : "disk";
	char self_n[12], self_r[12];
	const char *fe_perms[] = { self_n, "r0" }, *be_perms[] = { "n0", self_r };
	const char *priv_perms[] = { "n0" };
	int rc;

	snprintf(self_n, sizeof(self_n), "n%u", domid);
	snprintf(self_r, sizeof(self_r), "r%u", domid);
	if (xs_exists(xs, tx, fe, &rc) || (!rc && xs_exists(xs, tx, priv, &rc))) {
		rc = -EEXIST;
		goto out;
	}
	if (rc)
		goto out;
	/* A stale backend directory (a crashed toolstack) would be inherited: replace it. */
	rc = xs_rm(xs, tx, be);
	if (rc == -ENOENT)
		rc = 0;

	rc = rc ? rc : xs_mknod(xs, tx, fe, fe_perms, 2);
	rc = rc ? rc : xs_put(xs, tx, fe, "backend", be);
	rc = rc ? rc : xs_put(xs, tx, fe, "backend-id", "0");
	rc = rc ? rc : xs_put(xs, tx, fe, "state", "1");
	rc = rc ? rc : xs_put_uint(xs, tx, fe, "virtual-device", d->devid);
	rc = rc ? rc : xs_put(xs, tx, fe, "device-type", type);
	rc = rc ? rc : xs_put(xs, tx, fe, "trusted", d->trusted ? "1" : "0");

	rc = rc ? rc : xs_mknod(xs, tx, be, be_perms, 2);
	rc = rc ? rc : xs_put(xs, tx, be, "frontend", fe);
	rc = rc ? rc : xs_put_uint(xs, tx, be, "frontend-id", domid);
	rc = rc ? rc : xs_put(xs, tx, be, "online", "1");
	rc = rc ? rc : xs_put(xs, tx, be, "state", "1");
	rc = rc ? rc : xs_put(xs, tx, be, "params", params);
	rc = rc ? rc : xs_put(xs, tx, be, "type", disk_backend_name(d->backend));
	rc = rc ? rc : xs_put(xs, tx, be, "mode", d->readonly ? "r" : "w");
	rc = rc ? rc : xs_put(xs, tx, be, "dev", d->vdev);
	rc = rc ? rc : xs_put(xs, tx, be, "device-type", type);
	rc = rc ? rc : xs_put(xs, tx, be, "removable", d->cdrom ? "1" : "0");
	rc = rc ? rc : xs_put(xs, tx, be, "bootable", "1");
	rc = rc ? rc : xs_put(xs, tx, be, "discard-enable", d->discard ? "1" : "0");
	if (d->direct_io_safe)
		rc = rc ? rc : xs_put(xs, tx, be, "direct-io-safe", "1");
	rc = rc ? rc : xs_put(xs, tx, be, "specification", "xen");
	if (d->backend == DISK_BACKEND_PHY) {
		char dev[24];

		snprintf(dev, sizeof(dev), "%x:%x", phys->major, phys->minor);
		rc = rc ? rc : xs_put(xs, tx, be, "physical-device", dev);
		rc = rc ? rc : xs_put(xs, tx, be, "physical-device-path", phys->path);
	}

	rc = rc ? rc : xs_mknod(xs, tx, priv, priv_perms, 1);
	rc = rc ? rc : xs_put(xs, tx, priv, "frontend", fe);
	rc = rc ? rc : xs_put(xs, tx, priv, "backend", be);
	rc = rc ? rc : xs_put(xs, tx, priv, "params", params);
	rc = rc ? rc : xs_put(xs, tx, priv, "vdev", d->vdev);
	/* What a restart of the domain gives it again (hot-plugged disks included). */
	rc = rc ? rc : xs_put(xs, tx, priv, "spec", d->text ? d->text : "");
	rc = rc ? rc : xs_put(xs, tx, priv, "vm", vm ? vm : "");
	if (phys && phys->loop)
		rc = rc ? rc : xs_put(xs, tx, priv, "loop", phys->path);
out:
	free(fe);
	free(be);
	free(priv);
	free(params);
	return rc;
}

struct add_args {
	uint16_t domid;
	const char *vm;
	const struct disk_spec *d;
	const struct disk_phys *phys;
	unsigned int nr;
};

static int add_tx(struct xs *xs, uint32_t tx, void *arg)
{
	struct add_args *a = arg;
	int rc = 0;

	for (unsigned int i = 0; !rc && i < a->nr; i++)
		rc = write_disk(xs, tx, a->domid, a->vm, &a->d[i], a->phys ? &a->phys[i] : NULL);
	return rc;
}

int xs_disks_add(struct xs *xs, uint16_t domid, const char *vm, const struct disk_spec *d,
		 const struct disk_phys *phys, unsigned int nr)
{
	struct add_args a = { domid, vm, d, phys, nr };

	return nr ? xs_transact(xs, add_tx, &a) : 0;
}

int xs_disks_list(struct xs *xs, uint16_t domid, uint32_t **devids, unsigned int *nr)
{
	return xs_devices_list(xs, &xs_vbd_kind, domid, devids, nr);
}

int xs_disks_specs(struct xs *xs, uint16_t domid, const char *expect_vm, char ***texts,
		   unsigned int *nr)
{
	return xs_devices_specs(xs, &xs_vbd_kind, domid, expect_vm, texts, nr);
}

int xs_disks_remove(struct xs *xs, uint16_t domid, const uint32_t *devids, unsigned int nr,
		    const char *expect_vm, bool force, unsigned int timeout_ms)
{
	return xs_devices_remove(xs, &xs_vbd_kind, domid, devids, nr, expect_vm, force,
				 timeout_ms);
}

int xs_disk_backend_state(struct xs *xs, uint16_t domid, uint32_t devid, unsigned int *state)
{
	return xs_device_backend_state(xs, &xs_vbd_kind, domid, devid, state);
}
