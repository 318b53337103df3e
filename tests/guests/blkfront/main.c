/*
 * blkfront: keel's guest-kit block frontend against dom0's block backend.
 * It runs as a domU that keelctl creates with disks xvda (a), xvdb (b)
 * and, optionally, a read-only xvdc (c). It connects each (a with the
 * largest ring and indirect segments the backend offers, b with a
 * one-page ring, direct requests and persistent grants), runs random reads, writes, flushes
 * and discards on a and b with every read verified against a pattern
 * derived from the seed, sector and write generation, then plays every
 * hostile-frontend case of the checklist on a (hostile.c), checking each
 * answer while b keeps verifying, and prints each disk's CRC-32 as it
 * reads it at the end so dom0 can compare it with the image.
 * Command line: seed=N ops=N (defaults 1 and 200); mode=xs runs only the
 * xenstore client's checks against the real daemon (xs_selftest.c);
 * mode=bench label=L mib=N ops=N runs make bench's disk workload on the
 * first disk (bench.c).
 * Lines: "blkfront: PASS <case>: ...", "blkfront: FAIL ...", and the one
 * "guest: PASS blkfront" or "guest: FAIL blkfront (N failures)".
 */
#include "guest.h"
#include "bench.h"
#include "disk.h"
#include "grefs.h"
#include "hostile.h"
#include "xenstore.h"
#include "xs_selftest.h"

#define GNT_FRAMES 4

static u8 gnt_pages[GNT_FRAMES][4096] __aligned(4096);
static u8 b_pool[IO_MAX_PAGES][4096] __aligned(4096);	/* disk b's persistent grants */
static struct disk disks[3];
static u32 guest_seed;

static bool connect_disk(struct disk *k, unsigned int slot, u32 vdev,
			 const char *name, const struct blkfront_opts *o)
{
	int rc;

	k->name = name;
	k->seed = disk_seed(guest_seed, slot);
	rc = blkfront_probe(&k->dev, slot, vdev);
	if (!CHECK(!rc, "disk %s (vbd %u): probe: %d", name, vdev, rc))
		return false;
	rc = blkfront_connect(&k->dev, o);
	if (!CHECK(!rc, "disk %s: connect: %d", name, rc))
		return false;
	if (!CHECK(k->dev.sectors <= DISK_MAX_SECTORS && k->dev.sectors >= 64 &&
		   k->dev.sector_size == 512,
		   "disk %s: %lu sectors of %u bytes: want 64..%u of 512", name,
		   (unsigned long)k->dev.sectors, k->dev.sector_size, DISK_MAX_SECTORS))
		return false;
	printf("blkfront: disk %s: vbd %u, backend %s (d%u), %lu sectors, info %u, "
	       "ring order %u of %u (%u slots), indirect %u, flush %d, discard %d, "
	       "persistent %d\n",
	       name, vdev, k->dev.be, k->dev.be_id, (unsigned long)k->dev.sectors,
	       k->dev.info, k->dev.ring_order, k->dev.max_ring_order, k->dev.nr_ents,
	       k->dev.max_indirect, k->dev.flush, k->dev.discard, k->dev.persistent);
	return true;
}

static void report(struct disk *k);

/* Flush, read the whole disk back verified and print its CRC-32 for dom0. */
static void final_crc(struct disk *k)
{
	bool ok;
	u32 crc;

	if (!k->dev.connected)
		return;
	disk_flush(k);
	crc = disk_crc32(k, &ok);
	if (CHECK(ok, "disk %s: final read-back failed", k->name))
		printf("blkfront: disk %s crc32 %08x\n", k->name, crc);
	report(k);
}

static void report(struct disk *k)
{
	printf("blkfront: disk %s: %u reads, %u writes, %u flushes, %u discards, %u errors\n",
	       k->name, k->reads, k->writes, k->flushes, k->discards, k->errors);
}

int guest_main(const char *cmdline)
{
	struct blkfront_opts big = { .ring_order = BLKFRONT_MAX_ORDER, .indirect = true };
	struct blkfront_opts small = { .ring_order = 0, .indirect = false };
	struct blkfront_opts persistent = { .ring_order = 0, .pool = b_pool,
					    .pool_pages = ARRAY_SIZE(b_pool) };
	u32 seed = 1, ops = 200, vdevs[4];
	char mode[16] = "";
	int n;

	cmdline_uint(cmdline, "seed", &seed);
	cmdline_uint(cmdline, "ops", &ops);
	rnd_seed(seed);
	guest_seed = seed;
	if (!CHECK(!events_init(), "no events") ||
	    !CHECK(!gnttab_init((uptr)gnt_pages, GNT_FRAMES), "no grant table") ||
	    !CHECK(!xs_init(), "no xenstore ring"))
		return test_result("blkfront");
	if (cmdline_param(cmdline, "mode", mode, sizeof(mode)) && !strcmp(mode, "xs")) {
		xs_selftest();
		return test_result("blkfront-xs");
	}
	/* Refs 0..7 are the toolstack's, as in Xen. */
	grefs_init(8, GNT_FRAMES * GNTTAB_ENTRIES_PER_FRAME - 8);
	if (!strcmp(mode, "bench")) {
		char label[32] = "keel-blkfront";
		u32 mib = 16;

		cmdline_param(cmdline, "label", label, sizeof(label));
		cmdline_uint(cmdline, "mib", &mib);
		bench_run(label, mib, ops);
		return test_result("blkfront-bench");
	}

	n = blkfront_list(vdevs, ARRAY_SIZE(vdevs));
	printf("blkfront: %d disk(s) under device/vbd\n", n);
	if (!CHECK(n >= 2, "want at least two disks, found %d", n) ||
	    !connect_disk(&disks[0], 0, vdevs[0], "a", &big) ||
	    !connect_disk(&disks[1], 1, vdevs[1], "b", &persistent))
		return test_result("blkfront");
	if (n >= 3 && connect_disk(&disks[2], 2, vdevs[2], "c", &small))
		CHECK(disks[2].dev.info & BLK_VDISK_READONLY, "disk c is not read-only (info %u)",
		      disks[2].dev.info);

	for (unsigned int round = 0; round < 4; round++) {
		disk_random_io(&disks[0], ops / 4);
		disk_random_io(&disks[1], ops / 4);
	}
	report(&disks[0]);
	report(&disks[1]);
	if (!test_failures)
		printf("blkfront: PASS random-io: %u ops on a and on b, every read verified\n",
		       ops);

	hostile_run(&disks[0], &disks[1], n >= 3 ? &disks[2] : NULL);

	/* a's checksum, then a deletes its directory (b still verifying), then b's. */
	final_crc(&disks[0]);
	if (disks[0].dev.connected)
		hostile_delete_dir(&disks[0], &disks[1]);
	final_crc(&disks[1]);
	for (unsigned int i = 1; i < 3; i++)
		if (disks[i].dev.connected)
			CHECK(!blkfront_close(&disks[i].dev), "disk %s: close failed",
			      disks[i].name);
	printf("blkfront: xenstore watch events %u (%u dropped), grants free %u\n",
	       xs_events_seen(), xs_events_lost(), grefs_free());
	return test_result("blkfront");
}
