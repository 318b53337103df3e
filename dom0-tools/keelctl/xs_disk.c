/* A domain's virtual disks in xenstore as libxl writes them: frontend, backend, dom0's copy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"
#include "xs_disk.h"
#include "xs_domain.h"

#define MAX_TRIES	10	/* transactions that keep meeting EAGAIN */
#define BE_PREFIX	"/local/domain/0/backend/"
#define STATE_CLOSING	5
#define STATE_CLOSED	6

char *xs_disk_fe_path(uint16_t domid, uint32_t devid)
{
	return xasprintf("/local/domain/%u/device/vbd/%u", domid, devid);
}

char *xs_disk_be_path(uint16_t domid, enum disk_backend b, uint32_t devid)
{
	return xasprintf(BE_PREFIX "%s/%u/%u", disk_backend_kind(b), domid, devid);
}

char *xs_disk_priv_path(uint16_t domid, uint32_t devid)
{
	return xasprintf("/libxl/%u/device/vbd/%u", domid, devid);
}

static bool exists(struct xs *xs, uint32_t tx, const char *path, int *rc)
{
	char *v = NULL;

	*rc = xs_read(xs, tx, path, &v);
	free(v);
	if (*rc == -ENOENT) {
		*rc = 0;
		return false;
	}
	return !*rc;
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
	if (exists(xs, tx, fe, &rc) || (!rc && exists(xs, tx, priv, &rc))) {
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

int xs_disks_add(struct xs *xs, uint16_t domid, const char *vm, const struct disk_spec *d,
		 const struct disk_phys *phys, unsigned int nr)
{
	int rc = -EAGAIN;

	if (!nr)
		return 0;
	for (int tries = 0; rc == -EAGAIN && tries < MAX_TRIES; tries++) {
		uint32_t tx;

		rc = xs_transaction_start(xs, &tx);
		if (rc)
			break;
		for (unsigned int i = 0; !rc && i < nr; i++)
			rc = write_disk(xs, tx, domid, vm, &d[i], phys ? &phys[i] : NULL);
		if (rc) {
			xs_transaction_end(xs, tx, false);
			break;
		}
		rc = xs_transaction_end(xs, tx, true);
	}
	return rc;
}

int xs_disks_list(struct xs *xs, uint16_t domid, uint32_t **devids, unsigned int *nr)
{
	char *dir = xasprintf("/libxl/%u/device/vbd", domid);
	char **names = NULL;
	unsigned int n = 0, k = 0;
	int rc = xs_directory(xs, 0, dir, &names, &n);

	free(dir);
	*devids = xcalloc(n + 1, sizeof(**devids));
	*nr = 0;
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t v;

		if (parse_u64(names[i], &v) && v <= INT32_MAX)
			(*devids)[k++] = (uint32_t)v;
	}
	*nr = k;
	xs_free_list(names);
	return 0;
}

/* @dir/@rel, or NULL. */
static char *read_rel(struct xs *xs, const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel), *v = NULL;

	if (xs_read(xs, 0, path, &v)) {
		free(v);
		v = NULL;
	}
	free(path);
	return v;
}

int xs_disks_specs(struct xs *xs, uint16_t domid, const char *expect_vm, char ***texts,
		   unsigned int *nr)
{
	uint32_t *devids;
	unsigned int n, k = 0;
	int rc = xs_disks_list(xs, domid, &devids, &n);

	*texts = xcalloc(n + 1, sizeof(**texts));
	*nr = 0;
	for (unsigned int i = 0; !rc && i < n; i++) {
		char *priv = xs_disk_priv_path(domid, devids[i]);
		char *vm = read_rel(xs, priv, "vm"), *spec = read_rel(xs, priv, "spec");

		if (spec && *spec && (!expect_vm || (vm && !strcmp(vm, expect_vm))))
			(*texts)[k++] = spec;
		else
			free(spec);
		free(vm);
		free(priv);
	}
	free(devids);
	*nr = k;
	return rc;
}

/* What teardown knows of one disk: dom0's private copy, never the guest's directory. */
struct gone {
	uint32_t devid;
	char *priv, *fe, *be, *loop;
	bool skip;		/* not this domain's (expect_vm), or no copy */
	bool fe_active;		/* the frontend is 2..5: it will answer the backend's close */
	bool wait;		/* a backend acted on it: wait for it to close */
	bool closed;
};

static unsigned int state_of(struct xs *xs, uint32_t tx, const char *dir, bool *present)
{
	char *path = xasprintf("%s/state", dir), *v = NULL;
	uint64_t n = 0;
	int rc = xs_read(xs, tx, path, &v);

	free(path);
	*present = !rc;
	if (rc || !parse_u64(v, &n) || n > 255)
		n = 0;
	free(v);
	return (unsigned int)n;
}

static int load(struct xs *xs, uint16_t domid, struct gone *g, const char *expect_vm)
{
	char *fe = xs_disk_fe_path(domid, g->devid), *vm;
	char *kind_end;

	g->priv = xs_disk_priv_path(domid, g->devid);
	g->be = read_rel(xs, g->priv, "backend");
	g->fe = read_rel(xs, g->priv, "frontend");
	g->loop = read_rel(xs, g->priv, "loop");
	vm = read_rel(xs, g->priv, "vm");
	/* A disk of no recorded owner ("") goes with whichever domain had the id. */
	g->skip = !g->be || !g->fe || (expect_vm && vm && *vm && strcmp(vm, expect_vm));
	free(vm);
	/* The copy is dom0's own; still, only paths of this very device are touched. */
	if (!g->skip && (strcmp(g->fe, fe) || strncmp(g->be, BE_PREFIX, strlen(BE_PREFIX)))) {
		kc_warn("d%u: disk %u: its private copy names %s and %s: left alone", domid,
			g->devid, g->fe, g->be);
		g->skip = true;
	}
	kind_end = g->skip ? NULL : strchr(g->be + strlen(BE_PREFIX), '/');
	if (!g->skip) {
		char *tail = xasprintf("/%u/%u", domid, g->devid);

		if (!kind_end || strcmp(kind_end, tail))
			g->skip = true;
		free(tail);
	}
	free(fe);
	return g->skip ? 0 : 1;
}

/*
 * be online=0 and, unless closed already, state=5: one transaction. Waited for: a backend
 * that took the disk (2..5), when the frontend can answer or is being forced away.
 */
static int start_close(struct xs *xs, struct gone *g, bool force)
{
	int rc = -EAGAIN;

	for (int tries = 0; rc == -EAGAIN && tries < MAX_TRIES; tries++) {
		unsigned int state;
		bool present;
		uint32_t tx;

		rc = xs_transaction_start(xs, &tx);
		if (rc)
			break;
		state = state_of(xs, tx, g->be, &present);
		g->wait = present && state != 1 && state != STATE_CLOSED &&
			  (force || g->fe_active);
		g->closed = !present || state == STATE_CLOSED;
		rc = present ? xs_put(xs, tx, g->be, "online", "0") : 0;
		if (!rc && present && state != STATE_CLOSED)
			rc = xs_put(xs, tx, g->be, "state", "5");
		if (rc) {
			xs_transaction_end(xs, tx, false);
			break;
		}
		rc = xs_transaction_end(xs, tx, true);
	}
	return rc;
}

static int remove_nodes(struct xs *xs, uint16_t domid, struct gone *g)
{
	char *fe_err = xasprintf("/local/domain/%u/error/device/vbd/%u", domid, g->devid);
	char *be_err = xasprintf("/local/domain/0/error/backend/%s",
				 g->be + strlen(BE_PREFIX));
	const char *paths[] = { g->fe, g->be, fe_err, be_err, g->priv };
	int rc = -EAGAIN;

	for (int tries = 0; rc == -EAGAIN && tries < MAX_TRIES; tries++) {
		uint32_t tx;

		rc = xs_transaction_start(xs, &tx);
		if (rc)
			break;
		for (size_t i = 0; !rc && i < ARRAY_SIZE(paths); i++) {
			rc = xs_rm(xs, tx, paths[i]);
			if (rc == -ENOENT)
				rc = 0;
		}
		if (rc) {
			xs_transaction_end(xs, tx, false);
			break;
		}
		rc = xs_transaction_end(xs, tx, true);
	}
	free(fe_err);
	free(be_err);
	return rc;
}

/* Empty parents keelctl's writes made: /libxl/D and the backend's per-domain directory. */
static void remove_empty_parents(struct xs *xs, uint16_t domid)
{
	static const char *const dirs[] = {
		"/libxl/%u/device/vbd", "/libxl/%u/device", "/libxl/%u",
		BE_PREFIX "qdisk/%u", BE_PREFIX "vbd/%u",
	};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *path = xasprintf(dirs[i], domid);
		char **names = NULL;
		unsigned int n = 0;

		if (!xs_directory(xs, 0, path, &names, &n) && !n)
			xs_rm(xs, 0, path);
		xs_free_list(names);
		free(path);
	}
}

int xs_disks_remove(struct xs *xs, uint16_t domid, const uint32_t *devids, unsigned int nr,
		    const char *expect_vm, bool force, unsigned int timeout_ms)
{
	struct gone *g = xcalloc(nr + 1, sizeof(*g));
	uint64_t deadline = now_ms() + timeout_ms;
	unsigned int fe_state;
	int rc = 0, r;
	bool waiting, present;

	for (unsigned int i = 0; i < nr; i++) {
		g[i].devid = devids[i];
		if (!load(xs, domid, &g[i], expect_vm))
			continue;
		/* The guest's word, but it only decides how long its own disk is waited for. */
		fe_state = state_of(xs, 0, g[i].fe, &present);
		g[i].fe_active = fe_state >= 2 && fe_state <= STATE_CLOSING;
		if (force) {
			r = xs_rm(xs, 0, g[i].fe);
			if (r && r != -ENOENT)
				rc = rc ? rc : r;
		}
		r = start_close(xs, &g[i], force);
		if (r)
			rc = rc ? rc : r;
	}
	/* Every backend closes at once: one deadline for all. */
	do {
		waiting = false;
		for (unsigned int i = 0; i < nr; i++) {
			if (g[i].skip || g[i].closed || !g[i].wait)
				continue;
			g[i].closed = state_of(xs, 0, g[i].be, &present) == STATE_CLOSED ||
				      !present;
			waiting |= !g[i].closed;
		}
		if (waiting)
			sleep_ms(XS_DISK_POLL_MS);
	} while (waiting && now_ms() < deadline);

	for (unsigned int i = 0; i < nr; i++) {
		if (g[i].skip)
			continue;
		if (g[i].wait && !g[i].closed) {
			if (!force) {
				kc_err("d%u: disk %u: the backend did not close within %g s: not removed (--force removes it anyway)",
				       domid, g[i].devid, timeout_ms / 1000.0);
				rc = rc ? rc : -ETIMEDOUT;
				continue;
			}
			kc_warn("d%u: disk %u: the backend did not close within %g s: removed anyway",
				domid, g[i].devid, timeout_ms / 1000.0);
		}
		r = remove_nodes(xs, domid, &g[i]);
		if (r)
			rc = rc ? rc : r;
		if (!r && g[i].loop) {
			r = disk_loop_release(g[i].loop);
			if (r)
				kc_warn("d%u: disk %u: cannot release %s: %s", domid, g[i].devid,
					g[i].loop, strerror(-r));
		}
	}
	remove_empty_parents(xs, domid);
	for (unsigned int i = 0; i < nr; i++) {
		free(g[i].priv);
		free(g[i].fe);
		free(g[i].be);
		free(g[i].loop);
	}
	free(g);
	return rc;
}

int xs_disk_backend_state(struct xs *xs, uint16_t domid, uint32_t devid, unsigned int *state)
{
	char *priv = xs_disk_priv_path(domid, devid), *be = read_rel(xs, priv, "backend");
	bool present;

	free(priv);
	if (!be)
		return -ENOENT;
	*state = state_of(xs, 0, be, &present);
	free(be);
	return 0;
}
