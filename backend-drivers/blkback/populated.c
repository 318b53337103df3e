/* Which pages of a mapped file hold data: reads of the others must not fault them in. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "populated.h"

#define PAGE_SHIFT	12
#define LEAF_WORDS	512u				/* 4 KiB of bits */
#define LEAF_PAGES	(LEAF_WORDS * 64u)		/* 128 MiB of the file */

static uint64_t *leaf(struct bb_populated *p, uint64_t page, bool alloc)
{
	uint64_t **l = &p->leaves[page / LEAF_PAGES];

	if (!*l && alloc)
		*l = calloc(LEAF_WORDS, sizeof(uint64_t));
	return *l;
}

/* Sets (or clears) the bits of pages [@first, @last]: false when a leaf could not be had. */
static bool set_range(struct bb_populated *p, uint64_t first, uint64_t last, bool on)
{
	uint64_t pg;

	for (pg = first; pg <= last; pg++) {
		uint64_t *w = leaf(p, pg, on), bit = 1ull << (pg % 64);
		bool word = pg % 64 == 0 && last - pg >= 63;

		if (!w) {
			if (on)
				return false;
			pg |= LEAF_PAGES - 1;	/* a hole already: skip the leaf */
			continue;
		}
		w += pg % LEAF_PAGES / 64;
		if (word) {			/* 64 pages at once */
			*w = on ? ~0ull : 0;
			pg += 63;
		} else if (on) {
			*w |= bit;
		} else {
			*w &= ~bit;
		}
	}
	return true;
}

int bb_populated_init(struct bb_populated *p, int fd, uint64_t bytes)
{
	off_t pos = 0;

	p->pages = (bytes + (1u << PAGE_SHIFT) - 1) >> PAGE_SHIFT;
	p->nleaves = (p->pages + LEAF_PAGES - 1) / LEAF_PAGES;
	p->leaves = calloc(p->nleaves ? p->nleaves : 1, sizeof(*p->leaves));
	if (!p->leaves)
		return -ENOMEM;
	while (fd >= 0 && (uint64_t)pos < bytes) {
		off_t data = lseek(fd, pos, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;			/* holes to the end */
		if (data < 0) {
			data = pos;		/* no SEEK_DATA here: all data */
			hole = (off_t)bytes;
		} else {
			hole = lseek(fd, data, SEEK_HOLE);
			if (hole < 0 || (uint64_t)hole > bytes)
				hole = (off_t)bytes;
		}
		if ((uint64_t)data >= bytes)
			break;
		if (hole > data &&
		    !bb_populated_mark(p, (uint64_t)data, (uint64_t)(hole - data))) {
			bb_populated_fini(p);
			return -ENOMEM;
		}
		pos = hole > data ? hole : data + 1;
	}
	return 0;
}

void bb_populated_fini(struct bb_populated *p)
{
	uint64_t i;

	for (i = 0; p->leaves && i < p->nleaves; i++)
		free(p->leaves[i]);
	free(p->leaves);
	p->leaves = NULL;
	p->nleaves = p->pages = 0;
}

static bool marked(const struct bb_populated *p, uint64_t pg)
{
	const uint64_t *w = p->leaves[pg / LEAF_PAGES];

	return w && (w[pg % LEAF_PAGES / 64] >> (pg % 64) & 1);
}

bool bb_populated_all(const struct bb_populated *p, uint64_t off, uint64_t len)
{
	uint64_t pg, last, bytes = p->pages << PAGE_SHIFT;

	if (!len)
		return true;
	if (off >= bytes || len > bytes - off)
		return false;
	last = (off + len - 1) >> PAGE_SHIFT;
	for (pg = off >> PAGE_SHIFT; pg <= last; pg++)
		if (!marked(p, pg))
			return false;
	return true;
}

bool bb_populated_mark(struct bb_populated *p, uint64_t off, uint64_t len)
{
	uint64_t last, bytes = p->pages << PAGE_SHIFT;

	if (!len || off >= bytes)
		return true;
	if (len > bytes - off)
		len = bytes - off;
	last = (off + len - 1) >> PAGE_SHIFT;
	return set_range(p, off >> PAGE_SHIFT, last, true);
}

void bb_populated_each(const struct bb_populated *p,
		       void (*fn)(void *arg, uint64_t off, uint64_t len), void *arg)
{
	uint64_t pg = 0, start;

	while (pg < p->pages) {
		const uint64_t *w = p->leaves[pg / LEAF_PAGES];

		if (!w) {			/* a leaf of holes */
			pg = (pg / LEAF_PAGES + 1) * LEAF_PAGES;
			continue;
		}
		if (pg % 64 == 0 && !w[pg % LEAF_PAGES / 64]) {
			pg += 64;		/* a word of holes */
			continue;
		}
		if (!marked(p, pg)) {
			pg++;
			continue;
		}
		for (start = pg; pg < p->pages && marked(p, pg); pg++)
			;
		fn(arg, start << PAGE_SHIFT, (pg - start) << PAGE_SHIFT);
	}
}

/* Frees the leaves of [@first, @last] that hold no mark any more. */
static void free_empty_leaves(struct bb_populated *p, uint64_t first, uint64_t last)
{
	uint64_t l, i;

	for (l = first / LEAF_PAGES; l <= last / LEAF_PAGES; l++) {
		uint64_t *w = p->leaves[l];

		for (i = 0; w && i < LEAF_WORDS && !w[i]; i++)
			;
		if (w && i == LEAF_WORDS) {
			free(w);
			p->leaves[l] = NULL;
		}
	}
}

void bb_populated_clear(struct bb_populated *p, uint64_t off, uint64_t len)
{
	uint64_t bytes = p->pages << PAGE_SHIFT, first, end;

	if (off >= bytes)
		return;
	if (len > bytes - off)
		len = bytes - off;
	first = (off + (1u << PAGE_SHIFT) - 1) >> PAGE_SHIFT;
	end = (off + len) >> PAGE_SHIFT;	/* the first page not wholly inside */
	if (first < end) {
		set_range(p, first, end - 1, false);
		/* A sparse file costs what it holds: no leaf kept for punched-out data. */
		free_empty_leaves(p, first, end - 1);
	}
}
