/*
 * A simulated net backend for the net frontend's host test, written from split-drivers.md 4.2/4.3
 * against Xen's own io/netif.h (so a layout the guest kit got wrong shows): the xenbus state
 * machine of 2.8, TX with every check of 4.2 (fatal errors fail the device: error node and state
 * 5), RX into the frontend's posted buffers by index, a bridge, and dom0's host at 10.0.0.1
 * answering ARP and pings and running keel-netpeer's stream core (tests/netpeer/peer.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>
#include "nf_world.h"
#include "nf_host.h"

#define PAGE 4096u
#define RXQ 64
#define MAX_FRAME 65536
#define FATAL_SLOTS 20
#define DROP_SLOTS 18

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct vif {
	unsigned int h;
	char be[64], fe[64];
	uint8_t mac[6];
	int state;			/* the backend's */
	bool connected;
	uint32_t tx_ref, rx_ref, port;
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	struct { uint8_t *data; uint32_t len; } q[RXQ];
	unsigned int qhead, qlen;
};

struct nfs_stats nfs;
static struct vif vifs[NFW_VIFS];
static unsigned int nvifs;
static uint8_t frame[MAX_FRAME];

/* ---- xenbus ---- */

static const char *be_key(struct vif *v, const char *k)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", v->be, k);
	return p;
}

static const char *fe_key(struct vif *v, const char *k)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", v->fe, k);
	return p;
}

static void set_state(struct vif *v, int s)
{
	v->state = s;
	nfw_write(be_key(v, "state"), "%d", s);
}

/* A strictly decimal value below @max, or -1. */
static long long fe_num(struct vif *v, const char *k, unsigned long long max)
{
	const char *s = nfw_read(fe_key(v, k));
	unsigned long long n = 0;

	if (!s || !*s || strlen(s) > 12 || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n < max ? (long long)n : -1;	/* a bound, not the check */
}

static void disconnect(struct vif *v)
{
	if (v->tx.sring)
		nfw_unmap(v->tx_ref);
	if (v->rx.sring)
		nfw_unmap(v->rx_ref);
	v->tx.sring = NULL;
	v->rx.sring = NULL;
	v->connected = false;
	v->port = 0;
	for (; v->qlen; v->qlen--, v->qhead++)
		free(v->q[v->qhead % RXQ].data);
}

static void fatal(struct vif *v, const char *msg)
{
	char p[128];

	snprintf(p, sizeof(p), "/local/domain/0/error/backend/qnic/%u/%u/error", NFW_DOMID, v->h);
	nfw_write(p, "%d %s", EINVAL, msg);
	nfs.fatal++;
	disconnect(v);
	set_state(v, XenbusStateClosing);
}

static void connect(struct vif *v)
{
	long long tx = fe_num(v, "tx-ring-ref", NFW_GREFS);
	long long rx = fe_num(v, "rx-ring-ref", NFW_GREFS);
	long long port = fe_num(v, "event-channel", 1u << 17);
	long long copy = fe_num(v, "request-rx-copy", 2);
	void *txp, *rxp;

	if (copy != 1)
		return fatal(v, "request-rx-copy is not 1");
	if (tx < 0 || rx < 0 || port < 0)
		return fatal(v, "bad ring refs or event channel");
	if (!nfw_port_ok(port))
		return fatal(v, "cannot bind the event channel");
	txp = nfw_map(tx);
	if (!txp)
		return fatal(v, "cannot map the TX ring");
	rxp = nfw_map(rx);
	if (!rxp) {
		nfw_unmap(tx);
		return fatal(v, "cannot map the RX ring");
	}
	v->tx_ref = tx;
	v->rx_ref = rx;
	v->port = port;
	BACK_RING_INIT(&v->tx, (netif_tx_sring_t *)txp, PAGE);
	BACK_RING_INIT(&v->rx, (netif_rx_sring_t *)rxp, PAGE);
	v->connected = true;
	set_state(v, XenbusStateConnected);
}

static void xenbus_step(struct vif *v)
{
	const char *s = nfw_read(fe_key(v, "state"));
	int fe = s ? atoi(s) : 0;
	char p[128];

	switch (v->state) {
	case XenbusStateInitWait:
		if (fe == XenbusStateConnected || fe == XenbusStateInitialised)
			connect(v);
		else if (fe == XenbusStateClosing)
			set_state(v, XenbusStateClosing);
		else if (fe == XenbusStateClosed || !s)
			set_state(v, XenbusStateClosed);
		break;
	case XenbusStateConnected:
		if (fe == XenbusStateClosing) {
			disconnect(v);
			set_state(v, XenbusStateClosing);
		} else if (fe == XenbusStateClosed || fe == XenbusStateUnknown) {
			disconnect(v);
			set_state(v, XenbusStateClosed);
		} else if (fe == XenbusStateInitialising) {
			disconnect(v);	/* prepare for reconnect */
			set_state(v, XenbusStateInitWait);
		}
		break;
	case XenbusStateClosing:
		if (fe == XenbusStateClosed || fe == XenbusStateUnknown) {
			disconnect(v);
			set_state(v, XenbusStateClosed);
		}
		break;
	case XenbusStateClosed:
		if (fe == XenbusStateInitialising) {
			snprintf(p, sizeof(p), "/local/domain/0/error/backend/qnic/%u/%u",
				 NFW_DOMID, v->h);
			nfw_rm(p);
			set_state(v, XenbusStateInitWait);
		}
		break;
	}
}

/* ---- the bridge and dom0's host ---- */

static void rx_flush(struct vif *v);

static void deliver(int from, const uint8_t *f, uint32_t len)
{
	for (unsigned int i = 0; i < nvifs; i++) {
		struct vif *v = &vifs[i];

		if ((int)i == from || !v->connected)
			continue;
		if (memcmp(f, bcast, 6) && memcmp(f, v->mac, 6))
			continue;
		if (v->qlen == RXQ) {
			nfs.rx_queue_drops++;
			continue;
		}
		v->q[(v->qhead + v->qlen) % RXQ].data = malloc(len);
		memcpy(v->q[(v->qhead + v->qlen) % RXQ].data, f, len);
		v->q[(v->qhead + v->qlen++) % RXQ].len = len;
		rx_flush(v);
	}
	if (from >= 0 && (!memcmp(f, bcast, 6) || !memcmp(f, nfh_mac, 6)))
		nfh_input(f, len, nfw_now());
}

/* ---- TX: 4.2's algorithm ---- */

static void tx_respond(struct vif *v, uint16_t id, int16_t status)
{
	netif_tx_response_t *r = RING_GET_RESPONSE(&v->tx, v->tx.rsp_prod_pvt);

	r->id = id;
	r->status = status;
	v->tx.rsp_prod_pvt++;
	if (status == NETIF_RSP_NULL)
		nfs.tx_null++;
}

/* One packet from req_cons; false when the device failed. */
static bool tx_packet(struct vif *v, RING_IDX rp)
{
	netif_tx_request_t first, frags[FATAL_SLOTS + 1];
	unsigned int nfrags = 0, nextras = 0;
	bool drop = false, mcast = false;
	uint32_t remaining, total, off = 0;
	int16_t st;

	first = *RING_GET_REQUEST(&v->tx, v->tx.req_cons);
	v->tx.req_cons++;
	if (first.flags & NETTXF_extra_info) {
		struct netif_extra_info ex;

		do {
			if (v->tx.req_cons == rp) {
				fatal(v, "missing extra info");
				return false;
			}
			memcpy(&ex, RING_GET_REQUEST(&v->tx, v->tx.req_cons), sizeof(ex));
			v->tx.req_cons++;
			if (!ex.type || ex.type >= XEN_NETIF_EXTRA_TYPE_MAX || nextras == 8) {
				fatal(v, "bad extra info type");
				return false;
			}
			if (ex.type == XEN_NETIF_EXTRA_TYPE_GSO &&
			    (!ex.u.gso.size || (ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
						ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))) {
				fatal(v, "bad GSO extra");
				return false;
			}
			mcast |= ex.type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD ||
				 ex.type == XEN_NETIF_EXTRA_TYPE_MCAST_DEL;
			nextras++;
		} while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	}
	if (mcast) {
		tx_respond(v, first.id, NETIF_RSP_OKAY);
		for (unsigned int i = 0; i < nextras; i++)
			tx_respond(v, 0, NETIF_RSP_NULL);
		return true;
	}
	remaining = first.size;
	for (netif_tx_request_t *prev = &first; prev->flags & NETTXF_more_data;
	     prev = &frags[nfrags - 1]) {
		if (v->tx.req_cons == rp) {
			fatal(v, "more slots asked for than published");
			return false;
		}
		if (nfrags >= FATAL_SLOTS) {
			fatal(v, "too many slots");
			return false;
		}
		if (nfrags >= DROP_SLOTS)
			drop = true;
		frags[nfrags] = *RING_GET_REQUEST(&v->tx, v->tx.req_cons);
		v->tx.req_cons++;
		if (frags[nfrags].size > remaining)
			drop = true;
		else
			remaining -= frags[nfrags].size;
		if (frags[nfrags].offset + frags[nfrags].size > PAGE) {
			fatal(v, "fragment crosses a page");
			return false;
		}
		nfrags++;
	}
	if (!drop && first.offset + remaining > PAGE) {
		fatal(v, "first slot crosses a page");
		return false;
	}
	total = first.size;
	/* Linux's netback and keel-netback: the first slot must hold the Ethernet header. */
	if (remaining < 14 || total > MAX_FRAME)
		drop = true;
	for (unsigned int i = 0; !drop && i <= nfrags; i++) {
		netif_tx_request_t *r = i ? &frags[i - 1] : &first;
		uint32_t n = i ? r->size : remaining;
		uint8_t *page = nfw_grant_page(r->gref, false);

		if (!page && n)
			drop = true;	/* a failed grant copy */
		else if (n)
			memcpy(frame + off, page + r->offset, n);
		off += n;
	}
	st = drop ? NETIF_RSP_ERROR : NETIF_RSP_OKAY;
	tx_respond(v, first.id, st);
	for (unsigned int i = 0; i < nextras; i++)
		tx_respond(v, 0, NETIF_RSP_NULL);
	for (unsigned int i = 0; i < nfrags; i++)
		tx_respond(v, frags[i].id, st);
	if (drop) {
		nfs.tx_dropped++;
		return true;
	}
	nfs.tx_packets++;
	deliver(v - vifs, frame, total);
	return true;
}

static void tx_run(struct vif *v)
{
	int notify, more;

	do {
		RING_IDX rp = v->tx.sring->req_prod;

		rmb();
		if (rp - v->tx.req_cons > RING_SIZE(&v->tx))
			return fatal(v, "TX req_prod far ahead");
		/* Delivering a frame may fail the device (its RX ring): check after each. */
		while (v->connected && v->tx.req_cons != rp)
			if (!tx_packet(v, rp))
				return;
		if (!v->connected)
			return;
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&v->tx, notify);
		if (notify)
			nfw_notify_guest(v->port);
		RING_FINAL_CHECK_FOR_REQUESTS(&v->tx, more);
	} while (more && v->connected);
}

/* ---- RX: 4.3's algorithm ---- */

static void rx_flush(struct vif *v)
{
	int notify;

	if (!v->connected)
		return;
	while (v->qlen) {
		uint8_t *f = v->q[v->qhead % RXQ].data;
		uint32_t len = v->q[v->qhead % RXQ].len, need = (len + PAGE - 1) / PAGE, off = 0;
		RING_IDX rp = v->rx.sring->req_prod;
		bool err = false;

		rmb();
		if (rp - v->rx.req_cons > RING_SIZE(&v->rx))
			return fatal(v, "RX req_prod far ahead");
		if (rp - v->rx.req_cons < need) {
			v->rx.sring->req_event = rp + 1;
			mb();
			if (v->rx.sring->req_prod == rp)
				break;
			continue;
		}
		for (uint32_t i = 0; i < need; i++) {
			netif_rx_request_t req = *RING_GET_REQUEST(&v->rx, v->rx.req_cons);
			netif_rx_response_t *r = RING_GET_RESPONSE(&v->rx, v->rx.req_cons);
			uint32_t n = len - off < PAGE ? len - off : PAGE;
			uint8_t *page = nfw_grant_page(req.gref, true);

			if (page)
				memcpy(page, f + off, n);
			else
				err = true;
			r->id = req.id;
			r->offset = 0;
			r->flags = i + 1 < need ? NETRXF_more_data : 0;
			r->status = page ? (int16_t)n : NETIF_RSP_ERROR;
			off += n;
			v->rx.req_cons++;
		}
		v->rx.rsp_prod_pvt = v->rx.req_cons;
		if (err)
			nfs.rx_errors++;
		else
			nfs.rx_packets++;
		free(f);
		v->qhead++;
		v->qlen--;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&v->rx, notify);
	if (notify)
		nfw_notify_guest(v->port);
}

static void host_out(const uint8_t *f, uint32_t len)
{
	deliver(-1, f, len);
}

/* ---- the world's calls ---- */

void nfs_setup(unsigned int n)
{
	memset(&nfs, 0, sizeof(nfs));
	nfh_init(host_out);
	nvifs = n;
	for (unsigned int h = 0; h < n; h++) {
		struct vif *v = &vifs[h];

		memset(v, 0, sizeof(*v));
		v->h = h;
		snprintf(v->be, sizeof(v->be), "/local/domain/0/backend/qnic/%u/%u", NFW_DOMID, h);
		snprintf(v->fe, sizeof(v->fe), "/local/domain/%u/device/vif/%u", NFW_DOMID, h);
		memcpy(v->mac, (uint8_t[]){ 0x00, 0x16, 0x3e, 0x00, 0x00, h }, 6);
		nfw_write(fe_key(v, "backend"), "%s", v->be);
		nfw_write(fe_key(v, "backend-id"), "0");
		nfw_write(fe_key(v, "handle"), "%u", h);
		nfw_write(fe_key(v, "mac"), "00:16:3e:00:00:%02x", h);
		nfw_write(be_key(v, "frontend"), "%s", v->fe);
		nfw_write(be_key(v, "frontend-id"), "%u", NFW_DOMID);
		nfw_write(be_key(v, "online"), "1");
		nfw_write(be_key(v, "handle"), "%u", h);
		nfw_write(be_key(v, "mac"), "00:16:3e:00:00:%02x", h);
		nfw_write(be_key(v, "bridge"), "xenbr0");
		nfw_write(be_key(v, "feature-rx-copy"), "1");
		nfw_write(be_key(v, "feature-sg"), "1");
		nfw_write(fe_key(v, "state"), "1");
		set_state(v, XenbusStateInitWait);
	}
}

void nfs_fini(void)
{
	for (unsigned int h = 0; h < nvifs; h++)
		disconnect(&vifs[h]);
	nvifs = 0;
}

void nfs_step(void)
{
	for (unsigned int h = 0; h < nvifs; h++) {
		xenbus_step(&vifs[h]);
		if (vifs[h].connected)
			rx_flush(&vifs[h]);
	}
	nfh_tick(nfw_now());
}

void nfs_event(uint32_t port)
{
	for (unsigned int h = 0; h < nvifs; h++) {
		struct vif *v = &vifs[h];

		if (v->connected && v->port == port) {
			tx_run(v);
			if (v->connected)
				rx_flush(v);
		}
	}
}

int nfs_be_state(unsigned int h)
{
	return vifs[h].state;
}
