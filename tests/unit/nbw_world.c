/*
 * The world the guest kit's net frontend sees in its host test against keel-netback: the
 * backend's real core behind nb_fake.c, the guest primitives (grants, event channels, time,
 * xenstore as domain 5) on top of it, and a bridge joining the backend's TAP devices to each
 * other and to dom0's host (nf_host.c). Guest memory the frontend grants is remapped onto the
 * fake's shared memfd, so the backend's maps and copies see the very bytes the frontend uses.
 * No keel header here: the guest-side functions are defined with the plain types their keel
 * prototypes reduce to.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "host.h"
#include "nb_fake.h"
#include "nf_host.h"
#include "nbw_world.h"

#define PAGE 4096u
#define GUEST_PORT_BASE 100
#define MAX_SHARED 2048
#define STEP_NS 1000000ULL

static struct nfake f;
static struct nb_backend be;
static struct nb_config cfg;
static struct nfe fes[2];
static uint64_t now;
static unsigned int next_port;
static struct { uintptr_t va; uint32_t page; } shared[MAX_SHARED];
static unsigned int nshared;
static struct { bool known; uint8_t mac[6]; } learned[NF_TAPS];

/* ---- the bridge ---- */

static void to_tap(struct nf_tap *t, const uint8_t *frame, uint32_t len)
{
	static const uint8_t vhdr[NB_VNET_HLEN];

	if (t->open && t->nin < NF_FRAMES)
		nf_tap_inject(&f, t, vhdr, frame, len);
}

static void forward(int from, const uint8_t *frame, uint32_t len)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	bool all = !memcmp(frame, bcast, 6);

	for (int i = 0; i < NF_TAPS; i++)
		if (i != from && f.taps[i].open &&
		    (all || (learned[i].known && !memcmp(frame, learned[i].mac, 6))))
			to_tap(&f.taps[i], frame, len);
	if (from >= 0 && (all || !memcmp(frame, nfh_mac, 6)))
		nfh_input(frame, len, now);
}

static void host_out(const uint8_t *frame, uint32_t len)
{
	forward(-1, frame, len);
}

/* Frames the backend wrote to its TAPs (guests' TX) onto the bridge. */
static void bridge(void)
{
	for (int i = 0; i < NF_TAPS; i++) {
		struct nf_tap *t = &f.taps[i];

		for (unsigned int k = 0; t->open && k < t->nout; k++) {
			uint8_t *d = t->out[k].data + NB_VNET_HLEN;
			uint32_t len = t->out[k].len - NB_VNET_HLEN;

			if (t->out[k].len < NB_VNET_HLEN + 14)
				continue;
			learned[i].known = true;
			memcpy(learned[i].mac, d + 6, 6);
			forward(i, d, len);
		}
		for (unsigned int k = 0; k < t->nout; k++)
			free(t->out[k].data);
		t->nout = 0;
	}
}

/* Backend work: watch events, deferred rings, the bridge, timers. */
static void step(void)
{
	now += STEP_NS;
	nf_clock_set(now / 1000000ULL);
	nf_pump(&f);
	for (int i = 0; i < 64 && (nb_backend_work(&be) || nb_backend_idle(&be)); i++)
		;
	bridge();
	nfh_tick(now);
	nf_pump(&f);
}

/* ---- the backend's environment, watched ---- */

/* As Xen: the backend binds only a port the guest allocated for it. */
static struct xenbe_env_ops ops;
static int (*fake_bind)(void *priv, uint16_t domid, uint32_t remote);
static void *(*fake_map)(void *priv, uint16_t domid, const uint32_t *refs, unsigned int n,
			 bool writable);
static void (*fake_unmap)(void *priv, void *addr, unsigned int n);

/* The backend's live maps, so that revoking a mapped grant fails as GTF_reading/writing make it. */
#define MAX_MAPS 64
static struct { void *addr; unsigned int n; uint32_t refs[16]; } maps[MAX_MAPS];

static void *map_tracked(void *priv, uint16_t domid, const uint32_t *refs, unsigned int n,
			 bool writable)
{
	void *addr = fake_map(priv, domid, refs, n, writable);

	for (unsigned int i = 0; addr && i < MAX_MAPS; i++)
		if (!maps[i].addr) {
			assert_true(n <= 16);
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
	if (domid != NBW_DOMID || remote < GUEST_PORT_BASE || remote >= next_port)
		return -EINVAL;
	return fake_bind(priv, domid, remote);
}

/* ---- setup ---- */

void nbw_setup(unsigned int n)
{
	nf_init(&f);
	ops = *f.env.ops;
	fake_bind = ops.evtchn_bind;
	ops.evtchn_bind = bind_checked;
	fake_map = ops.gnt_map;
	fake_unmap = ops.gnt_unmap;
	ops.gnt_map = map_tracked;
	ops.gnt_unmap = unmap_tracked;
	memset(maps, 0, sizeof(maps));
	f.env.ops = &ops;
	nb_config_defaults(&cfg);
	assert_int_equal(nb_backend_init(&be, &f.env, &f.tap, &cfg, NULL), 0);
	be.now_ms = nf_clock();
	f.be = &be;
	assert_int_equal(nb_backend_start(&be), 0);
	nf_pump(&f);
	now = 1000000000ULL;
	next_port = GUEST_PORT_BASE;
	memset(learned, 0, sizeof(learned));
	nfh_init(host_out);
	for (unsigned int h = 0; h < n; h++) {
		char p[96];

		nfe_create(&f, &fes[h], NBW_DOMID, h);
		snprintf(p, sizeof(p), "%s/mac", fes[h].fe_path);
		nf_xs_write(&f, p, "00:16:3e:00:00:%02x", h);
		snprintf(p, sizeof(p), "%s/mac", fes[h].be_path);
		nf_xs_write(&f, p, "00:16:3e:00:00:%02x", h);
	}
	/* nfe_create's own grants are not the frontend's: only what it grants is valid. */
	for (unsigned int i = 0; i < NF_GREFS; i++)
		f.gnt[i].valid = false;
	step();
}

void nbw_teardown(void)
{
	nb_backend_fini(&be);
	assert_int_equal(f.maps, 0);
	assert_int_equal(f.bound, 0);
	f.be = NULL;
	nf_fini(&f);
	for (unsigned int i = 0; i < nshared; i++)
		munmap((void *)shared[i].va, PAGE);
	/* The pages are gone from the memfd: back to private memory, zeroed, for the next test. */
	for (unsigned int i = 0; i < nshared; i++)
		assert_true(mmap((void *)shared[i].va, PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
			    (void *)shared[i].va);
	nshared = 0;
}

unsigned int nbw_maps(void)
{
	return f.maps;
}

unsigned int nbw_ports(void)
{
	return f.bound;
}

unsigned int nbw_taps(void)
{
	unsigned int n = 0;

	for (int i = 0; i < NF_TAPS; i++)
		n += f.taps[i].open;
	return n;
}

const char *nbw_read(const char *path)
{
	return nf_xs_read(&f, path);
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
	assert_true(f.next_page < NF_PAGES);
	page = f.next_page++;
	memcpy(nf_page(&f, page), (void *)va, PAGE);
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
	assert_true(ref < NF_GREFS);
	f.gnt[ref].page = share((uintptr_t)gpa);
	f.gnt[ref].readonly = readonly;
	f.gnt[ref].domid = NBW_DOMID;
	/* Granted to someone other than the backend: the backend cannot use it. */
	f.gnt[ref].valid = domid == 0;
}

int gnttab_end_access(uint32_t ref)
{
	assert_true(ref < NF_GREFS);
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
	for (unsigned int i = 1; i < NF_PORTS; i++)
		if (f.ports[i].bound && f.ports[i].domid == NBW_DOMID && f.ports[i].remote == port)
			nb_backend_event(&be, i);
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
		snprintf(out, size, "/local/domain/%u/%s", NBW_DOMID, path);
}

int xs_read(uint32_t tx, const char *path, char *buf, uint32_t size)
{
	char p[256];
	const char *v;

	abs_path(path, p, sizeof(p));
	v = nf_xs_read(&f, p);
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
	if (strncmp(p, "/local/domain/5/", 16))
		return -EACCES;
	nf_xs_write(&f, p, "%s", value);
	return 0;
}

int xs_printf(uint32_t tx, const char *path, const char *fmt, ...)
{
	char value[4096];
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

	abs_path(path, p, sizeof(p));
	if (strncmp(p, "/local/domain/5/", 16))
		return -EACCES;
	nf_xs_rm(&f, p);
	return 0;
}

int xs_directory(uint32_t tx, const char *path, char *buf, uint32_t size)
{
	char p[256];
	uint32_t used = 0;
	int count = 0;
	size_t n;

	abs_path(path, p, sizeof(p));
	n = strlen(p);
	for (unsigned int i = 0; i < NF_NODES; i++) {
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

unsigned int xs_events_seen(void)
{
	return 0;
}

unsigned int xs_events_lost(void)
{
	return 0;
}
