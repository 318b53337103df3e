/*
 * The world the guest kit's block frontend sees in host tests: keel-blkback's core behind
 * bb_fake.c, and the guest primitives (grants, event channels, time, xenstore) on top of it.
 * Guest memory the frontend grants is remapped onto the fake's shared memfd, so the backend's
 * maps and copies see the very bytes the frontend uses. No keel header here: the guest-side
 * functions are defined with the plain types their keel prototypes reduce to.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "host.h"
#include "bb_fake.h"
#include "kfront_world.h"

#define PAGE 4096u
#define GUEST_DOMID 5
#define GUEST_PORT_BASE 100
#define MAX_SHARED 512
#define STEP_NS 1000000ULL	/* virtual time per world step */

static struct fake f;
static struct bb_backend be;
static struct fe disks[3];
static char images[3][64];
static uint64_t now;
static unsigned int next_port = GUEST_PORT_BASE;
static struct { uintptr_t va; uint32_t page; } shared[MAX_SHARED];
static unsigned int nshared;

/* ---- setup ---- */

static bool guest_port(uint32_t port)
{
	return port >= GUEST_PORT_BASE && port < next_port;
}

/* As Xen: the backend binds only a port the guest allocated for it. */
static struct xenbe_env_ops ops;
static int (*fake_bind)(void *priv, uint16_t domid, uint32_t remote);
static void *(*fake_map)(void *priv, uint16_t domid, const uint32_t *refs, unsigned int n,
			 bool writable);
static void (*fake_unmap)(void *priv, void *addr, unsigned int n);

/* The backend's live maps, so that revoking a mapped grant fails as GTF_reading/writing make it. */
#define MAX_MAPS 512
static struct { void *addr; unsigned int n; uint32_t refs[128]; } maps[MAX_MAPS];

static void *map_tracked(void *priv, uint16_t domid, const uint32_t *refs, unsigned int n,
			 bool writable)
{
	void *addr = fake_map(priv, domid, refs, n, writable);

	for (unsigned int i = 0; addr && i < MAX_MAPS; i++)
		if (!maps[i].addr) {
			assert_true(n <= sizeof(maps[i].refs) / sizeof(maps[i].refs[0]));
			maps[i].addr = addr;
			maps[i].n = n;
			memcpy(maps[i].refs, refs, n * sizeof(*refs));
			break;
		}
	return addr;
}

static void unmap_tracked(void *priv, void *addr, unsigned int n)
{
	for (unsigned int i = 0; i < MAX_MAPS; i++)
		if (maps[i].addr == addr)
			maps[i].addr = NULL;
	fake_unmap(priv, addr, n);
}

static bool mapped(uint32_t ref)
{
	for (unsigned int i = 0; i < MAX_MAPS; i++)
		for (unsigned int j = 0; maps[i].addr && j < maps[i].n; j++)
			if (maps[i].refs[j] == ref)
				return true;
	return false;
}

static int bind_checked(void *priv, uint16_t domid, uint32_t remote)
{
	if (domid != GUEST_DOMID || !guest_port(remote))
		return -EINVAL;
	return fake_bind(priv, domid, remote);
}

void world_setup(unsigned int ndisks, const uint64_t *bytes, const bool *readonly, bool mapped)
{
	struct bb_config cfg;

	fake_init(&f);
	ops = *f.env.ops;
	fake_bind = ops.evtchn_bind;
	ops.evtchn_bind = bind_checked;
	fake_map = ops.gnt_map;
	fake_unmap = ops.gnt_unmap;
	ops.gnt_map = map_tracked;
	ops.gnt_unmap = unmap_tracked;
	memset(maps, 0, sizeof(maps));
	f.env.ops = &ops;
	next_port = GUEST_PORT_BASE;
	bb_config_defaults(&cfg);
	/* keel-blkback's own defaults, as dom0 runs it (on an image that refuses O_DIRECT). */
	cfg.direct = !mapped;
	cfg.map = mapped;
	assert_int_equal(bb_backend_init(&be, &f.env, &cfg, stderr), 0);
	f.be = &be;
	assert_int_equal(bb_backend_start(&be), 0);
	for (unsigned int i = 0; i < ndisks; i++) {
		snprintf(images[i], sizeof(images[i]), "/tmp/kfront-test-%d-%u.img", getpid(), i);
		FILE *img = fopen(images[i], "w");

		assert_non_null(img);
		assert_int_equal(ftruncate(fileno(img), (off_t)bytes[i]), 0);
		fclose(img);
		fe_create(&disks[i], &f, GUEST_DOMID, 51712 + 16 * i, images[i],
			  readonly[i] ? "r" : "w");
	}
	/* fe_create's own grants are not the frontend's: only what it grants is valid. */
	for (unsigned int i = 0; i < FAKE_GREFS; i++)
		f.gnt[i].valid = false;
	fake_pump(&f);
}

void world_teardown(void)
{
	bb_backend_fini(&be);
	fake_fini(&f);
	for (unsigned int i = 0; i < 3; i++)
		if (images[i][0])
			unlink(images[i]);
	memset(images, 0, sizeof(images));
	nshared = 0;
}

const char *world_image(unsigned int i)
{
	return images[i];
}

unsigned int world_backend_resources(void)
{
	return be.open_fds * 0 + be.mapped_pages + be.bound_ports;
}

const char *world_read(const char *path)
{
	return fake_xs_read(&f, path);
}

/* Backend work: watch events, event channels are pushed by sends, AIO completions. */
static void step(void)
{
	fake_pump(&f);
	fake_run_aio(&f, 0);
	fake_pump(&f);
	now += STEP_NS;
}

/* ---- guest memory shared with the fake's memfd ---- */

static uint32_t share(uintptr_t va)
{
	uint32_t page;
	void *p;

	va &= ~(uintptr_t)(PAGE - 1);
	for (unsigned int i = 0; i < nshared; i++)
		if (shared[i].va == va)
			return shared[i].page;
	assert_true(nshared < MAX_SHARED);
	page = fake_page_alloc(&f, 1);
	memcpy(fake_page(&f, page), (void *)va, PAGE);
	p = mmap((void *)va, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, f.memfd,
		 (off_t)page * PAGE);
	assert_true(p == (void *)va);
	shared[nshared].va = va;
	shared[nshared++].page = page;
	return page;
}

/* ---- the guest's grant table (gnttab.h) ---- */

void gnttab_grant_access(uint32_t ref, uint16_t domid, uint64_t gpa, bool readonly)
{
	assert_true(ref < FAKE_GREFS);
	f.gnt[ref].page = share((uintptr_t)gpa);
	f.gnt[ref].readonly = readonly;
	f.gnt[ref].domid = GUEST_DOMID;
	/* Granted to someone other than the backend: the backend cannot use it. */
	f.gnt[ref].valid = domid == 0;
}

int gnttab_end_access(uint32_t ref)
{
	assert_true(ref < FAKE_GREFS);
	if (mapped(ref))
		return -EBUSY;
	f.gnt[ref].valid = false;
	return 0;
}

/* ---- event channels (events.h) ---- */

long evtchn_alloc_unbound(uint16_t dom, uint16_t remote, uint32_t *port)
{
	*port = next_port++;
	return 0;
}

long evtchn_close(uint32_t port)
{
	return 0;
}

long evtchn_send(uint32_t port)
{
	for (unsigned int i = 1; i < FAKE_PORTS; i++)
		if (f.ports[i].bound && f.ports[i].domid == GUEST_DOMID &&
		    f.ports[i].remote == port)
			bb_backend_event(&be, i);
	return 0;
}

bool evtchn_poll(uint32_t port, uint64_t timeout_ns)
{
	step();
	return true;
}

void evtchn_clear_pending(uint32_t port)
{
}

uint64_t pvclock_ns(void)
{
	return now;
}

/* ---- xenstore (xenstore.h) on the fake's nodes, as domain 5 ---- */

static void abs_path(const char *path, char *out, size_t size)
{
	if (path[0] == '/')
		snprintf(out, size, "%s", path);
	else
		snprintf(out, size, "/local/domain/%u/%s", GUEST_DOMID, path);
}

int xs_read(uint32_t tx, const char *path, char *buf, uint32_t size)
{
	char p[256];
	const char *v;

	abs_path(path, p, sizeof(p));
	v = fake_xs_read(&f, p);
	if (!v)
		return -ENOENT;
	if (strlen(v) >= size)
		return -E2BIG;
	strcpy(buf, v);
	return (int)strlen(v);
}

int xs_read_u64(uint32_t tx, const char *path, uint64_t *value)
{
	char buf[32];
	uint64_t v = 0;
	int n = xs_read(tx, path, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (!n || n > 20 || (buf[0] == '0' && n > 1))
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		if (buf[i] < '0' || buf[i] > '9' || v > (UINT64_MAX - (buf[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (buf[i] - '0');
	}
	*value = v;
	return 0;
}

int xs_write(uint32_t tx, const char *path, const char *value)
{
	char p[256];

	abs_path(path, p, sizeof(p));
	fake_xs_write(&f, p, "%s", value);
	return 0;
}

int xs_printf(uint32_t tx, const char *path, const char *fmt, ...)
{
	char value[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return xs_write(tx, path, value);
}

int xs_mkdir(uint32_t tx, const char *path)
{
	return xs_write(tx, path, "");
}

int xs_rm(uint32_t tx, const char *path)
{
	char p[256];

	size_t n;

	abs_path(path, p, sizeof(p));
	n = strlen(p);
	for (unsigned int i = 0; i < FAKE_NODES; i++) {
		const char *q = f.nodes[i].path;

		if (q && !strncmp(q, p, n) && (!q[n] || q[n] == '/')) {
			fake_xs_rm(&f, p);
			/* As xenstored: removing a node fires the watches below it too. */
			for (unsigned int w = 0; w < FAKE_WATCHES; w++) {
				const char *wp = f.watches[w].path;

				if (!wp || strncmp(wp, p, n) || wp[n] != '/' ||
				    f.nr_events >= FAKE_EVENTS)
					continue;
				f.events[f.nr_events].path = strdup(wp);
				f.events[f.nr_events].token = strdup(f.watches[w].token);
				f.nr_events++;
			}
			return 0;
		}
	}
	return -ENOENT;
}

int xs_directory(uint32_t tx, const char *path, char *buf, uint32_t size)
{
	char p[256];
	uint32_t used = 0;
	int count = 0;
	size_t n;

	abs_path(path, p, sizeof(p));
	n = strlen(p);
	for (unsigned int i = 0; i < FAKE_NODES; i++) {
		const char *q = f.nodes[i].path, *name, *end;
		size_t len;
		bool dup = false;

		if (!q || strncmp(q, p, n) || q[n] != '/')
			continue;
		name = q + n + 1;
		end = strchr(name, '/');
		len = end ? (size_t)(end - name) : strlen(name);
		for (uint32_t off = 0; off < used; off += strlen(buf + off) + 1)
			dup |= strlen(buf + off) == len && !strncmp(buf + off, name, len);
		if (dup)
			continue;
		if (used + len + 1 >= size)
			return -E2BIG;
		memcpy(buf + used, name, len);
		buf[used + len] = '\0';
		used += len + 1;
		count++;
	}
	return count;
}

int xs_transaction_start(uint32_t *tx)
{
	*tx = 1;
	return 0;
}

int xs_transaction_end(uint32_t tx, bool commit)
{
	return 0;
}

int xs_wait_value(const char *path, bool (*ok)(const char *val, void *arg), void *arg,
		  uint64_t timeout_ns, char *val, uint32_t size)
{
	uint64_t end = now + timeout_ns;

	for (;;) {
		int rc = xs_read(0, path, val, size);

		if (rc == -ENOENT)
			val[0] = '\0';
		else if (rc < 0)
			return rc;
		if (ok(val, arg))
			return 0;
		if (now >= end)
			return -ETIMEDOUT;
		step();
	}
}

/* The guest dies: @releaseDomain reaches the backend. What each device still holds after. */
void world_kill_guest(void)
{
	f.alive[GUEST_DOMID] = false;
	bb_backend_watch(&be, "@releaseDomain", "rel");
	for (int i = 0; i < 100; i++)
		step();
}

unsigned int world_devices_held(void)
{
	unsigned int n = 0;

	for (struct bb_dev *d = be.devs; d; d = d->next) {
		if (d->phase == BB_DEV_RELEASED)
			continue;
		fprintf(stderr, "world: d%u/%u still held: state %d, fd %d, %u in flight\n",
			d->domid, d->devid, d->state, d->fd, bb_dev_inflight(d));
		n++;
	}
	return n;
}
