/* A domain's vifs in xenstore as libxl writes them: frontend, backend, dom0's copy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"
#include "xs_domain.h"
#include "xs_vif.h"

static const char *const vif_backends[] = { "qnic", "vif", NULL };

const struct xs_device_kind xs_vif_kind = {
	.kind = "vif", .noun = "vif", .backends = vif_backends,
};

char *xs_vif_fe_path(uint16_t domid, uint32_t devid)
{
	return xs_device_fe_path(&xs_vif_kind, domid, devid);
}

char *xs_vif_be_path(uint16_t domid, enum vif_backend b, uint32_t devid)
{
	return xasprintf(XS_BACKEND_PREFIX "%s/%u/%u", vif_backend_kind(b), domid, devid);
}

char *xs_vif_priv_path(uint16_t domid, uint32_t devid)
{
	return xs_device_priv_path(&xs_vif_kind, domid, devid);
}

static int write_vif(struct xs *xs, uint32_t tx, uint16_t domid, const char *vm,
		     const struct vif_spec *v)
{
	uint32_t devid = (uint32_t)v->devid;
	char *fe = xs_vif_fe_path(domid, devid), *be = xs_vif_be_path(domid, v->backend, devid);
	char *priv = xs_vif_priv_path(domid, devid), *spec = vif_spec_format(v);
	char *fe_mtu = xasprintf("%s/mtu", fe);
	char self_n[12], self_r[12], mac[18];
	const char *fe_perms[] = { self_n, "r0" }, *be_perms[] = { "n0", self_r };
	const char *priv_perms[] = { "n0" };
	int rc;

	snprintf(self_n, sizeof(self_n), "n%u", domid);
	snprintf(self_r, sizeof(self_r), "r%u", domid);
	mac_format(v->mac, mac);
	if (v->devid < 0 || !v->mac_given) {
		rc = -EINVAL;
		goto out;
	}
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
	rc = rc ? rc : xs_put_uint(xs, tx, fe, "handle", devid);
	rc = rc ? rc : xs_put(xs, tx, fe, "mac", mac);
	rc = rc ? rc : xs_put(xs, tx, fe, "trusted", v->trusted ? "1" : "0");
	if (v->mtu) {
		/* Read-only to the guest, inside its own directory (libxl). */
		rc = rc ? rc : xs_put_uint(xs, tx, fe, "mtu", v->mtu);
		rc = rc ? rc : xs_set_perms(xs, tx, fe_mtu, be_perms, 2);
	}

	rc = rc ? rc : xs_mknod(xs, tx, be, be_perms, 2);
	rc = rc ? rc : xs_put(xs, tx, be, "frontend", fe);
	rc = rc ? rc : xs_put_uint(xs, tx, be, "frontend-id", domid);
	rc = rc ? rc : xs_put(xs, tx, be, "online", "1");
	rc = rc ? rc : xs_put(xs, tx, be, "state", "1");
	rc = rc ? rc : xs_put_uint(xs, tx, be, "handle", devid);
	rc = rc ? rc : xs_put(xs, tx, be, "mac", mac);
	rc = rc ? rc : xs_put(xs, tx, be, "bridge", v->bridge);
	rc = rc ? rc : xs_put(xs, tx, be, "type", "vif");
	if (v->ip)
		rc = rc ? rc : xs_put(xs, tx, be, "ip", v->ip);
	if (v->vifname)
		rc = rc ? rc : xs_put(xs, tx, be, "vifname", v->vifname);
	if (v->mtu)
		rc = rc ? rc : xs_put_uint(xs, tx, be, "mtu", v->mtu);
	/*
	 * xen-netback refuses a vif without a script (it passes it to udev, which runs none
	 * here), and connects once hotplug-status reads "connected": keelctl's vif-bridge work.
	 */
	if (v->backend == VIF_BACKEND_KERNEL) {
		rc = rc ? rc : xs_put(xs, tx, be, "script", "/etc/xen/scripts/vif-bridge");
		rc = rc ? rc : xs_put(xs, tx, be, "hotplug-status", "");
	}

	rc = rc ? rc : xs_mknod(xs, tx, priv, priv_perms, 1);
	rc = rc ? rc : xs_put(xs, tx, priv, "frontend", fe);
	rc = rc ? rc : xs_put(xs, tx, priv, "backend", be);
	rc = rc ? rc : xs_put(xs, tx, priv, "mac", mac);
	rc = rc ? rc : xs_put(xs, tx, priv, "bridge", v->bridge);
	/* What a restart of the domain gives it again: the same MAC and id. */
	rc = rc ? rc : xs_put(xs, tx, priv, "spec", spec);
	rc = rc ? rc : xs_put(xs, tx, priv, "vm", vm ? vm : "");
out:
	free(fe);
	free(be);
	free(priv);
	free(spec);
	free(fe_mtu);
	return rc;
}

struct add_args {
	uint16_t domid;
	const char *vm;
	const struct vif_spec *v;
	unsigned int nr;
};

static int add_tx(struct xs *xs, uint32_t tx, void *arg)
{
	struct add_args *a = arg;
	int rc = 0;

	for (unsigned int i = 0; !rc && i < a->nr; i++)
		rc = write_vif(xs, tx, a->domid, a->vm, &a->v[i]);
	return rc;
}

int xs_vifs_add(struct xs *xs, uint16_t domid, const char *vm, const struct vif_spec *v,
		unsigned int nr)
{
	struct add_args a = { domid, vm, v, nr };

	return nr ? xs_transact(xs, add_tx, &a) : 0;
}

/* The largest number among the names of directory @dir, as *@max (untouched when none). */
static int largest_name(struct xs *xs, const char *dir, int64_t *max)
{
	char **names = NULL;
	unsigned int n = 0;
	int rc = xs_directory(xs, 0, dir, &names, &n);

	if (rc == -ENOENT)
		return 0;
	for (unsigned int i = 0; !rc && i < n; i++) {
		uint64_t v;

		if (parse_u64(names[i], &v) && v <= VIF_MAX_DEVID && (int64_t)v > *max)
			*max = (int64_t)v;
	}
	xs_free_list(names);
	return rc;
}

int xs_vif_next_devid(struct xs *xs, uint16_t domid, uint32_t *devid)
{
	char *fe_dir = xasprintf("/local/domain/%u/device/vif", domid);
	char *priv_dir = xasprintf("/libxl/%u/device/vif", domid);
	int64_t max = -1;
	int rc = largest_name(xs, fe_dir, &max);

	rc = rc ? rc : largest_name(xs, priv_dir, &max);
	free(fe_dir);
	free(priv_dir);
	if (rc)
		return rc;
	if (max >= VIF_MAX_DEVID)
		return -ENOSPC;
	*devid = (uint32_t)(max + 1);
	return 0;
}

int xs_vifs_remove(struct xs *xs, uint16_t domid, const uint32_t *devids, unsigned int nr,
		   const char *expect_vm, bool force, unsigned int timeout_ms)
{
	return xs_devices_remove(xs, &xs_vif_kind, domid, devids, nr, expect_vm, force,
				 timeout_ms);
}
