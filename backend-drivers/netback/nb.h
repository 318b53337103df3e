/* keel-netback's core: the backend, its vifs, their queues, rings and TAP devices. */
#ifndef NETBACK_NB_H
#define NETBACK_NB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "offload.h"
#include "ring.h"
#include "txparse.h"
#include "xenbe_env.h"
#include "xenbe_parse.h"

#define NB_BACKEND_ROOT_FMT	"/local/domain/0/backend/%s"
#define NB_MAX_QUEUES		8u
/* One frame from the TAP: its virtio_net_hdr and up to 64 KiB of GSO frame. */
#define NB_VNET_HLEN		10u
#define NB_FRAME_MAX		(65536u + 64u)
/* Frames moved per vif and direction per turn of the event loop (fairness between vifs). */
#define NB_BUDGET		64u

/*
 * The dom0 side of a vif: a TAP device (tap.c in the daemon; a fake in the host tests).
 * Handles are what open() returned (a file descriptor in the daemon).
 */
struct nb_tap_ops {
	/* Creates @name with MAC fe:ff:ff:ff:ff:ff and @mtu, up, on @bridge: a handle or -errno. */
	int (*open)(void *priv, const char *name, const char *bridge, unsigned int mtu);
	/* Closes it: the interface disappears (and leaves the bridge). */
	void (*close)(void *priv, int tap);
	/* TUNSETOFFLOAD: which offloads frames read from it may carry. */
	int (*set_offload)(void *priv, int tap, unsigned int tun_flags);
	/* One frame (virtio_net_hdr first): 0 or -errno. */
	int (*write)(void *priv, int tap, const struct iovec *iov, int iovcnt);
	/* One frame (virtio_net_hdr first) into @buf: its length, -EAGAIN when none, or -errno. */
	ssize_t (*read)(void *priv, int tap, void *buf, size_t len);
};

struct nb_tap {
	const struct nb_tap_ops *ops;
	void *priv;
};

/*
 * The kinds of call nb_stats.ticks times. NB_T_YIELD_MISS: the ticks of the yields
 * (NB_T_YIELD) after which no answer was there.
 */
enum { NB_T_COPY, NB_T_NOTIFY, NB_T_UNMASK, NB_T_TAPW, NB_T_TAPR, NB_T_TAPR_EMPTY, NB_T_EVREAD,
       NB_T_AWAKE, NB_T_YIELD, NB_T_YIELD_MISS, NB_T_KINDS };

/* Counts for tuning the data path (logged on SIGUSR1 and at exit; tests read them). */
struct nb_stats {
	uint64_t rx_frames, rx_copies, rx_notifies;	/* frames to guests, ioctls, events */
	uint64_t tx_frames, tx_copies, tx_notifies;	/* packets from guests, ioctls, events */
	uint64_t wakeups, syscalls;			/* main.c's: poll() returns, every call */
	uint64_t yields;				/* CPU given to a guest owing an answer */
	uint64_t yield_misses;				/* of them, its TX ring still empty after */
	/* main.c's: segments copied; of them by the daemon's own hypercalls (hcopy.h), ops */
	uint64_t segs, hsegs, hops;
	/* main.c's: TSC ticks spent in each kind of call, and awake in all (see NB_T_*). */
	uint64_t ticks[NB_T_KINDS];
	uint64_t yield_last;				/* main.c's: the latest yield's ticks */
};

struct nb_config {
	const char *btype;		/* backend directory name: "qnic" */
	uint32_t max_queues;		/* multi-queue-max-queues offered, 1..8 */
	bool split;			/* feature-split-event-channels offered */
	uint32_t max_devices;		/* vifs served at once */
	uint32_t rx_drain_ms;		/* a guest without RX buffers this long: drop its frames */
	uint8_t *arena;			/* NB_ARENA_SIZE bytes the daemon gives (hcopy.h); NULL */
};

struct nb_vif;

struct nb_queue {
	struct nb_vif *vif;
	unsigned int idx;
	struct nb_tx_ring tx;
	struct nb_rx_ring rx;
	int tx_port;			/* local event channels, -1 when unbound; equal when */
	int rx_port;			/* the channel is not split */
	bool tx_more;			/* the budget ran out: run again */
	bool tx_owed;			/* a TX completion's notification put off (tx.c) */
};

enum nb_vif_phase {
	NB_VIF_ACTIVE,		/* walking the state machine */
	NB_VIF_RELEASED,	/* done (online=0 or domain dead): nothing held, waits for rm */
};

struct nb_vif {
	struct nb_backend *be;
	struct nb_vif *next;
	uint16_t domid;
	uint32_t devid;
	char *be_path;			/* /local/domain/0/backend/qnic/D/V */
	char *fe_path;			/* /local/domain/D/device/vif/V */
	char *fe_state_path;
	char token[40];			/* the fe state watch's */
	char ifname[16];		/* vif<D>.<V> */
	bool fe_watched;
	int state;			/* what we last wrote to be/state */
	bool toolstack_close;		/* the toolstack wrote be state 5 */
	bool dead;			/* the guest is gone */
	bool gone;			/* the backend directory is gone */
	bool failed;			/* a fatal error: no reconnect until the frontend moves */
	int fe_at_fail;			/* the frontend's state when it failed */
	enum nb_vif_phase phase;
	bool seen;			/* scan mark */
	bool xs_dirty;			/* a watch event asked for an update */
	int tap;			/* handle, -1 when closed */
	struct nb_fe_features ff;
	unsigned int nqueues;
	struct nb_queue *queues;	/* connected when non-NULL */
	/* RX: a frame read from the TAP that did not fit in the ring yet. */
	uint8_t *rx_pend;
	size_t rx_pend_len;		/* 0: none */
	struct nb_rx_meta rx_pend_meta;
	uint64_t rx_stall_since;	/* ms; 0: not stalled */
	bool rx_dropping;		/* stalled too long: frames are dropped until it posts */
	bool rx_more;			/* the budget ran out: run again */
	bool tx_tcp;			/* TX wrote a TCP frame: dom0's answer may be in the TAP */
	bool rx_one;			/* the TAP held one frame at a time lately: read one */
	uint64_t rx_cut_turn;		/* the wake-up that shows whether a read of one left more */
	uint64_t tx_packets, tx_dropped, rx_packets, rx_dropped;
};

struct nb_backend {
	struct xenbe_env env;
	struct nb_tap tap;
	struct nb_config cfg;
	struct nb_vif *vifs;
	unsigned int nvifs;
	bool scan_pending, release_pending;	/* watch events noted, not yet handled */
	char *root;			/* NB_BACKEND_ROOT_FMT */
	FILE *log;
	uint64_t log_bytes;		/* written since the last truncation */
	uint64_t (*now_ms)(void);	/* a monotonic clock (tests set their own) */
	/*
	 * Gives dom0's vCPU away (SCHEDOP_yield) right after notifying a guest that owes an
	 * answer, so that it answers before the daemon sleeps; NULL: never (--no-yield).
	 */
	void (*yield)(struct nb_backend *be);
	/* Scratch for one batch (one ring at a time): frames and their grant copies. */
	uint8_t *arena;
	bool arena_own;			/* allocated here, not the config's */
	struct ioctl_gntdev_grant_copy_segment *segs;
	struct nb_tx_pkt *pkts;
	struct nb_rx_slotinfo *rxinfo;
	unsigned int open_taps, mapped_pages, bound_ports;	/* what is held: tests count */
	struct nb_stats stats;
};

#define NB_ARENA_SIZE		(1u << 20)
#define NB_BATCH_SEGS		(NB_BUDGET * NB_TX_MAX_FRAGS)

/* ---- backend.c: the set of vifs, events from the outside ---- */
void nb_config_defaults(struct nb_config *cfg);
int nb_backend_init(struct nb_backend *be, const struct xenbe_env *env, const struct nb_tap *tap,
		    const struct nb_config *cfg, FILE *log);
/* Watches the backend directory and @releaseDomain and picks up every vif there. */
int nb_backend_start(struct nb_backend *be);
/* Closes every vif and frees everything. */
void nb_backend_fini(struct nb_backend *be);
/* One watch event: nb_backend_watch_note() then nb_backend_watch_flush(). */
void nb_backend_watch(struct nb_backend *be, const char *path, const char *token);
/* Marks what a watch event asks to look at (no xenstore access: cheap, any number of times). */
void nb_backend_watch_note(struct nb_backend *be, const char *path, const char *token);
/* Updates each vif marked since the last flush once (a scan or dead domains first). */
void nb_backend_watch_flush(struct nb_backend *be);
void nb_backend_scan(struct nb_backend *be);
/* An event channel fired. */
void nb_backend_event(struct nb_backend *be, uint32_t port);
/* The vif whose TAP is @tap became readable. */
void nb_backend_tap(struct nb_backend *be, int tap);
/* Work left by budgets and timers: true when more is left (poll without sleeping). */
bool nb_backend_work(struct nb_backend *be);
/* Is work left by budgets (without doing it)? */
bool nb_backend_busy(const struct nb_backend *be);
/* Are TX notifications put off (nb_backend_idle() before sleeping)? */
bool nb_backend_owed(const struct nb_backend *be);
/* The daemon is about to sleep: sends the TX notifications still owed; true when work came. */
bool nb_backend_idle(struct nb_backend *be);
/* How long poll() may sleep (-1: for ever): the first RX drain deadline. */
int nb_backend_timeout(struct nb_backend *be);
struct nb_vif *nb_backend_find(struct nb_backend *be, uint16_t domid, uint32_t devid);
void nb_log(struct nb_backend *be, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One "stats:" line in the log: the counts and their ratios per frame. */
void nb_backend_log_stats(struct nb_backend *be);

/* ---- vif.c: the per-vif xenbus state machine ---- */
struct nb_vif *nb_vif_new(struct nb_backend *be, uint16_t domid, uint32_t devid);
/* Re-reads what matters and acts: the only entry point of the state machine. */
void nb_vif_update(struct nb_vif *vif);
void nb_vif_free(struct nb_vif *vif);
/* Unbinds and unmaps the rings, drops the pending frame. */
void nb_vif_release_rings(struct nb_vif *vif);
/* Drops every resource now (daemon exit, dead domain, removal). */
void nb_vif_release(struct nb_vif *vif);
void nb_vif_fatal(struct nb_vif *vif, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Should the loop poll the vif's TAP for frames? */
bool nb_vif_wants_tap(const struct nb_vif *vif);

/* ---- tx.c: guest -> TAP ---- */
/* Takes packets from the TX ring (at most NB_BUDGET; tx_more set when some are left). */
void nb_tx_run(struct nb_queue *q);
/*
 * Notifies the guest on @port, and takes TX it produced meanwhile without an event; with
 * @answer_due (a request/response frame just went to it) gives it the CPU first.
 */
void nb_vif_notify(struct nb_vif *vif, uint32_t port, bool answer_due);

/* ---- rx.c: TAP -> guest ---- */
size_t nb_rx_slotinfo_size(void);
/* Moves frames from the TAP to their flows' queues' RX rings (at most NB_BUDGET). */
void nb_rx_run(struct nb_vif *vif);

#endif
