/* The granter/grantee protocol: the grantee's command line, the page patterns and the steps the event channel paces. */
#ifndef INTERDOMAIN_H
#define INTERDOMAIN_H

#include <keel/types.h>

/*
 * The granter (dom0) builds the grantee (a domU) from module 1 with
 *   "port=P rw=R ro=R foreign=R unused=R notmine=P"
 * port: dom0's unbound port offered to the grantee; rw, ro: refs granting
 * it one page read-write and one read-only; foreign: a ref dom0 granted to
 * another domain; unused: a ref never granted; notmine: an unbound port of
 * dom0 offered to dom0 itself. With "writero ro=R" the grantee only maps
 * R read-only and writes to it, which must crash it alone.
 *
 * Steps; each ends with an event on the channel (<- grantee, -> granter):
 *  1 <- bound, both pages mapped and checked, ANSWER written through the
 *       read-write mapping and COPY copied into that grant at COPY_OFFSET
 *       (GNTTABOP_copy), every hostile op refused.
 *  2 -> dom0 saw all that and GTF_reading/GTF_writing set: "unmap".
 *  3 <- both unmapped.
 *  4 -> the flags are clear and both grants revoked: "map again".
 *  5 <- maps and copies of the revoked grants refused.
 *  Then dom0 closes its end; the grantee waits to see its port unbound,
 *  checks sends and closes on it and powers off (crashes on failure).
 */

#define GRANTEE_MAP_GPA 0x80000000ULL	/* above the grantee's RAM */
#define PAGE_WORDS (4096 / sizeof(u32))
#define ANSWER_WORDS 64			/* words 0..63 of the rw page */
#define COPY_OFFSET 2048		/* bytes of the rw page */
#define COPY_WORDS 64

/* dom0's contents of the rw and ro pages, word by word. */
static inline u32 rw_pattern(unsigned int i)
{
	return 0x52570000 | i;
}

static inline u32 ro_pattern(unsigned int i)
{
	return 0x524f0000 | i;
}

/* What the grantee writes through its mapping, and copies in. */
static inline u32 answer_pattern(unsigned int i)
{
	return 0x414e0000 | i;
}

static inline u32 copy_pattern(unsigned int i)
{
	return 0x43500000 | i;
}

#endif
