/*
 * grants: grant tables v1 from a single domain, the way Linux PVH uses
 * them. The guest asks the table's size, places its frames over two of its
 * own pages with XENMAPSPACE_grant_table (and a third, grown, in empty
 * guest-physical space), grants its own pages to itself and copies
 * through those grants (local to grant, grant to local, grant to grant),
 * then maps its own grant at an empty GFN (allowed for HVM guests, as in
 * Xen) and checks that the mapping shows the page, that GTF_reading and
 * GTF_writing follow the mappings and that a pinned page cannot be
 * revoked; ballooned out, it lives on in the mapping (keel's references)
 * until that goes. Every hostile op it can make on its own
 * must fail with Xen's status or error code. One mapping is left in place
 * at power-off, for keel to release with the domain.
 */
#include "guest.h"
#include <public/memory.h>

#define SELF 0			/* dom0's id: maps and copies name it */
#define MAP_GPA 0x80000000ULL	/* empty guest-physical space, identity mapped */
#define NR_FRAMES 2

static u8 table_pages[NR_FRAMES][4096] __attribute__((aligned(4096)));
static u8 pages[3][4096] __attribute__((aligned(4096)));

static u64 gpa_of(const void *p)
{
	return (uptr)p;
}

/* XENMEM_decrease_reservation or populate_physmap of the page at @gpa: extents done. */
static long balloon(unsigned int cmd, u64 gpa)
{
	u64 gfn = gpa >> 12;
	struct xen_memory_reservation r = {
		.extent_start = (u64)&gfn, .nr_extents = 1, .domid = DOMID_SELF,
	};

	return HYPERVISOR_memory_op(cmd, &r);
}

/* Where the gnttab_*() calls below store their op's GNTST_* code. */
static s16 st;

/* @call (storing into st) must succeed and leave status @want. */
#define EXPECT_STATUS(call, want)					\
	do {								\
		long __rc;						\
		st = 99;						\
		__rc = (call);						\
		CHECK(__rc == 0 && st == (want),			\
		      "%s: rc %ld status %d, want status %d", #call,	\
		      __rc, st, (want));				\
	} while (0)

static void sizes_and_versions(void)
{
	struct gnttab_query_size q;
	struct gnttab_set_version sv = { .version = 1 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };

	EXPECT(gnttab_query_size(DOMID_SELF, &q), 0);
	CHECK(q.status == GNTST_okay && q.nr_frames == 1 && q.max_nr_frames == 32,
	      "query_size: status %d, %u of %u frames", q.status, q.nr_frames,
	      q.max_nr_frames);
	EXPECT(gnttab_query_size(7, &q), 0);
	EXPECT(q.status, GNTST_bad_domain);
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 2), -EINVAL);
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_query_size, BAD_PTR, 1), -EFAULT);

	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1), 0);
	EXPECT(gv.version, 1);
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), 0);
	sv.version = 2;
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), -ENOSYS);
	EXPECT(sv.version, 1);
	sv.version = 0;
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), -EINVAL);
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_transfer, &sv, 1), -ENOSYS);
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_query_size | 0x1000, &q, 1),
	       -EINVAL);
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &q, 0x80000000U),
	       -EINVAL);
}

static long place_frame(u64 idx, u64 gpa)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
		.idx = idx, .gpfn = gpa >> 12,
	};

	return HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x);
}

static bool table_setup(void)
{
	u64 frames[4] = { 0, 0, 0, 0x1234 };
	struct gnttab_setup_table s = {
		.dom = DOMID_SELF, .nr_frames = 3, .frame_list = (uptr)frames,
	};

	if (!CHECK(!gnttab_init(gpa_of(table_pages), NR_FRAMES),
		   "cannot place the grant table"))
		return false;
	/* Frame 2 grows the table; it goes into empty space. */
	EXPECT(place_frame(2, MAP_GPA + 0x100000), 0);
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), 0);
	EXPECT(s.status, GNTST_okay);
	CHECK(frames[0] == gpa_of(table_pages[0]) >> 12 &&
	      frames[1] == gpa_of(table_pages[1]) >> 12 &&
	      frames[2] == (MAP_GPA + 0x100000) >> 12 && frames[3] == 0x1234,
	      "setup_table frames %#llx %#llx %#llx %#llx",
	      (unsigned long long)frames[0], (unsigned long long)frames[1],
	      (unsigned long long)frames[2], (unsigned long long)frames[3]);
	s.nr_frames = 33;
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), 0);
	EXPECT(s.status, GNTST_general_error);
	s.nr_frames = 1;
	s.frame_list = (uptr)BAD_PTR;
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), 0);
	EXPECT(s.status, GNTST_bad_virt_addr);
	EXPECT(place_frame(32, MAP_GPA), -EINVAL);
	EXPECT(place_frame(1U << 31, MAP_GPA), -EINVAL);
	/* The table is ours to write: a fresh one is all zero. */
	CHECK(gnttab_entry(GNTTAB_ENTRIES_PER_FRAME + 5)->flags == 0,
	      "entry in frame 1 not clear");
	return true;
}

static void copies(void)
{
	u8 *a = pages[0], *b = pages[1];
	struct gnttab_copy_ptr local = gnttab_local_ptr(gpa_of(pages[2]), 0);
	struct gnttab_copy_ptr ga = gnttab_ref_ptr(SELF, 10, 100);
	struct gnttab_copy_ptr gb = gnttab_ref_ptr(SELF, 11, 0);

	gnttab_grant_access(10, SELF, gpa_of(a), false);
	gnttab_grant_access(11, SELF, gpa_of(b), true);
	for (int i = 0; i < 64; i++)
		pages[2][i] = i + 1;

	/* local -> grant, grant -> grant (read-only source), grant -> local. */
	EXPECT_STATUS(gnttab_copy(&local, &ga, 64, GNTCOPY_dest_gref, &st),
		      GNTST_okay);
	CHECK(!memcmp(a + 100, pages[2], 64), "local -> grant copy differs");
	memset(b, 0x5a, 4096);
	ga.offset = 0;
	EXPECT_STATUS(gnttab_copy(&gb, &ga, 4096,
				  GNTCOPY_source_gref | GNTCOPY_dest_gref, &st),
		      GNTST_okay);
	CHECK(a[0] == 0x5a && a[4095] == 0x5a, "grant -> grant copy missing");
	a[7] = 0x77;
	ga.offset = 7;
	local.offset = 4095;
	EXPECT_STATUS(gnttab_copy(&ga, &local, 1, GNTCOPY_source_gref, &st),
		      GNTST_okay);
	CHECK(pages[2][4095] == 0x77, "grant -> local copy missing");
	CHECK(gnttab_entry(10)->flags == GTF_permit_access &&
	      gnttab_entry(11)->flags == (GTF_permit_access | GTF_readonly),
	      "copies left flags %#x %#x", gnttab_entry(10)->flags,
	      gnttab_entry(11)->flags);
}

static void hostile_copies(void)
{
	struct gnttab_copy_ptr ga = gnttab_ref_ptr(SELF, 10, 4000);
	struct gnttab_copy_ptr gb = gnttab_ref_ptr(SELF, 11, 0);
	struct gnttab_copy_ptr local = gnttab_local_ptr(gpa_of(pages[2]), 0);
	struct gnttab_copy_ptr hole = gnttab_local_ptr(MAP_GPA, 0);
	struct gnttab_copy_ptr foreign = local;

	EXPECT_STATUS(gnttab_copy(&ga, &local, 97, GNTCOPY_source_gref, &st),
		      GNTST_bad_copy_arg);
	EXPECT_STATUS(gnttab_copy(&local, &ga, 200, GNTCOPY_dest_gref, &st),
		      GNTST_bad_copy_arg);
	EXPECT_STATUS(gnttab_copy(&local, &gb, 8, GNTCOPY_dest_gref, &st),
		      GNTST_general_error);		/* read-only grant */
	EXPECT_STATUS(gnttab_copy(&local, &hole, 8, 0, &st), GNTST_bad_page);
	foreign.domid = SELF;		/* frames by number: DOMID_SELF only */
	EXPECT_STATUS(gnttab_copy(&foreign, &local, 8, 0, &st),
		      GNTST_permission_denied);
	gb = gnttab_ref_ptr(5, 11, 0);
	EXPECT_STATUS(gnttab_copy(&gb, &local, 8, GNTCOPY_source_gref, &st),
		      GNTST_bad_domain);
	gb = gnttab_ref_ptr(SELF, 3 * GNTTAB_ENTRIES_PER_FRAME, 0);
	EXPECT_STATUS(gnttab_copy(&gb, &local, 8, GNTCOPY_source_gref, &st),
		      GNTST_bad_gntref);
	gb = gnttab_ref_ptr(SELF, 12, 0);		/* never granted */
	EXPECT_STATUS(gnttab_copy(&gb, &local, 8, GNTCOPY_source_gref, &st),
		      GNTST_general_error);
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_copy, BAD_PTR, 1), -EFAULT);
}

static void self_map(void)
{
	volatile u8 *mapped = (volatile u8 *)(uptr)MAP_GPA;
	volatile u8 *page = pages[0];
	grant_handle_t h, h2;

	EXPECT_STATUS(gnttab_map(SELF, 10, MAP_GPA, GNTMAP_host_map, &h, &st),
		      GNTST_okay);
	CHECK(gnttab_entry(10)->flags ==
	      (GTF_permit_access | GTF_reading | GTF_writing),
	      "mapped: flags %#x", gnttab_entry(10)->flags);
	mapped[9] = 0xab;
	CHECK(page[9] == 0xab, "write through the mapping not seen");
	page[10] = 0xcd;
	CHECK(mapped[10] == 0xcd, "page write not seen through the mapping");
	EXPECT(gnttab_end_access(10), -EBUSY);
	/*
	 * Ballooned out, the pinned page leaves our p2m (page is not to be
	 * touched now), but the mapping keeps the frame, contents and all.
	 */
	EXPECT(balloon(XENMEM_decrease_reservation, gpa_of(pages[0])), 1);
	CHECK(mapped[9] == 0xab && mapped[10] == 0xcd,
	      "the mapping lost the ballooned-out page: %#x %#x", mapped[9],
	      mapped[10]);

	EXPECT_STATUS(gnttab_map(SELF, 11, MAP_GPA + 4096,
				 GNTMAP_host_map | GNTMAP_readonly, &h2, &st),
		      GNTST_okay);
	CHECK(((volatile u8 *)(uptr)(MAP_GPA + 4096))[0] == 0x5a,
	      "read-only mapping does not show the page");
	CHECK(gnttab_entry(11)->flags ==
	      (GTF_permit_access | GTF_readonly | GTF_reading),
	      "read-only map: flags %#x", gnttab_entry(11)->flags);

	EXPECT_STATUS(gnttab_unmap(h, MAP_GPA + 4096, &st),
		      GNTST_general_error);		/* wrong address */
	EXPECT_STATUS(gnttab_unmap(h, MAP_GPA, &st), GNTST_okay);
	EXPECT_STATUS(gnttab_unmap(h, MAP_GPA, &st), GNTST_bad_handle); /* twice */
	/* Its frame went with the last reference: a fresh one comes back. */
	EXPECT(balloon(XENMEM_populate_physmap, gpa_of(pages[0])), 1);
	CHECK(page[9] == 0 && page[10] == 0, "a page back from the balloon not zeroed");
	CHECK(gnttab_entry(10)->flags == GTF_permit_access,
	      "unmapped: flags %#x", gnttab_entry(10)->flags);
	EXPECT(gnttab_end_access(10), 0);
	CHECK(gnttab_entry(10)->flags == 0, "revoked: flags %#x",
	      gnttab_entry(10)->flags);
	/* The read-only mapping stays for keel to release at power-off. */
	(void)h2;
}

static void hostile_maps(void)
{
	u32 host = GNTMAP_host_map;

	gnttab_grant_access(20, SELF, gpa_of(pages[2]), false);
	EXPECT_STATUS(gnttab_map(SELF, 20, MAP_GPA, 0, NULL, &st),
		      GNTST_bad_gntref);
	EXPECT_STATUS(gnttab_map(SELF, 20, MAP_GPA, host | GNTMAP_device_map,
				 NULL, &st), GNTST_general_error);
	EXPECT_STATUS(gnttab_map(SELF, 3 * GNTTAB_ENTRIES_PER_FRAME, MAP_GPA,
				 host, NULL, &st), GNTST_bad_gntref);
	EXPECT_STATUS(gnttab_map(DOMID_SELF, 20, MAP_GPA, host, NULL, &st),
		      GNTST_bad_domain);
	EXPECT_STATUS(gnttab_map(9, 20, MAP_GPA, host, NULL, &st),
		      GNTST_bad_domain);
	/* Not over our own RAM, nor twice at one place. */
	EXPECT_STATUS(gnttab_map(SELF, 20, gpa_of(pages[1]), host, NULL, &st),
		      GNTST_general_error);
	EXPECT_STATUS(gnttab_map(SELF, 20, MAP_GPA + 4096, host, NULL, &st),
		      GNTST_general_error);		/* ref 11 is there */
	EXPECT_STATUS(gnttab_map(SELF, 11, MAP_GPA, host, NULL, &st),
		      GNTST_general_error);		/* writable r/o grant */
	EXPECT_STATUS(gnttab_map(SELF, 10, MAP_GPA, host, NULL, &st),
		      GNTST_general_error);		/* revoked */
	gnttab_entry(20)->domid = 3;
	EXPECT_STATUS(gnttab_map(SELF, 20, MAP_GPA, host, NULL, &st),
		      GNTST_general_error);		/* granted to another */
	gnttab_grant_access(21, SELF, MAP_GPA + 0x200000, false);
	EXPECT_STATUS(gnttab_map(SELF, 21, MAP_GPA, host, NULL, &st),
		      GNTST_bad_page);			/* not our RAM */
	CHECK(gnttab_entry(21)->flags == GTF_permit_access,
	      "failed map left flags %#x", gnttab_entry(21)->flags);
	EXPECT_STATUS(gnttab_unmap(12345, MAP_GPA, &st), GNTST_bad_handle);
	EXPECT(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, BAD_PTR, 1),
	       -EFAULT);
}

int guest_main(const char *cmdline)
{
	sizes_and_versions();
	if (table_setup()) {
		copies();
		hostile_copies();
		self_map();
		hostile_maps();
	}
	return test_result("grants");
}
