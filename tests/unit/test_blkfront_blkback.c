/*
 * The guest kit's block frontend (frontend-drivers/blkfront) and the blkfront guest's verified
 * I/O and hostile cases (tests/guests/blkfront) against keel-blkback's real core, in process:
 * kfront_world.c puts the frontend's grants, event channels and xenstore on bb_fake.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "disk.h"
#include "crc32.h"
#include "grefs.h"
#include "hostile.h"
#include "kfront_world.h"

#define MiB4 (4u << 20)

static struct disk disks[3];
static u8 pools[3][IO_MAX_PAGES][4096] __attribute__((aligned(4096)));
static bool mapped_images;	/* keel-blkback --map: it offers no persistent grants */

static void connect_pooled(unsigned int i, unsigned int order, bool indirect, bool pool)
{
	struct blkfront_opts o = { .ring_order = order, .indirect = indirect };
	struct disk *k = &disks[i];

	if (pool) {
		o.pool = pools[i];
		o.pool_pages = IO_MAX_PAGES;
	}

	memset(k, 0, sizeof(*k));
	k->name = (const char *[]){ "a", "b", "c" }[i];
	k->seed = disk_seed(7, i);
	assert_int_equal(blkfront_probe(&k->dev, i, 51712 + 16 * i), 0);
	assert_int_equal(blkfront_connect(&k->dev, &o), 0);
	assert_true(k->dev.connected);
	assert_int_equal(k->dev.persistent, pool && !mapped_images);
}

static void connect_disk(unsigned int i, unsigned int order, bool indirect)
{
	connect_pooled(i, order, indirect, false);
}

static u32 image_crc32(unsigned int i)
{
	static u8 buf[65536];
	FILE *img = fopen(world_image(i), "r");
	u32 crc = 0;
	size_t n;

	assert_non_null(img);
	while ((n = fread(buf, 1, sizeof(buf), img)) > 0)
		crc = crc32_update(crc, buf, n);
	fclose(img);
	return crc;
}

static int setup_world(bool mapped)
{
	static const uint64_t bytes[] = { MiB4, MiB4, 1u << 20 };
	static const bool ro[] = { false, false, true };

	test_failures = 0;
	mapped_images = mapped;
	world_setup(3, bytes, ro, mapped);
	grefs_init(256, 1792);
	rnd_seed(12345);
	return 0;
}

static int setup(void **state)
{
	return setup_world(false);
}

/* The images mapped, as dom0's tmpfs ones are: every request one grant copy to the file. */
static int setup_mapped(void **state)
{
	return setup_world(true);
}

static int teardown(void **state)
{
	world_teardown();
	return 0;
}

static void test_connect(void **state)
{
	connect_disk(0, 4, true);
	connect_disk(1, 0, false);
	connect_disk(2, 0, false);
	assert_int_equal(disks[0].dev.ring_order, 4);
	assert_int_equal(disks[0].dev.nr_ents, 512);
	assert_int_equal(disks[1].dev.nr_ents, 32);
	assert_true(disks[0].dev.max_indirect > BLK_MAX_SEGS);
	assert_int_equal(disks[0].dev.sectors, MiB4 / 512);
	assert_true(disks[2].dev.info & BLK_VDISK_READONLY);
	assert_false(disks[0].dev.info & BLK_VDISK_READONLY);
	assert_string_equal(world_read("/local/domain/0/backend/qdisk/5/51712/state"), "4");
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(blkfront_close(&disks[i].dev), 0);
	assert_string_equal(world_read("/local/domain/0/backend/qdisk/5/51712/state"), "6");
	assert_int_equal(world_backend_resources(), 0);
	/* The backend unmapped each ring before it said Closed. */
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(disks[i].dev.busy_grants, 0);
	/* And again, from Closed. */
	assert_int_equal(blkfront_reconnect(&disks[0].dev,
					    &(struct blkfront_opts){ .ring_order = 2, .indirect = true }),
			 0);
	assert_int_equal(disks[0].dev.ring_order, 2);
	assert_true(disk_still_serves(&disks[0]));
	assert_int_equal(test_failures, 0);
}

static void test_random_io(void **state)
{
	bool ok;
	u32 crc;

	connect_disk(0, 4, true);
	connect_pooled(1, 0, false, true);
	disk_random_io(&disks[0], 300);
	disk_random_io(&disks[1], 300);
	assert_int_equal(test_failures, 0);
	assert_true(disks[0].reads > 50 && disks[0].writes > 50 && disks[0].flushes > 5);
	for (unsigned int i = 0; i < 2; i++) {
		assert_true(disk_flush(&disks[i]));
		crc = disk_crc32(&disks[i], &ok);
		assert_true(ok);
		assert_int_equal(crc, image_crc32(i));
	}
	/* Every grant came back: the backend held none when it answered. */
	assert_int_equal(disks[0].dev.busy_grants + disks[1].dev.busy_grants, 0);
	/* All but the rings' and b's persistent pool (and its indirect page). */
	assert_int_equal(grefs_free(), 1792 - (1u << 4) - 1 -
			 (disks[1].dev.persistent ? IO_MAX_PAGES + 1 : 0));
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(blkfront_close(&disks[i].dev), 0);
	assert_int_equal(disks[0].dev.busy_grants + disks[1].dev.busy_grants, 0);
	assert_int_equal(grefs_free(), 1792);
	assert_int_equal(world_backend_resources(), 0);
}

/*
 * Persistent grants with INDIRECT requests, as make bench's guest runs them: I/O in the pool
 * itself and copied through it, checked on both ends; the pool given back at close.
 */
static void test_persistent(void **state)
{
	struct blkfront_opts bad = { .indirect = true, .pool = pools[0], .pool_pages = 4 };
	struct blkfront *d = &disks[0].dev;
	bool ok;
	int st;

	/* A pool too small for a direct request, or not page-aligned, is refused. */
	memset(&disks[0], 0, sizeof(disks[0]));
	assert_int_equal(blkfront_probe(d, 0, 51712), 0);
	assert_int_equal(blkfront_connect(d, &bad), -EINVAL);
	bad.pool_pages = IO_MAX_PAGES;
	bad.pool = pools[0][0] + 512;
	assert_int_equal(blkfront_connect(d, &bad), -EINVAL);

	connect_pooled(0, 4, true, true);
	if (mapped_images) {
		assert_null(blkfront_pool(d));
		assert_true(disk_still_serves(&disks[0]));
		return;
	}
	assert_ptr_equal(blkfront_pool(d), pools[0]);
	assert_true(d->max_indirect > BLK_MAX_SEGS && d->max_indirect <= IO_MAX_PAGES);
	/* Whole-pool INDIRECT writes in place, read back through io_buf (copied) and in place. */
	for (u32 p = 0; p < IO_MAX_PAGES * 4096 / 8; p++)
		((u64 *)pools[0])[p] = 0x1234567800000000ull | p;
	assert_int_equal(blkfront_rw(d, BLK_OP_WRITE, 64, pools[0], d->max_indirect * 8, &st), 0);
	assert_int_equal(st, BLK_RSP_OKAY);
	memset(io_buf, 0, sizeof(io_buf));
	assert_int_equal(blkfront_rw(d, BLK_OP_READ, 64, io_buf, d->max_indirect * 8, &st), 0);
	assert_int_equal(st, BLK_RSP_OKAY);
	assert_memory_equal(io_buf, pools[0], d->max_indirect * 4096);
	memset(pools[0][1], 0, 4096);
	assert_int_equal(blkfront_rw(d, BLK_OP_READ, 64 + 8, pools[0][1], 8, &st), 0);
	assert_int_equal(((u64 *)pools[0][1])[0], 0x1234567800000000ull | 512);
	/* A sector count whose page count would wrap is too big, not a copy of 4 GiB. */
	assert_int_equal(blkfront_rw(d, BLK_OP_WRITE, 0, io_buf, 0xfffffff9u, &st), -E2BIG);
	/* A buffer straddling the pool's end is refused before anything goes on the ring. */
	assert_int_equal(blkfront_rw(d, BLK_OP_READ, 0, pools[0][IO_MAX_PAGES - 1], 16, &st),
			 -EINVAL);
	/* The verified workload on top (the model knows nothing of the pattern above). */
	for (u32 i = 0; i < d->max_indirect * 8; i++)
		disks[0].gen[64 + i] = GEN_UNKNOWN;
	disk_random_io(&disks[0], 200);
	assert_int_equal(test_failures, 0);
	assert_true(disk_flush(&disks[0]));
	assert_int_equal(disk_crc32(&disks[0], &ok), image_crc32(0));
	assert_true(ok);
	/* Then the pool comes back whole. */
	assert_int_equal(blkfront_close(d), 0);
	assert_int_equal(d->busy_grants, 0);
	assert_int_equal(grefs_free(), 1792);
	assert_int_equal(world_backend_resources(), 0);
}

/* The frontend against a backend gone wrong: impossible rsp_prod, a ring still mapped. */
static void test_hostile_backend(void **state)
{
	struct blkfront *d = &disks[1].dev;
	struct blk_rsp rsp;
	int st;

	connect_disk(1, 0, false);
	assert_true(disk_still_serves(&disks[1]));
	d->sring->rsp_prod = d->rsp_cons + d->nr_ents + 1;
	assert_int_equal(blkfront_get_response(d, &rsp, 0), -EIO);
	assert_true(d->broken);
	assert_int_equal(d->bad_responses, 1);
	/* Broken: nothing more goes on the ring. */
	assert_int_equal(blkfront_rw(d, BLK_OP_READ, 0, io_buf, 8, &st), -EIO);
	/* Revoking the ring while the backend still maps it fails and leaks the ref. */
	blkfront_drop_ring(d);
	assert_int_equal(d->busy_grants, 1);
	/* And the device comes back. */
	assert_int_equal(blkfront_reconnect(d, &(struct blkfront_opts){ .ring_order = 0 }), 0);
	assert_true(disk_still_serves(&disks[1]));
}

static void test_hostile(void **state)
{
	connect_disk(0, 4, true);
	connect_pooled(1, 0, false, true);
	connect_disk(2, 0, false);
	disk_random_io(&disks[0], 40);
	hostile_run(&disks[0], &disks[1], &disks[2]);
	assert_true(disks[0].dev.connected);
	disk_random_io(&disks[0], 40);
	hostile_delete_dir(&disks[0], &disks[1]);
	printf("test_hostile: %u failure(s)\n", test_failures);
	assert_int_equal(test_failures, 0);
	/* When the guest dies, the backend lets go of every disk, the deleted one too. */
	world_kill_guest();
	assert_int_equal(world_devices_held(), 0);
	assert_int_equal(world_backend_resources(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_connect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_backend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_io, setup_mapped, teardown),
		cmocka_unit_test_setup_teardown(test_persistent, setup_mapped, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup_mapped, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
