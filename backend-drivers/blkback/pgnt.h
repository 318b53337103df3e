/* A queue's persistent grants: each grant of the frontend mapped once, bounded, LRU-purged. */
#ifndef BLKBACK_PGNT_H
#define BLKBACK_PGNT_H

#include <stdbool.h>
#include <stdint.h>
#include "xenbe_env.h"

struct bb_pgnt_table;

/*
 * The grants one gnt_map call mapped together: the kernel may keep all of them mapped until
 * the last page is unmapped (gntdev on an auto-translated dom0), so they are counted until then.
 * A map no request pins is on its table's idle list, least recently let go first: what
 * eviction gives back, found and freed without walking the table's grants.
 */
struct bb_pgnt_chunk {
	struct bb_pgnt_table *t;
	unsigned int n;			/* grants mapped by the call */
	unsigned int live;		/* ... whose page is still ours */
	unsigned int pinned;		/* ... pinned by a request in flight */
	bool idle;			/* on the idle list: pinned == 0 */
	struct bb_pgnt_chunk *iprev, *inext;	/* the idle list */
	struct bb_pgnt *ents[];		/* n: the entry of each page, NULL once evicted */
};

struct bb_pgnt {
	uint32_t gref;
	uint32_t pins;			/* requests in flight on it: not evicted while > 0 */
	uint8_t *addr;			/* the mapped page (NULL while being mapped) */
	struct bb_pgnt_chunk *chunk;
	unsigned int cidx;		/* our page's index in chunk->ents */
	struct bb_pgnt *hnext;		/* hash chain; the free list when unmapped */
	struct bb_pgnt *prev, *next;	/* LRU list while mapped and unpinned (else NULL) */
};

/*
 * The daemon's persistent grants: dom0's maptrack and gntdev are finite, so every table's
 * grants count against one bound. When it is reached, a table within its fair share
 * (bb_pgnt_share) takes grants back from the one furthest above its own: one guest's many
 * queues cannot keep another guest's disks on grant copy.
 */
struct bb_pgnt_budget {
	unsigned int held;		/* grants held by every table */
	unsigned int max;		/* ... at most */
	unsigned int domains;		/* domains with a table */
	struct bb_pgnt_table *tables;	/* every table, linked by bnext */
	uint64_t stat_walks;		/* tests: walks of the tables to give grants back */
};

struct bb_pgnt_table {
	struct xenbe_env *env;
	uint16_t domid;
	unsigned int max;		/* grants this queue maps (and holds) at most */
	unsigned int n;			/* entries mapped now */
	unsigned int held;		/* grants held: the pages of every chunk still live */
	struct bb_pgnt_budget *budget;	/* the daemon's, shared by every table */
	struct bb_pgnt_table *bnext;	/* the budget's list */
	unsigned int dom_tables;	/* tables of our domain in the budget, us too */
	struct bb_pgnt *ents;		/* max of them */
	struct bb_pgnt **hash;
	unsigned int hmask;
	struct bb_pgnt *free;
	struct bb_pgnt lru;		/* unpinned entries: lru.next let go last, lru.prev first */
	struct bb_pgnt_chunk *idle_first, *idle_last;	/* maps nobody pins, oldest first */
	uint32_t *refs;			/* scratch: the grants one call maps, max of them */
	struct bb_pgnt **fresh;		/* ... and their entries */
	uint64_t stat_maps, stat_hits;	/* tests: grants mapped, hits */
	uint64_t stat_calls;		/* tests: gnt_map calls */
};

/* 0 or -ENOMEM; @t joins @budget until bb_pgnt_fini. */
int bb_pgnt_init(struct bb_pgnt_table *t, struct xenbe_env *env, uint16_t domid,
		 unsigned int max, struct bb_pgnt_budget *budget);
/*
 * @t's fair share of its budget: an equal part for each domain with a table, split equally
 * between that domain's tables (at least 1). O(1): the counts are kept by init and fini.
 */
unsigned int bb_pgnt_share(const struct bb_pgnt_table *t);
/* Unmaps every grant and frees the table: nothing may be pinned (no I/O in flight). */
void bb_pgnt_fini(struct bb_pgnt_table *t);
/*
 * Pins @grefs[0..@n) into @out, the ones not mapped yet mapped in one gnt_map call (then
 * kept): 0, or nothing pinned and -ENOSPC when there is no room (every entry pinned, or the
 * queue's or daemon's bound reached and no unpinned map to give back, of ours or, within our
 * share, of a table above its own: the caller falls back to grant copy), or -EFAULT when the map failed (a bad, revoked or read-only grant among them:
 * grant copy then finds which, and answers the request's error).
 */
int bb_pgnt_get_n(struct bb_pgnt_table *t, const uint32_t *grefs, unsigned int n,
		  struct bb_pgnt **out);
/* One grant: the entry, or NULL with *@err as above. */
struct bb_pgnt *bb_pgnt_get(struct bb_pgnt_table *t, uint32_t gref, int *err);
/* Unpins what a get pinned. */
void bb_pgnt_put(struct bb_pgnt *p);

#endif
