/* keel-blkback's host tests: xenstore, grant table, event channels and a frontend, simulated. */
#ifndef TESTS_UNIT_BB_FAKE_H
#define TESTS_UNIT_BB_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include "bb.h"

#define FAKE_PAGES	1024	/* the simulated guest's memory */
#define FAKE_GREFS	2048
#define FAKE_NODES	512
#define FAKE_WATCHES	64
#define FAKE_EVENTS	256
#define FAKE_PORTS	64
#define FAKE_MAPS	2048

struct fake_gnt {
	bool valid;
	bool readonly;
	uint16_t domid;		/* the granting domain */
	uint32_t page;		/* page index in the guest's memory */
};

struct fake {
	/* xenstore */
	struct { char *path, *value; } nodes[FAKE_NODES];
	struct { char *path, *token; } watches[FAKE_WATCHES];
	struct { char *path, *token; } events[FAKE_EVENTS];
	unsigned int nr_events;
	bool alive[8];
	/* the guests' memory (one memfd, as pages of whatever domain grants them) */
	int memfd;
	uint8_t *mem;
	uint32_t next_page;
	struct fake_gnt gnt[FAKE_GREFS];
	uint32_t next_gref;
	unsigned int maps;		/* grants mapped by the backend now */
	struct { uint8_t *base; unsigned int n, live; } map[FAKE_MAPS];	/* gnt_map calls */
	unsigned int map_calls;
	unsigned int copies;		/* grant copy ioctls */
	/* event channels: local port = index */
	struct { bool bound; uint16_t domid; uint32_t remote; unsigned int notified; } ports[FAKE_PORTS];
	unsigned int bound;
	struct xenbe_env env;
	struct bb_backend *be;		/* for pumping watch events */
	/* Called when the backend notifies a port (a frontend that answers at once). */
	void (*on_notify)(struct fake *f, uint32_t port, void *arg);
	void *on_notify_arg;
	unsigned int tx_fail;		/* this many transaction ends fail with -EAGAIN */
};

void fake_init(struct fake *f);
void fake_fini(struct fake *f);

/* ---- xenstore ---- */
void fake_xs_write(struct fake *f, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The value (static buffer), or NULL when missing. */
const char *fake_xs_read(struct fake *f, const char *path);
int fake_xs_read_int(struct fake *f, const char *path);	/* -1 when missing */
void fake_xs_rm(struct fake *f, const char *path);
/* Delivers queued watch events to the backend until there are none. */
void fake_pump(struct fake *f);

/* ---- grants ---- */
uint32_t fake_page_alloc(struct fake *f, unsigned int n);
void *fake_page(struct fake *f, uint32_t page);
uint32_t fake_grant(struct fake *f, uint16_t domid, uint32_t page, bool readonly);
void fake_revoke(struct fake *f, uint32_t gref);

/* ---- a frontend: one vbd of one guest ---- */
struct fe {
	struct fake *f;
	uint16_t domid;
	uint32_t devid;
	char fe_path[64], be_path[96];
	unsigned int order, nq;
	struct {
		uint32_t first_page;
		struct bb_sring_hdr *sring;
		union blkif_sring_entry *ring;
		uint32_t size;
		uint32_t req_prod_pvt, rsp_cons;
		uint32_t remote_port;
	} q[4];
	uint32_t data_page;		/* scratch data pages (64) */
	uint32_t data_gref[64];
};

/* Toolstack keys for a disk backed by @image (mode "w"/"r"), both states 1, as keelctl writes. */
void fe_create(struct fe *fe, struct fake *f, uint16_t domid, uint32_t devid,
	       const char *image, const char *mode);
/* Rings (order, queues) granted and published, state 3. */
void fe_connect(struct fe *fe, unsigned int order, unsigned int nq);
void fe_set_state(struct fe *fe, int state);
int be_state(struct fe *fe);
/* Puts @req in queue @q's ring and notifies (if the backend asked for it). */
void fe_push(struct fe *fe, unsigned int q, const void *req);
/* Waits (running AIO completions) until @n responses are there; returns how many. */
unsigned int fe_wait(struct fe *fe, unsigned int q, unsigned int n);
/* The next response (consumed). */
blkif_response_t fe_pop(struct fe *fe, unsigned int q);
/* One request start to finish: the response status. */
int16_t fe_rw(struct fe *fe, uint8_t op, uint64_t sector, unsigned int nsegs,
	      unsigned int first, unsigned int last);
/* Runs the backend's AIO completions for up to @ms. */
void fake_run_aio(struct fake *f, unsigned int ms);

#endif
