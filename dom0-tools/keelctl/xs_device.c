/* What a domain's split devices of every kind share in xenstore: dom0's copy and their removal. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"
#include "xs_device.h"
#include "xs_domain.h"

#define MAX_TRIES	10	/* transactions that keep meeting EAGAIN */

char *xs_device_fe_path(const struct xs_device_kind *k, uint16_t domid, uint32_t devid)
{
	return xasprintf("/local/domain/%u/device/%s/%u", domid, k->kind, devid);
}

char *xs_device_priv_path(const struct xs_device_kind *k, uint16_t domid, uint32_t devid)
{
	return xasprintf("/libxl/%u/device/%s/%u", domid, k->kind, devid);
}

char *xs_read_rel(struct xs *xs, uint32_t tx, const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel), *v = NULL;

	if (xs_read(xs, tx, path, &v)) {
		free(v);
		v = NULL;
	}
	free(path);
	return v;
}

bool xs_exists(struct xs *xs, uint32_t tx, const char *path, int *rc)
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

unsigned int xs_state_of(struct xs *xs, uint32_t tx, const char *dir, bool *present)
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

int xs_transact(struct xs *xs, int (*fn)(struct xs *xs, uint32_t tx, void *arg), void *arg)
{
	int rc = -EAGAIN;

	for (int tries = 0; rc == -EAGAIN && tries < MAX_TRIES; tries++) {
		uint32_t tx;

		rc = xs_transaction_start(xs, &tx);
		if (rc)
			break;
		rc = fn(xs, tx, arg);
		if (rc) {
			xs_transaction_end(xs, tx, false);
			break;
		}
		rc = xs_transaction_end(xs, tx, true);
	}
	return rc;
}

int xs_devices_list(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
		    uint32_t **devids, unsigned int *nr)
{
	char *dir = xasprintf("/libxl/%u/device/%s", domid, k->kind);
	char **names = NULL;
	unsigned int n = 0, j = 0;
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
			(*devids)[j++] = (uint32_t)v;
	}
	*nr = j;
	xs_free_list(names);
	return 0;
}

int xs_devices_specs(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
		     const char *expect_vm, char ***texts, unsigned int *nr)
{
	uint32_t *devids;
	unsigned int n, j = 0;
	int rc = xs_devices_list(xs, k, domid, &devids, &n);

	*texts = xcalloc(n + 1, sizeof(**texts));
	*nr = 0;
	for (unsigned int i = 0; !rc && i < n; i++) {
		char *priv = xs_device_priv_path(k, domid, devids[i]);
		char *vm = xs_read_rel(xs, 0, priv, "vm"), *spec = xs_read_rel(xs, 0, priv, "spec");

		if (spec && *spec && (!expect_vm || (vm && !strcmp(vm, expect_vm))))
			(*texts)[j++] = spec;
		else
			free(spec);
		free(vm);
		free(priv);
	}
	free(devids);
	*nr = j;
	return rc;
}

/* What teardown knows of one device: dom0's private copy, never the guest's directory. */
struct gone {
	uint32_t devid;
	char *priv, *fe, *be, *release;
	bool skip;		/* not this domain's (expect_vm), or no copy */
	bool fe_active;		/* the frontend is 2..5: it will answer the backend's close */
	bool wait;		/* a backend acted on it: wait for it to close */
	bool closed;
};

/* Is @be exactly XS_BACKEND_PREFIX<one of @k's backends>/@domid/@devid? */
static bool backend_path_ok(const struct xs_device_kind *k, const char *be, uint16_t domid,
			    uint32_t devid)
{
	char *tail = xasprintf("/%u/%u", domid, devid);
	const char *name = be + strlen(XS_BACKEND_PREFIX);
	bool ok = false;

	if (strncmp(be, XS_BACKEND_PREFIX, strlen(XS_BACKEND_PREFIX)))
		goto out;
	for (const char *const *b = k->backends; *b && !ok; b++) {
		size_t len = strlen(*b);

		ok = !strncmp(name, *b, len) && !strcmp(name + len, tail);
	}
out:
	free(tail);
	return ok;
}

static int load(struct xs *xs, const struct xs_device_kind *k, uint16_t domid, struct gone *g,
		const char *expect_vm)
{
	char *fe = xs_device_fe_path(k, domid, g->devid), *vm;

	g->priv = xs_device_priv_path(k, domid, g->devid);
	g->be = xs_read_rel(xs, 0, g->priv, "backend");
	g->fe = xs_read_rel(xs, 0, g->priv, "frontend");
	if (k->release_key)
		g->release = xs_read_rel(xs, 0, g->priv, k->release_key);
	vm = xs_read_rel(xs, 0, g->priv, "vm");
	/* A device of no recorded owner ("") goes with whichever domain had the id. */
	g->skip = !g->be || !g->fe || (expect_vm && vm && *vm && strcmp(vm, expect_vm));
	free(vm);
	/* The copy is dom0's own; still, only paths of this very device are touched. */
	if (!g->skip && (strcmp(g->fe, fe) || !backend_path_ok(k, g->be, domid, g->devid))) {
		kc_warn("d%u: %s %u: its private copy names %s and %s: left alone", domid,
			k->noun, g->devid, g->fe, g->be);
		g->skip = true;
	}
	free(fe);
	return g->skip ? 0 : 1;
}

struct close_args {
	struct gone *g;
	bool force;
};

/*
 * be online=0 and, unless closed already, state=5. Waited for: a backend that took the
 * device (2..5), when the frontend can answer or is being forced away.
 */
static int close_tx(struct xs *xs, uint32_t tx, void *arg)
{
	struct close_args *a = arg;
	struct gone *g = a->g;
	unsigned int state;
	bool present;
	int rc;

	state = xs_state_of(xs, tx, g->be, &present);
	g->wait = present && state != 1 && state != XENBUS_CLOSED && (a->force || g->fe_active);
	g->closed = !present || state == XENBUS_CLOSED;
	rc = present ? xs_put(xs, tx, g->be, "online", "0") : 0;
	if (!rc && present && state != XENBUS_CLOSED)
		rc = xs_put(xs, tx, g->be, "state", "5");
	return rc;
}

struct remove_args {
	const char *const *paths;
	size_t nr;
};

static int remove_tx(struct xs *xs, uint32_t tx, void *arg)
{
	struct remove_args *a = arg;
	int rc = 0;

	for (size_t i = 0; !rc && i < a->nr; i++) {
		rc = xs_rm(xs, tx, a->paths[i]);
		if (rc == -ENOENT)
			rc = 0;
	}
	return rc;
}

static int remove_nodes(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
			struct gone *g)
{
	char *fe_err = xasprintf("/local/domain/%u/error/device/%s/%u", domid, k->kind,
				 g->devid);
	char *be_err = xasprintf("/local/domain/0/error/backend/%s",
				 g->be + strlen(XS_BACKEND_PREFIX));
	const char *paths[] = { g->fe, g->be, fe_err, be_err, g->priv };
	struct remove_args a = { paths, ARRAY_SIZE(paths) };
	int rc = xs_transact(xs, remove_tx, &a);

	free(fe_err);
	free(be_err);
	return rc;
}

static void remove_if_empty(struct xs *xs, const char *path)
{
	char **names = NULL;
	unsigned int n = 0;

	if (!xs_directory(xs, 0, path, &names, &n) && !n)
		xs_rm(xs, 0, path);
	xs_free_list(names);
}

/* Empty parents keelctl's writes made: /libxl/D and the backends' per-domain directories. */
static void remove_empty_parents(struct xs *xs, const struct xs_device_kind *k, uint16_t domid)
{
	char *paths[] = {
		xasprintf("/libxl/%u/device/%s", domid, k->kind),
		xasprintf("/libxl/%u/device", domid),
		xasprintf("/libxl/%u", domid),
	};

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		remove_if_empty(xs, paths[i]);
		free(paths[i]);
	}
	for (const char *const *b = k->backends; *b; b++) {
		char *path = xasprintf(XS_BACKEND_PREFIX "%s/%u", *b, domid);

		remove_if_empty(xs, path);
		free(path);
	}
}

int xs_devices_remove(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
		      const uint32_t *devids, unsigned int nr, const char *expect_vm, bool force,
		      unsigned int timeout_ms)
{
	struct gone *g = xcalloc(nr + 1, sizeof(*g));
	uint64_t deadline = now_ms() + timeout_ms;
	unsigned int fe_state;
	int rc = 0, r;
	bool waiting, present;

	for (unsigned int i = 0; i < nr; i++) {
		struct close_args a = { &g[i], force };

		g[i].devid = devids[i];
		if (!load(xs, k, domid, &g[i], expect_vm))
			continue;
		/* The guest's word, but it only decides how long its own device is waited for. */
		fe_state = xs_state_of(xs, 0, g[i].fe, &present);
		g[i].fe_active = fe_state >= XENBUS_INITWAIT && fe_state <= XENBUS_CLOSING;
		if (force) {
			r = xs_rm(xs, 0, g[i].fe);
			if (r && r != -ENOENT)
				rc = rc ? rc : r;
		}
		r = xs_transact(xs, close_tx, &a);
		if (r)
			rc = rc ? rc : r;
	}
	/* Every backend closes at once: one deadline for all. */
	do {
		waiting = false;
		for (unsigned int i = 0; i < nr; i++) {
			if (g[i].skip || g[i].closed || !g[i].wait)
				continue;
			g[i].closed = xs_state_of(xs, 0, g[i].be, &present) == XENBUS_CLOSED ||
				      !present;
			waiting |= !g[i].closed;
		}
		if (waiting)
			sleep_ms(XS_DEVICE_POLL_MS);
	} while (waiting && now_ms() < deadline);

	for (unsigned int i = 0; i < nr; i++) {
		if (g[i].skip)
			continue;
		if (g[i].wait && !g[i].closed) {
			if (!force) {
				kc_err("d%u: %s %u: the backend did not close within %g s: not removed (--force removes it anyway)",
				       domid, k->noun, g[i].devid, timeout_ms / 1000.0);
				rc = rc ? rc : -ETIMEDOUT;
				continue;
			}
			kc_warn("d%u: %s %u: the backend did not close within %g s: removed anyway",
				domid, k->noun, g[i].devid, timeout_ms / 1000.0);
		}
		r = remove_nodes(xs, k, domid, &g[i]);
		if (r)
			rc = rc ? rc : r;
		if (!r && g[i].release && k->release) {
			r = k->release(g[i].release);
			if (r)
				kc_warn("d%u: %s %u: cannot release %s: %s", domid, k->noun,
					g[i].devid, g[i].release, strerror(-r));
		}
	}
	remove_empty_parents(xs, k, domid);
	for (unsigned int i = 0; i < nr; i++) {
		free(g[i].priv);
		free(g[i].fe);
		free(g[i].be);
		free(g[i].release);
	}
	free(g);
	return rc;
}

int xs_device_backend_state(struct xs *xs, const struct xs_device_kind *k, uint16_t domid,
			    uint32_t devid, unsigned int *state)
{
	char *priv = xs_device_priv_path(k, domid, devid);
	char *be = xs_read_rel(xs, 0, priv, "backend");
	bool present;

	free(priv);
	if (!be)
		return -ENOENT;
	*state = xs_state_of(xs, 0, be, &present);
	free(be);
	return 0;
}
