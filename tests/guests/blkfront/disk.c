/* The blkfront guest's verified I/O: sector patterns from a seed, random requests, read-back checks. */
#include "disk.h"
#include "crc32.h"

u8 io_buf[IO_MAX_PAGES * 4096] __aligned(4096);
static u64 rnd_state = 0x9e3779b97f4a7c15ULL;

void rnd_seed(u64 seed)
{
	rnd_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

u64 rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

u64 disk_seed(u32 seed, unsigned int slot)
{
	return mix(((u64)seed << 8) | slot);
}

u64 pattern_word(const struct disk *k, u64 s, u32 g, u32 w)
{
	if (!g)
		return 0;
	return mix(k->seed ^ mix(s * 64 + w) ^ ((u64)g << 32));
}

/*
 * The buffer of the disk's next request: with persistent grants every other
 * one is the pool itself (no copy in blkfront), the rest io_buf (copied).
 */
static u8 *io_buffer(const struct disk *k)
{
	u8 *pool = blkfront_pool((struct blkfront *)&k->dev);

	return pool && ((k->reads + k->writes) & 1) ? pool : io_buf;
}

static void fill(const struct disk *k, u8 *buf, u64 sector, u32 nsect, const u32 *gens)
{
	u64 *p = (u64 *)buf;

	for (u32 i = 0; i < nsect; i++)
		for (u32 w = 0; w < 64; w++)
			*p++ = pattern_word(k, sector + i, gens[i], w);
}

bool disk_write(struct disk *k, u64 sector, u32 nsect)
{
	static u32 gens[IO_MAX_PAGES * 8];
	u8 *buf = io_buffer(k);
	int st = 0, rc;

	if (nsect > ARRAY_SIZE(gens) || sector + nsect > k->dev.sectors)
		return CHECK(false, "disk %s: bad write %lu+%u", k->name,
			     (unsigned long)sector, nsect);
	for (u32 i = 0; i < nsect; i++)
		gens[i] = ++k->next_gen;
	fill(k, buf, sector, nsect, gens);
	rc = blkfront_rw(&k->dev, BLK_OP_WRITE, sector, buf, nsect, &st);
	k->writes++;
	if (!CHECK(!rc && st == BLK_RSP_OKAY, "disk %s: write %lu+%u: rc %d status %d",
		   k->name, (unsigned long)sector, nsect, rc, st)) {
		k->errors++;
		/* Unknown now: it may or may not have landed. */
		for (u32 i = 0; i < nsect; i++)
			k->gen[sector + i] = GEN_UNKNOWN;
		return false;
	}
	for (u32 i = 0; i < nsect; i++)
		k->gen[sector + i] = gens[i];
	return true;
}

/* Read into @buf and check every sector of a known generation. */
static bool read_into(struct disk *k, u8 *buf, u64 sector, u32 nsect)
{
	int st = 0, rc;

	if (nsect > IO_MAX_PAGES * 8 || sector + nsect > k->dev.sectors)
		return CHECK(false, "disk %s: bad read", k->name);
	memset(buf, 0xa5, ALIGN_UP(nsect * 512, 4096));
	rc = blkfront_rw(&k->dev, BLK_OP_READ, sector, buf, nsect, &st);
	k->reads++;
	if (!CHECK(!rc && st == BLK_RSP_OKAY, "disk %s: read %lu+%u: rc %d status %d",
		   k->name, (unsigned long)sector, nsect, rc, st)) {
		k->errors++;
		return false;
	}
	for (u32 i = 0; i < nsect; i++) {
		u32 g = k->gen[sector + i];
		const u64 *p = (const u64 *)(buf + i * 512);

		if (g == GEN_UNKNOWN)
			continue;
		for (u32 w = 0; w < 64; w++) {
			if (p[w] == pattern_word(k, sector + i, g, w))
				continue;
			k->errors++;
			return CHECK(false, "disk %s: sector %lu word %u: %#lx, want %#lx (gen %u)",
				     k->name, (unsigned long)(sector + i), w,
				     (unsigned long)p[w],
				     (unsigned long)pattern_word(k, sector + i, g, w), g);
		}
	}
	return true;
}

bool disk_read(struct disk *k, u64 sector, u32 nsect)
{
	return read_into(k, io_buffer(k), sector, nsect);
}

bool disk_flush(struct disk *k)
{
	int st = 0, rc;

	if (!k->dev.flush)
		return true;
	rc = blkfront_flush(&k->dev, &st);
	k->flushes++;
	return CHECK(!rc && st == BLK_RSP_OKAY, "disk %s: flush: rc %d status %d",
		     k->name, rc, st);
}

bool disk_discard(struct disk *k, u64 sector, u32 nsect)
{
	int st = 0, rc;

	if (!k->dev.discard)
		return true;
	rc = blkfront_discard(&k->dev, sector, nsect, &st);
	k->discards++;
	for (u32 i = 0; i < nsect; i++)
		k->gen[sector + i] = GEN_UNKNOWN;
	if (!rc && st == BLK_RSP_EOPNOTSUPP) {
		/* Offered but not possible on this image: Linux stops discarding too. */
		printf("blkfront: disk %s: discard answered EOPNOTSUPP: no more discards\n",
		       k->name);
		k->dev.discard = false;
		return true;
	}
	return CHECK(!rc && st == BLK_RSP_OKAY, "disk %s: discard %lu+%u: rc %d status %d",
		     k->name, (unsigned long)sector, nsect, rc, st);
}

u32 disk_max_sectors(const struct disk *k)
{
	u32 pages = k->dev.max_indirect ? MIN(k->dev.max_indirect, (u32)IO_MAX_PAGES)
					: BLK_MAX_SEGS;

	return pages * 8;
}

/* A random extent: mostly small, sometimes past 44 KiB (indirect when offered). */
static void extent(struct disk *k, u64 *sector, u32 *nsect)
{
	u32 max = disk_max_sectors(k);
	u32 n = (rnd() % 4) ? 1 + rnd() % 16 : 1 + rnd() % max;

	if (n > k->dev.sectors)
		n = k->dev.sectors;
	*nsect = n;
	*sector = rnd() % (k->dev.sectors - n + 1);
}

void disk_random_io(struct disk *k, unsigned int ops)
{
	for (unsigned int i = 0; i < ops && k->dev.connected; i++) {
		u32 what = rnd() % 20, n;
		u64 s;

		extent(k, &s, &n);
		if (what < 8)
			disk_read(k, s, n);
		else if (what < 17)
			disk_write(k, s, n);
		else if (what < 19)
			disk_flush(k);
		else
			disk_discard(k, s, n);
	}
}

bool disk_still_serves(struct disk *k)
{
	u64 s;
	u32 n;

	extent(k, &s, &n);
	return disk_write(k, s, n) && disk_read(k, s, n);
}

u32 disk_crc32(struct disk *k, bool *ok)
{
	u32 crc = 0;

	*ok = false;
	u32 chunk = disk_max_sectors(k);

	for (u64 s = 0; s < k->dev.sectors; s += chunk) {
		u32 n = MIN(k->dev.sectors - s, (u64)chunk);

		if (!read_into(k, io_buf, s, n))
			return 0;
		crc = crc32_update(crc, io_buf, n * 512);
	}
	*ok = true;
	return crc;
}
