/* One vif's xenbus state machine (split-drivers.md 2.6-2.8, netfront's order), by re-reads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>
#include "alloc.h"
#include "nb.h"
#include "xenbe_xs.h"

#define FE_GONE		0	/* a missing or unreadable frontend state reads as Unknown */
#define IFNAMSIZ_	16
#define MTU_MIN		68
#define MTU_MAX		65535
#define MTU_DEFAULT	1500

struct nb_vif *nb_vif_new(struct nb_backend *be, uint16_t domid, uint32_t devid)
{
	struct nb_vif *vif = xcalloc(1, sizeof(*vif));

	vif->be = be;
	vif->domid = domid;
	vif->devid = devid;
	vif->be_path = xasprintf("%s/%u/%u", be->root, domid, devid);
	vif->fe_path = xasprintf("/local/domain/%u/device/vif/%u", domid, devid);
	vif->fe_state_path = xasprintf("%s/state", vif->fe_path);
	snprintf(vif->token, sizeof(vif->token), "fe:%u:%u", domid, devid);
	/* Both ids are bounded (domid < 0x7ff0, devid checked by the scan) so it fits. */
	snprintf(vif->ifname, sizeof(vif->ifname), "vif%u.%u", domid, devid);
	vif->state = XENBE_STATE_UNKNOWN;
	vif->tap = -1;
	vif->rx_pend = xcalloc(1, NB_FRAME_MAX);
	return vif;
}

void nb_vif_free(struct nb_vif *vif)
{
	free(vif->be_path);
	free(vif->fe_path);
	free(vif->fe_state_path);
	free(vif->rx_pend);
	free(vif);
}

bool nb_vif_wants_tap(const struct nb_vif *vif)
{
	/* A frame waiting for RX buffers: leave the rest in the TAP's queue until it fits. */
	return vif->tap >= 0 && !vif->rx_pend_len;
}

/* ---- xenstore helpers ---- */

static int read_uint(struct nb_vif *vif, const char *dir, const char *key, uint64_t max,
		     uint64_t *v)
{
	return xenbe_read_uint(&vif->be->env, dir, key, max, v);
}

/* A 0/1 feature key: missing reads as 0; anything else than 0 or 1 is -EINVAL. */
static int read_flag(struct nb_vif *vif, const char *key, bool *on)
{
	uint64_t v = 0;
	int rc = read_uint(vif, vif->fe_path, key, 1, &v);

	if (rc && rc != -ENOENT)
		return rc;
	*on = v == 1;
	return 0;
}

static int fe_state(struct nb_vif *vif)
{
	uint64_t v;

	if (vif->dead)
		return FE_GONE;
	if (read_uint(vif, vif->fe_path, "state", XenbusStateReconfigured, &v))
		return FE_GONE;
	return (int)v;
}

static int commit(struct nb_vif *vif, const struct xenbe_kv *kv, unsigned int n, int state)
{
	return xenbe_commit(&vif->be->env, vif->be_path, &vif->state, &vif->gone, kv, n, state);
}

static int set_state(struct nb_vif *vif, int state)
{
	if (vif->state == state)
		return 0;
	return commit(vif, NULL, 0, state);
}

void nb_vif_fatal(struct nb_vif *vif, int err, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nb_log(vif->be, "d%u/%u: %s (%d)", vif->domid, vif->devid, msg, err);
	vif->failed = true;
	vif->fe_at_fail = fe_state(vif);
	xenbe_error_node(&vif->be->env, vif->be->cfg.btype, vif->domid, vif->devid, err, msg);
	nb_vif_release_rings(vif);
	set_state(vif, XenbusStateClosing);
}

/* ---- connection ---- */

void nb_vif_release_rings(struct nb_vif *vif)
{
	struct nb_backend *be = vif->be;
	struct xenbe_env *env = &be->env;
	unsigned int i;

	vif->rx_pend_len = 0;
	vif->rx_stall_since = 0;
	vif->rx_dropping = false;
	if (!vif->queues)
		return;
	for (i = 0; i < vif->nqueues; i++) {
		struct nb_queue *q = &vif->queues[i];

		if (q->rx_port >= 0 && q->rx_port != q->tx_port) {
			env->ops->evtchn_unbind(env->priv, q->rx_port);
			be->bound_ports--;
		}
		if (q->tx_port >= 0) {
			env->ops->evtchn_unbind(env->priv, q->tx_port);
			be->bound_ports--;
		}
		q->tx_port = q->rx_port = -1;
		if (q->tx.r.sring) {
			env->ops->gnt_unmap(env->priv, q->tx.r.sring, 1);
			be->mapped_pages--;
		}
		if (q->rx.r.sring) {
			env->ops->gnt_unmap(env->priv, q->rx.r.sring, 1);
			be->mapped_pages--;
		}
		q->tx.r.sring = NULL;
		q->rx.r.sring = NULL;
	}
	free(vif->queues);
	vif->queues = NULL;
	vif->nqueues = 0;
	/* Frames from dom0 are taken whole again once a frontend says what it takes. */
	if (vif->tap >= 0)
		be->tap.ops->set_offload(be->tap.priv, vif->tap, 0);
}

static void *map_ring(struct nb_vif *vif, const char *dir, const char *key)
{
	struct nb_backend *be = vif->be;
	struct xenbe_env *env = &be->env;
	uint32_t ref;
	uint64_t v;
	void *p;
	int rc = read_uint(vif, dir, key, UINT32_MAX, &v);

	if (rc) {
		nb_vif_fatal(vif, rc, "reading %s/%s", dir, key);
		return NULL;
	}
	ref = (uint32_t)v;
	p = env->ops->gnt_map(env->priv, vif->domid, &ref, 1, true);
	if (!p) {
		nb_vif_fatal(vif, errno ? -errno : -EINVAL, "mapping %s/%s", dir, key);
		return NULL;
	}
	be->mapped_pages++;
	return p;
}

static int bind_port(struct nb_vif *vif, const char *dir, const char *key)
{
	struct nb_backend *be = vif->be;
	struct xenbe_env *env = &be->env;
	uint64_t v;
	int rc = read_uint(vif, dir, key, UINT32_MAX, &v);

	if (rc) {
		nb_vif_fatal(vif, rc, "reading %s/%s", dir, key);
		return rc;
	}
	rc = env->ops->evtchn_bind(env->priv, vif->domid, (uint32_t)v);
	if (rc < 0) {
		nb_vif_fatal(vif, rc, "binding %s/%s", dir, key);
		return rc;
	}
	be->bound_ports++;
	return rc;
}

static int connect_queue(struct nb_vif *vif, struct nb_queue *q, const char *dir)
{
	void *p;
	int port;
	bool split = false;
	char *s;

	p = map_ring(vif, dir, "tx-ring-ref");
	if (!p)
		return -EINVAL;
	nb_ring_attach(&q->tx.r, p);
	q->tx.slots = (union nb_tx_slot *)((uint8_t *)p + NB_RING_HDR);
	p = map_ring(vif, dir, "rx-ring-ref");
	if (!p)
		return -EINVAL;
	nb_ring_attach(&q->rx.r, p);
	q->rx.slots = (union nb_rx_slot *)((uint8_t *)p + NB_RING_HDR);
	if (vif->be->cfg.split && xenbe_read_at(&vif->be->env, 0, dir, "event-channel-tx", &s) == 0) {
		free(s);
		split = true;
	}
	port = bind_port(vif, dir, split ? "event-channel-tx" : "event-channel");
	if (port < 0)
		return port;
	q->tx_port = q->rx_port = port;
	if (split) {
		port = bind_port(vif, dir, "event-channel-rx");
		if (port < 0)
			return port;
		q->rx_port = port;
	}
	return 0;
}

/* What the frontend can take: RX feature keys, all 0/1. */
static int read_features(struct nb_vif *vif)
{
	struct nb_fe_features *ff = &vif->ff;
	bool nocsum = false, notify = false;

	if (read_flag(vif, "feature-sg", &ff->sg) ||
	    read_flag(vif, "feature-gso-tcpv4", &ff->gso_tcpv4) ||
	    read_flag(vif, "feature-gso-tcpv6", &ff->gso_tcpv6) ||
	    read_flag(vif, "feature-ipv6-csum-offload", &ff->ipv6_csum) ||
	    read_flag(vif, "feature-no-csum-offload", &nocsum) ||
	    read_flag(vif, "feature-rx-notify", &notify)) {
		nb_vif_fatal(vif, -EINVAL, "bad feature key");
		return -EINVAL;
	}
	ff->csum = !nocsum;
	/* Without it the backend would have to poll the RX ring (Linux netback refuses too). */
	if (!notify) {
		nb_vif_fatal(vif, -EINVAL, "feature-rx-notify is mandatory");
		return -EINVAL;
	}
	return 0;
}

/* Frontend Connected: rings, ports, offloads, then state 4. */
static int connect(struct nb_vif *vif)
{
	struct nb_backend *be = vif->be;
	uint64_t nq = 1, copy = 0;
	unsigned int i;
	int rc;

	rc = read_uint(vif, vif->fe_path, "request-rx-copy", 1, &copy);
	if (rc || copy != 1) {
		nb_vif_fatal(vif, -EOPNOTSUPP, "request-rx-copy must be 1");
		return -EOPNOTSUPP;
	}
	rc = read_uint(vif, vif->fe_path, "multi-queue-num-queues", be->cfg.max_queues, &nq);
	if ((rc && rc != -ENOENT) || nq == 0) {
		nb_vif_fatal(vif, -EINVAL, "bad multi-queue-num-queues");
		return -EINVAL;
	}
	if (read_features(vif))
		return -EINVAL;
	vif->queues = xcalloc(nq, sizeof(*vif->queues));
	vif->nqueues = nq;
	for (i = 0; i < nq; i++) {
		vif->queues[i].vif = vif;
		vif->queues[i].idx = i;
		vif->queues[i].tx_port = vif->queues[i].rx_port = -1;
	}
	for (i = 0; i < nq; i++) {
		/* One queue: flat keys; more: queue-<i>/ (what netfront writes). */
		char *dir = rc == -ENOENT || nq == 1 ? xstrdup(vif->fe_path) :
			    xasprintf("%s/queue-%u", vif->fe_path, i);
		int err = connect_queue(vif, &vif->queues[i], dir);

		free(dir);
		if (err)
			return err;
	}
	be->tap.ops->set_offload(be->tap.priv, vif->tap, nb_tun_offload(&vif->ff));
	rc = commit(vif, NULL, 0, XenbusStateConnected);
	if (rc) {
		nb_vif_release_rings(vif);
		return rc;
	}
	nb_log(be, "d%u/%u: connected %s, %u queue(s)%s, sg %d gso %d/%d csum %d/%d", vif->domid,
	       vif->devid, vif->ifname, vif->nqueues,
	       vif->queues[0].tx_port != vif->queues[0].rx_port ? ", split channels" : "",
	       vif->ff.sg, vif->ff.gso_tcpv4, vif->ff.gso_tcpv6, vif->ff.csum, vif->ff.ipv6_csum);
	for (i = 0; i < vif->nqueues && vif->queues; i++)
		nb_tx_run(&vif->queues[i]);
	if (vif->queues)
		nb_rx_run(vif);
	return 0;
}

/* An interface name part: [A-Za-z0-9_.-], 1..15 characters (a bridge's name). */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= IFNAMSIZ_)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

/* Checks the toolstack's keys, opens the TAP, watches the frontend: 0 or fatal. */
static int prepare(struct nb_vif *vif)
{
	struct nb_backend *be = vif->be;
	struct xenbe_env *env = &be->env;
	char *fe = NULL, *bridge = NULL;
	uint64_t mtu = MTU_DEFAULT;
	int rc;

	if (xenbe_read_at(env, 0, vif->be_path, "frontend", &fe) || strcmp(fe, vif->fe_path)) {
		free(fe);
		nb_vif_fatal(vif, -EINVAL, "frontend is not %s", vif->fe_path);
		return -EINVAL;
	}
	free(fe);
	if (xenbe_read_at(env, 0, vif->be_path, "bridge", &bridge))
		bridge = xstrdup("xenbr0");
	rc = read_uint(vif, vif->be_path, "mtu", MTU_MAX, &mtu);
	if (!ifname_ok(bridge) || (rc && rc != -ENOENT) || mtu < MTU_MIN) {
		free(bridge);
		nb_vif_fatal(vif, -EINVAL, "bad bridge or mtu");
		return -EINVAL;
	}
	if (vif->tap < 0) {
		char *name;

		/* xl's vifname= renames dom0's side (vif-bridge does it); default vif<D>.<V>. */
		if (xenbe_read_at(env, 0, vif->be_path, "vifname", &name) == 0) {
			bool ok = ifname_ok(name);

			if (ok)
				snprintf(vif->ifname, sizeof(vif->ifname), "%s", name);
			free(name);
			if (!ok) {
				free(bridge);
				nb_vif_fatal(vif, -EINVAL, "bad vifname");
				return -EINVAL;
			}
		}
		rc = be->tap.ops->open(be->tap.priv, vif->ifname, bridge, (unsigned int)mtu);
		if (rc < 0) {
			nb_vif_fatal(vif, rc, "creating %s on %s", vif->ifname, bridge);
			free(bridge);
			return rc;
		}
		vif->tap = rc;
		be->open_taps++;
		nb_log(be, "d%u/%u: %s on %s, mtu %llu", vif->domid, vif->devid, vif->ifname,
		       bridge, (unsigned long long)mtu);
	}
	free(bridge);
	if (!vif->fe_watched) {
		rc = env->ops->xs_watch(env->priv, vif->fe_state_path, vif->token);
		if (rc) {
			nb_vif_fatal(vif, rc, "watching %s", vif->fe_state_path);
			return rc;
		}
		vif->fe_watched = true;
	}
	return 0;
}

/* Backend directory present with state 1 (or a reconnect): the TAP, the features, state 2. */
static int setup(struct nb_vif *vif)
{
	const struct nb_config *cfg = &vif->be->cfg;
	struct xenbe_kv kv[12];
	unsigned int n = 0;
	int rc = prepare(vif);

	if (rc)
		return rc;
#define KV(k, fmt, v) do { kv[n].key = (k); \
		snprintf(kv[n].val, sizeof(kv[n].val), fmt, v); n++; } while (0)
	KV("feature-rx-copy", "%u", 1);
	KV("feature-rx-flip", "%u", 0);
	KV("feature-sg", "%u", 1);
	KV("feature-gso-tcpv4", "%u", 1);
	KV("feature-gso-tcpv6", "%u", 1);
	KV("feature-ipv6-csum-offload", "%u", 1);
	KV("feature-split-event-channels", "%u", cfg->split ? 1 : 0);
	KV("multi-queue-max-queues", "%u", cfg->max_queues);
	KV("feature-multicast-control", "%u", 0);
	KV("feature-xdp-headroom", "%u", 0);
	/* The daemon did vif-bridge's work itself (4.7): what libxl waits for. */
	KV("hotplug-status", "%s", "connected");
#undef KV
	return commit(vif, kv, n, XenbusStateInitWait);
}

static void close_for_dead_domain(struct nb_vif *vif)
{
	uint64_t v = 0;
	int rc = read_uint(vif, vif->be_path, "state", XenbusStateReconfigured, &v);

	if (rc == -ENOENT) {
		vif->gone = true;
		return;
	}
	/* Whatever the toolstack wrote last (unreadable: any), so no -EBUSY. */
	vif->state = rc ? XENBE_STATE_UNKNOWN : (int)v;
	set_state(vif, XenbusStateClosed);
}

void nb_vif_release(struct nb_vif *vif)
{
	struct nb_backend *be = vif->be;
	struct xenbe_env *env = &be->env;

	nb_vif_release_rings(vif);
	if (vif->dead && !vif->gone)
		close_for_dead_domain(vif);
	if (vif->fe_watched) {
		env->ops->xs_unwatch(env->priv, vif->fe_state_path, vif->token);
		vif->fe_watched = false;
	}
	if (vif->tap >= 0) {
		be->tap.ops->close(be->tap.priv, vif->tap);
		vif->tap = -1;
		be->open_taps--;
	}
	if (vif->phase != NB_VIF_RELEASED)
		nb_log(be, "d%u/%u: released (tx %llu/%llu dropped, rx %llu/%llu dropped)",
		       vif->domid, vif->devid, (unsigned long long)vif->tx_packets,
		       (unsigned long long)vif->tx_dropped, (unsigned long long)vif->rx_packets,
		       (unsigned long long)vif->rx_dropped);
	vif->phase = NB_VIF_RELEASED;
}

/*
 * be/state when this instance first sees the vif. A predecessor's connection is not taken
 * over (its TAP is gone with it): it is closed, and the frontend reconnects from 1.
 */
static void adopt(struct nb_vif *vif, int bes)
{
	switch (bes) {
	case XenbusStateInitWait:
	case XenbusStateInitialised:
		/*
		 * The predecessor offered the features; its TAP went with it. Set up again from
		 * the state really there (a commit checks it), so the frontend's 4 connects.
		 */
		vif->state = bes;
		setup(vif);
		break;
	case XenbusStateInitialising:
		vif->state = XenbusStateInitialising;
		break;
	case XenbusStateConnected:
		vif->state = XenbusStateConnected;
		set_state(vif, XenbusStateClosing);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
		vif->state = bes;
		break;
	default:
		vif->state = XenbusStateClosed;
		break;
	}
}

/* One step; true when something changed and another step may follow. */
static bool step(struct nb_vif *vif)
{
	uint64_t v = 0, online = 0;
	int prev = vif->state, fe, bes, rc;
	bool active;

	if (vif->gone || vif->dead) {
		nb_vif_release(vif);
		return false;
	}
	rc = read_uint(vif, vif->be_path, "state", 8, &v);
	if (rc == -ENOENT) {
		vif->gone = true;
		nb_vif_release(vif);
		return false;
	}
	/* Not a state: no word from the toolstack (never a decision on an unread value). */
	bes = rc ? vif->state : (int)v;
	if (bes == XenbusStateInitialising && vif->state != XenbusStateInitialising &&
	    vif->state != XENBE_STATE_UNKNOWN) {
		/*
		 * Only a new device starts at 1: the toolstack removed ours and wrote another
		 * (a new domain with the old one's id) before we saw it go. A scan serves it.
		 */
		nb_log(vif->be, "d%u/%u: written anew", vif->domid, vif->devid);
		vif->gone = true;
		nb_vif_release(vif);
		vif->be->scan_pending = true;
		return false;
	}
	read_uint(vif, vif->be_path, "online", 1, &online);
	if (vif->state == XENBE_STATE_UNKNOWN) {
		struct xenbe_env *env = &vif->be->env;

		if (env->ops->xs_watch(env->priv, vif->fe_state_path, vif->token) == 0)
			vif->fe_watched = true;
		adopt(vif, bes);
		if (bes == XenbusStateClosing && !online)
			vif->toolstack_close = true;
		return true;
	}
	if (bes != vif->state && bes == XenbusStateClosing) {
		vif->toolstack_close = true;	/* detach, destroy */
		vif->state = XenbusStateClosing;
	}
	fe = fe_state(vif);
	active = fe >= XenbusStateInitWait && fe <= XenbusStateClosing;

	if (vif->toolstack_close || vif->state == XenbusStateClosing) {
		/* Closing: the frontend answers 5 with 6; until then it may still use the rings. */
		nb_vif_release_rings(vif);	/* netback disconnects on leaving Connected */
		if (active && vif->state != XenbusStateClosed)
			return false;
		/*
		 * It answered with 6 (or left): it saw the failure. A frontend that writes 1 as
		 * soon as it sees our 6 may do so before the next step reads its 6 in Closed.
		 */
		if (fe == XenbusStateClosed || fe == FE_GONE)
			vif->failed = false;
		if (vif->state != XenbusStateClosed && set_state(vif, XenbusStateClosed))
			return false;
		if (!online || vif->toolstack_close) {
			nb_vif_release(vif);
			return false;
		}
		return vif->state != prev;
	}

	switch (vif->state) {
	case XenbusStateInitialising:
		setup(vif);
		break;
	case XenbusStateInitWait:
		/* netfront writes 4 directly; 3 is accepted as other frontends write it. */
		if (fe == XenbusStateInitialised || fe == XenbusStateConnected)
			connect(vif);
		else if (fe == XenbusStateClosing)
			set_state(vif, XenbusStateClosing);
		else if (fe == XenbusStateClosed || fe == FE_GONE)
			set_state(vif, XenbusStateClosed);
		break;
	case XenbusStateConnected:
		if (fe == XenbusStateConnected || fe == XenbusStateInitialised)
			break;
		nb_vif_release_rings(vif);
		if (fe == XenbusStateClosing)
			set_state(vif, XenbusStateClosing);
		else if (fe == XenbusStateInitialising)
			setup(vif);	/* a reset without closing */
		else
			set_state(vif, XenbusStateClosed);
		break;
	case XenbusStateClosed:
		if (!online) {
			nb_vif_release(vif);
			return false;
		}
		/*
		 * The frontend saw the failure once its state moved: 6, or 1 again after a 4
		 * (it may write 6 and 1 before we look). One still at the 1 it failed in (a
		 * setup that cannot work) waits, or setup would fail again at once, forever.
		 */
		if (fe != XenbusStateInitialising || vif->fe_at_fail != XenbusStateInitialising)
			vif->failed = false;
		if (fe == XenbusStateInitialising && !vif->failed)
			setup(vif);	/* the frontend comes back: offer the features again */
		break;
	}
	return vif->state != prev;
}

void nb_vif_update(struct nb_vif *vif)
{
	int i;

	if (vif->phase == NB_VIF_RELEASED) {
		uint64_t v = 0;
		int rc;

		if (vif->gone)
			return;
		rc = read_uint(vif, vif->be_path, "state", 8, &v);
		if (rc == -ENOENT) {
			vif->gone = true;
		} else if (rc == 0 && v == XenbusStateInitialising) {
			/*
			 * The toolstack wrote the device anew (a re-attach, or a new domain with
			 * the dead one's id: keel reuses the lowest free id) before we saw the
			 * old directory go: this vif is done, a scan serves the new one.
			 */
			vif->gone = true;
			vif->be->scan_pending = true;
		} else if (rc == 0 && v == XenbusStateClosing) {
			vif->state = (int)v;
			set_state(vif, XenbusStateClosed);
		}
		return;
	}
	for (i = 0; i < 8 && step(vif); i++)
		;
}
