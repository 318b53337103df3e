/* A queue's persistent grants: each grant of the frontend mapped once, bounded, LRU-purged. */
#ifndef BLKBACK_PGNT_H
#define BLKBACK_PGNT_H

#include <stdint.h>
#include "xenbe_env.h"

struct bb_pgnt {
	uint32_t gref;
	uint32_t pins;			/* requests in flight on it: not evicted while > 0 */
	uint8_t *addr;			/* the mapped page */
	struct bb_pgnt *hnext;		/* hash chain; the free list when unmapped */
	struct bb_pgnt *prev, *next;	/* LRU list, most recently used first */
};

struct bb_pgnt_table {
	struct xenbe_env *env;
	uint16_t domid;
	unsigned int max;		/* grants this queue maps at most */
	unsigned int n;			/* mapped now */
	unsigned int *total;		/* mapped now by every queue of the daemon */
	unsigned int total_max;		/* ... at most (dom0's maptrack is finite) */
	struct bb_pgnt *ents;		/* max of them */
	struct bb_pgnt **hash;
	unsigned int hmask;
	struct bb_pgnt *free;
	struct bb_pgnt lru;		/* list head: lru.next most, lru.prev least recent */
	uint64_t stat_maps, stat_hits;	/* tests */
};

/* 0 or -ENOMEM. @total is shared by all tables of the daemon, bounded by @total_max. */
int bb_pgnt_init(struct bb_pgnt_table *t, struct xenbe_env *env, uint16_t domid,
		 unsigned int max, unsigned int *total, unsigned int total_max);
/* Unmaps every grant and frees the table: nothing may be pinned (no I/O in flight). */
void bb_pgnt_fini(struct bb_pgnt_table *t);
/*
 * @gref's page mapped (on first use; then kept) and pinned until bb_pgnt_put(). NULL with
 * *@err = -ENOSPC when there is no room (every entry pinned, or the daemon's budget spent and
 * nothing of ours to evict: the caller falls back to grant copy), or -EFAULT when the map
 * failed (a bad, revoked or read-only grant: the request's error).
 */
struct bb_pgnt *bb_pgnt_get(struct bb_pgnt_table *t, uint32_t gref, int *err);
void bb_pgnt_put(struct bb_pgnt *p);

#endif
