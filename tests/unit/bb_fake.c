/* keel-blkback's host tests: xenstore, grant table, event channels and a frontend, simulated. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "host.h"
#include "bb_fake.h"

#define PAGE 4096u

/* ---- xenstore: flat nodes, watches queue events on writes below their path ---- */

static int node_find(struct fake *f, const char *path)
{
	int i;

	for (i = 0; i < FAKE_NODES; i++)
		if (f->nodes[i].path && !strcmp(f->nodes[i].path, path))
			return i;
	return -1;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

/* Watches on @path and above it; with @recursive (a removal) also those below it. */
static void fire_r(struct fake *f, const char *path, bool recursive)
{
	int i;

	for (i = 0; i < FAKE_WATCHES; i++) {
		if (!f->watches[i].path || (!under(path, f->watches[i].path) &&
					    !(recursive && under(f->watches[i].path, path))))
			continue;
		if (f->nr_events >= FAKE_EVENTS)
			return;	/* xenstored drops too; tests pump often */
		f->events[f->nr_events].path = strdup(path);
		f->events[f->nr_events].token = strdup(f->watches[i].token);
		f->nr_events++;
	}
}

static void fire(struct fake *f, const char *path)
{
	fire_r(f, path, false);
}

static void node_set(struct fake *f, const char *path, const char *value)
{
	int i = node_find(f, path);

	if (i < 0) {
		for (i = 0; i < FAKE_NODES && f->nodes[i].path; i++)
			;
		assert_true(i < FAKE_NODES);
		f->nodes[i].path = strdup(path);
	} else {
		free(f->nodes[i].value);
	}
	f->nodes[i].value = strdup(value);
	fire(f, path);
}

void fake_xs_write(struct fake *f, const char *path, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	node_set(f, path, buf);
}

const char *fake_xs_read(struct fake *f, const char *path)
{
	int i = node_find(f, path);

	return i < 0 ? NULL : f->nodes[i].value;
}

int fake_xs_read_int(struct fake *f, const char *path)
{
	const char *v = fake_xs_read(f, path);

	return v ? atoi(v) : -1;
}

void fake_xs_rm(struct fake *f, const char *path)
{
	int i;

	for (i = 0; i < FAKE_NODES; i++) {
		if (!f->nodes[i].path || !under(f->nodes[i].path, path))
			continue;
		free(f->nodes[i].path);
		free(f->nodes[i].value);
		f->nodes[i].path = f->nodes[i].value = NULL;
	}
	fire_r(f, path, true);	/* as keel's xenstored: watches below a removed node fire */
}

void fake_pump(struct fake *f)
{
	unsigned int rounds = 0;

	while (f->nr_events && rounds++ < 10000) {
		char *path = f->events[0].path, *token = f->events[0].token;

		f->nr_events--;
		memmove(&f->events[0], &f->events[1], f->nr_events * sizeof(f->events[0]));
		if (f->be)
			bb_backend_watch(f->be, path, token);
		free(path);
		free(token);
	}
}

static int x_read(void *priv, uint32_t tx, const char *path, char **value)
{
	const char *v = fake_xs_read(priv, path);

	if (!v)
		return -ENOENT;
	*value = strdup(v);
	return 0;
}

#define TX_DOOMED 2	/* a transaction that will fail: its writes never land */

static int x_write(void *priv, uint32_t tx, const char *path, const char *value)
{
	if (tx == TX_DOOMED)
		return 0;
	node_set(priv, path, value);
	return 0;
}

static int x_rm(void *priv, uint32_t tx, const char *path)
{
	fake_xs_rm(priv, path);
	return 0;
}

static int x_directory(void *priv, const char *path, char ***names, unsigned int *nr)
{
	struct fake *f = priv;
	char **list = calloc(FAKE_NODES + 1, sizeof(*list));
	size_t n = strlen(path);
	unsigned int cnt = 0, i, j;

	for (i = 0; i < FAKE_NODES; i++) {
		const char *p = f->nodes[i].path;
		char name[128];
		const char *slash;
		bool dup = false;

		if (!p || strncmp(p, path, n) || p[n] != '/')
			continue;
		slash = strchr(p + n + 1, '/');
		snprintf(name, sizeof(name), "%.*s", slash ? (int)(slash - p - n - 1) :
			 (int)strlen(p + n + 1), p + n + 1);
		for (j = 0; j < cnt; j++)
			dup |= !strcmp(list[j], name);
		if (!dup)
			list[cnt++] = strdup(name);
	}
	if (!cnt && node_find(f, path) < 0) {
		free(list);
		return -ENOENT;
	}
	*names = list;
	*nr = cnt;
	return 0;
}

static int x_watch(void *priv, const char *path, const char *token)
{
	struct fake *f = priv;
	int i;

	for (i = 0; i < FAKE_WATCHES && f->watches[i].path; i++)
		;
	assert_true(i < FAKE_WATCHES);
	f->watches[i].path = strdup(path);
	f->watches[i].token = strdup(token);
	/* A new watch fires once. */
	if (f->nr_events < FAKE_EVENTS) {
		f->events[f->nr_events].path = strdup(path);
		f->events[f->nr_events].token = strdup(token);
		f->nr_events++;
	}
	return 0;
}

static int x_unwatch(void *priv, const char *path, const char *token)
{
	struct fake *f = priv;
	int i;

	for (i = 0; i < FAKE_WATCHES; i++)
		if (f->watches[i].path && !strcmp(f->watches[i].path, path) &&
		    !strcmp(f->watches[i].token, token)) {
			free(f->watches[i].path);
			free(f->watches[i].token);
			f->watches[i].path = f->watches[i].token = NULL;
			return 0;
		}
	return -ENOENT;
}

static int x_tx_start(void *priv, uint32_t *tx)
{
	struct fake *f = priv;

	*tx = f->tx_fail ? TX_DOOMED : 1;
	return 0;
}

static int x_tx_end(void *priv, uint32_t tx, bool commit)
{
	struct fake *f = priv;

	if (tx == TX_DOOMED) {
		f->tx_fail--;
		return commit ? -EAGAIN : 0;
	}
	return 0;
}

static bool x_alive(void *priv, uint16_t domid)
{
	struct fake *f = priv;

	return domid < 8 && f->alive[domid];
}

/* ---- grants ---- */

uint32_t fake_page_alloc(struct fake *f, unsigned int n)
{
	uint32_t p = f->next_page;

	assert_true(p + n <= FAKE_PAGES);
	f->next_page += n;
	return p;
}

void *fake_page(struct fake *f, uint32_t page)
{
	return f->mem + (size_t)page * PAGE;
}

uint32_t fake_grant(struct fake *f, uint16_t domid, uint32_t page, bool readonly)
{
	uint32_t ref = f->next_gref++;

	assert_true(ref < FAKE_GREFS);
	f->gnt[ref].valid = true;
	f->gnt[ref].readonly = readonly;
	f->gnt[ref].domid = domid;
	f->gnt[ref].page = page;
	return ref;
}

void fake_revoke(struct fake *f, uint32_t gref)
{
	f->gnt[gref].valid = false;
}

static struct fake_gnt *gnt_lookup(struct fake *f, uint16_t domid, uint32_t ref)
{
	if (ref >= FAKE_GREFS || !f->gnt[ref].valid || f->gnt[ref].domid != domid)
		return NULL;
	return &f->gnt[ref];
}

static void *g_map(void *priv, uint16_t domid, const uint32_t *refs, unsigned int n,
		   bool writable)
{
	struct fake *f = priv;
	uint8_t *base;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct fake_gnt *g = gnt_lookup(f, domid, refs[i]);

		if (!g || (writable && g->readonly)) {
			errno = EINVAL;
			return NULL;
		}
	}
	base = mmap(NULL, (size_t)n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(base != MAP_FAILED);
	for (i = 0; i < n; i++) {
		void *p = mmap(base + (size_t)i * PAGE, PAGE, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED, f->memfd,
			       (off_t)f->gnt[refs[i]].page * PAGE);

		assert_true(p != MAP_FAILED);
	}
	for (i = 0; i < FAKE_MAPS && f->map[i].n; i++)
		;
	assert_true(i < FAKE_MAPS);
	f->map[i].base = base;
	f->map[i].n = f->map[i].live = n;
	f->maps += n;
	f->map_calls++;
	return base;
}

/*
 * As gntdev on an auto-translated dom0 (keel's PVH dom0): pages of one map may be unmapped
 * one by one, but the grants stay mapped (counted in maps) until the last page is gone.
 */
static void g_unmap(void *priv, void *addr, unsigned int n)
{
	struct fake *f = priv;
	uint8_t *p = addr;
	unsigned int i;

	for (i = 0; i < FAKE_MAPS; i++)
		if (f->map[i].n && p >= f->map[i].base &&
		    p + (size_t)n * PAGE <= f->map[i].base + (size_t)f->map[i].n * PAGE)
			break;
	assert_true(i < FAKE_MAPS);
	assert_true(f->map[i].live >= n);
	munmap(addr, (size_t)n * PAGE);
	f->map[i].live -= n;
	if (!f->map[i].live) {
		assert_true(f->maps >= f->map[i].n);
		f->maps -= f->map[i].n;
		f->map[i].n = 0;
	}
}

/* One side of a copy: a pointer into the guest's memory, or a status. */
static int16_t copy_side(struct fake *f, bool is_ref, uint32_t ref, uint16_t off,
			 uint16_t domid, uint16_t len, bool dest, uint8_t **p)
{
	struct fake_gnt *g;

	if (!is_ref)
		return GNTST_okay;
	if (domid >= 8 || !f->alive[domid])
		return GNTST_bad_domain;
	g = gnt_lookup(f, domid, ref);
	if (!g)
		return GNTST_bad_gntref;
	if (dest && g->readonly)
		return GNTST_permission_denied;
	if ((uint32_t)off + len > PAGE)
		return GNTST_bad_copy_arg;
	*p = f->mem + (size_t)g->page * PAGE + off;
	return GNTST_okay;
}

static int g_copy(void *priv, struct ioctl_gntdev_grant_copy_segment *segs, unsigned int n)
{
	struct fake *f = priv;
	unsigned int i;

	f->copies++;
	for (i = 0; i < n; i++) {
		struct ioctl_gntdev_grant_copy_segment *s = &segs[i];
		bool sref = s->flags & GNTCOPY_source_gref, dref = s->flags & GNTCOPY_dest_gref;
		uint8_t *src = s->source.virt, *dst = s->dest.virt;

		if (!sref && !dref)
			return -EINVAL;
		s->status = copy_side(f, sref, s->source.foreign.ref, s->source.foreign.offset,
				      s->source.foreign.domid, s->len, false, &src);
		if (s->status == GNTST_okay)
			s->status = copy_side(f, dref, s->dest.foreign.ref,
					      s->dest.foreign.offset, s->dest.foreign.domid,
					      s->len, true, &dst);
		if (s->status == GNTST_okay)
			memcpy(dst, src, s->len);
	}
	return 0;
}

/* ---- event channels ---- */

static int e_bind(void *priv, uint16_t domid, uint32_t remote)
{
	struct fake *f = priv;
	int i;

	if (domid >= 8 || !f->alive[domid])
		return -ESRCH;
	for (i = 1; i < FAKE_PORTS; i++)
		if (f->ports[i].bound && f->ports[i].domid == domid && f->ports[i].remote == remote)
			return -EBUSY;
	if (remote == 0 || remote >= 4096)
		return -EINVAL;
	for (i = 1; i < FAKE_PORTS; i++)
		if (!f->ports[i].bound) {
			f->ports[i].bound = true;
			f->ports[i].domid = domid;
			f->ports[i].remote = remote;
			f->ports[i].notified = 0;
			f->bound++;
			return i;
		}
	return -ENOSPC;
}

static void e_unbind(void *priv, uint32_t port)
{
	struct fake *f = priv;

	assert_true(port < FAKE_PORTS && f->ports[port].bound);
	f->ports[port].bound = false;
	f->bound--;
}

static void e_notify(void *priv, uint32_t port)
{
	struct fake *f = priv;

	assert_true(port < FAKE_PORTS && f->ports[port].bound);
	f->ports[port].notified++;
	if (f->on_notify)
		f->on_notify(f, port, f->on_notify_arg);
}

static void e_unmask(void *priv, uint32_t port)
{
}

static const struct xenbe_env_ops fake_ops = {
	.xs_read = x_read, .xs_write = x_write, .xs_rm = x_rm, .xs_directory = x_directory,
	.xs_watch = x_watch, .xs_unwatch = x_unwatch, .xs_tx_start = x_tx_start,
	.xs_tx_end = x_tx_end, .domain_alive = x_alive,
	.gnt_map = g_map, .gnt_unmap = g_unmap, .gnt_copy = g_copy,
	.evtchn_bind = e_bind, .evtchn_unbind = e_unbind, .evtchn_notify = e_notify,
	.evtchn_unmask = e_unmask,
};

void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->memfd = memfd_create("bb-guest", 0);
	assert_true(f->memfd >= 0);
	assert_int_equal(ftruncate(f->memfd, (off_t)FAKE_PAGES * PAGE), 0);
	f->mem = mmap(NULL, (size_t)FAKE_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f->memfd, 0);
	assert_true(f->mem != MAP_FAILED);
	f->next_gref = 8;	/* 0..7 reserved, as in a real grant table */
	memset(f->alive, 1, sizeof(f->alive));
	f->env.ops = &fake_ops;
	f->env.priv = f;
}

void fake_fini(struct fake *f)
{
	int i;

	for (i = 0; i < FAKE_NODES; i++) {
		free(f->nodes[i].path);
		free(f->nodes[i].value);
	}
	for (i = 0; i < FAKE_WATCHES; i++) {
		free(f->watches[i].path);
		free(f->watches[i].token);
	}
	for (i = 0; i < (int)f->nr_events; i++) {
		free(f->events[i].path);
		free(f->events[i].token);
	}
	munmap(f->mem, (size_t)FAKE_PAGES * PAGE);
	close(f->memfd);
}

void fake_run_aio(struct fake *f, unsigned int ms)
{
	struct pollfd p = { .fd = f->be->aio.efd, .events = POLLIN };

	if (poll(&p, 1, (int)ms) > 0)
		bb_backend_aio(f->be);
}

/* ---- the frontend ---- */

static void fe_key(struct fe *fe, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fe_key(struct fe *fe, const char *key, const char *fmt, ...)
{
	char path[160], buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", fe->fe_path, key);
	node_set(fe->f, path, buf);
}

static void be_key(struct fe *fe, const char *key, const char *value)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", fe->be_path, key);
	node_set(fe->f, path, value);
}

void fe_create(struct fe *fe, struct fake *f, uint16_t domid, uint32_t devid,
	       const char *image, const char *mode)
{
	char params[200];
	unsigned int i;

	memset(fe, 0, sizeof(*fe));
	fe->f = f;
	fe->domid = domid;
	fe->devid = devid;
	snprintf(fe->fe_path, sizeof(fe->fe_path), "/local/domain/%u/device/vbd/%u", domid, devid);
	snprintf(fe->be_path, sizeof(fe->be_path), "/local/domain/0/backend/qdisk/%u/%u", domid,
		 devid);
	snprintf(params, sizeof(params), "raw:%s", image);
	be_key(fe, "frontend", fe->fe_path);
	fe_key(fe, "backend", "%s", fe->be_path);
	fe_key(fe, "backend-id", "0");
	fe_key(fe, "virtual-device", "%u", devid);
	fe_key(fe, "device-type", "disk");
	be_key(fe, "params", params);
	be_key(fe, "type", "qdisk");
	be_key(fe, "mode", mode);
	be_key(fe, "dev", "xvda");
	be_key(fe, "device-type", "disk");
	be_key(fe, "discard-enable", "1");
	{
		char d[8];

		snprintf(d, sizeof(d), "%u", domid);
		be_key(fe, "frontend-id", d);
	}
	be_key(fe, "online", "1");
	fe_key(fe, "state", "1");
	be_key(fe, "state", "1");
	fe->data_page = fake_page_alloc(f, 64);
	for (i = 0; i < 64; i++)
		fe->data_gref[i] = fake_grant(f, domid, fe->data_page + i, false);
}

void fe_connect(struct fe *fe, unsigned int order, unsigned int nq)
{
	unsigned int i, j, n = 1u << order;

	fe->order = order;
	fe->nq = nq;
	{
		char path[160];

		/* A reconnecting frontend's earlier keys go, as a fresh one has none. */
		snprintf(path, sizeof(path), "%s/ring-page-order", fe->fe_path);
		fake_xs_rm(fe->f, path);
		snprintf(path, sizeof(path), "%s/multi-queue-num-queues", fe->fe_path);
		fake_xs_rm(fe->f, path);
	}
	if (order)
		fe_key(fe, "ring-page-order", "%u", order);
	if (nq > 1)
		fe_key(fe, "multi-queue-num-queues", "%u", nq);
	fe_key(fe, "protocol", "x86_64-abi");
	for (i = 0; i < nq; i++) {
		char dir[24] = "";

		fe->q[i].first_page = fake_page_alloc(fe->f, n);
		fe->q[i].sring = fake_page(fe->f, fe->q[i].first_page);
		memset(fe->q[i].sring, 0, n * PAGE);
		fe->q[i].sring->req_event = 1;	/* SHARED_RING_INIT */
		fe->q[i].sring->rsp_event = 1;
		fe->q[i].ring = (void *)((uint8_t *)fe->q[i].sring + 64);
		fe->q[i].size = bb_ring_size(n * PAGE);
		fe->q[i].req_prod_pvt = fe->q[i].rsp_cons = 0;
		fe->q[i].remote_port = 10 + i + fe->devid % 100;
		if (nq > 1)
			snprintf(dir, sizeof(dir), "queue-%u/", i);
		for (j = 0; j < n; j++) {
			uint32_t ref = fake_grant(fe->f, fe->domid, fe->q[i].first_page + j, false);
			char key[48];

			if (order)
				snprintf(key, sizeof(key), "%sring-ref%u", dir, j);
			else
				snprintf(key, sizeof(key), "%sring-ref", dir);
			fe_key(fe, key, "%u", ref);
		}
		{
			char key[48];

			snprintf(key, sizeof(key), "%sevent-channel", dir);
			fe_key(fe, key, "%u", fe->q[i].remote_port);
		}
	}
	fe_set_state(fe, 3);
}

void fe_set_state(struct fe *fe, int state)
{
	fe_key(fe, "state", "%d", state);
	fake_pump(fe->f);
}

int be_state(struct fe *fe)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/state", fe->be_path);
	return fake_xs_read_int(fe->f, path);
}

static int local_port(struct fe *fe, unsigned int q)
{
	int i;

	for (i = 1; i < FAKE_PORTS; i++)
		if (fe->f->ports[i].bound && fe->f->ports[i].domid == fe->domid &&
		    fe->f->ports[i].remote == fe->q[q].remote_port)
			return i;
	return -1;
}

void fe_push(struct fe *fe, unsigned int q, const void *req)
{
	struct bb_sring_hdr *s = fe->q[q].sring;
	uint32_t old = s->req_prod, new;
	int port;

	memcpy(&fe->q[q].ring[fe->q[q].req_prod_pvt & (fe->q[q].size - 1)], req,
	       sizeof(blkif_request_t));
	new = ++fe->q[q].req_prod_pvt;
	__atomic_store_n(&s->req_prod, new, __ATOMIC_RELEASE);
	/* RING_PUSH_REQUESTS_AND_CHECK_NOTIFY */
	if ((uint32_t)(new - s->req_event) < (uint32_t)(new - old)) {
		port = local_port(fe, q);
		if (port > 0)
			bb_backend_event(fe->f->be, port);
	}
}

unsigned int fe_wait(struct fe *fe, unsigned int q, unsigned int n)
{
	struct timespec t0, t;
	unsigned int have;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		have = fe->q[q].sring->rsp_prod - fe->q[q].rsp_cons;
		if (have >= n)
			return have;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > 5000)
			return have;
		fake_run_aio(fe->f, 20);
	}
}

blkif_response_t fe_pop(struct fe *fe, unsigned int q)
{
	blkif_response_t r;

	memcpy(&r, &fe->q[q].ring[fe->q[q].rsp_cons++ & (fe->q[q].size - 1)].rsp, sizeof(r));
	return r;
}

int16_t fe_rw(struct fe *fe, uint8_t op, uint64_t sector, unsigned int nsegs,
	      unsigned int first, unsigned int last)
{
	blkif_request_t req;
	blkif_response_t rsp;
	unsigned int i;

	memset(&req, 0, sizeof(req));
	req.operation = op;
	req.nr_segments = nsegs;
	req.id = 0x1234567800000000ull | op;
	req.sector_number = sector;
	for (i = 0; i < nsegs && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		req.seg[i].gref = fe->data_gref[i];
		req.seg[i].first_sect = first;
		req.seg[i].last_sect = last;
	}
	fe_push(fe, 0, &req);
	if (fe_wait(fe, 0, 1) < 1)
		return 99;
	rsp = fe_pop(fe, 0);
	assert_true(rsp.id == req.id);
	assert_int_equal(rsp.operation, op);
	return rsp.status;
}
