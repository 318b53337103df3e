/* keel-blkback's core: the backend, its devices, their queues and in-flight requests. */
#ifndef BLKBACK_BB_H
#define BLKBACK_BB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>
#include "aio.h"
#include "pgnt.h"
#include "populated.h"
#include "xenbe_env.h"
#include "xenbe_parse.h"
#include "req.h"
#include "ring.h"

#define BB_BACKEND_ROOT_FMT	"/local/domain/0/backend/%s"
#define BB_MAX_QUEUES		16u
#define BB_MAX_RING_PAGES	(1u << BB_MAX_RING_ORDER)

struct bb_config {
	const char *btype;		/* backend directory name: "qdisk" */
	uint32_t max_ring_order;	/* max-ring-page-order offered, <= 4 */
	uint32_t max_queues;		/* multi-queue-max-queues offered, <= 16 */
	uint32_t max_indirect;		/* feature-max-indirect-segments (0: no INDIRECT) */
	uint32_t pool;			/* requests in flight per queue (and their buffers) */
	uint32_t sector_size;		/* 0: the target's (512 for files); or 512 / 4096 */
	bool direct;			/* try O_DIRECT on the target */
	bool loop;			/* a file without O_DIRECT: through a loop device, */
	bool map;			/* or mmap'ed, data by grant copy (before loop); else as is */
	bool map_copy;			/* as is: mmap'ed, copied by us to/from persistent grants */
	uint32_t max_devices;		/* devices served at once */
	uint32_t aio_depth;		/* in flight on the target, all devices together */
	uint64_t discard_chunk;		/* sectors discarded per turn of the event loop */
	uint32_t max_persistent;	/* grants mapped per queue (0: no feature-persistent) */
	uint32_t max_persistent_total;	/* ... and by the whole daemon */
	bool zero_copy;			/* I/O straight to/from mapped grants (bb_io_zero_copy) */
	bool zero_copy_buffered;	/* ... on a target without O_DIRECT, whatever the above */
};

struct bb_queue;

/* One request between the ring and its response; its buffer holds the data. */
struct bb_slot {
	struct bb_queue *q;
	struct bb_slot *next_free;
	struct bb_req req;
	uint8_t *buf;			/* max_segs pages, 4 KiB aligned, allocated when needed */
	struct iocb cb;
	bool flush_next;		/* a FLUSH with data: fdatasync after the write */
	bool pers;			/* data in the persistent grants pg[] (pinned) */
	bool zc;			/* ... and I/O straight to them through iov[] */
	struct bb_pgnt **pg;		/* max_segs */
	struct iovec *iov;		/* max_segs */
};

struct bb_queue {
	struct bb_dev *dev;
	unsigned int idx;
	struct bb_ring ring;
	void *map;			/* the mapped ring pages */
	unsigned int npages;
	int port;			/* local event channel, -1 when unbound */
	struct bb_slot *slots;
	struct bb_slot *free;
	unsigned int inflight;
	unsigned int nbufs;		/* buffers allocated: in slots and spare, <= pool */
	uint8_t **spare;		/* buffers of finished requests, for the next ones */
	unsigned int nspare;
	unsigned int spare_max;		/* BB_SPARE_BYTES of buffers, 1 to pool */
	unsigned int stat_allocs;	/* buffers ever allocated (tests) */
	unsigned int stat_inline;	/* reads and writes done inline, without AIO (tests) */
	bool starved;			/* stopped for want of AIO room: rerun on completions */
	struct bb_pgnt_table pgnt;	/* persistent grants, when the device uses them */
	struct iocb **batch;		/* reads and writes of this ring pass, pool of them */
	unsigned int nbatch;
};

/*
 * Behind the loop device of a file without O_DIRECT (target.c), a read or write this small goes
 * to the file itself: the loop's bio, blk-mq and worker wake-up cost more than copying a few
 * pages through the daemon's addresses (make bench: docs/block.md, "Performance").
 */
#define BB_SMALL_IO	(16u * 1024)

/*
 * Bounce buffers a queue keeps beyond its requests in flight, as Linux's xen-blkback keeps up
 * to 1024 free pages per ring (max_buffer_pages): a burst's buffers past these are freed as it
 * drains. With 128 KiB buffers that is the pool's 32. Four, as before, cost a buffer freed
 * and allocated again, its pages faulted in and zeroed, per request with 32 in flight and
 * four per MiB sequentially (make bench, DMA disk: dom0's CPU per MiB 7.3 ms, 4.1 with these).
 */
#define BB_SPARE_BYTES	(4u << 20)

enum bb_dev_phase {
	BB_DEV_ACTIVE,		/* walking the state machine */
	BB_DEV_RELEASED,	/* done (online=0 or domain dead): nothing held, waits for rm */
};

struct bb_dev {
	struct bb_backend *be;
	struct bb_dev *next;
	uint16_t domid;
	uint32_t devid;
	char *be_path;			/* /local/domain/0/backend/qdisk/D/V */
	char *fe_path;			/* /local/domain/D/device/vbd/V */
	char *fe_state_path;
	char token[40];			/* the fe state watch's */
	bool fe_watched;
	int state;			/* what we last wrote to be/state */
	bool toolstack_close;		/* the toolstack wrote be state 5 */
	bool dead;			/* the guest is gone */
	bool gone;			/* the backend directory is gone */
	bool failed;			/* a fatal error: no reconnect until the frontend closes */
	bool release_pending;		/* release waits for in-flight I/O */
	bool reattach;			/* connecting to a predecessor's live rings */
	bool resetting;			/* Connected, rings stopped for a frontend reset */
	enum bb_dev_phase phase;
	bool seen;			/* scan mark */
	int fd;				/* the target, -1 when closed */
	int file_fd;			/* behind a loop device: the file itself, small I/O; or -1 */
	uint8_t *map;			/* a file without O_DIRECT, mmap'ed (target.c) */
	uint64_t map_len;
	bool map_gcopy;			/* --map: its data by grant copy only, no persistent grants */
	struct bb_populated pop;	/* else its pages with data (leaves NULL: not tracked) */
	bool map_shmem;			/* on tmpfs: its data mapped into our page tables */
	bool is_blkdev;
	bool direct;
	bool cpu_copies;		/* !direct and page-cached: no device sees our pages */
	bool inline_io;			/* reads and writes done in the ring pass (submit()) */
	uint32_t phys_sector_size;
	struct bb_limits lim;
	unsigned int nqueues;
	struct bb_queue *queues;	/* connected when non-NULL */
	struct bb_slot *flush_cur;	/* answered by the fdatasync in flight */
	struct bb_slot *flush_next;	/* waiting for the next one */
	bool flush_waiting;		/* flush_cur not submitted yet: the AIO context was full */
	unsigned int nr_inflight;	/* requests in slots, all queues: at most bb_dev_share() */
	bool persistent;		/* feature-persistent negotiated: grants mapped once */
	bool persistent_told;		/* taking over: the feature-persistent the frontend read */
	bool completed;			/* in bb_io_complete's batch: its rings to run */
	uint64_t stat_requests, stat_errors, stat_fsyncs;
};

struct bb_backend {
	struct xenbe_env env;
	struct bb_config cfg;
	struct bb_aio aio;
	struct bb_dev *devs;
	unsigned int ndevs;
	char *root;			/* BB_BACKEND_ROOT_FMT */
	FILE *log;
	uint64_t log_bytes;		/* written since the last truncation */
	/* Scratch for synchronous steps (one request at a time). */
	struct ioctl_gntdev_grant_copy_segment *copy;
	unsigned int copy_max;
	uint8_t *indirect;		/* BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST pages */
	uint32_t *grefs;		/* one request's data grants (copy_max) */
	struct bb_slot *discards;	/* discards in progress, one chunk per turn, in turn */
	struct bb_slot **discards_tail;
	unsigned int open_fds, mapped_pages, bound_ports;	/* what is held: tests count */
	struct bb_pgnt_budget pgnt;	/* persistent grants held, all queues */
	bool aio_sync;			/* buffered I/O submitted since the last reap: done */
	/*
	 * Gives dom0's vCPU to the guest just notified, all its requests answered (io.c,
	 * bb_queue_run); NULL: never (--no-yield, the unit tests).
	 */
	void (*yield)(struct bb_backend *be);
	uint64_t stat_requests;		/* taken off every ring (stats) */
	uint64_t stat_yields;		/* yields after a notification (stats) */
};

/* ---- backend.c: the set of devices, events from the outside ---- */
void bb_config_defaults(struct bb_config *cfg);
int bb_backend_init(struct bb_backend *be, const struct xenbe_env *env, const struct bb_config *cfg,
		    FILE *log);
/* Watches the backend directory and @releaseDomain and picks up every device there. */
int bb_backend_start(struct bb_backend *be);
/* Closes every device (state 5 for a connected one) and frees everything. */
void bb_backend_fini(struct bb_backend *be);
void bb_backend_watch(struct bb_backend *be, const char *path, const char *token);
/* Rescans the backend directory and updates every device. */
void bb_backend_scan(struct bb_backend *be);
/* Watch events were lost (the client's queue overflowed): every device and domain re-read. */
void bb_backend_resync(struct bb_backend *be);
void bb_backend_event(struct bb_backend *be, uint32_t port);
/* Completions of the target's I/O. */
void bb_backend_aio(struct bb_backend *be);
struct bb_dev *bb_backend_find(struct bb_backend *be, uint16_t domid, uint32_t devid);
void bb_log(struct bb_backend *be, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- dev.c: the per-device xenbus state machine ---- */
struct bb_dev *bb_dev_new(struct bb_backend *be, uint16_t domid, uint32_t devid);
/* Re-reads what matters and acts: the only entry point of the state machine. */
void bb_dev_update(struct bb_dev *dev);
/* Frees the device: everything must already be released. */
void bb_dev_free(struct bb_dev *dev);
/*
 * The requests one device may have in flight: an equal part of the daemon-wide AIO depth,
 * so that one guest's busy disks cannot take the whole context and starve the others.
 */
unsigned int bb_dev_share(const struct bb_backend *be);
/* Unbinds and unmaps the rings; true once no I/O is in flight and the queues are freed. */
bool bb_dev_release_rings(struct bb_dev *dev);
/* Drops every resource now (daemon exit, dead domain): waits for in-flight I/O. */
void bb_dev_release(struct bb_dev *dev);
void bb_dev_fatal(struct bb_dev *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
unsigned int bb_dev_inflight(const struct bb_dev *dev);

/* ---- target.c: the image file or block device ---- */
/* @want: 4096 to offer 4096-byte sectors whatever the target's; 0 or 512: the target's. */
int bb_target_open(struct bb_dev *dev, const char *params, bool writable, uint32_t want);
void bb_target_close(struct bb_dev *dev);
/* Synchronous discard of a checked range: 0 or -errno (-EOPNOTSUPP). */
int bb_target_discard(struct bb_dev *dev, uint64_t sector, uint64_t nr_sectors);

/* ---- io.c: requests from the ring to the target and back ---- */
int bb_queue_setup(struct bb_queue *q);
void bb_queue_teardown(struct bb_queue *q);
/* Takes requests until the ring is empty (final check done) or the pool is used up. */
void bb_queue_run(struct bb_queue *q);
/* @n completions (aio_data: the slot): all answered, then each device's rings run once. */
void bb_io_complete(struct bb_backend *be, const struct io_event *ev, unsigned int n);
/* One chunk of the next discard in progress; true when discards are left. */
bool bb_io_discard_step(struct bb_backend *be);
/* Submits the flushes that found the AIO context full, while there is room. */
void bb_io_flush_retry(struct bb_backend *be);
/*
 * May I/O go straight to/from grant-mapped pages, given keel's physinfo flags? Not when dom0
 * drives devices whose DMA is not translated: a device would take the mapped page's
 * guest-physical address for a host address.
 */
bool bb_io_zero_copy(uint32_t keel_phys_flags);
/*
 * May @dev's I/O go straight to/from its grant-mapped pages? Where keel allows it, and on a
 * target whose I/O is only CPU copies between the page cache and the pages in any case
 * (dev->cpu_copies: a block device or a local file without O_DIRECT, target.c).
 */
bool bb_dev_zero_copy(const struct bb_dev *dev);

#endif
