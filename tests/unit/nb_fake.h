/* keel-netback's host tests: xenstore, grants, event channels, TAPs and a netfront, simulated. */
#ifndef TESTS_UNIT_NB_FAKE_H
#define TESTS_UNIT_NB_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include "nb.h"

#define NF_PAGES	4096	/* the simulated guests' memory */
#define NF_GREFS	2048
#define NF_NODES	512
#define NF_WATCHES	64
#define NF_EVENTS	512
#define NF_PORTS	64
#define NF_TAPS		8
#define NF_FRAMES	64	/* frames queued per TAP and direction */

struct nf_frame {
	uint8_t *data;		/* virtio_net_hdr + frame */
	size_t len;
};

struct nf_tap {
	bool open;
	char name[16], bridge[16];
	unsigned int mtu, offload;
	struct nf_frame out[NF_FRAMES];	/* written by the backend (guest TX) */
	unsigned int nout;
	struct nf_frame in[NF_FRAMES];	/* to be read by the backend (guest RX) */
	unsigned int nin;
	unsigned int reads;		/* the backend's reads, empty ones too */
};

struct nfake {
	struct { char *path, *value; } nodes[NF_NODES];
	struct { char *path, *token; } watches[NF_WATCHES];
	struct { char *path, *token; } events[NF_EVENTS];
	unsigned int nr_events;
	bool alive[8];
	int memfd;
	uint8_t *mem;
	uint32_t next_page;
	struct { bool valid, readonly; uint16_t domid; uint32_t page; } gnt[NF_GREFS];
	uint32_t next_gref;
	unsigned int maps, copies;
	unsigned int xs_reads;		/* reads the backend made */
	struct { bool bound; uint16_t domid; uint32_t remote; unsigned int notified; } ports[NF_PORTS];
	unsigned int bound;
	struct nf_tap taps[NF_TAPS];
	unsigned int tap_opens;
	int tap_fail;			/* open() fails with this (0: it works) */
	uint64_t now;			/* the backend's clock, ms */
	struct xenbe_env env;
	struct nb_tap tap;
	struct nb_backend *be;
	/* Called in each notification: a guest that runs (and answers) in the hypercall. */
	void (*on_notify)(struct nfake *f, uint32_t port);
};

void nf_init(struct nfake *f);
void nf_fini(struct nfake *f);
void nf_xs_write(struct nfake *f, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *nf_xs_read(struct nfake *f, const char *path);
int nf_xs_read_int(struct nfake *f, const char *path);	/* -1 when missing */
void nf_xs_rm(struct nfake *f, const char *path);
/* Delivers queued watch events to the backend until there are none. */
void nf_pump(struct nfake *f);
uint32_t nf_grant(struct nfake *f, uint16_t domid, uint32_t page, bool readonly);
void *nf_page(struct nfake *f, uint32_t page);
/* The TAP named @name, or NULL. */
struct nf_tap *nf_tap(struct nfake *f, const char *name);
/* Queues a frame for the backend to read from @t and tells the backend. */
void nf_tap_inject(struct nfake *f, struct nf_tap *t, const void *vhdr, const void *frame,
		   size_t len);
void nf_tap_clear(struct nf_tap *t);

/* ---- a netfront: one vif of one guest ---- */
struct nfe {
	struct nfake *f;
	uint16_t domid;
	uint32_t devid;
	char fe_path[64], be_path[96];
	unsigned int nq;
	bool split;
	struct {
		struct nb_sring_hdr *txs, *rxs;
		union nb_tx_slot *tx;
		union nb_rx_slot *rx;
		uint32_t tx_prod, tx_cons, rx_prod, rx_cons;
		uint32_t port_tx, port_rx;	/* the guest's (remote) ports */
	} q[2];
	uint32_t data_page;		/* 32 TX data pages, granted read-only */
	uint32_t data_gref[32];
	uint32_t rx_page;		/* 256 RX buffer pages */
	uint32_t rx_gref[256];
};

/* Toolstack keys as keelctl writes them, both states 1; pumps. */
void nfe_create(struct nfake *f, struct nfe *fe, uint16_t domid, uint32_t devid);
/* Rings, ports and the usual netfront keys, state 4 (@nq queues; @split channels). */
void nfe_publish(struct nfe *fe, unsigned int nq, bool split);
void nfe_connect(struct nfe *fe, unsigned int nq, bool split);
void nfe_set_state(struct nfe *fe, int state);
int nfe_be_state(struct nfe *fe);
/* The backend's TAP for this vif. */
struct nf_tap *nfe_tap(struct nfe *fe);
/* Puts @n raw slots in queue @q's TX ring, pushes and sends the TX event. */
void nfe_tx_slots(struct nfe *fe, unsigned int q, const union nb_tx_slot *s, unsigned int n);
/* One packet of @len bytes (pattern @seed) in @nfrags fragments, flags on the first. */
void nfe_tx_packet(struct nfe *fe, unsigned int q, unsigned int len, unsigned int nfrags,
		   uint16_t flags, uint8_t seed);
/* The next TX response (consumed); false when none. */
bool nfe_tx_rsp(struct nfe *fe, unsigned int q, struct netif_tx_response *r);
/* Posts @n RX buffers on queue @q (ids = ring index) and sends the RX event. */
void nfe_rx_post(struct nfe *fe, unsigned int q, unsigned int n);
/* The next RX response slot (consumed); false when none. */
bool nfe_rx_rsp(struct nfe *fe, unsigned int q, union nb_rx_slot *r, uint32_t *idx);
/* The RX buffer page of request id @id. */
uint8_t *nfe_rx_buf(struct nfe *fe, uint16_t id);
/* Fills @buf with the test pattern. */
void nf_pattern(uint8_t *buf, size_t len, uint8_t seed);

/* The backend's clock (set nb_backend.now_ms = nf_clock()) and moving it. */
uint64_t (*nf_clock(void))(void);
void nf_clock_set(uint64_t ms);

#endif

