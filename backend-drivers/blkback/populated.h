/* Which pages of a mapped file hold data: reads of the others must not fault them in. */
#ifndef BLKBACK_POPULATED_H
#define BLKBACK_POPULATED_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One bit per 4 KiB page of the file, set where it holds data (the pages a read through a
 * shared mapping would not have to allocate). Two levels: a leaf of 4 KiB covers 128 MiB of
 * the file and is allocated when its first page is marked, so a sparse image costs what it
 * holds (a leaf per 128 MiB of data), not what it could.
 */
struct bb_populated {
	uint64_t pages;			/* of the file, at map time */
	uint64_t nleaves;
	uint64_t **leaves;		/* NULL: none of its pages marked */
};

/*
 * Marks the data of @fd's first @bytes (SEEK_DATA / SEEK_HOLE; a filesystem without them
 * says all data); @fd < 0: nothing is known to be data (where that would be wrong: ramfs
 * calls every hole data). 0 or -errno (-ENOMEM).
 */
int bb_populated_init(struct bb_populated *p, int fd, uint64_t bytes);
void bb_populated_fini(struct bb_populated *p);
/* Does every page [@off, @off + @len) touches hold data? */
bool bb_populated_all(const struct bb_populated *p, uint64_t off, uint64_t len);
/* Every page [@off, @off + @len) touches now holds data (written). False: out of memory. */
bool bb_populated_mark(struct bb_populated *p, uint64_t off, uint64_t len);
/* The whole pages inside [@off, @off + @len) are holes now (punched). */
void bb_populated_clear(struct bb_populated *p, uint64_t off, uint64_t len);
/* Calls @fn for each run of pages holding data, in order: its byte offset and length. */
void bb_populated_each(const struct bb_populated *p,
		       void (*fn)(void *arg, uint64_t off, uint64_t len), void *arg);

#endif
