/* The blkfront guest's model of each disk: what every sector should hold, verified I/O, the checksum. */
#ifndef BLKFRONT_GUEST_DISK_H
#define BLKFRONT_GUEST_DISK_H

#include "guest.h"
#include "blkfront.h"

#define DISK_MAX_SECTORS 65536		/* 32 MiB */
#define IO_MAX_PAGES 64			/* 256 KiB per request at most */
#define GEN_UNKNOWN 0xffffffffu		/* discarded: not checked */

struct disk {
	struct blkfront dev;
	const char *name;		/* "a", "b", "c" */
	u64 seed;
	u32 gen[DISK_MAX_SECTORS];	/* 0: zeros, as created */
	u32 next_gen;
	unsigned int reads, writes, flushes, discards, errors;
};

/* The 8-byte word @w of sector @s at generation @g. */
u64 pattern_word(const struct disk *k, u64 s, u32 g, u32 w);

/* A disk's pattern seed from the guest's seed= and its slot. */
u64 disk_seed(u32 seed, unsigned int slot);

/* xorshift64*, seeded once. */
void rnd_seed(u64 seed);
u64 rnd(void);

/*
 * Verified I/O; each returns true on success and reports a FAIL with
 * CHECK() otherwise. disk_write() records the new generations only once
 * the backend said OKAY.
 */
bool disk_write(struct disk *k, u64 sector, u32 nsect);
bool disk_read(struct disk *k, u64 sector, u32 nsect);
bool disk_flush(struct disk *k);
bool disk_discard(struct disk *k, u64 sector, u32 nsect);
/* The most one request may carry: what the backend's indirect limit (or 11 segments) allows. */
u32 disk_max_sectors(const struct disk *k);
/* @ops random reads, writes, flushes and discards. */
void disk_random_io(struct disk *k, unsigned int ops);
/* A short random write and read-back: the disk still serves correctly. */
bool disk_still_serves(struct disk *k);
/* Read the whole disk, verify it, and return zlib's CRC-32 of it; *@ok: all went well. */
u32 disk_crc32(struct disk *k, bool *ok);

/* A scratch page-aligned buffer of IO_MAX_PAGES pages. */
extern u8 io_buf[IO_MAX_PAGES * 4096];

#endif
