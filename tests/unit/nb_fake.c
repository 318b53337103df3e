/* keel-netback's host tests: xenstore, grants, event channels, TAPs and a netfront, simulated. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "host.h"
#include "nb_fake.h"

#define PAGE 4096u

/* ---- xenstore: flat nodes, watches queue events on writes at or below their path ---- */

static int node_find(struct nfake *f, const char *path)
{
	int i;

	for (i = 0; i < NF_NODES; i++)
		if (f->nodes[i].path && !strcmp(f->nodes[i].path, path))
			return i;
	return -1;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

static void queue_event(struct nfake *f, const char *path, const char *token)
{
	if (f->nr_events >= NF_EVENTS)
		return;
	f->events[f->nr_events].path = strdup(path);
	f->events[f->nr_events].token = strdup(token);
	f->nr_events++;
}

static void fire(struct nfake *f, const char *path, bool recursive)
{
	int i;

	for (i = 0; i < NF_WATCHES; i++)
		if (f->watches[i].path && (under(path, f->watches[i].path) ||
					   (recursive && under(f->watches[i].path, path))))
			queue_event(f, path, f->watches[i].token);
}

static void node_set(struct nfake *f, const char *path, const char *value)
{
	int i = node_find(f, path);

	if (i < 0) {
		for (i = 0; i < NF_NODES && f->nodes[i].path; i++)
			;
		assert_true(i < NF_NODES);
		f->nodes[i].path = strdup(path);
	} else {
		free(f->nodes[i].value);
	}
	f->nodes[i].value = strdup(value);
	fire(f, path, false);
}

void nf_xs_write(struct nfake *f, const char *path, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	node_set(f, path, buf);
}

const char *nf_xs_read(struct nfake *f, const char *path)
{
	int i = node_find(f, path);

	return i < 0 ? NULL : f->nodes[i].value;
}

int nf_xs_read_int(struct nfake *f, const char *path)
{
	const char *v = nf_xs_read(f, path);

	return v ? atoi(v) : -1;
}

void nf_xs_rm(struct nfake *f, const char *path)
{
	int i;

	for (i = 0; i < NF_NODES; i++) {
		if (!f->nodes[i].path || !under(f->nodes[i].path, path))
			continue;
		free(f->nodes[i].path);
		free(f->nodes[i].value);
		f->nodes[i].path = f->nodes[i].value = NULL;
	}
	fire(f, path, true);
}

void nf_pump(struct nfake *f)
{
	unsigned int rounds = 0;

	while (f->nr_events && rounds++ < 10000) {
		char *path = f->events[0].path, *token = f->events[0].token;

		f->nr_events--;
		memmove(&f->events[0], &f->events[1], f->nr_events * sizeof(f->events[0]));
		if (f->be)
			nb_backend_watch(f->be, path, token);
		free(path);
		free(token);
	}
}

static int x_read(void *priv, uint32_t tx, const char *path, char **value)
{
	const char *v = nf_xs_read(priv, path);

	((struct nfake *)priv)->xs_reads++;
	if (!v)
		return -ENOENT;
	*value = strdup(v);
	return 0;
}

static int x_write(void *priv, uint32_t tx, const char *path, const char *value)
{
	node_set(priv, path, value);
	return 0;
}

static int x_rm(void *priv, uint32_t tx, const char *path)
{
	nf_xs_rm(priv, path);
	return 0;
}

static int x_directory(void *priv, const char *path, char ***names, unsigned int *nr)
{
	struct nfake *f = priv;
	char **list = calloc(NF_NODES + 1, sizeof(*list));
	size_t n = strlen(path);
	unsigned int cnt = 0, i, j;

	for (i = 0; i < NF_NODES; i++) {
		const char *p = f->nodes[i].path, *slash;
		char name[128];
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
	struct nfake *f = priv;
	int i;

	for (i = 0; i < NF_WATCHES && f->watches[i].path; i++)
		;
	assert_true(i < NF_WATCHES);
	f->watches[i].path = strdup(path);
	f->watches[i].token = strdup(token);
	queue_event(f, path, token);	/* a new watch fires once */
	return 0;
}

static int x_unwatch(void *priv, const char *path, const char *token)
{
	struct nfake *f = priv;
	int i;

	for (i = 0; i < NF_WATCHES; i++)
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
	*tx = 1;
	return 0;
}

static int x_tx_end(void *priv, uint32_t tx, bool commit)
{
	return 0;
}

static bool x_alive(void *priv, uint16_t domid)
{
	struct nfake *f = priv;

	return domid < 8 && f->alive[domid];
}

/* ---- grants ---- */

void *nf_page(struct nfake *f, uint32_t page)
{
	return f->mem + (size_t)page * PAGE;
}

static uint32_t page_alloc(struct nfake *f, unsigned int n)
{
	uint32_t p = f->next_page;

	assert_true(p + n <= NF_PAGES);
	f->next_page += n;
	return p;
}

uint32_t nf_grant(struct nfake *f, uint16_t domid, uint32_t page, bool readonly)
{
	uint32_t ref = f->next_gref++;

	assert_true(ref < NF_GREFS);
	f->gnt[ref].valid = true;
	f->gnt[ref].readonly = readonly;
	f->gnt[ref].domid = domid;
	f->gnt[ref].page = page;
	return ref;
}

static bool gnt_ok(struct nfake *f, uint16_t domid, uint32_t ref)
{
	return ref < NF_GREFS && f->gnt[ref].valid && f->gnt[ref].domid == domid;
}

static void *g_map(void *priv, uint16_t domid, const uint32_t *refs, unsigned int n,
		   bool writable)
{
	struct nfake *f = priv;
	uint8_t *base;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!gnt_ok(f, domid, refs[i]) || (writable && f->gnt[refs[i]].readonly)) {
			errno = EINVAL;
			return NULL;
		}
	base = mmap(NULL, (size_t)n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(base != MAP_FAILED);
	for (i = 0; i < n; i++)
		assert_true(mmap(base + (size_t)i * PAGE, PAGE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, f->memfd,
				 (off_t)f->gnt[refs[i]].page * PAGE) != MAP_FAILED);
	f->maps += n;
	return base;
}

static void g_unmap(void *priv, void *addr, unsigned int n)
{
	struct nfake *f = priv;

	assert_true(f->maps >= n);
	munmap(addr, (size_t)n * PAGE);
	f->maps -= n;
}

static int16_t side(struct nfake *f, bool is_ref, uint32_t ref, uint16_t off, uint16_t domid,
		    uint16_t len, bool dest, uint8_t **p)
{
	if (!is_ref)
		return GNTST_okay;
	if (domid >= 8 || !f->alive[domid])
		return GNTST_bad_domain;
	if (!gnt_ok(f, domid, ref))
		return GNTST_bad_gntref;
	if (dest && f->gnt[ref].readonly)
		return GNTST_permission_denied;
	if ((uint32_t)off + len > PAGE)
		return GNTST_bad_copy_arg;
	*p = f->mem + (size_t)f->gnt[ref].page * PAGE + off;
	return GNTST_okay;
}

static int g_copy(void *priv, struct ioctl_gntdev_grant_copy_segment *segs, unsigned int n)
{
	struct nfake *f = priv;
	unsigned int i;

	f->copies++;
	for (i = 0; i < n; i++) {
		struct ioctl_gntdev_grant_copy_segment *s = &segs[i];
		bool sref = s->flags & GNTCOPY_source_gref, dref = s->flags & GNTCOPY_dest_gref;
		uint8_t *src = s->source.virt, *dst = s->dest.virt;

		if (!sref && !dref)
			return -EINVAL;
		s->status = side(f, sref, s->source.foreign.ref, s->source.foreign.offset,
				 s->source.foreign.domid, s->len, false, &src);
		if (s->status == GNTST_okay)
			s->status = side(f, dref, s->dest.foreign.ref, s->dest.foreign.offset,
					 s->dest.foreign.domid, s->len, true, &dst);
		if (s->status == GNTST_okay)
			memcpy(dst, src, s->len);
	}
	return 0;
}

/* ---- event channels ---- */

static int e_bind(void *priv, uint16_t domid, uint32_t remote)
{
	struct nfake *f = priv;
	int i;

	if (domid >= 8 || !f->alive[domid])
		return -ESRCH;
	if (remote == 0 || remote >= 4096)
		return -EINVAL;
	for (i = 1; i < NF_PORTS; i++)
		if (f->ports[i].bound && f->ports[i].domid == domid && f->ports[i].remote == remote)
			return -EBUSY;
	for (i = 1; i < NF_PORTS; i++)
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
	struct nfake *f = priv;

	assert_true(port < NF_PORTS && f->ports[port].bound);
	f->ports[port].bound = false;
	f->bound--;
}

static void e_notify(void *priv, uint32_t port)
{
	struct nfake *f = priv;

	assert_true(port < NF_PORTS && f->ports[port].bound);
	f->ports[port].notified++;
	if (f->on_notify)
		f->on_notify(f, port);
}

static void e_unmask(void *priv, uint32_t port)
{
}

static const struct xenbe_env_ops nf_ops = {
	.xs_read = x_read, .xs_write = x_write, .xs_rm = x_rm, .xs_directory = x_directory,
	.xs_watch = x_watch, .xs_unwatch = x_unwatch, .xs_tx_start = x_tx_start,
	.xs_tx_end = x_tx_end, .domain_alive = x_alive,
	.gnt_map = g_map, .gnt_unmap = g_unmap, .gnt_copy = g_copy,
	.evtchn_bind = e_bind, .evtchn_unbind = e_unbind, .evtchn_notify = e_notify,
	.evtchn_unmask = e_unmask,
};

/* ---- TAPs: handle = index ---- */

void nf_tap_clear(struct nf_tap *t)
{
	unsigned int i;

	for (i = 0; i < t->nout; i++)
		free(t->out[i].data);
	for (i = 0; i < t->nin; i++)
		free(t->in[i].data);
	t->nout = t->nin = 0;
}

static int t_open(void *priv, const char *name, const char *bridge, unsigned int mtu)
{
	struct nfake *f = priv;
	int i;

	if (f->tap_fail)
		return f->tap_fail;
	for (i = 0; i < NF_TAPS; i++)
		assert_false(f->taps[i].open && !strcmp(f->taps[i].name, name));
	for (i = 0; i < NF_TAPS; i++)
		if (!f->taps[i].open) {
			struct nf_tap *t = &f->taps[i];

			nf_tap_clear(t);
			memset(t, 0, sizeof(*t));
			t->open = true;
			snprintf(t->name, sizeof(t->name), "%s", name);
			snprintf(t->bridge, sizeof(t->bridge), "%s", bridge);
			t->mtu = mtu;
			f->tap_opens++;
			return i;
		}
	return -ENOSPC;
}

static void t_close(void *priv, int tap)
{
	struct nfake *f = priv;

	assert_true(tap >= 0 && tap < NF_TAPS && f->taps[tap].open);
	f->taps[tap].open = false;
	nf_tap_clear(&f->taps[tap]);
}

static int t_set_offload(void *priv, int tap, unsigned int flags)
{
	struct nfake *f = priv;

	assert_true(tap >= 0 && tap < NF_TAPS && f->taps[tap].open);
	f->taps[tap].offload = flags;
	return 0;
}

static int t_write(void *priv, int tap, const struct iovec *iov, int iovcnt)
{
	struct nfake *f = priv;
	struct nf_tap *t = &f->taps[tap];
	size_t len = 0, off = 0;
	int i;

	assert_true(tap >= 0 && tap < NF_TAPS && t->open);
	if (t->nout == NF_FRAMES)
		return -ENOBUFS;
	for (i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	t->out[t->nout].data = malloc(len);
	for (i = 0; i < iovcnt; i++) {
		memcpy(t->out[t->nout].data + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	t->out[t->nout++].len = len;
	return 0;
}

static ssize_t t_read(void *priv, int tap, void *buf, size_t len)
{
	struct nfake *f = priv;
	struct nf_tap *t = &f->taps[tap];
	size_t n;

	assert_true(tap >= 0 && tap < NF_TAPS && t->open);
	t->reads++;
	if (!t->nin)
		return -EAGAIN;
	n = t->in[0].len < len ? t->in[0].len : len;
	memcpy(buf, t->in[0].data, n);
	free(t->in[0].data);
	t->nin--;
	memmove(&t->in[0], &t->in[1], t->nin * sizeof(t->in[0]));
	return (ssize_t)n;
}

static const struct nb_tap_ops nf_tap_ops = {
	.open = t_open, .close = t_close, .set_offload = t_set_offload,
	.write = t_write, .read = t_read,
};

struct nf_tap *nf_tap(struct nfake *f, const char *name)
{
	int i;

	for (i = 0; i < NF_TAPS; i++)
		if (f->taps[i].open && !strcmp(f->taps[i].name, name))
			return &f->taps[i];
	return NULL;
}

void nf_tap_inject(struct nfake *f, struct nf_tap *t, const void *vhdr, const void *frame,
		   size_t len)
{
	uint8_t *d = malloc(NB_VNET_HLEN + len);

	assert_true(t->nin < NF_FRAMES);
	memcpy(d, vhdr, NB_VNET_HLEN);
	memcpy(d + NB_VNET_HLEN, frame, len);
	t->in[t->nin].data = d;
	t->in[t->nin++].len = NB_VNET_HLEN + len;
	if (f->be)
		nb_backend_tap(f->be, (int)(t - f->taps));
}

static uint64_t clock_now;

static uint64_t nf_now(void)
{
	return clock_now;
}

void nf_init(struct nfake *f)
{
	memset(f, 0, sizeof(*f));
	f->memfd = memfd_create("nb-guest", 0);
	assert_true(f->memfd >= 0);
	assert_int_equal(ftruncate(f->memfd, (off_t)NF_PAGES * PAGE), 0);
	f->mem = mmap(NULL, (size_t)NF_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f->memfd, 0);
	assert_true(f->mem != MAP_FAILED);
	f->next_gref = 8;
	memset(f->alive, 1, sizeof(f->alive));
	f->env.ops = &nf_ops;
	f->env.priv = f;
	f->tap.ops = &nf_tap_ops;
	f->tap.priv = f;
	clock_now = 1000;
}

/* The tests move the clock through this (nb_backend's now_ms has no argument). */
void nf_clock_set(uint64_t ms)
{
	clock_now = ms;
}

uint64_t (*nf_clock(void))(void)
{
	return nf_now;
}

void nf_fini(struct nfake *f)
{
	int i;

	for (i = 0; i < NF_NODES; i++) {
		free(f->nodes[i].path);
		free(f->nodes[i].value);
	}
	for (i = 0; i < NF_WATCHES; i++) {
		free(f->watches[i].path);
		free(f->watches[i].token);
	}
	for (i = 0; i < (int)f->nr_events; i++) {
		free(f->events[i].path);
		free(f->events[i].token);
	}
	for (i = 0; i < NF_TAPS; i++)
		nf_tap_clear(&f->taps[i]);
	munmap(f->mem, (size_t)NF_PAGES * PAGE);
	close(f->memfd);
}

/* ---- the netfront ---- */

static void fe_key(struct nfe *fe, const char *dir, const char *key, const char *val)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	nf_xs_write(fe->f, path, "%s", val);
}

void nfe_create(struct nfake *f, struct nfe *fe, uint16_t domid, uint32_t devid)
{
	char v[32];
	unsigned int i;

	memset(fe, 0, sizeof(*fe));
	fe->f = f;
	fe->domid = domid;
	fe->devid = devid;
	snprintf(fe->fe_path, sizeof(fe->fe_path), "/local/domain/%u/device/vif/%u", domid,
		 devid);
	snprintf(fe->be_path, sizeof(fe->be_path), "/local/domain/0/backend/qnic/%u/%u", domid,
		 devid);
	fe->data_page = page_alloc(f, 32);
	for (i = 0; i < 32; i++)
		fe->data_gref[i] = nf_grant(f, domid, fe->data_page + i, true);
	fe->rx_page = page_alloc(f, 256);
	for (i = 0; i < 256; i++)
		fe->rx_gref[i] = nf_grant(f, domid, fe->rx_page + i, false);
	fe_key(fe, fe->be_path, "frontend", fe->fe_path);
	snprintf(v, sizeof(v), "%u", domid);
	fe_key(fe, fe->be_path, "frontend-id", v);
	fe_key(fe, fe->be_path, "online", "1");
	snprintf(v, sizeof(v), "%u", devid);
	fe_key(fe, fe->be_path, "handle", v);
	fe_key(fe, fe->be_path, "mac", "00:16:3e:00:00:01");
	fe_key(fe, fe->be_path, "bridge", "xenbr0");
	fe_key(fe, fe->be_path, "type", "vif");
	fe_key(fe, fe->be_path, "state", "1");
	fe_key(fe, fe->fe_path, "backend", fe->be_path);
	fe_key(fe, fe->fe_path, "backend-id", "0");
	fe_key(fe, fe->fe_path, "handle", v);
	fe_key(fe, fe->fe_path, "mac", "00:16:3e:00:00:01");
	fe_key(fe, fe->fe_path, "state", "1");
	nf_pump(f);
}

void nfe_publish(struct nfe *fe, unsigned int nq, bool split)
{
	struct nfake *f = fe->f;
	unsigned int i;
	char v[32];

	fe->nq = nq;
	fe->split = split;
	for (i = 0; i < nq; i++) {
		char dir[96];
		uint32_t txp = page_alloc(f, 1), rxp = page_alloc(f, 1);

		if (nq > 1)
			snprintf(dir, sizeof(dir), "%s/queue-%u", fe->fe_path, i);
		else
			snprintf(dir, sizeof(dir), "%s", fe->fe_path);
		memset(nf_page(f, txp), 0, PAGE);
		memset(nf_page(f, rxp), 0, PAGE);
		fe->q[i].txs = nf_page(f, txp);
		fe->q[i].rxs = nf_page(f, rxp);
		fe->q[i].txs->req_event = fe->q[i].txs->rsp_event = 1;
		fe->q[i].rxs->req_event = fe->q[i].rxs->rsp_event = 1;
		fe->q[i].tx = (union nb_tx_slot *)((uint8_t *)fe->q[i].txs + NB_RING_HDR);
		fe->q[i].rx = (union nb_rx_slot *)((uint8_t *)fe->q[i].rxs + NB_RING_HDR);
		fe->q[i].tx_prod = fe->q[i].tx_cons = fe->q[i].rx_prod = fe->q[i].rx_cons = 0;
		snprintf(v, sizeof(v), "%u", nf_grant(f, fe->domid, txp, false));
		fe_key(fe, dir, "tx-ring-ref", v);
		snprintf(v, sizeof(v), "%u", nf_grant(f, fe->domid, rxp, false));
		fe_key(fe, dir, "rx-ring-ref", v);
		fe->q[i].port_tx = 10 + 2 * i + 20 * fe->devid;
		fe->q[i].port_rx = split ? fe->q[i].port_tx + 1 : fe->q[i].port_tx;
		if (split) {
			snprintf(v, sizeof(v), "%u", fe->q[i].port_tx);
			fe_key(fe, dir, "event-channel-tx", v);
			snprintf(v, sizeof(v), "%u", fe->q[i].port_rx);
			fe_key(fe, dir, "event-channel-rx", v);
		} else {
			snprintf(v, sizeof(v), "%u", fe->q[i].port_tx);
			fe_key(fe, dir, "event-channel", v);
		}
	}
	if (nq > 1) {
		snprintf(v, sizeof(v), "%u", nq);
		fe_key(fe, fe->fe_path, "multi-queue-num-queues", v);
	}
	fe_key(fe, fe->fe_path, "request-rx-copy", "1");
	fe_key(fe, fe->fe_path, "feature-rx-notify", "1");
	fe_key(fe, fe->fe_path, "feature-sg", "1");
	fe_key(fe, fe->fe_path, "feature-gso-tcpv4", "1");
	fe_key(fe, fe->fe_path, "feature-gso-tcpv6", "1");
	fe_key(fe, fe->fe_path, "feature-ipv6-csum-offload", "1");
}

void nfe_connect(struct nfe *fe, unsigned int nq, bool split)
{
	nfe_publish(fe, nq, split);
	nfe_set_state(fe, 4);
}

void nfe_set_state(struct nfe *fe, int state)
{
	char v[8];

	snprintf(v, sizeof(v), "%d", state);
	fe_key(fe, fe->fe_path, "state", v);
	nf_pump(fe->f);
}

int nfe_be_state(struct nfe *fe)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/state", fe->be_path);
	return nf_xs_read_int(fe->f, path);
}

struct nf_tap *nfe_tap(struct nfe *fe)
{
	char name[16];

	snprintf(name, sizeof(name), "vif%u.%u", fe->domid, fe->devid);
	return nf_tap(fe->f, name);
}

/* The backend's local port bound to the guest's @remote. */
static int local_port(struct nfe *fe, uint32_t remote)
{
	int i;

	for (i = 1; i < NF_PORTS; i++)
		if (fe->f->ports[i].bound && fe->f->ports[i].domid == fe->domid &&
		    fe->f->ports[i].remote == remote)
			return i;
	return -1;
}

void nfe_tx_slots(struct nfe *fe, unsigned int q, const union nb_tx_slot *s, unsigned int n)
{
	unsigned int i;
	int port;

	for (i = 0; i < n; i++)
		fe->q[q].tx[fe->q[q].tx_prod++ % NB_RING_SIZE] = s[i];
	__atomic_store_n(&fe->q[q].txs->req_prod, fe->q[q].tx_prod, __ATOMIC_RELEASE);
	port = local_port(fe, fe->q[q].port_tx);
	if (port > 0 && fe->f->be)
		nb_backend_event(fe->f->be, (uint32_t)port);
}

void nf_pattern(uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

void nfe_tx_packet(struct nfe *fe, unsigned int q, unsigned int len, unsigned int nfrags,
		   uint16_t flags, uint8_t seed)
{
	union nb_tx_slot s[32];
	uint8_t buf[65536];
	unsigned int i, off = 0, per = (len + nfrags - 1) / nfrags;

	assert_true(nfrags >= 1 && nfrags <= 32);
	nf_pattern(buf, len, seed);
	memset(s, 0, sizeof(s));
	for (i = 0; i < nfrags; i++) {
		unsigned int n = len - off < per ? len - off : per;

		assert_true(n <= PAGE);
		memcpy(nf_page(fe->f, fe->data_page + i), buf + off, n);
		s[i].req.gref = fe->data_gref[i];
		s[i].req.offset = 0;
		s[i].req.id = (uint16_t)(fe->q[q].tx_prod + i);
		s[i].req.size = i == 0 ? (uint16_t)len : (uint16_t)n;
		s[i].req.flags = i + 1 < nfrags ? NETTXF_more_data : 0;
		off += n;
	}
	s[0].req.flags |= flags;
	nfe_tx_slots(fe, q, s, nfrags);
}

bool nfe_tx_rsp(struct nfe *fe, unsigned int q, struct netif_tx_response *r)
{
	uint32_t prod = __atomic_load_n(&fe->q[q].txs->rsp_prod, __ATOMIC_ACQUIRE);

	if (fe->q[q].tx_cons == prod)
		return false;
	*r = fe->q[q].tx[fe->q[q].tx_cons++ % NB_RING_SIZE].rsp;
	return true;
}

void nfe_rx_post(struct nfe *fe, unsigned int q, unsigned int n)
{
	unsigned int i;
	int port;

	for (i = 0; i < n; i++) {
		uint32_t idx = fe->q[q].rx_prod++;
		union nb_rx_slot *s = &fe->q[q].rx[idx % NB_RING_SIZE];

		memset(s, 0, sizeof(*s));
		s->req.id = (uint16_t)(idx % NB_RING_SIZE);
		s->req.gref = fe->rx_gref[idx % NB_RING_SIZE];
	}
	__atomic_store_n(&fe->q[q].rxs->req_prod, fe->q[q].rx_prod, __ATOMIC_RELEASE);
	port = local_port(fe, fe->q[q].port_rx);
	if (port > 0 && fe->f->be)
		nb_backend_event(fe->f->be, (uint32_t)port);
}

bool nfe_rx_rsp(struct nfe *fe, unsigned int q, union nb_rx_slot *r, uint32_t *idx)
{
	uint32_t prod = __atomic_load_n(&fe->q[q].rxs->rsp_prod, __ATOMIC_ACQUIRE);

	if (fe->q[q].rx_cons == prod)
		return false;
	if (idx)
		*idx = fe->q[q].rx_cons;
	*r = fe->q[q].rx[fe->q[q].rx_cons++ % NB_RING_SIZE];
	return true;
}

uint8_t *nfe_rx_buf(struct nfe *fe, uint16_t id)
{
	return nf_page(fe->f, fe->rx_page + id % 256);
}
