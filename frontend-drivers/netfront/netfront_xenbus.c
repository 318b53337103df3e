/* The net frontend's xenbus side: find the vif, the state dance with the backend, ring setup and teardown. */
#include <keel/errno.h>
#include <keel/string.h>
#include "netfront.h"
#include "console.h"
#include "events.h"
#include "gnttab.h"
#include "grefs.h"
#include "xenstore.h"

#define TX_RETRIES 16

static void key(const struct netfront *nf, const char *k, char *path, u32 size)
{
	snprintf(path, size, "%s/%s", nf->fe, k);
}

static void be_key(const struct netfront *nf, const char *k, char *path, u32 size)
{
	snprintf(path, size, "%s/%s", nf->be, k);
}

/* An optional backend flag: true only when it reads exactly 1. */
static bool be_flag(const struct netfront *nf, const char *k)
{
	char path[192];
	u64 v;

	be_key(nf, k, path, sizeof(path));
	return !xs_read_u64(XS_NO_TX, path, &v) && v == 1;
}

static int parse_u32(const char *s, u32 *out)
{
	u64 v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 0xffffffffULL)
			return -EINVAL;
		v = v * 10 + (*s - '0');
	}
	if (v > 0xffffffffULL)
		return -EINVAL;
	*out = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int netfront_parse_mac(const char *s, u8 mac[6])
{
	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = hi << 4 | lo;
	}
	return 0;
}

int netfront_list(u32 *handles, unsigned int max)
{
	static char names[2048];
	int n = xs_directory(XS_NO_TX, "device/vif", names, sizeof(names));
	unsigned int count = 0;
	const char *p = names;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++, p += strlen(p) + 1) {
		u32 v;

		if (parse_u32(p, &v) || count >= max)
			continue;
		unsigned int j = count++;

		for (; j && handles[j - 1] > v; j--)
			handles[j] = handles[j - 1];
		handles[j] = v;
	}
	return count;
}

int netfront_probe(struct netfront *nf, struct netfront_pages *pages, u32 handle)
{
	char path[96], val[32];
	u64 v;
	int rc;

	if (!pages || ((uptr)pages & 4095))
		return -EINVAL;
	memset(nf, 0, sizeof(*nf));
	nf->pages = pages;
	nf->handle = handle;
	snprintf(nf->fe, sizeof(nf->fe), "device/vif/%u", handle);
	key(nf, "state", path, sizeof(path));
	rc = xs_read_u64(XS_NO_TX, path, &v);
	if (rc || v != NF_XB_INITIALISING) {
		printf("netfront: %s: state %s, not 1\n", nf->fe, rc ? "unreadable" : "set");
		return rc ? rc : -EBUSY;
	}
	key(nf, "backend", path, sizeof(path));
	rc = xs_read(XS_NO_TX, path, nf->be, sizeof(nf->be));
	if (rc <= 0)
		return rc ? rc : -EINVAL;
	key(nf, "backend-id", path, sizeof(path));
	rc = xs_read_u64(XS_NO_TX, path, &v);
	if (rc || v >= DOMID_FIRST_RESERVED)
		return rc ? rc : -EINVAL;
	nf->be_id = v;
	/* Mandatory, six hh groups, as Linux netfront insists. */
	key(nf, "mac", path, sizeof(path));
	rc = xs_read(XS_NO_TX, path, val, sizeof(val));
	if (rc < 0)
		return rc;
	if (netfront_parse_mac(val, nf->mac)) {
		printf("netfront: %s: bad mac '%s'\n", nf->fe, val);
		return -EINVAL;
	}
	return 0;
}

int netfront_set_state(struct netfront *nf, int state)
{
	char path[96];

	key(nf, "state", path, sizeof(path));
	return xs_printf(XS_NO_TX, path, "%d", state);
}

int netfront_be_state(struct netfront *nf)
{
	char path[192];
	u64 v;

	be_key(nf, "state", path, sizeof(path));
	return xs_read_u64(XS_NO_TX, path, &v) || v > 8 ? 0 : (int)v;
}

static bool state_in(const char *val, void *arg)
{
	u32 v;

	/* A missing node reads "": Unknown. */
	if (!*val)
		return *(u32 *)arg & BIT(NF_XB_UNKNOWN);
	return !parse_u32(val, &v) && v < 32 && (*(u32 *)arg & BIT(v));
}

int netfront_wait_be_state(struct netfront *nf, u32 mask, u64 timeout_ns)
{
	char path[192], val[16];
	u32 v;
	int rc;

	be_key(nf, "state", path, sizeof(path));
	rc = xs_wait_value(path, state_in, &mask, timeout_ns, val, sizeof(val));
	if (rc)
		return rc;
	if (!*val)
		return NF_XB_UNKNOWN;
	return parse_u32(val, &v) ? -EINVAL : (int)v;
}

int netfront_be_error(struct netfront *nf, char *buf, u32 size)
{
	const char *tail = NULL;
	char path[224];

	for (const char *s = nf->be; *s && !tail; s++)
		if (!strncmp(s, "/backend/", 9))
			tail = s;
	if (!tail)
		return -EINVAL;
	snprintf(path, sizeof(path), "%.*s/error%s/error", (int)(tail - nf->be), nf->be,
		 tail);
	return xs_read(XS_NO_TX, path, buf, size);
}

static void end_ref(struct netfront *nf, grant_ref_t *ref)
{
	if (!*ref)
		return;
	if (gnttab_end_access(*ref)) {
		/* Still mapped: the backend's bug; leak the ref, never reuse it. */
		printf("netfront: %s: grant %u still mapped\n", nf->fe, *ref);
		nf->st.busy_grants++;
	} else {
		gref_put(*ref);
	}
	*ref = 0;
}

void netfront_drop_rings(struct netfront *nf)
{
	end_ref(nf, &nf->tx_ring_ref);
	end_ref(nf, &nf->rx_ring_ref);
	for (unsigned int i = 0; i < NETFRONT_IDS; i++) {
		end_ref(nf, &nf->tx_gref[i]);
		end_ref(nf, &nf->rx_gref[i]);
	}
	if (nf->port)
		evtchn_close(nf->port);
	nf->port = 0;
	nf->tx = NULL;
	nf->rx = NULL;
	nf->connected = false;
}

static int alloc_rings(struct netfront *nf)
{
	u8 *txp = nf->pages->tx_ring, *rxp = nf->pages->rx_ring;
	long rc;

	memset(txp, 0, 4096);
	memset(rxp, 0, 4096);
	nf->tx = (volatile struct nf_tx_sring *)txp;
	nf->rx = (volatile struct nf_rx_sring *)rxp;
	nf->tx->req_event = nf->tx->rsp_event = 1;
	nf->rx->req_event = nf->rx->rsp_event = 1;
	nf->tx_prod_pvt = nf->tx_rsp_cons = 0;
	nf->rx_prod_pvt = nf->rx_rsp_cons = 0;
	nf->rx_unposted = NETFRONT_IDS;
	nf->tx_nfree = NETFRONT_IDS;
	for (unsigned int i = 0; i < NETFRONT_IDS; i++)
		nf->tx_free[i] = NETFRONT_IDS - 1 - i;
	nf->broken = false;
	nf->tx_ring_ref = gref_get();
	nf->rx_ring_ref = gref_get();
	if (!nf->tx_ring_ref || !nf->rx_ring_ref)
		return -ENOSPC;
	gnttab_grant_access(nf->tx_ring_ref, nf->be_id, (uptr)txp, false);
	gnttab_grant_access(nf->rx_ring_ref, nf->be_id, (uptr)rxp, false);
	rc = evtchn_alloc_unbound(DOMID_SELF, nf->be_id, &nf->port);
	return rc;
}

static int publish(struct netfront *nf)
{
	static const char *const flags[] = {
		"request-rx-copy", "feature-rx-notify", "feature-sg",
		"feature-no-csum-offload",
	};
	bool on[] = { !nf->opts.no_rx_copy, !nf->opts.no_rx_notify, !nf->opts.no_sg, true };
	char path[96];
	int rc = 0;

	for (int attempt = 0; attempt < TX_RETRIES; attempt++) {
		xs_tx_t tx;

		rc = xs_transaction_start(&tx);
		if (rc)
			return rc;
		key(nf, "tx-ring-ref", path, sizeof(path));
		rc = xs_printf(tx, path, "%u", nf->tx_ring_ref);
		key(nf, "rx-ring-ref", path, sizeof(path));
		if (!rc)
			rc = xs_printf(tx, path, "%u", nf->rx_ring_ref);
		key(nf, "event-channel", path, sizeof(path));
		if (!rc)
			rc = xs_printf(tx, path, "%u", nf->port);
		for (unsigned int i = 0; !rc && i < ARRAY_SIZE(flags); i++) {
			key(nf, flags[i], path, sizeof(path));
			if (on[i])
				rc = xs_write(tx, path, "1");
			else
				xs_rm(tx, path);
		}
		if (rc) {
			xs_transaction_end(tx, false);
			return rc;
		}
		rc = xs_transaction_end(tx, true);
		if (rc != -EAGAIN)
			return rc;
	}
	return rc;
}

int netfront_connect(struct netfront *nf, const struct netfront_opts *o)
{
	int be, rc;

	nf->opts = o ? *o : (struct netfront_opts){ 0 };
	/* Closed is no answer: a backend goes from 6 to 2 once it sees our 1. */
	be = netfront_wait_be_state(nf, BIT(NF_XB_INITWAIT) | BIT(NF_XB_CONNECTED) |
				    BIT(NF_XB_CLOSING), NETFRONT_XB_TIMEOUT_NS);
	if (be < 0 || be >= NF_XB_CLOSING) {
		printf("netfront: %s: backend %s never reached InitWait (%d)\n", nf->fe,
		       nf->be, be);
		return be < 0 ? be : -EIO;
	}
	if (!be_flag(nf, "feature-rx-copy")) {
		printf("netfront: %s: backend does not support copying receive path\n", nf->fe);
		return -ENODEV;
	}
	nf->be_sg = be_flag(nf, "feature-sg");
	nf->be_gso4 = be_flag(nf, "feature-gso-tcpv4");
	nf->be_gso6 = be_flag(nf, "feature-gso-tcpv6");
	nf->be_split = be_flag(nf, "feature-split-event-channels");
	nf->be_ipv6_csum = be_flag(nf, "feature-ipv6-csum-offload");
	rc = alloc_rings(nf);
	if (!rc) {
		/* Posted before the backend can look, as netfront does. */
		netfront_rx_post(nf, nf->opts.rx_post ? nf->opts.rx_post : NETFRONT_IDS);
		rc = publish(nf);
	}
	/* Netfront never writes 3: straight to Connected. */
	if (!rc)
		rc = netfront_set_state(nf, NF_XB_CONNECTED);
	if (rc) {
		printf("netfront: %s: cannot publish the rings: %d\n", nf->fe, rc);
		netfront_drop_rings(nf);
		return rc;
	}
	be = netfront_wait_be_state(nf, BIT(NF_XB_CONNECTED) | BIT(NF_XB_CLOSING) |
				    BIT(NF_XB_CLOSED), NETFRONT_XB_TIMEOUT_NS);
	if (be != NF_XB_CONNECTED) {
		printf("netfront: %s: backend did not connect (%d)\n", nf->fe, be);
		return be < 0 ? be : -EIO;
	}
	nf->connected = true;
	return 0;
}

int netfront_close(struct netfront *nf)
{
	int be;

	netfront_set_state(nf, NF_XB_CLOSING);
	netfront_wait_be_state(nf, BIT(NF_XB_CLOSING) | BIT(NF_XB_CLOSED) | BIT(NF_XB_UNKNOWN),
			       NETFRONT_XB_TIMEOUT_NS);
	netfront_set_state(nf, NF_XB_CLOSED);
	be = netfront_wait_be_state(nf, BIT(NF_XB_CLOSED) | BIT(NF_XB_UNKNOWN),
				    NETFRONT_XB_TIMEOUT_NS);
	netfront_drop_rings(nf);
	return be == NF_XB_CLOSED || be == NF_XB_UNKNOWN ? 0 : -EIO;
}

int netfront_reconnect(struct netfront *nf, const struct netfront_opts *o)
{
	int be;

	netfront_set_state(nf, NF_XB_CLOSED);
	be = netfront_wait_be_state(nf, BIT(NF_XB_CLOSED), NETFRONT_XB_TIMEOUT_NS);
	netfront_drop_rings(nf);
	if (be != NF_XB_CLOSED) {
		printf("netfront: %s: backend never reached Closed (%d)\n", nf->fe, be);
		return be < 0 ? be : -EIO;
	}
	netfront_set_state(nf, NF_XB_INITIALISING);
	return netfront_connect(nf, o);
}
