/*
 * Host tests of grant tables: real domains (domain.c) on a fake host RAM
 * arena with keel's own page allocator, so the p2m, references, domain
 * lifetime and the free-page count are the hypervisor's own.
 */
#include <stdlib.h>
#include <string.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/grant_table.h>
#include <keel/hypercall.h>
#include <keel/page_alloc.h>
#include <keel/param.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include "host.h"
#include "stub_domain.h"

#define ARENA_SIZE MiB(64)
#define DOM_MEM MiB(4)
#define NR_DOMS 3
#define RAM_GPA 0x200000ULL		/* guest RAM (in a 2 MiB page) */
#define RAM_4K_GPA 0x180000ULL		/* guest RAM in 4 KiB pages */
#define TABLE_GPA 0x90000000ULL		/* where each domain puts frame 0 */
#define HOLE_GPA 0x80000000ULL		/* empty guest-physical space */
#define BAD_VA 0xdead0000000ULL		/* copy_*_guest fail here */
#define ENTRIES_PER_PAGE_V1 (PAGE_SIZE / sizeof(grant_entry_v1_t))

/* EPT's leaf bits, as arch/x86/ept.c makes them. */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)

/* ---- the host side keel's code expects (the rest: stub_domain.c) -------- */

u64 boot_wallclock_sec;

/* Domains here have no vCPUs of their own: each test's are in vcpus[]. */
struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
	return NULL;
}

void vcpu_destroy(struct vcpu *v) { }

/* Batches here run to their end (test_domain_life.c preempts them). */
long hypercall_create_continuation(struct vcpu *v, unsigned int nr,
				   const unsigned long *args, unsigned int nargs)
{
	fail_msg("no continuation expected");
	return -1;
}

/* Guest-virtual addresses are host pointers; BAD_VA faults. */
static unsigned int copies_from_guest;

int copy_from_guest(struct vcpu *v, void *dst, u64 va, u64 len)
{
	if (va >= BAD_VA && va < BAD_VA + PAGE_SIZE)
		return -EFAULT;
	memcpy(dst, (void *)(uintptr_t)va, len);
	copies_from_guest++;
	return 0;
}

/* Run after each copy_to_guest() when set (a batch's status written back). */
static void (*after_copy_to_guest)(void);
static unsigned int copies_to_guest;

int copy_to_guest(struct vcpu *v, u64 va, const void *src, u64 len)
{
	if (va >= BAD_VA && va < BAD_VA + PAGE_SIZE)
		return -EFAULT;
	memcpy((void *)(uintptr_t)va, src, len);
	copies_to_guest++;
	if (after_copy_to_guest)
		after_copy_to_guest();
	return 0;
}

/*
 * A host pointer into a guest's RAM (guest_ptr()) is that page, referenced;
 * any other (the tests' own arrays) has no frame: those ops are copied.
 */
static u64 arena_pages_got;

int guest_virt_get_page(struct vcpu *v, u64 va, bool write, u64 *hpa)
{
	const u8 *p = (const u8 *)(uintptr_t)va;

	if (p < (const u8 *)phys_to_virt(0) ||
	    p >= (const u8 *)phys_to_virt(0) + ARENA_SIZE)
		return -EFAULT;
	*hpa = virt_to_phys(p) & ~(PAGE_SIZE - 1);
	if (!get_page(*hpa))
		return -EFAULT;
	arena_pages_got++;
	return 0;
}

/* ---- domains --------------------------------------------------------- */

static struct domain *doms[NR_DOMS];
static struct vcpu vcpus[NR_DOMS];
static u64 free_at_start;

static struct domain *create(domid_t id)
{
	struct domain *d = domain_create(id, 0);

	assert_non_null(d);
	assert_int_equal(domain_set_memory(d, DOM_MEM), 0);
	vcpus[id] = (struct vcpu){ .id = 0, .domain = d };
	doms[id] = d;
	return d;
}

static void destroy(domid_t id)
{
	domain_destroy(doms[id]);
	doms[id] = NULL;
}

static int setup(void **state)
{
	stub_ram_init(ARENA_SIZE);
	free_at_start = host_pages.nr_free;
	stub_p2m_flushes = 0;
	test_log_reset();
	create(0)->privileged = true;
	create(1);
	create(2);
	return 0;
}

static int teardown(void **state)
{
	u64 nr_free;

	for (domid_t id = 0; id < NR_DOMS; id++)
		if (doms[id])
			destroy(id);
	nr_free = host_pages.nr_free;
	stub_ram_free();
	/* Every page of every domain, its table and its maps is back. */
	assert_int_equal(nr_free, free_at_start);
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static long gnttab(domid_t caller, unsigned int cmd, void *arg,
		   unsigned int count)
{
	return do_grant_table_op(&vcpus[caller], cmd, (u64)(uintptr_t)arg, count);
}

static long place_frame(domid_t id, u64 idx, u64 gpa)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
		.idx = idx, .gpfn = gpa >> PAGE_SHIFT,
	};

	return do_memory_op(&vcpus[id], XENMEM_add_to_physmap,
			    (u64)(uintptr_t)&x);
}

/* Keel's view of guest page @gpa of @d: its host pointer, or NULL. */
static u8 *guest_ptr(struct domain *d, u64 gpa)
{
	u64 hpa, attr, size;

	if (pt_lookup(&d->p2m, gpa, &hpa, &attr, &size))
		return NULL;
	return phys_to_virt(hpa);
}

static u64 p2m_attr(struct domain *d, u64 gpa)
{
	u64 hpa, attr = 0, size;

	assert_int_equal(pt_lookup(&d->p2m, gpa, &hpa, &attr, &size), 0);
	return attr;
}

static bool p2m_empty(struct domain *d, u64 gpa)
{
	u64 hpa, attr, size;

	return pt_lookup(&d->p2m, gpa, &hpa, &attr, &size) == -ENOENT;
}

/* Grant entry @ref of domain @id, through frame 0 placed at TABLE_GPA. */
static grant_entry_v1_t *entry(domid_t id, grant_ref_t ref)
{
	struct domain *d = doms[id];

	if (p2m_empty(d, TABLE_GPA))
		assert_int_equal(place_frame(id, 0, TABLE_GPA), 0);
	assert_true(ref < ENTRIES_PER_PAGE_V1);
	return (grant_entry_v1_t *)guest_ptr(d, TABLE_GPA) + ref;
}

static void grant(domid_t granter, grant_ref_t ref, domid_t to, u64 gpa,
		  u16 flags)
{
	grant_entry_v1_t *e = entry(granter, ref);

	e->domid = to;
	e->frame = gpa >> PAGE_SHIFT;
	e->flags = flags;
}

static s16 map(domid_t caller, domid_t dom, grant_ref_t ref, u64 gpa,
	       u32 flags, grant_handle_t *handle)
{
	struct gnttab_map_grant_ref op = {
		.host_addr = gpa, .flags = flags, .ref = ref, .dom = dom,
		.status = 99, .handle = ~0U,
	};

	assert_int_equal(gnttab(caller, GNTTABOP_map_grant_ref, &op, 1), 0);
	if (handle)
		*handle = op.handle;
	return op.status;
}

static s16 unmap(domid_t caller, grant_handle_t handle, u64 gpa)
{
	struct gnttab_unmap_grant_ref op = {
		.host_addr = gpa, .handle = handle, .status = 99,
	};

	assert_int_equal(gnttab(caller, GNTTABOP_unmap_grant_ref, &op, 1), 0);
	return op.status;
}

static int refs(domid_t id)
{
	return atomic_read(&doms[id]->refcnt);
}

static u64 hpa_of(domid_t id, u64 gpa)
{
	return virt_to_phys(guest_ptr(doms[id], gpa));
}

/* ---- setup_table, query_size, versions ------------------------------- */

static void test_query_size(void **state)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_okay);
	assert_int_equal(q.nr_frames, GNTTAB_INITIAL_FRAMES);
	assert_int_equal(q.max_nr_frames, GNTTAB_DEFAULT_MAX_FRAMES);
	q = (struct gnttab_query_size){ .dom = 1 };
	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_okay);
	q.dom = 0;		/* another domain: only the privileged may look */
	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_permission_denied);
	q.dom = 2;
	assert_int_equal(gnttab(0, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_okay);
	q.dom = 9;
	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_bad_domain);
	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 2), -EINVAL);
	assert_int_equal(gnttab(1, GNTTABOP_query_size, (void *)BAD_VA, 1),
			 -EFAULT);
}

static void test_setup_table(void **state)
{
	u64 frames[GNTTAB_DEFAULT_MAX_FRAMES + 1];
	struct gnttab_setup_table s = {
		.dom = DOMID_SELF, .nr_frames = 4, .frame_list = (uintptr_t)frames,
	};
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	assert_int_equal(place_frame(1, 0, TABLE_GPA), 0);
	memset(frames, 0x55, sizeof(frames));
	assert_int_equal(gnttab(1, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_okay);
	/* A PVH domain gets GFNs: frame 0 is placed, the rest nowhere yet. */
	assert_int_equal(frames[0], TABLE_GPA >> PAGE_SHIFT);
	for (int i = 1; i < 4; i++)
		assert_int_equal(frames[i], ~0ULL);
	assert_int_equal(frames[4], 0x5555555555555555ULL);
	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.nr_frames, 4);

	s.nr_frames = GNTTAB_DEFAULT_MAX_FRAMES + 1;
	assert_int_equal(gnttab(1, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_general_error);
	s.nr_frames = GNTTAB_DEFAULT_MAX_FRAMES;
	assert_int_equal(gnttab(1, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_okay);
	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.nr_frames, GNTTAB_DEFAULT_MAX_FRAMES);

	s.frame_list = BAD_VA;
	assert_int_equal(gnttab(1, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_bad_virt_addr);
	s.dom = 0;
	assert_int_equal(gnttab(1, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_permission_denied);
	s.dom = 7;
	assert_int_equal(gnttab(1, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_bad_domain);
	assert_int_equal(gnttab(1, GNTTABOP_setup_table, &s, 0), -EINVAL);
	assert_int_equal(gnttab(1, GNTTABOP_setup_table, (void *)BAD_VA, 1),
			 -EFAULT);
}

static void test_setup_table_out_of_memory(void **state)
{
	u64 frames[8], n = 0;
	void **pages = malloc((host_pages.nr_free + 1) * sizeof(*pages));
	struct gnttab_setup_table s = {
		.dom = DOMID_SELF, .nr_frames = 8, .frame_list = (uintptr_t)frames,
	};
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	while ((pages[n] = alloc_page()))
		n++;
	assert_int_equal(gnttab(2, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_general_error);
	assert_int_equal(gnttab(2, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.nr_frames, GNTTAB_INITIAL_FRAMES);
	while (n)
		free_page(pages[--n]);
	free(pages);
	assert_int_equal(gnttab(2, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_okay);
}

static void test_versions(void **state)
{
	struct gnttab_get_version g = { .dom = DOMID_SELF };
	struct gnttab_set_version s = { .version = 1 };

	assert_int_equal(gnttab(1, GNTTABOP_get_version, &g, 1), 0);
	assert_int_equal(g.version, 1);
	g.dom = 0;
	assert_int_equal(gnttab(1, GNTTABOP_get_version, &g, 1), -EPERM);
	g.dom = 2;
	assert_int_equal(gnttab(0, GNTTABOP_get_version, &g, 1), 0);
	g.dom = 9;
	assert_int_equal(gnttab(1, GNTTABOP_get_version, &g, 1), -ESRCH);
	assert_int_equal(gnttab(1, GNTTABOP_set_version, &s, 1), 0);
	assert_int_equal(s.version, 1);
	s.version = 2;
	assert_int_equal(gnttab(1, GNTTABOP_set_version, &s, 1), -ENOSYS);
	assert_int_equal(s.version, 1);
	s.version = 3;
	assert_int_equal(gnttab(1, GNTTABOP_set_version, &s, 1), -EINVAL);
	assert_int_equal(s.version, 1);
	assert_int_equal(gnttab(1, GNTTABOP_set_version, (void *)BAD_VA, 1),
			 -EFAULT);
	assert_int_equal(gnttab(1, GNTTABOP_get_version, (void *)BAD_VA, 1),
			 -EFAULT);
}

static void test_bad_commands(void **state)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	assert_int_equal(gnttab(1, GNTTABOP_transfer, &q, 1), -ENOSYS);
	assert_int_equal(gnttab(1, GNTTABOP_swap_grant_ref, &q, 1), -ENOSYS);
	assert_int_equal(gnttab(1, 99, &q, 1), -ENOSYS);
	/* Continuation bits in cmd and counts above INT_MAX: -EINVAL. */
	assert_int_equal(gnttab(1, GNTTABOP_query_size | 0x1000, &q, 1), -EINVAL);
	assert_int_equal(gnttab(1, GNTTABOP_copy, &q, 0x80000000U), -EINVAL);
	assert_int_equal(gnttab(1, GNTTABOP_map_grant_ref, &q, ~0U), -EINVAL);
	/* A zero count does nothing; a bad array faults. */
	assert_int_equal(gnttab(1, GNTTABOP_map_grant_ref, (void *)BAD_VA, 0), 0);
	assert_int_equal(gnttab(1, GNTTABOP_map_grant_ref, (void *)BAD_VA, 1),
			 -EFAULT);
	assert_int_equal(gnttab(1, GNTTABOP_unmap_grant_ref, (void *)BAD_VA, 1),
			 -EFAULT);
	assert_int_equal(gnttab(1, GNTTABOP_copy, (void *)BAD_VA, 1), -EFAULT);
}

/* ---- XENMAPSPACE_grant_table ------------------------------------------ */

static void test_add_to_physmap(void **state)
{
	struct domain *d = doms[1];
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	u64 free = host_pages.nr_free;
	u64 frame0;

	/* Over a RAM page: the page goes back to keel (one more free page). */
	assert_int_equal(place_frame(1, 0, RAM_4K_GPA), 0);
	assert_int_equal(host_pages.nr_free, free + 1);
	assert_false(p2m_attr(d, RAM_4K_GPA) & P2M_OWNED_BIT);
	frame0 = hpa_of(1, RAM_4K_GPA);
	/* Moved: the old place is empty, the new one is the same frame. */
	assert_int_equal(place_frame(1, 0, TABLE_GPA), 0);
	assert_true(p2m_empty(d, RAM_4K_GPA));
	assert_int_equal(hpa_of(1, TABLE_GPA), frame0);
	assert_int_equal(p2m_attr(d, TABLE_GPA) & (EPT_R | EPT_W), EPT_R | EPT_W);
	/* Placed twice at one GFN: still there. */
	assert_int_equal(place_frame(1, 0, TABLE_GPA), 0);
	assert_int_equal(hpa_of(1, TABLE_GPA), frame0);
	/* Frame 5 grows the table to 6 frames. */
	assert_int_equal(place_frame(1, 5, HOLE_GPA), 0);
	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.nr_frames, 6);

	assert_int_equal(place_frame(1, GNTTAB_DEFAULT_MAX_FRAMES, HOLE_GPA),
			 -EINVAL);
	assert_int_equal(place_frame(1, 1U << 31, HOLE_GPA), -EINVAL); /* v2 status */
	assert_int_equal(place_frame(1, 1, 0xfc000000), -EINVAL); /* console page */
	assert_int_equal(place_frame(1, 1, 1ULL << 48), -EINVAL);
	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.nr_frames, 6);
}

/* ---- map and unmap ---------------------------------------------------- */

static void test_map_unmap(void **state)
{
	grant_entry_v1_t *e;
	grant_handle_t rw, ro;
	struct gnttab_map_grant_ref op = {
		.host_addr = HOLE_GPA, .flags = GNTMAP_host_map, .ref = 10, .dom = 0,
	};
	int refs0 = refs(0);
	u8 *granted = guest_ptr(doms[0], RAM_GPA);

	grant(0, 10, 1, RAM_GPA, GTF_permit_access);
	e = entry(0, 10);
	assert_int_equal(gnttab(1, GNTTABOP_map_grant_ref, &op, 1), 0);
	assert_int_equal(op.status, GNTST_okay);
	rw = op.handle;
	assert_int_equal(op.dev_bus_addr, 0);	/* no host address (finding 16) */
	assert_int_equal(e->flags, GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(refs(0), refs0 + 1);
	/* d1 sees d0's page, writable, never owned (not freed with d1). */
	assert_ptr_equal(guest_ptr(doms[1], HOLE_GPA), granted);
	assert_int_equal(p2m_attr(doms[1], HOLE_GPA) & (EPT_R | EPT_W | EPT_X |
							P2M_OWNED_BIT),
			 EPT_R | EPT_W);
	guest_ptr(doms[1], HOLE_GPA)[5] = 0x42;
	assert_int_equal(granted[5], 0x42);

	/* A second, read-only map of the same ref. */
	assert_int_equal(map(1, 0, 10, HOLE_GPA + PAGE_SIZE,
			     GNTMAP_host_map | GNTMAP_readonly, &ro), GNTST_okay);
	assert_int_not_equal(ro, rw);
	assert_int_equal(p2m_attr(doms[1], HOLE_GPA + PAGE_SIZE) &
			 (EPT_R | EPT_W), EPT_R);
	assert_int_equal(refs(0), refs0 + 2);

	stub_p2m_flushes = 0;
	assert_int_equal(unmap(1, rw, HOLE_GPA), GNTST_okay);
	assert_true(p2m_empty(doms[1], HOLE_GPA));
	assert_int_equal(stub_p2m_flushes, 1);
	assert_int_equal(e->flags, GTF_permit_access | GTF_reading);
	assert_int_equal(refs(0), refs0 + 1);
	assert_int_equal(unmap(1, ro, HOLE_GPA + PAGE_SIZE), GNTST_okay);
	assert_int_equal(e->flags, GTF_permit_access);
	assert_int_equal(refs(0), refs0);
	assert_int_equal(granted[5], 0x42);	/* the granter's page lives on */
	/* The handle is free again: unmapping twice fails. */
	assert_int_equal(unmap(1, ro, HOLE_GPA + PAGE_SIZE), GNTST_bad_handle);
}

static void test_map_batch(void **state)
{
	struct gnttab_map_grant_ref op[3] = {
		{ .host_addr = HOLE_GPA, .flags = GNTMAP_host_map, .ref = 1, .dom = 0 },
		{ .host_addr = HOLE_GPA + PAGE_SIZE, .flags = GNTMAP_host_map,
		  .ref = 600, .dom = 0 },
		{ .host_addr = HOLE_GPA + 2 * PAGE_SIZE,
		  .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 2, .dom = 0 },
	};
	struct gnttab_unmap_grant_ref un[3] = {
		{ .host_addr = HOLE_GPA },
		{ .host_addr = HOLE_GPA + 2 * PAGE_SIZE },
		{ .host_addr = HOLE_GPA, .handle = 1000 },
	};

	grant(0, 1, 1, RAM_GPA, GTF_permit_access);
	grant(0, 2, 1, RAM_GPA + PAGE_SIZE, GTF_permit_access | GTF_readonly);
	assert_int_equal(gnttab(1, GNTTABOP_map_grant_ref, op, 3), 0);
	assert_int_equal(op[0].status, GNTST_okay);
	assert_int_equal(op[1].status, GNTST_bad_gntref);
	assert_int_equal(op[2].status, GNTST_okay);
	un[0].handle = op[0].handle;
	un[1].handle = op[2].handle;
	assert_int_equal(gnttab(1, GNTTABOP_unmap_grant_ref, un, 3), 0);
	assert_int_equal(un[0].status, GNTST_okay);
	assert_int_equal(un[1].status, GNTST_okay);
	assert_int_equal(un[2].status, GNTST_bad_handle);
	assert_int_equal(entry(0, 1)->flags, GTF_permit_access);
	assert_int_equal(entry(0, 2)->flags, GTF_permit_access | GTF_readonly);
}

static void test_readonly_grant(void **state)
{
	grant_handle_t h;

	grant(0, 3, 1, RAM_GPA, GTF_permit_access | GTF_readonly);
	assert_int_equal(map(1, 0, 3, HOLE_GPA, GNTMAP_host_map, NULL),
			 GNTST_general_error);
	assert_int_equal(entry(0, 3)->flags, GTF_permit_access | GTF_readonly);
	assert_true(p2m_empty(doms[1], HOLE_GPA));
	assert_int_equal(map(1, 0, 3, HOLE_GPA, GNTMAP_host_map | GNTMAP_readonly,
			     &h), GNTST_okay);
	assert_int_equal(entry(0, 3)->flags,
			 GTF_permit_access | GTF_readonly | GTF_reading);
	assert_int_equal(p2m_attr(doms[1], HOLE_GPA) & (EPT_R | EPT_W), EPT_R);
	/* Pinned read-only, a writable map is still refused. */
	assert_int_equal(map(1, 0, 3, HOLE_GPA + PAGE_SIZE, GNTMAP_host_map, NULL),
			 GNTST_general_error);
	assert_int_equal(unmap(1, h, HOLE_GPA), GNTST_okay);
	assert_int_equal(entry(0, 3)->flags, GTF_permit_access | GTF_readonly);
}

/* Map d0's ref 4 into d1 with @flags: the status, and nothing must change on failure. */
static s16 map_fails(u32 flags, u64 gpa, domid_t dom)
{
	int refs0 = refs(0);
	u16 flags0 = entry(0, 4)->flags;
	bool was_empty = p2m_empty(doms[1], gpa);
	s16 rc = map(1, dom, 4, gpa, flags, NULL);

	assert_int_equal(refs(0), refs0);
	assert_int_equal(entry(0, 4)->flags, flags0);
	if (was_empty)
		assert_true(p2m_empty(doms[1], gpa));
	return rc;
}

static void test_map_hostile(void **state)
{
	u32 host = GNTMAP_host_map;
	grant_entry_v1_t *e = entry(0, 4);

	grant(0, 4, 1, RAM_GPA, GTF_permit_access);
	assert_int_equal(map_fails(0, HOLE_GPA, 0), GNTST_bad_gntref);
	assert_int_equal(map_fails(GNTMAP_readonly, HOLE_GPA, 0), GNTST_bad_gntref);
	assert_int_equal(map_fails(GNTMAP_device_map, HOLE_GPA, 0),
			 GNTST_general_error);
	assert_int_equal(map_fails(host | GNTMAP_device_map, HOLE_GPA, 0),
			 GNTST_general_error);
	assert_int_equal(map_fails(host | GNTMAP_contains_pte, HOLE_GPA, 0),
			 GNTST_general_error);
	assert_int_equal(map_fails(host | GNTMAP_application_map, HOLE_GPA, 0),
			 GNTST_general_error);
	assert_int_equal(map_fails(host | (1U << 16), HOLE_GPA, 0),
			 GNTST_general_error);
	assert_int_equal(map_fails(host, HOLE_GPA, 9), GNTST_bad_domain);
	assert_int_equal(map_fails(host, HOLE_GPA, DOMID_SELF), GNTST_bad_domain);
	assert_int_equal(map_fails(host, HOLE_GPA, DOMID_FIRST_RESERVED - 5),
			 GNTST_bad_domain);
	/* Where to map: not guest RAM, its table, nor beyond the p2m. */
	assert_int_equal(place_frame(1, 0, TABLE_GPA), 0);
	assert_int_equal(map_fails(host, RAM_GPA + 3 * PAGE_SIZE, 0),
			 GNTST_general_error);
	assert_int_equal(map_fails(host, TABLE_GPA, 0), GNTST_general_error);
	assert_int_equal(map_fails(host, 1ULL << 48, 0), GNTST_general_error);
	assert_int_equal(map_fails(host, ~0ULL, 0), GNTST_general_error);

	/* What the entry says. */
	e->domid = 2;
	assert_int_equal(map_fails(host, HOLE_GPA, 0), GNTST_general_error);
	e->domid = 1;
	e->flags = GTF_invalid;
	assert_int_equal(map_fails(host, HOLE_GPA, 0), GNTST_general_error);
	e->flags = GTF_accept_transfer;
	assert_int_equal(map_fails(host, HOLE_GPA, 0), GNTST_general_error);
	e->flags = GTF_transitive;
	assert_int_equal(map_fails(host, HOLE_GPA, 0), GNTST_general_error);
	e->flags = GTF_permit_access | GTF_sub_page;
	assert_int_equal(map_fails(host, HOLE_GPA, 0), GNTST_general_error);
	e->flags = GTF_permit_access | GTF_PCD;
	assert_int_equal(map_fails(host, HOLE_GPA, 0), GNTST_general_error);
	/* A frame that is no RAM of the granter's: a hole, its table, too big. */
	e->flags = GTF_permit_access;
	e->frame = HOLE_GPA >> PAGE_SHIFT;
	assert_int_equal(map_fails(host, HOLE_GPA, 0), GNTST_bad_page);
	e->frame = TABLE_GPA >> PAGE_SHIFT;
	assert_int_equal(map_fails(host, HOLE_GPA, 0), GNTST_bad_page);
	e->frame = ~0U;
	assert_int_equal(map_fails(host, HOLE_GPA, 0), GNTST_bad_page);
	/* Refs beyond the table. */
	e->frame = RAM_GPA >> PAGE_SHIFT;
	assert_int_equal(map(1, 0, ENTRIES_PER_PAGE_V1, HOLE_GPA, host, NULL),
			 GNTST_bad_gntref);
	assert_int_equal(map(1, 0, ~0U, HOLE_GPA, host, NULL), GNTST_bad_gntref);
	assert_true(p2m_empty(doms[1], HOLE_GPA));
	/* After all that, the grant still maps. */
	assert_int_equal(map(1, 0, 4, HOLE_GPA, host, NULL), GNTST_okay);
}

static void test_pinned_by_another(void **state)
{
	grant_handle_t h;

	grant(0, 5, 1, RAM_GPA, GTF_permit_access);
	assert_int_equal(map(1, 0, 5, HOLE_GPA, GNTMAP_host_map | GNTMAP_readonly,
			     &h), GNTST_okay);
	/* d0 re-grants ref 5 to d2 while d1 still maps it: refused. */
	entry(0, 5)->domid = 2;
	assert_int_equal(map(2, 0, 5, HOLE_GPA, GNTMAP_host_map, NULL),
			 GNTST_general_error);
	assert_true(p2m_empty(doms[2], HOLE_GPA));
	/* d1's handle means nothing to d2. */
	assert_int_equal(unmap(2, h, HOLE_GPA), GNTST_bad_handle);
	/*
	 * Pinned, the entry's type and domid are not looked at again (as in
	 * Xen): d1 may even add a writable map, which sets GTF_writing.
	 */
	assert_int_equal(map(1, 0, 5, HOLE_GPA + PAGE_SIZE, GNTMAP_host_map, NULL),
			 GNTST_okay);
	assert_int_equal(entry(0, 5)->flags,
			 GTF_permit_access | GTF_reading | GTF_writing);
}

static void test_unmap_hostile(void **state)
{
	grant_handle_t h;
	struct gnttab_unmap_grant_ref op = { .host_addr = HOLE_GPA };
	u64 hpa = hpa_of(0, RAM_GPA);

	assert_int_equal(unmap(1, 0, HOLE_GPA), GNTST_bad_handle); /* none yet */
	grant(0, 6, 1, RAM_GPA, GTF_permit_access);
	assert_int_equal(map(1, 0, 6, HOLE_GPA, GNTMAP_host_map, &h), GNTST_okay);
	assert_int_equal(unmap(1, h + 1, HOLE_GPA), GNTST_bad_handle);
	assert_int_equal(unmap(1, 100000, HOLE_GPA), GNTST_bad_handle);
	assert_int_equal(unmap(1, ~0U, HOLE_GPA), GNTST_bad_handle);
	assert_int_equal(unmap(1, h, HOLE_GPA + PAGE_SIZE), GNTST_general_error);
	/* host_addr 0 leaves the mapping alone, as in Xen. */
	assert_int_equal(unmap(1, h, 0), GNTST_okay);
	assert_ptr_equal(guest_ptr(doms[1], HOLE_GPA), guest_ptr(doms[0], RAM_GPA));
	assert_int_equal(entry(0, 6)->flags,
			 GTF_permit_access | GTF_reading | GTF_writing);
	/*
	 * dev_bus_addr belongs to device mappings, which keel never makes: it
	 * is not compared with the host address (no oracle for it).
	 */
	op.handle = h;
	op.dev_bus_addr = hpa + PAGE_SIZE;
	assert_int_equal(gnttab(1, GNTTABOP_unmap_grant_ref, &op, 1), 0);
	assert_int_equal(op.status, GNTST_okay);
	assert_int_equal(unmap(1, h, HOLE_GPA), GNTST_bad_handle);
	assert_int_equal(entry(0, 6)->flags, GTF_permit_access);
}

static void test_unmap_after_guest_replaced_it(void **state)
{
	grant_handle_t h;

	grant(0, 7, 1, RAM_GPA, GTF_permit_access);
	assert_int_equal(map(1, 0, 7, HOLE_GPA, GNTMAP_host_map, &h), GNTST_okay);
	/* d1 puts a grant frame over its mapping: unmap can't find it. */
	assert_int_equal(place_frame(1, 0, HOLE_GPA), 0);
	assert_int_equal(unmap(1, h, HOLE_GPA), GNTST_general_error);
	assert_int_equal(entry(0, 7)->flags,
			 GTF_permit_access | GTF_reading | GTF_writing);
	/* d1's death still gives the grant back (checked in teardown too). */
	destroy(1);
	assert_int_equal(entry(0, 7)->flags, GTF_permit_access);
}

static void test_self_map(void **state)
{
	grant_handle_t h;
	int refs0 = refs(1);

	/* HVM Xen lets a domain map its own grant (only PV refuses). */
	grant(1, 8, 1, RAM_GPA, GTF_permit_access);
	assert_int_equal(map(1, 1, 8, HOLE_GPA, GNTMAP_host_map, &h), GNTST_okay);
	assert_ptr_equal(guest_ptr(doms[1], HOLE_GPA), guest_ptr(doms[1], RAM_GPA));
	assert_int_equal(refs(1), refs0 + 1);
	/*
	 * Its RAM page is pinned and mapped: replacing it takes only its own
	 * p2m entry away; the frame lives (and stays charged to d1) until
	 * the last reference, the mapping's, goes.
	 */
	{
		u64 frame = hpa_of(1, RAM_GPA), tot = p2m_tot_pages(doms[1]);

		guest_ptr(doms[1], RAM_GPA)[0] = 0x5a;
		assert_int_equal(place_frame(1, 0, RAM_GPA), 0);
		assert_int_not_equal(hpa_of(1, RAM_GPA), frame);
		assert_int_equal(hpa_of(1, HOLE_GPA), frame);
		assert_int_equal(guest_ptr(doms[1], HOLE_GPA)[0], 0x5a);
		assert_false(page_is_free(&host_pages, PFN_DOWN(frame)));
		assert_int_equal(page_count(frame), 2);	/* pin + mapping */
		assert_int_equal(p2m_tot_pages(doms[1]), tot);
		assert_int_equal(unmap(1, h, HOLE_GPA), GNTST_okay);
		assert_true(page_is_free(&host_pages, PFN_DOWN(frame)));
		assert_int_equal(p2m_tot_pages(doms[1]), tot - 1);
	}
	assert_int_equal(refs(1), refs0);
	assert_int_equal(place_frame(1, 1, RAM_GPA + PAGE_SIZE), 0);
	/* A self-map left behind does not keep the domain alive. */
	grant(1, 9, 1, RAM_GPA + 2 * PAGE_SIZE, GTF_permit_access);
	assert_int_equal(map(1, 1, 9, HOLE_GPA, GNTMAP_host_map, NULL), GNTST_okay);
}

static void test_pin_limit_and_handles(void **state)
{
	grant_handle_t h[255], again;

	/*
	 * Xen counts a ref's pins per kind in 8 bits and refuses any pin once
	 * a count reaches 0x80: 127 read pins and then 128 write pins fit.
	 */
	grant(0, 11, 1, RAM_GPA, GTF_permit_access);
	for (unsigned int n = 0; n < 255; n++) {
		u32 flags = GNTMAP_host_map | (n < 127 ? GNTMAP_readonly : 0);
		s16 rc = map(1, 0, 11, HOLE_GPA + n * PAGE_SIZE, flags, &h[n]);

		if (rc)
			fail_msg("map %u: status %d", n, rc);
		for (unsigned int i = 0; i < n; i++)
			assert_int_not_equal(h[i], h[n]);
	}
	assert_int_equal(map(1, 0, 11, HOLE_GPA + 255 * PAGE_SIZE,
			     GNTMAP_host_map | GNTMAP_readonly, NULL),
			 GNTST_general_error);
	assert_int_equal(map(1, 0, 11, HOLE_GPA + 255 * PAGE_SIZE,
			     GNTMAP_host_map, NULL), GNTST_general_error);
	/* Below the limit again: maps, reusing the last freed handle. */
	assert_int_equal(unmap(1, h[0], HOLE_GPA), GNTST_okay);
	assert_int_equal(unmap(1, h[127], HOLE_GPA + 127 * PAGE_SIZE), GNTST_okay);
	assert_int_equal(map(1, 0, 11, HOLE_GPA, GNTMAP_host_map, &again),
			 GNTST_okay);
	assert_int_equal(again, h[127]);
	assert_int_equal(entry(0, 11)->flags,
			 GTF_permit_access | GTF_reading | GTF_writing);
}

/* ---- copy ---------------------------------------------------------------- */

static s16 copy1(domid_t caller, struct gnttab_copy *op)
{
	op->status = 99;
	assert_int_equal(gnttab(caller, GNTTABOP_copy, op, 1), 0);
	return op->status;
}

static struct gnttab_copy_ptr gref(domid_t dom, grant_ref_t ref, u16 offset)
{
	return (struct gnttab_copy_ptr){ .u.ref = ref, .domid = dom,
					 .offset = offset };
}

static struct gnttab_copy_ptr local(u64 gpa, u16 offset)
{
	return (struct gnttab_copy_ptr){ .u.gmfn = gpa >> PAGE_SHIFT,
					 .domid = DOMID_SELF, .offset = offset };
}

static void test_copy(void **state)
{
	u8 *granted = guest_ptr(doms[0], RAM_GPA);
	u8 *mine = guest_ptr(doms[1], RAM_GPA);
	struct gnttab_copy op = {
		.source = local(RAM_GPA, 10), .dest = gref(0, 12, 100), .len = 20,
		.flags = GNTCOPY_dest_gref,
	};

	grant(0, 12, 1, RAM_GPA, GTF_permit_access);
	memset(mine, 0, PAGE_SIZE);
	for (int i = 0; i < 20; i++)
		mine[10 + i] = i + 1;
	assert_int_equal(copy1(1, &op), GNTST_okay);
	assert_memory_equal(granted + 100, mine + 10, 20);
	assert_int_equal(entry(0, 12)->flags, GTF_permit_access);  /* unpinned */

	/* grant -> local, whole page. */
	op = (struct gnttab_copy){ .source = gref(0, 12, 0),
				   .dest = local(RAM_GPA + PAGE_SIZE, 0),
				   .len = PAGE_SIZE, .flags = GNTCOPY_source_gref };
	assert_int_equal(copy1(1, &op), GNTST_okay);
	assert_memory_equal(guest_ptr(doms[1], RAM_GPA + PAGE_SIZE), granted,
			    PAGE_SIZE);

	/* grant -> grant (both d0's, one read-only as the source). */
	grant(0, 13, 1, RAM_GPA + PAGE_SIZE, GTF_permit_access | GTF_readonly);
	op = (struct gnttab_copy){ .source = gref(0, 12, 100),
				   .dest = gref(0, 13, 0), .len = 20,
				   .flags = GNTCOPY_source_gref | GNTCOPY_dest_gref };
	assert_int_equal(copy1(1, &op), GNTST_general_error);	/* r/o dest */
	assert_int_equal(entry(0, 12)->flags, GTF_permit_access);
	assert_int_equal(entry(0, 13)->flags, GTF_permit_access | GTF_readonly);
	op.source = gref(0, 13, 0);
	op.dest = gref(0, 12, 200);
	memset(guest_ptr(doms[0], RAM_GPA + PAGE_SIZE), 0x77, 20);
	assert_int_equal(copy1(1, &op), GNTST_okay);
	assert_int_equal(granted[200], 0x77);
	assert_int_equal(granted[219], 0x77);

	/* Overlapping copy within one local page. */
	op = (struct gnttab_copy){ .source = local(RAM_GPA, 10),
				   .dest = local(RAM_GPA, 12), .len = 20 };
	assert_int_equal(copy1(1, &op), GNTST_okay);
	assert_int_equal(mine[12], 1);
	assert_int_equal(mine[31], 20);
}

static void test_copy_hostile(void **state)
{
	struct gnttab_copy op;
	struct gnttab_copy batch[3];

	grant(0, 14, 1, RAM_GPA, GTF_permit_access);
	/* Crossing the end of a page, on either side. */
	op = (struct gnttab_copy){ .source = gref(0, 14, 4000),
				   .dest = local(RAM_GPA, 0), .len = 97,
				   .flags = GNTCOPY_source_gref };
	assert_int_equal(copy1(1, &op), GNTST_bad_copy_arg);
	op.len = 96;
	assert_int_equal(copy1(1, &op), GNTST_okay);
	op.dest.offset = 4001;
	assert_int_equal(copy1(1, &op), GNTST_bad_copy_arg);
	op.source.offset = 0xffff;
	op.dest.offset = 0;
	op.len = 0xffff;
	assert_int_equal(copy1(1, &op), GNTST_bad_copy_arg);
	assert_int_equal(entry(0, 14)->flags, GTF_permit_access);

	/* Frames by number only for DOMID_SELF. */
	op = (struct gnttab_copy){ .source = local(RAM_GPA, 0),
				   .dest = local(RAM_GPA, 0), .len = 8 };
	op.source.domid = 0;
	assert_int_equal(copy1(1, &op), GNTST_permission_denied);
	op.source.domid = 1;		/* even its own id */
	assert_int_equal(copy1(1, &op), GNTST_permission_denied);
	/* Bad domains, refs, frames. */
	op = (struct gnttab_copy){ .source = gref(9, 14, 0),
				   .dest = local(RAM_GPA, 0), .len = 8,
				   .flags = GNTCOPY_source_gref };
	assert_int_equal(copy1(1, &op), GNTST_bad_domain);
	op.source = gref(0, 4096, 0);
	assert_int_equal(copy1(1, &op), GNTST_bad_gntref);
	op.source = gref(0, 14, 0);
	op.dest = local(HOLE_GPA, 0);
	assert_int_equal(copy1(1, &op), GNTST_bad_page);
	op.dest = local(TABLE_GPA, 0);		/* d1's table frame: not its RAM */
	place_frame(1, 0, TABLE_GPA);
	assert_int_equal(copy1(1, &op), GNTST_bad_page);
	op.dest = local(~0ULL, 0);
	assert_int_equal(copy1(1, &op), GNTST_bad_page);
	assert_int_equal(copy1(2, &op), GNTST_general_error); /* not granted to d2 */
	assert_int_equal(entry(0, 14)->flags, GTF_permit_access);

	/* A batch: each op has its own status. */
	batch[0] = (struct gnttab_copy){ .source = gref(0, 14, 0),
					 .dest = local(RAM_GPA, 0), .len = 8,
					 .flags = GNTCOPY_source_gref };
	batch[1] = batch[0];
	batch[1].len = 5000;
	batch[2] = batch[0];
	batch[2].source.u.ref = 15;
	assert_int_equal(gnttab(1, GNTTABOP_copy, batch, 3), 0);
	assert_int_equal(batch[0].status, GNTST_okay);
	assert_int_equal(batch[1].status, GNTST_bad_copy_arg);
	assert_int_equal(batch[2].status, GNTST_general_error);
}

/*
 * A batch whose ops lie in the caller's RAM, one of them across a page end:
 * each page is looked up once and read and written in place, the op across
 * the end is copied; ops naming d0, d2, a missing domain and d0 again each
 * get their own status; no page or domain reference is left behind.
 */
static void test_copy_batch_in_guest_pages(void **state)
{
	enum { N = 8, STRADDLE = 3 };
	/* d1's 2 MiB RAM leaf: host-contiguous, so the array may cross pages. */
	u64 at = RAM_GPA + 2 * PAGE_SIZE - STRADDLE * sizeof(struct gnttab_copy) - 24;
	struct gnttab_copy *ops;
	u64 pages[2] = { hpa_of(1, RAM_GPA + PAGE_SIZE), hpa_of(1, RAM_GPA + 2 * PAGE_SIZE) };
	unsigned int counts[2] = { page_count(pages[0]), page_count(pages[1]) };
	int refs0 = refs(0), refs2 = refs(2);
	u8 *dst = guest_ptr(doms[1], RAM_GPA + 3 * PAGE_SIZE);
	static const domid_t from[N] = { 0, 0, 2, 9, 0, 2, 2, 0 };

	ops = (struct gnttab_copy *)((u8 *)guest_ptr(doms[1], RAM_GPA) + (at - RAM_GPA));
	memset(guest_ptr(doms[0], RAM_GPA), 0xa0, 64);
	memset(guest_ptr(doms[2], RAM_GPA), 0xc2, 64);
	memset(dst, 0, PAGE_SIZE);
	grant(0, 20, 1, RAM_GPA, GTF_permit_access);
	grant(2, 20, 1, RAM_GPA, GTF_permit_access);
	for (int i = 0; i < N; i++)
		ops[i] = (struct gnttab_copy){
			.source = gref(from[i], 20, 0),
			.dest = local(RAM_GPA + 3 * PAGE_SIZE, i * 8), .len = 8,
			.flags = GNTCOPY_source_gref, .status = 99,
		};
	arena_pages_got = 0;
	copies_from_guest = 0;
	copies_to_guest = 0;
	assert_int_equal(gnttab(1, GNTTABOP_copy, ops, N), 0);
	for (int i = 0; i < N; i++) {
		u8 want = from[i] == 0 ? 0xa0 : from[i] == 2 ? 0xc2 : 0;

		assert_int_equal(ops[i].status, from[i] == 9 ? GNTST_bad_domain :
							      GNTST_okay);
		assert_int_equal(dst[i * 8], want);
		assert_int_equal(dst[i * 8 + 7], want);
	}
	/*
	 * Two pages looked up once each; the op across them was copied in, its
	 * status (past the page end) written in place, as every other one.
	 */
	assert_int_equal(arena_pages_got, 2);
	assert_int_equal(copies_from_guest, 1);
	assert_int_equal(copies_to_guest, 0);
	assert_int_equal(page_count(pages[0]), counts[0]);
	assert_int_equal(page_count(pages[1]), counts[1]);
	assert_int_equal(refs(0), refs0);
	assert_int_equal(refs(2), refs2);
	assert_int_equal(entry(0, 20)->flags, GTF_permit_access);
	assert_int_equal(entry(2, 20)->flags, GTF_permit_access);
}

static void destroy_d2(void)
{
	if (doms[2] && copies_to_guest == 1)
		destroy(2);
}

/*
 * A domain destroyed in the middle of a batch that has looked it up: the
 * batch's reference keeps its struct until the batch ends, its later ops
 * get GNTST_bad_domain as a fresh lookup would, and it is freed after.
 */
static void test_copy_batch_domain_dies(void **state)
{
	struct gnttab_copy ops[3];
	u64 free;

	memset(guest_ptr(doms[2], RAM_GPA), 0xc2, 8);
	grant(2, 21, 1, RAM_GPA, GTF_permit_access);
	for (int i = 0; i < 3; i++)
		ops[i] = (struct gnttab_copy){
			.source = gref(2, 21, 0), .dest = local(RAM_GPA, i * 8),
			.len = 8, .flags = GNTCOPY_source_gref, .status = 99,
		};
	memset(guest_ptr(doms[1], RAM_GPA), 0, 64);
	free = host_pages.nr_free;
	copies_to_guest = 0;
	after_copy_to_guest = destroy_d2;
	assert_int_equal(gnttab(1, GNTTABOP_copy, ops, 3), 0);
	after_copy_to_guest = NULL;
	assert_null(doms[2]);
	assert_int_equal(ops[0].status, GNTST_okay);
	assert_int_equal(ops[1].status, GNTST_bad_domain);
	assert_int_equal(ops[2].status, GNTST_bad_domain);
	assert_int_equal(guest_ptr(doms[1], RAM_GPA)[0], 0xc2);
	assert_int_equal(guest_ptr(doms[1], RAM_GPA)[8], 0);
	/* The batch's reference was the last: d2's memory is back now. */
	assert_true(host_pages.nr_free > free + PFN_DOWN(DOM_MEM) / 2);
}

/* d@id gives its page at @gpa back to keel (a balloon driver's decrease_reservation). */
static long balloon_out(domid_t id, u64 gpa)
{
	u64 pfn = gpa >> PAGE_SHIFT;
	struct xen_memory_reservation r = {
		.extent_start = (u64)(uintptr_t)&pfn, .nr_extents = 1, .domid = DOMID_SELF,
	};

	return do_memory_op(&vcpus[id], XENMEM_decrease_reservation, (u64)(uintptr_t)&r);
}

/*
 * What keel-blkback's gntdev GRANT_COPY issues: a batch of 16, dom0's own frames by GFN
 * (DOMID_SELF) on one side and a guest's grants on the other, with a hostile guest's
 * revoked, read-only, ballooned-out, misdirected and overlong entries among them. Each bad
 * op fails alone; nothing stays pinned; no page is lost or kept.
 */
static void test_copy_backend_batch(void **state)
{
	struct gnttab_copy batch[16];
	u8 *src = guest_ptr(doms[0], RAM_GPA);
	int refs1 = refs(1);
	u64 free;

	for (int i = 0; i < 16; i++) {
		grant(1, 40 + i, 0, RAM_4K_GPA + i * PAGE_SIZE, GTF_permit_access);
		memset(guest_ptr(doms[1], RAM_4K_GPA + i * PAGE_SIZE), 0, PAGE_SIZE);
		batch[i] = (struct gnttab_copy){
			.source = local(RAM_GPA, i * 256), .dest = gref(1, 40 + i, 512),
			.len = 256, .flags = GNTCOPY_dest_gref,
		};
	}
	for (int i = 0; i < 4096; i++)
		src[i] = (u8)(i * 3 + 1);
	entry(1, 45)->flags = 0;				/* revoked */
	entry(1, 47)->flags |= GTF_readonly;			/* read-only as destination */
	free = host_pages.nr_free;
	assert_int_equal(balloon_out(1, RAM_4K_GPA + 10 * PAGE_SIZE), 1);	/* ref 50 */
	assert_int_equal(host_pages.nr_free, free + 1);
	entry(1, 52)->domid = 2;				/* granted to another */
	batch[13].dest.offset = 4000;				/* crosses the page end */
	batch[14].dest.domid = 9;				/* no such domain */
	assert_int_equal(gnttab(0, GNTTABOP_copy, batch, 16), 0);
	for (int i = 0; i < 16; i++) {
		s16 want = GNTST_okay;

		switch (i) {
		case 5: case 7: case 12: want = GNTST_general_error; break;
		case 10: want = GNTST_bad_page; break;
		case 13: want = GNTST_bad_copy_arg; break;
		case 14: want = GNTST_bad_domain; break;
		}
		assert_int_equal(batch[i].status, want);
		if (want == GNTST_okay)
			assert_memory_equal(guest_ptr(doms[1], RAM_4K_GPA + i * PAGE_SIZE) + 512,
					    src + i * 256, 256);
		else if (i != 10)
			assert_int_equal(guest_ptr(doms[1], RAM_4K_GPA + i * PAGE_SIZE)[512], 0);
		/* Nothing left pinned: GTF_reading/GTF_writing are clear again. */
		assert_int_equal(entry(1, 40 + i)->flags & (GTF_reading | GTF_writing), 0);
	}
	assert_int_equal(refs(1), refs1);
	assert_int_equal(host_pages.nr_free, free + 1);
	/* The other way (a WRITE's data into dom0's pinned page): the same statuses. */
	for (int i = 0; i < 16; i++) {
		struct gnttab_copy_ptr t = batch[i].source;

		batch[i].source = batch[i].dest;
		batch[i].dest = t;
		batch[i].flags = GNTCOPY_source_gref;
	}
	assert_int_equal(gnttab(0, GNTTABOP_copy, batch, 16), 0);
	assert_int_equal(batch[0].status, GNTST_okay);
	assert_int_equal(batch[5].status, GNTST_general_error);
	assert_int_equal(batch[7].status, GNTST_okay);		/* read-only is fine as source */
	assert_int_equal(batch[10].status, GNTST_bad_page);
	assert_int_equal(batch[13].status, GNTST_bad_copy_arg);
}

/*
 * A ring page mapped by dom0 (gntdev, several refs in one batch at consecutive addresses of
 * the unpopulated "Xen scratch" range), then ballooned out by the guest: the mapping keeps
 * the page alive; the last unmap gives it back.
 */
static void test_ring_map_then_balloon(void **state)
{
	struct gnttab_map_grant_ref op[4];
	struct gnttab_unmap_grant_ref un[4];
	u64 free, pfn = PFN_DOWN(hpa_of(1, RAM_4K_GPA + 2 * PAGE_SIZE));

	for (int i = 0; i < 4; i++) {
		grant(1, 60 + i, 0, RAM_4K_GPA + i * PAGE_SIZE, GTF_permit_access);
		op[i] = (struct gnttab_map_grant_ref){
			.host_addr = HOLE_GPA + i * PAGE_SIZE, .flags = GNTMAP_host_map,
			.ref = 60 + i, .dom = 1,
		};
	}
	assert_int_equal(gnttab(0, GNTTABOP_map_grant_ref, op, 4), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(op[i].status, GNTST_okay);
	guest_ptr(doms[0], HOLE_GPA + 2 * PAGE_SIZE)[7] = 0x99;
	free = host_pages.nr_free;
	assert_int_equal(balloon_out(1, RAM_4K_GPA + 2 * PAGE_SIZE), 1);
	/* Gone from d1's p2m, but not freed: dom0 still reads and writes it. */
	assert_true(p2m_empty(doms[1], RAM_4K_GPA + 2 * PAGE_SIZE));
	assert_int_equal(host_pages.nr_free, free);
	assert_false(page_is_free(&host_pages, pfn));
	assert_int_equal(guest_ptr(doms[0], HOLE_GPA + 2 * PAGE_SIZE)[7], 0x99);
	for (int i = 0; i < 4; i++)
		un[i] = (struct gnttab_unmap_grant_ref){
			.host_addr = HOLE_GPA + i * PAGE_SIZE, .handle = op[i].handle,
		};
	assert_int_equal(gnttab(0, GNTTABOP_unmap_grant_ref, un, 4), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(un[i].status, GNTST_okay);
	/* The page, and the p2m table dom0's mappings needed. */
	assert_true(page_is_free(&host_pages, pfn));
	assert_true(host_pages.nr_free >= free + 1);
	/* Mapping it again finds no page behind the grant. */
	op[2].status = 99;
	assert_int_equal(gnttab(0, GNTTABOP_map_grant_ref, &op[2], 1), 0);
	assert_int_equal(op[2].status, GNTST_bad_page);
	assert_true(p2m_empty(doms[0], HOLE_GPA + 2 * PAGE_SIZE));
}

/* ---- dying domains ------------------------------------------------------ */

static void test_mapper_dies(void **state)
{
	int refs0 = refs(0);

	grant(0, 16, 1, RAM_GPA, GTF_permit_access);
	grant(0, 17, 1, RAM_GPA + PAGE_SIZE, GTF_permit_access);
	assert_int_equal(map(1, 0, 16, HOLE_GPA, GNTMAP_host_map, NULL), GNTST_okay);
	assert_int_equal(map(1, 0, 17, HOLE_GPA + PAGE_SIZE,
			     GNTMAP_host_map | GNTMAP_readonly, NULL), GNTST_okay);
	assert_int_equal(refs(0), refs0 + 2);
	destroy(1);
	assert_int_equal(refs(0), refs0);
	assert_int_equal(entry(0, 16)->flags, GTF_permit_access);
	assert_int_equal(entry(0, 17)->flags, GTF_permit_access);
}

static void test_granter_dies(void **state)
{
	struct domain *d0 = doms[0];
	grant_handle_t h;
	u8 *page;
	u64 free, pfn;
	struct gnttab_copy op = {
		.source = gref(0, 18, 0), .dest = local(RAM_GPA, 0), .len = 8,
		.flags = GNTCOPY_source_gref,
	};

	grant(0, 18, 1, RAM_GPA, GTF_permit_access);
	assert_int_equal(map(1, 0, 18, HOLE_GPA, GNTMAP_host_map, &h), GNTST_okay);
	page = guest_ptr(doms[1], HOLE_GPA);
	strcpy((char *)page, "still here");
	pfn = PFN_DOWN(hpa_of(0, RAM_GPA));
	destroy(0);
	/* Gone from the table but alive: its memory is not freed yet. */
	assert_null(domain_get(0));
	assert_false(page_is_free(&host_pages, pfn));
	free = host_pages.nr_free;
	assert_int_equal(atomic_read(&d0->refcnt), 1);
	assert_string_equal((char *)guest_ptr(doms[1], HOLE_GPA), "still here");
	assert_int_equal(map(1, 0, 18, HOLE_GPA + PAGE_SIZE, GNTMAP_host_map,
			     NULL), GNTST_bad_domain);
	assert_int_equal(copy1(1, &op), GNTST_bad_domain);
	/* The last unmap frees it all. */
	assert_int_equal(unmap(1, h, HOLE_GPA), GNTST_okay);
	assert_true(page_is_free(&host_pages, pfn));
	assert_true(host_pages.nr_free >= free + PFN_DOWN(DOM_MEM));
	/* The id is free again. */
	create(0);
}

static void test_both_die_with_cross_maps(void **state)
{
	grant(0, 19, 1, RAM_GPA, GTF_permit_access);
	grant(1, 19, 0, RAM_GPA, GTF_permit_access);
	assert_int_equal(map(1, 0, 19, HOLE_GPA, GNTMAP_host_map, NULL), GNTST_okay);
	assert_int_equal(map(0, 1, 19, HOLE_GPA, GNTMAP_host_map, NULL), GNTST_okay);
	/* Teardown destroys both: no reference cycle may keep either alive. */
}

static void test_max_frames_option(void **state)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 5,
					.frame_list = BAD_VA };

	assert_int_equal(cmdline_parse("gnttab_max_frames=0"), 1);
	assert_int_equal(cmdline_parse("gnttab_max_frames=65"), 1);
	assert_int_equal(cmdline_parse("gnttab_max_frames=x"), 1);
	assert_int_equal(cmdline_parse("gnttab_max_frames=4"), 0);
	destroy(2);
	create(2);
	assert_int_equal(cmdline_parse("gnttab_max_frames=32"), 0);
	assert_int_equal(gnttab(2, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.max_nr_frames, 4);
	assert_int_equal(gnttab(2, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_general_error);
	assert_int_equal(place_frame(2, 4, HOLE_GPA), -EINVAL);
	assert_int_equal(place_frame(2, 3, HOLE_GPA), 0);
	/* Other domains keep the size they were made with. */
	assert_int_equal(gnttab(1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.max_nr_frames, 32);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_query_size),
		T(test_setup_table),
		T(test_setup_table_out_of_memory),
		T(test_versions),
		T(test_bad_commands),
		T(test_add_to_physmap),
		T(test_map_unmap),
		T(test_map_batch),
		T(test_readonly_grant),
		T(test_map_hostile),
		T(test_pinned_by_another),
		T(test_unmap_hostile),
		T(test_unmap_after_guest_replaced_it),
		T(test_self_map),
		T(test_pin_limit_and_handles),
		T(test_copy),
		T(test_copy_hostile),
		T(test_copy_backend_batch),
		T(test_copy_batch_in_guest_pages),
		T(test_copy_batch_domain_dies),
		T(test_ring_map_then_balloon),
		T(test_mapper_dies),
		T(test_granter_dies),
		T(test_both_die_with_cross_maps),
		T(test_max_frames_option),
	};

	return cmocka_run_group_tests_name("grant_table", tests, NULL, NULL);
}
