/*
 * Host tests of keel's memory core: the p2m, frame references, ballooning
 * and keel's own accesses to guest memory. Real keel code (p2m.c, domain.c,
 * memory_op.c, grant_table.c, vcpu_op.c, version.c, hypercall.c,
 * guest_access.c, evtchn*.c, the allocator and frame table) on a fake host
 * RAM arena, with hypercall arguments in guest RAM as the audit's poc_hv.c
 * has them (paging off: guest-virtual is guest-physical). Each test ends
 * with every domain destroyed and every host page back.
 */
#include <stdlib.h>
#include <string.h>
/* keel's scheduler has a sched_yield() of its own, as libc's sched.h does. */
#define sched_yield keel_sched_yield
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/build_info.h>
#include <keel/domain.h>
#include <keel/percpu.h>
#include <keel/errno.h>
#include <keel/evtchn.h>
#include <keel/frame.h>
#include <keel/grant_table.h>
#include <keel/hwdom_memmap.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/pvh_layout.h>
#include <keel/vcpu.h>
#include <asm/acpi_walk.h>
#include <asm/hwdom_acpi.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include <public/vcpu.h>
#include <public/version.h>
#undef sched_yield
#include <pthread.h>
#include "host.h"
#include "stub_domain.h"

#define ARENA_SIZE MiB(64)
#define NR_FRAMES (ARENA_SIZE >> PAGE_SHIFT)
#define DOM_MEM MiB(4)
#define NR_DOMS 3
#define SCRATCH 0x150000ULL	/* hypercall arguments (4 KiB RAM pages) */
#define SCRATCH2 0x152000ULL	/* a second vCPU's */
#define VINFO_GPA 0x160000ULL	/* RAM in 4 KiB pages */
#define GRANTED 0x170000ULL
#define RAM_4K 0x180000ULL
#define RAM_2M 0x200000ULL	/* inside the 2 MiB leaf 0x200000-0x400000 */
#define HOLE_GPA 0x80000000ULL	/* nothing there */
#define TABLE_GPA 0x90000000ULL	/* each domain's grant frame 0 */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)

/* ---- the host side keel's code expects (the rest: stub_domain.c) -------- */

u64 boot_wallclock_sec;
/* A frame to look at when the p2m flushes: was it free by then? */
static u64 watch_frame;
static int watch_free_at_flush;

static void watch_at_flush(struct domain *d)
{
	if (watch_frame)
		watch_free_at_flush = page_is_free(&host_pages,
						   PFN_DOWN(watch_frame));
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
	struct vcpu *v = calloc(1, sizeof(*v));

	v->id = id;
	v->domain = d;
	v->vcpu_info = &d->shared_info->vcpu_info[id];
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	vcpu_info_release(v);	/* as vcpu.c does */
	free(v);
}

/* Timers, consoles and preemption are test_domain_life.c's: idle here. */
HOSTED_PCPUS
unsigned int nr_cpus = 1;
__thread unsigned int hosted_cpu;
void arch_hypercall_continuation(struct vcpu *v, unsigned long nr,
				 const unsigned long *args, unsigned int nargs) { }
/* What version.c reports: not what these tests look at. */
const char keel_compiler[] = "gcc", keel_compile_by[] = "test";
const char keel_compile_domain[] = "test", keel_compile_date[] = "today";
const char keel_changeset[] = "test";
struct boot_info boot_info;
int keel_build_id(const void **id, unsigned int *len) { return -ENODATA; }
const char *arch_xen_caps(void) { return "hvm-3.0-x86_64"; }
/* The rest of hypercall.c's table: not what these tests look at. */
long do_console_io(struct vcpu *v, int cmd, u64 len, u64 buf) { return -ENOSYS; }
long do_sched_op(struct vcpu *v, int cmd, u64 arg) { return -ENOSYS; }
long do_hvm_op(struct vcpu *v, int cmd, u64 arg) { return -ENOSYS; }
long do_keel_domctl(struct vcpu *v, u64 arg) { return -ENOSYS; }

/* ---- domains ------------------------------------------------------------ */

static struct domain *dom[NR_DOMS];
static u64 free_at_start;

static struct vcpu *vc(int id)
{
	return dom[id]->vcpus[0];
}

static void create(int id, unsigned int vcpus)
{
	dom[id] = domain_create(id, vcpus);
	assert_non_null(dom[id]);
	assert_int_equal(domain_set_memory(dom[id], DOM_MEM), 0);
}

static void destroy(int id)
{
	domain_destroy(dom[id]);
	dom[id] = NULL;
}

static int setup(void **state)
{
	stub_ram_init(ARENA_SIZE);
	free_at_start = host_pages.nr_free;
	stub_p2m_flushes = 0;
	stub_p2m_flush_hook = watch_at_flush;
	watch_frame = 0;
	for (int i = 0; i < NR_DOMS; i++)
		create(i, 1);
	dom[0]->privileged = true;
	return 0;
}

static int teardown(void **state)
{
	u64 nr_free;

	for (int i = 0; i < NR_DOMS; i++)
		if (dom[i])
			destroy(i);
	nr_free = host_pages.nr_free;
	stub_ram_free();
	/* Every page of every domain, its tables, its maps is back. */
	assert_int_equal(nr_free, free_at_start);
	for (int i = 0; i < NR_DOMS; i++)
		assert_int_equal(frames_owned(i), 0);
	return 0;
}

/* ---- guest memory and hypercalls ------------------------------------------ */

static void gput(int id, u64 gpa, const void *p, u64 n)
{
	assert_int_equal(copy_to_guest_phys(dom[id], gpa, p, n), 0);
}

static void gget(int id, u64 gpa, void *p, u64 n)
{
	assert_int_equal(copy_from_guest_phys(dom[id], p, gpa, n), 0);
}

static u8 *host_ptr(int id, u64 gpa)
{
	u64 hpa, attr;

	if (p2m_lookup(dom[id], gpa, &hpa, &attr))
		return NULL;
	return phys_to_virt(hpa);
}

static u64 hpa_of(int id, u64 gpa)
{
	u64 hpa, attr;

	assert_int_equal(p2m_lookup(dom[id], gpa, &hpa, &attr), 0);
	return hpa & PAGE_MASK;
}

static bool mapped(int id, u64 gpa)
{
	u64 hpa, attr;

	return !p2m_lookup(dom[id], gpa, &hpa, &attr);
}

static u64 attr_of(int id, u64 gpa)
{
	u64 hpa, attr = 0;

	assert_int_equal(p2m_lookup(dom[id], gpa, &hpa, &attr), 0);
	return attr;
}

/* memory_op @cmd with @arg (@n bytes) at @scratch of @v's domain; @arg is copied back. */
static long memop_at(struct vcpu *v, u64 scratch, int cmd, void *arg, u64 n)
{
	struct domain *d = v->domain;
	long rc;

	assert_int_equal(copy_to_guest_phys(d, scratch, arg, n), 0);
	rc = do_memory_op(v, cmd, scratch);
	assert_int_equal(copy_from_guest_phys(d, arg, scratch, n), 0);
	return rc;
}

static long memop(int id, int cmd, void *arg, u64 n)
{
	return memop_at(vc(id), SCRATCH, cmd, arg, n);
}

static long place_at(struct vcpu *v, u64 scratch, unsigned int space, u64 idx,
		     u64 gpa)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = space, .idx = idx,
		.gpfn = gpa >> PAGE_SHIFT,
	};

	return memop_at(v, scratch, XENMEM_add_to_physmap, &x, sizeof(x));
}

static long place(int id, unsigned int space, u64 idx, u64 gpa)
{
	return place_at(vc(id), SCRATCH, space, idx, gpa);
}

/* A reservation op over @n frames @gfns (list after the struct in scratch). */
static long reserve_at(struct vcpu *v, u64 scratch, int cmd, const u64 *gfns,
		       u64 n, struct xen_memory_reservation *r)
{
	struct domain *d = v->domain;

	r->extent_start = scratch + 256;
	if (gfns)
		assert_int_equal(copy_to_guest_phys(d, scratch + 256, gfns,
						    n * sizeof(*gfns)), 0);
	r->nr_extents = n;
	assert_int_equal(copy_to_guest_phys(d, scratch, r, sizeof(*r)), 0);
	return do_memory_op(v, cmd, scratch);
}

static long reserve(int id, int cmd, const u64 *gfns, u64 n)
{
	struct xen_memory_reservation r = { .domid = DOMID_SELF };

	return reserve_at(vc(id), SCRATCH, cmd, gfns, n, &r);
}

static long query(int id, int cmd, domid_t about)
{
	return memop(id, cmd, &about, sizeof(about));
}

static void grant(int granter, grant_ref_t ref, domid_t to, u64 gpa, u16 flags)
{
	grant_entry_v1_t e = { .flags = flags, .domid = to, .frame = gpa >> 12 };

	if (!mapped(granter, TABLE_GPA))
		assert_int_equal(place(granter, XENMAPSPACE_grant_table, 0,
				       TABLE_GPA), 0);
	gput(granter, TABLE_GPA + ref * sizeof(e), &e, sizeof(e));
}

static s16 map_at(struct vcpu *v, u64 scratch, domid_t d, grant_ref_t ref,
		  u64 gpa, u32 flags, grant_handle_t *handle, u64 *bus)
{
	struct gnttab_map_grant_ref op = {
		.host_addr = gpa, .flags = flags, .ref = ref, .dom = d,
		.dev_bus_addr = 0x1234,
	};
	struct domain *cd = v->domain;

	assert_int_equal(copy_to_guest_phys(cd, scratch, &op, sizeof(op)), 0);
	assert_int_equal(do_grant_table_op(v, GNTTABOP_map_grant_ref, scratch, 1), 0);
	assert_int_equal(copy_from_guest_phys(cd, &op, scratch, sizeof(op)), 0);
	if (handle)
		*handle = op.handle;
	if (bus)
		*bus = op.dev_bus_addr;
	return op.status;
}

static s16 map(int caller, domid_t d, grant_ref_t ref, u64 gpa, u32 flags,
	       grant_handle_t *handle)
{
	return map_at(vc(caller), SCRATCH, d, ref, gpa, flags, handle, NULL);
}

static s16 unmap_at(struct vcpu *v, u64 scratch, grant_handle_t h, u64 gpa)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = gpa, .handle = h };
	struct domain *cd = v->domain;

	assert_int_equal(copy_to_guest_phys(cd, scratch, &op, sizeof(op)), 0);
	assert_int_equal(do_grant_table_op(v, GNTTABOP_unmap_grant_ref, scratch, 1), 0);
	assert_int_equal(copy_from_guest_phys(cd, &op, scratch, sizeof(op)), 0);
	return op.status;
}

static s16 unmap(int caller, grant_handle_t h, u64 gpa)
{
	return unmap_at(vc(caller), SCRATCH, h, gpa);
}

static long evtchn(int id, int cmd, void *op, u64 n)
{
	long rc;

	gput(id, SCRATCH, op, n);
	rc = do_event_channel_op(vc(id), cmd, SCRATCH);
	gget(id, SCRATCH, op, n);
	return rc;
}

static long register_vcpu_info(int id, unsigned int vcpu, u64 gpa, u32 offset)
{
	struct vcpu_register_vcpu_info r = { .mfn = gpa >> 12, .offset = offset };

	gput(id, SCRATCH, &r, sizeof(r));
	return do_vcpu_op(vc(id), VCPUOP_register_vcpu_info, vcpu, SCRATCH);
}

static long foreign_map(int id, domid_t fd, u64 gfn, u64 gpa, int *err)
{
	u64 idx = gfn, gpfn = gpa >> 12;
	struct xen_add_to_physmap_batch b = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_gmfn_foreign,
		.size = 1, .foreign_domid = fd, .idxs = SCRATCH + 512,
		.gpfns = SCRATCH + 520, .errs = SCRATCH + 528,
	};
	long rc;

	gput(id, SCRATCH + 512, &idx, 8);
	gput(id, SCRATCH + 520, &gpfn, 8);
	rc = memop(id, XENMEM_add_to_physmap_batch, &b, sizeof(b));
	gget(id, SCRATCH + 528, err, sizeof(*err));
	return rc;
}

static long foreign_unmap(int id, u64 gpa)
{
	struct xen_remove_from_physmap r = { .domid = DOMID_SELF,
					     .gpfn = gpa >> 12 };

	return memop(id, XENMEM_remove_from_physmap, &r, sizeof(r));
}

/* ---- finding 1: vcpu_info ------------------------------------------------- */

static void test_vcpu_info_rules(void **state)
{
	u64 hpa;

	/* Not RAM, not keel's page, not read-only, not a bad offset. */
	assert_int_equal(register_vcpu_info(1, 0, HOLE_GPA, 0), -EINVAL);
	/* Nor another domain's page, even one it may write (a grant). */
	grant(2, 7, 1, GRANTED, GTF_permit_access);
	assert_int_equal(map(1, 2, 7, HOLE_GPA, GNTMAP_host_map, NULL), GNTST_okay);
	assert_int_equal(register_vcpu_info(1, 0, HOLE_GPA, 0), -EINVAL);
	assert_int_equal(place(1, XENMAPSPACE_shared_info, 0, RAM_4K), 0);
	assert_int_equal(register_vcpu_info(1, 0, RAM_4K, 0), -EINVAL);
	assert_int_equal(register_vcpu_info(1, 0, VINFO_GPA, 4090), -EINVAL);
	assert_int_equal(register_vcpu_info(1, 0, 1ULL << 52, 0), -EINVAL);
	assert_int_equal(register_vcpu_info(1, 1, VINFO_GPA, 0), -ENOENT);
	/* Its own RAM: held by a reference until the vCPU goes. */
	hpa = hpa_of(1, VINFO_GPA);
	assert_int_equal(register_vcpu_info(1, 0, VINFO_GPA, 64), 0);
	assert_int_equal(page_count(hpa), 2);
	assert_ptr_equal(vc(1)->vcpu_info, phys_to_virt(hpa + 64));
	/* Once only, as Xen: the second is refused, wherever it points. */
	assert_int_equal(register_vcpu_info(1, 0, VINFO_GPA + PAGE_SIZE, 0),
			 -EINVAL);
	assert_int_equal(register_vcpu_info(1, 0, VINFO_GPA, 64), -EINVAL);
	assert_int_equal(page_count(hpa), 2);
	assert_int_equal(page_count(hpa_of(1, VINFO_GPA + PAGE_SIZE)), 1);
}

/*
 * The audit's PoC: vcpu_info registered, then add_to_physmap over its page.
 * The page leaves the p2m but not keel's hands: it is never handed out
 * again (as an EPT table) while keel writes event bits into it.
 */
static void test_vcpu_info_page_outlives_physmap(void **state)
{
	const u64 R = 0x40000000ULL, G = R + 0x400000 + 16 * PAGE_SIZE;
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	struct evtchn_send send;
	u64 vinfo, tot, granted;
	int port = 0;

	grant(1, 9, 1, GRANTED, GTF_permit_access);
	assert_int_equal(map(1, 1, 9, R + 0x200000, GNTMAP_host_map, NULL), 0);
	assert_int_equal(register_vcpu_info(1, 0, VINFO_GPA, 16 * 8 - 8), 0);
	vinfo = hpa_of(1, VINFO_GPA);
	tot = p2m_tot_pages(dom[1]);
	assert_int_equal(place(1, XENMAPSPACE_grant_table, 1, VINFO_GPA), 0);
	assert_int_not_equal(hpa_of(1, VINFO_GPA), vinfo);
	/* Still keel's (the vCPU's reference) and still charged to d1. */
	assert_false(page_is_free(&host_pages, PFN_DOWN(vinfo)));
	assert_int_equal(page_count(vinfo), 1);
	assert_int_equal(page_owner(vinfo), 1);
	assert_int_equal(p2m_tot_pages(dom[1]), tot);
	/* A new EPT table is some other frame. */
	grant(1, 10, 1, GRANTED + PAGE_SIZE, GTF_permit_access);
	assert_int_equal(map(1, 1, 10, G, GNTMAP_host_map, NULL), 0);
	granted = hpa_of(1, G);
	while (port < 768) {
		assert_int_equal(evtchn(1, EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)), 0);
		port = ipi.port;
	}
	send.port = port;
	assert_int_equal(evtchn(1, EVTCHNOP_send, &send, sizeof(send)), 0);
	/* The event went to the held page, and no EPT entry moved. */
	assert_true(vc(1)->vcpu_info->evtchn_pending_sel & BIT(port / 64));
	assert_int_equal(hpa_of(1, G), granted);
	assert_false(mapped(1, G - PAGE_SIZE));
	/* The domain's end frees it (teardown checks every page is back). */
	destroy(1);
	assert_true(page_is_free(&host_pages, PFN_DOWN(vinfo)));
}

/* ---- finding 8: keel's writes honour the p2m's permissions --------------- */

static void test_readonly_grant_stays_readonly(void **state)
{
	char before[16], after[16], in[16];
	u64 rw_gpa = HOLE_GPA + PAGE_SIZE;

	gput(2, GRANTED, "VICTIM-DATA....", 16);
	grant(2, 8, 1, GRANTED, GTF_permit_access | GTF_readonly);
	assert_int_equal(map(1, 2, 8, HOLE_GPA, GNTMAP_host_map | GNTMAP_readonly,
			     NULL), GNTST_okay);
	assert_int_equal(attr_of(1, HOLE_GPA) & (EPT_R | EPT_W), EPT_R);
	gget(2, GRANTED, before, 16);
	/* Hypercall output, keel's hypercall page, vcpu_info: all refused. */
	assert_int_equal(do_xen_version(vc(1), XENVER_extraversion, HOLE_GPA),
			 -EFAULT);
	assert_int_equal(hypercall_page_write(dom[1], HOLE_GPA), -EINVAL);
	assert_int_equal(register_vcpu_info(1, 0, HOLE_GPA, 0), -EINVAL);
	assert_int_equal(copy_to_guest_phys(dom[1], HOLE_GPA + 8, "x", 1), -EFAULT);
	assert_int_equal(clear_guest_phys(dom[1], HOLE_GPA, 16), -EFAULT);
	/* A write that starts in RAM and runs into it stops there too. */
	assert_int_equal(copy_to_guest_phys(dom[1], HOLE_GPA - 8, "0123456789abcdef",
					    16), -EFAULT);
	gget(2, GRANTED, after, 16);
	assert_memory_equal(before, after, 16);
	/* Reading through it is what the mapper may do. */
	assert_int_equal(copy_from_guest_phys(dom[1], in, HOLE_GPA, 16), 0);
	assert_memory_equal(in, before, 16);

	/* A writable grant mapping takes keel's writes (not a hypercall page). */
	grant(2, 9, 1, GRANTED + PAGE_SIZE, GTF_permit_access);
	assert_int_equal(map(1, 2, 9, rw_gpa, GNTMAP_host_map, NULL), GNTST_okay);
	assert_int_equal(do_xen_version(vc(1), XENVER_extraversion, rw_gpa), 0);
	assert_memory_equal(host_ptr(2, GRANTED + PAGE_SIZE), ".0-keel", 7);
	assert_int_equal(hypercall_page_write(dom[1], rw_gpa), -EINVAL);
	/* Its own RAM takes the hypercall page. */
	assert_int_equal(hypercall_page_write(dom[1], RAM_4K), 0);
	assert_int_equal(host_ptr(1, RAM_4K)[5], 0x0f);
	assert_int_equal(hypercall_page_write(dom[1], RAM_4K + 8), -EINVAL);
}

/* Keel's shared_info and grant frames are no place for the hypercall page either. */
static void test_keel_pages_are_not_the_guests(void **state)
{
	assert_int_equal(place(1, XENMAPSPACE_grant_table, 0, HOLE_GPA), 0);
	assert_int_equal(hypercall_page_write(dom[1], HOLE_GPA), -EINVAL);
	assert_int_equal(register_vcpu_info(1, 0, HOLE_GPA, 0), -EINVAL);
	/* Hypercall data there is fine (it is RW to the guest too). */
	assert_int_equal(copy_to_guest_phys(dom[1], HOLE_GPA + 3000, "ok", 2), 0);
}

/* ---- finding 16 ---------------------------------------------------------- */

static void test_dev_bus_addr_is_zero(void **state)
{
	grant_handle_t h;
	u64 bus = 99;

	grant(0, 3, 1, GRANTED, GTF_permit_access);
	assert_int_equal(map_at(vc(1), SCRATCH, 0, 3, HOLE_GPA, GNTMAP_host_map,
				&h, &bus), GNTST_okay);
	assert_int_equal(bus, 0);
	assert_int_equal(unmap(1, h, HOLE_GPA), GNTST_okay);
}

/* ---- finding 6: p2m tables are bounded ---------------------------------- */

static void test_shared_info_moves_leave_no_tables(void **state)
{
	u64 before = host_pages.nr_free, tables = dom[2]->p2m_tables;
	int i;

	for (i = 0; i < 2000; i++)
		if (place(2, XENMAPSPACE_shared_info, 0,
			  0x100000000ULL + (u64)i * 0x200000))
			break;
	assert_int_equal(i, 2000);
	/* Only the tables of where it is now: none left where it was. */
	assert_true(before - host_pages.nr_free <= 3);
	assert_true(dom[2]->p2m_tables <= tables + 3);
	/* Grant frames (the table grows to 4 frames first) likewise. */
	assert_int_equal(place(2, XENMAPSPACE_grant_table, 3, RAM_4K), 0);
	before = host_pages.nr_free;
	for (i = 0; i < 60; i++)
		assert_int_equal(place(2, XENMAPSPACE_grant_table, i % 4,
				       0x100000000ULL + (u64)i * 0x40000000), 0);
	/* Each of the four frames and shared_info: two tables at most. */
	assert_true(dom[2]->p2m_tables <= tables + 5 * 2);
	assert_true(before - host_pages.nr_free <= 5 * 2);
	/* Placed back into RAM: the tables outside RAM go too. */
	assert_int_equal(place(2, XENMAPSPACE_shared_info, 0, RAM_4K), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(place(2, XENMAPSPACE_grant_table, i,
				       RAM_4K + (i + 1) * PAGE_SIZE), 0);
	assert_int_equal(dom[2]->p2m_tables, tables);
}

static void test_placement_range(void **state)
{
	u64 limit = dom[1]->p2m_gpa_limit;

	/* Its RAM, the space above for grants, up to the limit; not beyond. */
	assert_true(limit >= GiB(4) + P2M_SPACE_ABOVE_RAM);
	assert_true(limit < PT_ADDR_LIMIT);
	assert_int_equal(place(1, XENMAPSPACE_shared_info, 0, limit - PAGE_SIZE), 0);
	assert_int_equal(place(1, XENMAPSPACE_shared_info, 0, limit), -EINVAL);
	assert_int_equal(place(1, XENMAPSPACE_grant_table, 0, limit), -EINVAL);
	assert_int_equal(place(1, XENMAPSPACE_grant_table, 0, 1ULL << 47), -EINVAL);
	/* A keel page may replace another (the shared_info mapping goes). */
	assert_int_equal(place(1, XENMAPSPACE_grant_table, 0, limit - PAGE_SIZE), 0);
	/*
	 * Never over the console ring or xenstore page, which keel keeps
	 * pointers into without a reference (finding 22's candidates).
	 */
	assert_true(dom[1]->special_size);
	for (u64 gpa = dom[1]->special_base;
	     gpa < dom[1]->special_base + dom[1]->special_size; gpa += PAGE_SIZE) {
		u64 hpa = hpa_of(1, gpa);

		assert_int_equal(place(1, XENMAPSPACE_shared_info, 0, gpa), -EINVAL);
		assert_int_equal(place(1, XENMAPSPACE_grant_table, 1, gpa), -EINVAL);
		assert_int_equal(hpa_of(1, gpa), hpa);
	}
}

/* A domain's p2m tables are capped: -ENOMEM, and host memory stays. */
static void test_table_cap(void **state)
{
	u64 before = host_pages.nr_free;
	unsigned int cap = dom[1]->p2m_tables + 8, n;

	dom[1]->p2m_max_tables = cap;
	grant(0, 4, 1, GRANTED, GTF_permit_access | GTF_readonly);
	/* Each map 2 MiB from the last needs a new table. */
	for (n = 0; n < 100; n++)
		if (map(1, 0, 4, HOLE_GPA + n * 0x200000,
			GNTMAP_host_map | GNTMAP_readonly, NULL))
			break;
	assert_true(n >= 6 && n <= 8);
	assert_int_equal(dom[1]->p2m_tables, cap);
	/* d1's tables, a page of maptrack handles, d0's table frame's tables. */
	assert_true(before - host_pages.nr_free <= 8 + 1 + 2);
	/* keel's pages and the balloon meet the same cap. */
	assert_int_equal(place(1, XENMAPSPACE_grant_table, 1, TABLE_GPA + GiB(1)),
			 -ENOMEM);
	assert_int_equal(reserve(1, XENMEM_populate_physmap,
				 &(u64){ (TABLE_GPA + GiB(2)) >> 12 }, 1), 0);
}

/* ---- findings 3 and 17: references keep frames alive --------------------- */

/*
 * dom0 foreign-maps d1's page; d1 gives that page up (add_to_physmap over
 * it, or ballooning it out). dom0's mapping holds the frame: it is not
 * freed, not reused, and still charged to d1 until dom0 unmaps it.
 */
static void test_foreign_map_holds_frame(void **state)
{
	const u64 W = HOLE_GPA;
	u64 frame = hpa_of(1, RAM_4K), tot = p2m_tot_pages(dom[1]);
	int err = 99, refs1 = atomic_read(&dom[1]->refcnt);
	char buf[8];

	gput(1, RAM_4K, "d1-page", 8);
	assert_int_equal(foreign_map(0, 1, RAM_4K >> 12, W, &err), 0);
	assert_int_equal(err, 0);
	assert_int_equal(hpa_of(0, W), frame);
	assert_int_equal(page_count(frame), 2);
	assert_int_equal(atomic_read(&dom[1]->refcnt), refs1 + 1);
	assert_int_equal(place(1, XENMAPSPACE_grant_table, 1, RAM_4K), 0);
	assert_false(page_is_free(&host_pages, PFN_DOWN(frame)));
	assert_int_equal(p2m_tot_pages(dom[1]), tot);
	gget(0, W, buf, 8);
	assert_string_equal(buf, "d1-page");
	/* Only RAM d1 owns can be mapped: not its grant frame now there. */
	assert_int_equal(foreign_map(0, 1, RAM_4K >> 12, W + PAGE_SIZE, &err), 0);
	assert_int_equal(err, -ENOENT);
	assert_int_equal(foreign_unmap(0, W), 0);
	assert_true(page_is_free(&host_pages, PFN_DOWN(frame)));
	assert_int_equal(p2m_tot_pages(dom[1]), tot - 1);
	assert_int_equal(atomic_read(&dom[1]->refcnt), refs1);

	/* The same through the balloon. */
	frame = hpa_of(1, RAM_4K + PAGE_SIZE);
	assert_int_equal(foreign_map(0, 1, (RAM_4K >> 12) + 1, W, &err), 0);
	assert_int_equal(reserve(1, XENMEM_decrease_reservation,
				 &(u64){ (RAM_4K >> 12) + 1 }, 1), 1);
	assert_false(mapped(1, RAM_4K + PAGE_SIZE));
	assert_false(page_is_free(&host_pages, PFN_DOWN(frame)));
	assert_int_equal(foreign_unmap(0, W), 0);
	assert_true(page_is_free(&host_pages, PFN_DOWN(frame)));
	/* A foreign map left in place is dropped when dom0 goes. */
	assert_int_equal(foreign_map(0, 1, (RAM_4K >> 12) + 2, W, &err), 0);
	destroy(0);
	assert_int_equal(atomic_read(&dom[1]->refcnt), refs1);
}

/* dom0's own page replaced by a foreign one is freed only after the flush. */
static void test_foreign_map_flushes_before_free(void **state)
{
	int err;

	watch_frame = hpa_of(0, RAM_4K);
	watch_free_at_flush = -1;
	assert_int_equal(foreign_map(0, 1, RAM_4K >> 12, RAM_4K, &err), 0);
	assert_int_equal(err, 0);
	assert_int_equal(watch_free_at_flush, 0);	/* still allocated then */
	assert_true(page_is_free(&host_pages, PFN_DOWN(watch_frame)));
	/* And the foreign entry replaced by another likewise. */
	watch_frame = hpa_of(1, RAM_4K);
	watch_free_at_flush = -1;
	assert_int_equal(foreign_map(0, 2, RAM_4K >> 12, RAM_4K, &err), 0);
	assert_int_equal(watch_free_at_flush, 0);
	assert_false(page_is_free(&host_pages, PFN_DOWN(watch_frame))); /* d1's */
	watch_frame = 0;
	assert_int_equal(foreign_unmap(0, RAM_4K), 0);
	/* Its own RAM cannot be removed this way. */
	assert_int_equal(foreign_unmap(0, RAM_4K + PAGE_SIZE), -EINVAL);
	assert_int_equal(foreign_unmap(0, HOLE_GPA), -ENOENT);
}

/*
 * Finding 3: a pin and a physmap change over the pinned page, in either
 * order. With references the order does not matter: the mapping always
 * points at a frame that is alive, and the page leaves only the p2m.
 */
static void test_pin_then_physmap(void **state)
{
	grant_handle_t h;
	u64 frame = hpa_of(1, GRANTED), tot = p2m_tot_pages(dom[1]);

	grant(1, 20, 1, GRANTED, GTF_permit_access);
	gput(1, GRANTED, "pinned", 7);
	assert_int_equal(map(1, 1, 20, HOLE_GPA, GNTMAP_host_map, &h), GNTST_okay);
	/* Before the fix: -EBUSY, and a pin that came in between mapped a freed frame. */
	assert_int_equal(place(1, XENMAPSPACE_grant_table, 1, GRANTED), 0);
	assert_int_equal(hpa_of(1, HOLE_GPA), frame);
	assert_false(page_is_free(&host_pages, PFN_DOWN(frame)));
	assert_string_equal((char *)host_ptr(1, HOLE_GPA), "pinned");
	/* Pinned, the grant's frame is fixed (as in Xen): a second map gets it. */
	assert_int_equal(map(1, 1, 20, HOLE_GPA + PAGE_SIZE, GNTMAP_host_map, NULL),
			 GNTST_okay);
	assert_int_equal(hpa_of(1, HOLE_GPA + PAGE_SIZE), frame);
	assert_int_equal(p2m_tot_pages(dom[1]), tot);
	assert_int_equal(unmap(1, h, HOLE_GPA), GNTST_okay);
	assert_false(page_is_free(&host_pages, PFN_DOWN(frame)));
	destroy(1);
	assert_true(page_is_free(&host_pages, PFN_DOWN(frame)));
}

/* The race itself, on two threads: map/unmap against physmap changes. */
struct racer {
	struct vcpu *v;
	u64 scratch;
	long bad, maps;
	struct racer *other;
};

#define RACE_ITERS 2000
#define RACE_X (GRANTED + 2 * PAGE_SIZE)
#define RACE_Y (HOLE_GPA + 0x10000)
static int race_started, race_done;

static void *race_mapper(void *arg)
{
	struct racer *r = arg;

	__atomic_fetch_add(&race_started, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&race_started, __ATOMIC_SEQ_CST) < 2)
		;
	/* As long as the other one changes the physmap. */
	while (!__atomic_load_n(&race_done, __ATOMIC_SEQ_CST)) {
		grant_handle_t h;
		u64 frame;

		if (map_at(r->v, r->scratch, 1, 21, HOLE_GPA, GNTMAP_host_map,
			   &h, NULL))
			continue;
		__atomic_fetch_add(&r->maps, 1, __ATOMIC_SEQ_CST);
		frame = hpa_of(1, HOLE_GPA);
		/* The pin's and the mapping's references, at least: never free. */
		if (page_count(frame) < 2 ||
		    page_is_free(&host_pages, PFN_DOWN(frame)) ||
		    page_owner(frame) != 1)
			r->bad++;
		if (unmap_at(r->v, r->scratch, h, HOLE_GPA))
			r->bad++;
	}
	return NULL;
}

static void *race_placer(void *arg)
{
	struct racer *r = arg;
	struct xen_memory_reservation res = { .domid = DOMID_SELF };
	u64 gfn = RACE_X >> 12;

	__atomic_fetch_add(&race_started, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&race_started, __ATOMIC_SEQ_CST) < 2)
		;
	/* Until the mapper got in often enough, however the CPUs are shared. */
	for (long i = 0; i < RACE_ITERS ||
	     (__atomic_load_n(&r->other->maps, __ATOMIC_SEQ_CST) < 100 &&
	      i < 100 * RACE_ITERS); i++) {
		/* Over the granted page, away again, and RAM back there. */
		place_at(r->v, r->scratch, XENMAPSPACE_grant_table, 1, RACE_X);
		place_at(r->v, r->scratch, XENMAPSPACE_grant_table, 1, RACE_Y);
		reserve_at(r->v, r->scratch, XENMEM_populate_physmap, &gfn, 1, &res);
	}
	__atomic_store_n(&race_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_pin_physmap_race(void **state)
{
	struct racer a, b;
	pthread_t ta, tb;

	destroy(1);
	dom[1] = domain_create(1, 2);
	assert_non_null(dom[1]);
	assert_int_equal(domain_set_memory(dom[1], DOM_MEM), 0);
	grant(1, 21, 1, RACE_X, GTF_permit_access);
	a = (struct racer){ .v = dom[1]->vcpus[0], .scratch = SCRATCH };
	b = (struct racer){ .v = dom[1]->vcpus[1], .scratch = SCRATCH2,
			    .other = &a };
	race_started = race_done = 0;
	assert_int_equal(pthread_create(&ta, NULL, race_mapper, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, race_placer, &b), 0);
	assert_int_equal(pthread_join(ta, NULL), 0);
	assert_int_equal(pthread_join(tb, NULL), 0);
	assert_int_equal(a.bad, 0);
	assert_true(a.maps >= 100);
	assert_true(p2m_tot_pages(dom[1]) <= dom[1]->max_pages);
}

/* ---- ballooning ------------------------------------------------------------ */

static void test_balloon_out_and_in(void **state)
{
	u64 gfns[3] = { RAM_4K >> 12, (RAM_4K >> 12) + 1, VINFO_GPA >> 12 };
	u64 tot = p2m_tot_pages(dom[1]), free = host_pages.nr_free;
	long max = query(1, XENMEM_maximum_reservation, DOMID_SELF);

	assert_int_equal(query(1, XENMEM_current_reservation, DOMID_SELF), tot);
	assert_int_equal(max, tot);	/* given all it may have */
	gput(1, RAM_4K, "old data", 9);
	assert_int_equal(reserve(1, XENMEM_decrease_reservation, gfns, 3), 3);
	for (int i = 0; i < 3; i++)
		assert_false(mapped(1, gfns[i] << 12));
	assert_int_equal(query(1, XENMEM_current_reservation, DOMID_SELF), tot - 3);
	assert_int_equal(query(1, XENMEM_current_reservation, 1), tot - 3);
	assert_int_equal(host_pages.nr_free, free + 3);
	/* Only as much back as it gave: the fourth stops the call. */
	{
		u64 four[4] = { gfns[0], gfns[1], gfns[2], HOLE_GPA >> 12 };

		assert_int_equal(reserve(1, XENMEM_populate_physmap, four, 4), 3);
		assert_false(mapped(1, HOLE_GPA));
	}
	assert_int_equal(query(1, XENMEM_current_reservation, DOMID_SELF), tot);
	assert_true(arch_p2m_access(attr_of(1, RAM_4K)) & P2M_OWNED);
	assert_true(arch_p2m_access(attr_of(1, VINFO_GPA)) & P2M_OWNED);
	/* Fresh pages are zeroed. */
	assert_int_equal(host_ptr(1, RAM_4K)[0], 0);
	/* Even one at a time, the maximum holds. */
	assert_int_equal(reserve(1, XENMEM_populate_physmap,
				 &(u64){ HOLE_GPA >> 12 }, 1), 0);
	assert_int_equal(reserve(1, XENMEM_increase_reservation, NULL, 1), 0);
	assert_int_equal(host_pages.nr_free, free);
}

/*
 * mem-max / mem-set (set_max_mem): a maximum below what the domain has
 * takes nothing away; it may only give back until it is under, then take
 * up to the new maximum again. The table limit never shrinks.
 */
static void test_max_mem_ratchet(void **state)
{
	u64 gfns[4] = { RAM_4K >> 12, (RAM_4K >> 12) + 1, (RAM_4K >> 12) + 2,
			(RAM_4K >> 12) + 3 };
	u64 tot = p2m_tot_pages(dom[1]), free = host_pages.nr_free;
	unsigned int tables = dom[1]->p2m_max_tables;

	p2m_set_max_pages(dom[1], tot - 2);
	assert_int_equal(query(1, XENMEM_maximum_reservation, DOMID_SELF), tot - 2);
	assert_int_equal(p2m_tot_pages(dom[1]), tot);
	assert_int_equal(dom[1]->p2m_max_tables, tables);
	assert_int_equal(reserve(1, XENMEM_decrease_reservation, gfns, 4), 4);
	assert_int_equal(host_pages.nr_free, free + 4);
	/* Back to the new maximum, not past it. */
	assert_int_equal(reserve(1, XENMEM_populate_physmap, gfns, 4), 2);
	assert_int_equal(reserve(1, XENMEM_increase_reservation, NULL, 1), 0);
	assert_int_equal(p2m_tot_pages(dom[1]), tot - 2);
	/* Raised: the rest comes back, and more than it booted with. */
	p2m_set_max_pages(dom[1], tot + 1);
	assert_int_equal(reserve(1, XENMEM_populate_physmap, gfns + 2, 2), 2);
	assert_int_equal(reserve(1, XENMEM_increase_reservation, NULL, 2), 1);
	assert_int_equal(p2m_tot_pages(dom[1]), tot + 1);
	assert_int_equal(host_pages.nr_free, free - 1);
	/* A large maximum raises the table limit; a small one does not lower it. */
	p2m_set_max_pages(dom[1], 1ULL << 24);
	assert_true(dom[1]->p2m_max_tables > tables);
	tables = dom[1]->p2m_max_tables;
	p2m_set_max_pages(dom[1], 0);
	assert_int_equal(dom[1]->p2m_max_tables, tables);
	assert_int_equal(reserve(1, XENMEM_populate_physmap, gfns, 1), 0);
}

/* A 4 KiB page out of a 2 MiB leaf: the leaf is split, its neighbours stay. */
static void test_balloon_large_leaf(void **state)
{
	u64 next = hpa_of(1, RAM_2M + 5 * PAGE_SIZE);
	u64 tot = p2m_tot_pages(dom[1]);

	host_ptr(1, RAM_2M + 5 * PAGE_SIZE)[0] = 0x77;
	assert_int_equal(reserve(1, XENMEM_decrease_reservation,
				 &(u64){ (RAM_2M >> 12) + 4 }, 1), 1);
	assert_false(mapped(1, RAM_2M + 4 * PAGE_SIZE));
	assert_int_equal(hpa_of(1, RAM_2M + 5 * PAGE_SIZE), next);
	assert_int_equal(host_ptr(1, RAM_2M + 5 * PAGE_SIZE)[0], 0x77);
	assert_true(page_is_free(&host_pages, PFN_DOWN(next) - 1));
	assert_int_equal(p2m_tot_pages(dom[1]), tot - 1);
	assert_int_equal(reserve(1, XENMEM_populate_physmap,
				 &(u64){ (RAM_2M >> 12) + 4 }, 1), 1);
	assert_int_equal(p2m_tot_pages(dom[1]), tot);
}

/* Ballooning out a page another domain maps: the entry goes, the frame lives. */
static void test_balloon_pinned_page(void **state)
{
	grant_handle_t h;
	u64 frame = hpa_of(1, GRANTED), tot = p2m_tot_pages(dom[1]), free;

	gput(1, GRANTED, "for d2", 7);
	grant(1, 5, 2, GRANTED, GTF_permit_access);
	assert_int_equal(map(2, 1, 5, HOLE_GPA, GNTMAP_host_map, &h), GNTST_okay);
	free = host_pages.nr_free;
	assert_int_equal(reserve(1, XENMEM_decrease_reservation,
				 &(u64){ GRANTED >> 12 }, 1), 1);
	assert_false(mapped(1, GRANTED));
	assert_int_equal(host_pages.nr_free, free);	/* not freed */
	assert_int_equal(p2m_tot_pages(dom[1]), tot);	/* still d1's */
	assert_string_equal((char *)host_ptr(2, HOLE_GPA), "for d2");
	/* d1 cannot take another page meanwhile: it is at its maximum. */
	assert_int_equal(reserve(1, XENMEM_populate_physmap,
				 &(u64){ GRANTED >> 12 }, 1), 0);
	assert_int_equal(unmap(2, h, HOLE_GPA), GNTST_okay);
	assert_true(page_is_free(&host_pages, PFN_DOWN(frame)));
	assert_int_equal(p2m_tot_pages(dom[1]), tot - 1);
	assert_int_equal(reserve(1, XENMEM_populate_physmap,
				 &(u64){ GRANTED >> 12 }, 1), 1);
}

static void test_balloon_refusals(void **state)
{
	struct xen_memory_reservation r = { .domid = DOMID_SELF };
	u64 gfns[4] = { RAM_4K >> 12, HOLE_GPA >> 12, (RAM_4K >> 12) + 1 };
	u64 tot = p2m_tot_pages(dom[1]);

	/* The call stops at the first frame that is not its RAM. */
	assert_int_equal(reserve(1, XENMEM_decrease_reservation, gfns, 3), 1);
	assert_true(mapped(1, RAM_4K + PAGE_SIZE));
	/* Keel's special pages and pages: not RAM it may give. */
	assert_int_equal(reserve(1, XENMEM_decrease_reservation,
				 &(u64){ 0xfc000 }, 1), 0);
	assert_int_equal(place(1, XENMAPSPACE_shared_info, 0, RAM_4K + PAGE_SIZE), 0);
	assert_int_equal(reserve(1, XENMEM_decrease_reservation,
				 &(u64){ (RAM_4K >> 12) + 1 }, 1), 0);
	assert_int_equal(reserve(1, XENMEM_decrease_reservation,
				 &(u64){ ~0ULL }, 1), 0);
	/* Populate: only into empty space it may use. */
	assert_int_equal(reserve(1, XENMEM_populate_physmap,
				 &(u64){ (RAM_4K >> 12) + 2 }, 1), 0);
	assert_int_equal(reserve(1, XENMEM_populate_physmap,
				 &(u64){ dom[1]->p2m_gpa_limit >> 12 }, 1), 0);
	assert_int_equal(reserve(1, XENMEM_populate_physmap, &(u64){ ~0ULL }, 1), 0);
	/* Requests wrong as a whole do nothing (Xen's answer: 0 extents). */
	r.extent_order = 1;
	assert_int_equal(reserve_at(vc(1), SCRATCH, XENMEM_decrease_reservation,
				    &(u64){ RAM_2M >> 12 }, 1, &r), 0);
	r.extent_order = 9;
	assert_int_equal(reserve_at(vc(1), SCRATCH, XENMEM_populate_physmap,
				    &(u64){ RAM_4K >> 12 }, 1, &r), 0);
	r.extent_order = 0;
	r.domid = 2;
	assert_int_equal(reserve_at(vc(1), SCRATCH, XENMEM_decrease_reservation,
				    &(u64){ RAM_2M >> 12 }, 1, &r), 0);
	r.domid = DOMID_SELF;
	r.mem_flags = XENMEMF_populate_on_demand;
	assert_int_equal(reserve_at(vc(1), SCRATCH, XENMEM_populate_physmap,
				    &(u64){ RAM_4K >> 12 }, 1, &r), 0);
	r.mem_flags = 12;	/* address bits: no page fits */
	assert_int_equal(reserve_at(vc(1), SCRATCH, XENMEM_populate_physmap,
				    &(u64){ RAM_4K >> 12 }, 1, &r), 0);
	r.mem_flags = 0;
	assert_int_equal(reserve_at(vc(1), SCRATCH, XENMEM_populate_physmap,
				    &(u64){ RAM_4K >> 12 }, 1, &r), 1);
	assert_int_equal(p2m_tot_pages(dom[1]), tot - 1);	/* shared_info took one */
	/* A bad list: nothing; a bad struct: nothing. */
	r.extent_start = 0xdead000000ULL;
	assert_int_equal(copy_to_guest_phys(dom[1], SCRATCH, &r, sizeof(r)), 0);
	assert_int_equal(do_memory_op(vc(1), XENMEM_decrease_reservation, SCRATCH), 0);
	assert_int_equal(do_memory_op(vc(1), XENMEM_decrease_reservation,
				      0xdead000000ULL), 0);
	/* Too many extents for a continuation to encode: nothing. */
	r.extent_start = SCRATCH + 256;
	r.nr_extents = 1ULL << 32;
	assert_int_equal(copy_to_guest_phys(dom[1], SCRATCH, &r, sizeof(r)), 0);
	assert_int_equal(do_memory_op(vc(1), XENMEM_decrease_reservation, SCRATCH), 0);
	assert_int_equal(p2m_tot_pages(dom[1]), tot - 1);
}

/* Big requests: bounded work per call, the count done, and Xen's start extent. */
static void test_balloon_batches(void **state)
{
	u64 gfns[600], start;
	struct xen_memory_reservation r = { .domid = DOMID_SELF };
	u64 tot = p2m_tot_pages(dom[1]);

	/* 600 frames of RAM in 4 KiB pages from 0x0 on: 0x0-0x9f000 and 0x100000 on. */
	for (int i = 0, gfn = 1; i < 600; gfn++) {
		if (gfn >= 0x9f && gfn < 0x100)
			continue;
		if (gfn == SCRATCH >> 12 || gfn == (SCRATCH >> 12) + 1)
			continue;
		gfns[i++] = gfn;
	}
	assert_int_equal(reserve_at(vc(1), SCRATCH, XENMEM_decrease_reservation,
				    gfns, 600, &r), 512);
	assert_int_equal(p2m_tot_pages(dom[1]), tot - 512);
	/* Continue from 512 (Xen's encoding: the start extent above bit 6). */
	start = 512;
	assert_int_equal(do_memory_op(vc(1), XENMEM_decrease_reservation |
				      (int)(start << 6), SCRATCH), 600);
	assert_int_equal(p2m_tot_pages(dom[1]), tot - 600);
	/* A start at or past the end does nothing. */
	assert_int_equal(do_memory_op(vc(1), XENMEM_populate_physmap |
				      (600 << 6), SCRATCH), 600);
	assert_int_equal(do_memory_op(vc(1), XENMEM_populate_physmap, SCRATCH), 512);
	assert_int_equal(do_memory_op(vc(1), XENMEM_populate_physmap | (512 << 6),
				      SCRATCH), 600);
	assert_int_equal(p2m_tot_pages(dom[1]), tot);
	/* The other sub-ops have no continuation. */
	assert_int_equal(do_memory_op(vc(1), XENMEM_current_reservation | (1 << 6),
				      SCRATCH), -ENOSYS);
}

/* XENMEM_increase_reservation: frames it cannot reach, charged, freed with it. */
static void test_increase_reservation(void **state)
{
	u64 tot = p2m_tot_pages(dom[1]), free = host_pages.nr_free;
	u64 gfns[2] = { RAM_4K >> 12, (RAM_4K >> 12) + 1 };

	assert_int_equal(reserve(1, XENMEM_decrease_reservation, gfns, 2), 2);
	assert_int_equal(reserve(1, XENMEM_increase_reservation, NULL, 5), 2);
	assert_int_equal(p2m_tot_pages(dom[1]), tot);
	assert_int_equal(host_pages.nr_free, free);
	/* Nothing to populate with now. */
	assert_int_equal(reserve(1, XENMEM_populate_physmap, gfns, 2), 0);
	destroy(1);	/* teardown counts every page back */
}

static void test_reservation_queries(void **state)
{
	long tot1 = p2m_tot_pages(dom[1]);

	assert_int_equal(query(1, XENMEM_maximum_reservation, DOMID_SELF),
			 dom[1]->max_pages);
	assert_int_equal(query(1, XENMEM_current_reservation, 2), -EPERM);
	assert_int_equal(query(1, XENMEM_maximum_reservation, 0), -EPERM);
	assert_int_equal(query(0, XENMEM_current_reservation, 1), tot1);
	assert_int_equal(query(0, XENMEM_current_reservation, 9), -ESRCH);
	assert_int_equal(do_memory_op(vc(1), XENMEM_current_reservation,
				      0xdead000000ULL), -EFAULT);
	assert_int_equal(do_memory_op(vc(1), XENMEM_maximum_ram_page, 0),
			 NR_FRAMES);
	/* A domain's RAM, boot and legacy pages and keel's special pages. */
	assert_int_equal(dom[1]->max_pages, DOM_MEM / PAGE_SIZE + PVH_SPECIAL_PAGES);
}

/* A domain freed with pages others held: each comes back with its last user. */
static void test_domain_free_order(void **state)
{
	grant_handle_t h;
	u64 frame = hpa_of(1, GRANTED);

	grant(1, 6, 2, GRANTED, GTF_permit_access);
	assert_int_equal(map(2, 1, 6, HOLE_GPA, GNTMAP_host_map, &h), GNTST_okay);
	assert_int_equal(register_vcpu_info(1, 0, VINFO_GPA, 0), 0);
	destroy(1);
	/* The mapping keeps d1 (and so the frame) alive. */
	assert_false(page_is_free(&host_pages, PFN_DOWN(frame)));
	assert_null(domain_get(1));
	assert_int_equal(unmap(2, h, HOLE_GPA), GNTST_okay);
	assert_true(page_is_free(&host_pages, PFN_DOWN(frame)));
	assert_int_equal(frames_owned(1), 0);
	/* Its id is free again only now. */
	create(1, 1);
}

/* ---- the hardware dom0: 1:1 RAM, device ranges, its balloon rules ---------- */

#define HW_RAM MiB(40)			/* free arena frames, 2 MiB aligned */
#define HW_SIZE MiB(4)
#define HW_MMIO 0xe0000000ULL		/* a device's range: not host RAM */
#define HW_SCRATCH (HW_RAM + MiB(3))

/* Domain 2 again, as a hardware domain owning host RAM HW_RAM..+HW_SIZE. */
static struct domain *hw_create(void)
{
	static const struct hvm_memmap_table_entry map[2] = {
		{ HW_RAM, HW_SIZE, XEN_HVM_MEMMAP_TYPE_RAM, 0 },
		{ HW_MMIO, MiB(4), XEN_HVM_MEMMAP_TYPE_RESERVED, 0 },
	};
	struct domain *d;

	destroy(2);
	d = dom[2] = domain_create(2, 1);
	assert_non_null(d);
	d->hardware = true;
	p2m_set_allocation(d, PFN_DOWN(HW_SIZE), GiB(4));
	for (u64 pa = HW_RAM; pa < HW_RAM + HW_SIZE; pa += PAGE_SIZE) {
		assert_int_equal(mm_claim_frame(PFN_DOWN(pa)), 0);
		page_set_owner(pa, 2);
	}
	/* A claimed frame is nobody else's. */
	assert_int_equal(mm_claim_frame(PFN_DOWN(HW_RAM)), -EBUSY);
	assert_int_equal(p2m_add_identity_ram(d, HW_RAM, HW_RAM + HW_SIZE), 0);
	assert_int_equal(p2m_map_mmio(d, HW_MMIO, HW_MMIO + MiB(4)), 0);
	d->memmap = map;
	d->nr_memmap = 2;
	return d;
}

static long hw_reserve(int cmd, u64 gfn)
{
	struct xen_memory_reservation r = { .domid = DOMID_SELF };

	return reserve_at(vc(2), HW_SCRATCH, cmd, &gfn, 1, &r);
}

static void test_hardware_domain_memory(void **state)
{
	struct domain *d = hw_create();
	u64 ram = HW_RAM + MiB(1) + 5 * PAGE_SIZE, other = hpa_of(1, RAM_4K);
	u8 buf[8] = { 0 };

	/* RAM at its own address, its own; devices 1:1 and uncached, no frame. */
	assert_int_equal(hpa_of(2, ram), ram);
	assert_true(arch_p2m_access(attr_of(2, ram)) & P2M_OWNED);
	assert_int_equal(hpa_of(2, HW_MMIO + 0x3000), HW_MMIO + 0x3000);
	assert_int_equal(arch_p2m_access(attr_of(2, HW_MMIO + 0x3000)),
			 P2M_READ | P2M_WRITE | P2M_MMIO);
	/* Keel never reads or writes device space for a guest. */
	assert_int_equal(copy_to_guest_phys(d, HW_MMIO, buf, 8), -EFAULT);
	assert_int_equal(p2m_map_mmio(d, HW_RAM, HW_RAM + PAGE_SIZE), -EBUSY);

	/* Ballooned out, the frame is keel's; back in, the same frame again. */
	host_ptr(2, ram)[0] = 0x55;
	assert_int_equal(hw_reserve(XENMEM_decrease_reservation, ram >> 12), 1);
	assert_false(mapped(2, ram));
	assert_true(page_is_free(&host_pages, PFN_DOWN(ram)));
	assert_int_equal(hw_reserve(XENMEM_populate_physmap, ram >> 12), 1);
	assert_int_equal(hpa_of(2, ram), ram);
	assert_int_equal(host_ptr(2, ram)[0], 0);	/* zeroed */
	/* Never a frame that is not free, nor one over a device, nor unreachable ones. */
	assert_int_equal(hw_reserve(XENMEM_decrease_reservation, ram >> 12), 1);
	assert_int_equal(hw_reserve(XENMEM_populate_physmap, other >> 12), 0);
	assert_int_equal(hpa_of(1, RAM_4K), other);
	assert_int_equal(hw_reserve(XENMEM_populate_physmap, HW_MMIO >> 12), 0);
	assert_int_equal(hw_reserve(XENMEM_increase_reservation, 0), 0);
	assert_int_equal(hw_reserve(XENMEM_populate_physmap, ram >> 12), 1);

	/* An emulated device takes a page out; RAM is never taken so. */
	assert_int_equal(p2m_unmap_mmio(d, HW_MMIO + 0x1000, HW_MMIO + 0x2000), 0);
	assert_false(mapped(2, HW_MMIO + 0x1000));
	assert_true(mapped(2, HW_MMIO));
	assert_true(mapped(2, HW_MMIO + 0x2000));
	assert_int_equal(p2m_unmap_mmio(d, HW_RAM, HW_RAM + PAGE_SIZE), -EBUSY);
	assert_int_equal(hpa_of(2, HW_RAM), HW_RAM);

	/* Device pages, for vPCI's MSI-X claims: 1:1 MMIO leaves only. */
	assert_true(p2m_range_is_mmio(d, HW_MMIO + 0x2000, HW_MMIO + MiB(4)));
	assert_true(p2m_range_is_mmio(d, HW_MMIO, HW_MMIO + 0x1000));
	assert_false(p2m_range_is_mmio(d, HW_MMIO, HW_MMIO + 0x2000));	/* the claimed hole */
	assert_false(p2m_range_is_mmio(d, HW_RAM, HW_RAM + PAGE_SIZE));	/* its RAM */
	assert_false(p2m_range_is_mmio(d, other & PAGE_MASK,
				       (other & PAGE_MASK) + PAGE_SIZE));	/* d1's */
	assert_false(p2m_range_is_mmio(d, HW_MMIO + MiB(4) - PAGE_SIZE,
				       HW_MMIO + MiB(4) + PAGE_SIZE));	/* past it */
	assert_false(p2m_range_is_mmio(d, HW_MMIO + 0x2000, HW_MMIO + 0x2000));
	assert_false(p2m_range_is_mmio(d, HW_MMIO + 0x2800, HW_MMIO + 0x3000));
}

/* Linux maps grants into holes; a hardware dom0's holes are device space. */
static void test_hardware_domain_grant_over_mmio(void **state)
{
	const u64 at = HW_MMIO + MiB(2) + 0x3000;
	struct xen_memory_map m = { .nr_entries = 8, .buffer = HW_SCRATCH + 512 };
	grant_handle_t h;
	u64 e820[3] = { 0 };
	struct domain *d = hw_create();

	gput(1, GRANTED, "for d2", 7);
	grant(1, 5, 2, GRANTED, GTF_permit_access);
	assert_int_equal(map_at(vc(2), HW_SCRATCH, 1, 5, at, GNTMAP_host_map,
				&h, NULL), GNTST_okay);
	assert_string_equal((char *)host_ptr(2, at), "for d2");
	assert_int_equal(unmap_at(vc(2), HW_SCRATCH, h, at), GNTST_okay);
	assert_false(mapped(2, at));
	assert_true(arch_p2m_access(attr_of(2, at - PAGE_SIZE)) & P2M_MMIO);
	assert_true(arch_p2m_access(attr_of(2, at + PAGE_SIZE)) & P2M_MMIO);
	/* privcmd's foreign windows land there too. */
	assert_int_equal(p2m_map_foreign(d, at + PAGE_SIZE, dom[1], GRANTED), 0);
	assert_string_equal((char *)host_ptr(2, at + PAGE_SIZE), "for d2");
	assert_int_equal(p2m_unmap_foreign(d, at + PAGE_SIZE), 0);
	assert_false(mapped(2, at + PAGE_SIZE));

	/* XENMEM_memory_map gives it its own map (addr, size, type each). */
	assert_int_equal(memop_at(vc(2), HW_SCRATCH, XENMEM_memory_map, &m,
				  sizeof(m)), 0);
	assert_int_equal(m.nr_entries, 2);
	gget(2, HW_SCRATCH + 512 + 20, e820, 20);
	assert_int_equal(e820[0], HW_MMIO);
	assert_int_equal(e820[1], MiB(4));
	assert_int_equal((u32)e820[2], XEN_HVM_MEMMAP_TYPE_RESERVED);
}

/* A one-op GNTTABOP_copy of 8 bytes between @id's own pages, its op at @arg. */
static long copy_own_at(int id, u64 arg, u64 from, u64 to, s16 *status)
{
	struct gnttab_copy op = {
		.source = { .u.gmfn = from >> PAGE_SHIFT, .domid = DOMID_SELF },
		.dest = { .u.gmfn = to >> PAGE_SHIFT, .domid = DOMID_SELF },
		.len = 8, .status = 99,
	};
	long rc;

	gput(id, arg, &op, sizeof(op));
	rc = do_grant_table_op(vc(id), GNTTABOP_copy, arg, 1);
	gget(id, arg, &op, sizeof(op));
	*status = op.status;
	return rc;
}

/*
 * guest_virt_get_page(), how grant batches reach their ops: a page of the
 * caller's own RAM, referenced; never a hole, keel's page or a page another
 * domain lends (a grant mapping, writable or not), which batches copy op by
 * op as before: a status lands in a writable grant mapping; in a read-only
 * one the op is done and its status write is -EFAULT, the lender's page
 * unchanged. No reference is left behind.
 */
static void test_batch_array_pages(void **state)
{
	u64 ram = hpa_of(1, RAM_4K), lent = hpa_of(2, GRANTED), hpa = 0;
	unsigned int count = page_count(ram), lent_count;
	u64 ro_gpa = HOLE_GPA, rw_gpa = HOLE_GPA + PAGE_SIZE;
	struct gnttab_copy op = {
		.source = { .u.gmfn = RAM_4K >> PAGE_SHIFT, .domid = DOMID_SELF },
		.dest = { .u.gmfn = (RAM_4K + PAGE_SIZE) >> PAGE_SHIFT,
			  .domid = DOMID_SELF },
		.len = 8, .status = 99,
	}, back;
	s16 status;

	assert_int_equal(guest_virt_get_page(vc(1), RAM_4K + 40, true, &hpa), 0);
	assert_true(hpa == ram);
	assert_int_equal(page_count(ram), count + 1);
	put_page(hpa);
	assert_int_equal(guest_virt_get_page(vc(1), HOLE_GPA + 2 * PAGE_SIZE, false,
					     &hpa), -EFAULT);
	assert_int_equal(place(1, XENMAPSPACE_grant_table, 0, TABLE_GPA), 0);
	assert_int_equal(guest_virt_get_page(vc(1), TABLE_GPA, false, &hpa), -EFAULT);
	grant(2, 8, 1, GRANTED, GTF_permit_access | GTF_readonly);
	grant(2, 9, 1, GRANTED + PAGE_SIZE, GTF_permit_access);
	assert_int_equal(map(1, 2, 8, ro_gpa, GNTMAP_host_map | GNTMAP_readonly,
			     NULL), GNTST_okay);
	assert_int_equal(map(1, 2, 9, rw_gpa, GNTMAP_host_map, NULL), GNTST_okay);
	lent_count = page_count(lent);
	assert_int_equal(guest_virt_get_page(vc(1), ro_gpa, false, &hpa), -EFAULT);
	assert_int_equal(guest_virt_get_page(vc(1), rw_gpa, true, &hpa), -EFAULT);
	assert_int_equal(guest_virt_get_page(vc(1), rw_gpa, false, &hpa), -EFAULT);

	/* Own RAM: done in place. */
	gput(1, RAM_4K, "8 bytes!", 8);
	assert_int_equal(copy_own_at(1, SCRATCH, RAM_4K, RAM_4K + PAGE_SIZE,
				     &status), 0);
	assert_int_equal(status, GNTST_okay);
	assert_memory_equal(host_ptr(1, RAM_4K + PAGE_SIZE), "8 bytes!", 8);
	/* In a writable grant mapping: copied, the status lands in d2's page. */
	assert_int_equal(copy_own_at(1, rw_gpa, RAM_4K, RAM_4K + 2 * PAGE_SIZE,
				     &status), 0);
	assert_int_equal(status, GNTST_okay);
	gget(2, GRANTED + PAGE_SIZE, &back, sizeof(back));
	assert_int_equal(back.status, GNTST_okay);
	assert_memory_equal(host_ptr(1, RAM_4K + 2 * PAGE_SIZE), "8 bytes!", 8);
	/* In a read-only one: the op is done, its status cannot be written. */
	op.dest.u.gmfn = (RAM_4K + 3 * PAGE_SIZE) >> PAGE_SHIFT;
	gput(2, GRANTED, &op, sizeof(op));
	assert_int_equal(do_grant_table_op(vc(1), GNTTABOP_copy, ro_gpa, 1), -EFAULT);
	assert_memory_equal(host_ptr(1, RAM_4K + 3 * PAGE_SIZE), "8 bytes!", 8);
	gget(2, GRANTED, &back, sizeof(back));
	assert_int_equal(back.status, 99);
	assert_int_equal(page_count(ram), count);
	assert_int_equal(page_count(lent), lent_count);
}

/*
 * The guest page walk's reads (p2m_read_u64): RAM, a grant mapping, never a
 * hole, MMIO or an unaligned word, and no reference left behind.
 */
static void test_read_u64(void **state)
{
	const u64 word = 0x8000000012345067ULL, at = HW_MMIO + MiB(2) + 0x3000;
	u64 v = 0, count = page_count(virt_to_phys(host_ptr(1, RAM_4K)));
	grant_handle_t h;
	struct domain *d;

	assert_int_equal(copy_to_guest_phys(dom[1], RAM_4K + 8, &word, 8), 0);
	assert_int_equal(p2m_read_u64(dom[1], RAM_4K + 8, &v), 0);
	assert_true(v == word);
	assert_int_equal(page_count(virt_to_phys(host_ptr(1, RAM_4K))), count);
	assert_int_equal(p2m_read_u64(dom[1], RAM_4K + 4, &v), -EINVAL);
	assert_int_equal(p2m_read_u64(dom[1], HOLE_GPA, &v), -ENOENT);
	assert_int_equal(p2m_read_u64(dom[1], ~7ULL, &v), -ENOENT);
	gput(0, GRANTED, "grant!!", 8);
	grant(0, 3, 1, GRANTED, GTF_permit_access | GTF_readonly);
	assert_int_equal(map_at(vc(1), SCRATCH, 0, 3, HOLE_GPA,
				GNTMAP_host_map | GNTMAP_readonly, &h, NULL),
			 GNTST_okay);
	assert_int_equal(p2m_read_u64(dom[1], HOLE_GPA, &v), 0);
	assert_memory_equal(&v, "grant!!", 8);
	assert_int_equal(unmap(1, h, HOLE_GPA), GNTST_okay);
	d = hw_create();
	assert_true(arch_p2m_access(attr_of(2, at)) & P2M_MMIO);
	assert_int_not_equal(p2m_read_u64(d, at, &v), 0);
}

/* hwacpi's and hwirq's parts of arch_hwdom_init(): not these tests'. */
int hwdom_ports_init(struct domain *d) { return 0; }
int hwdom_irq_init(struct domain *d) { return 0; }
int vtd_hwdom_attach(struct domain *d) { return 0; }
int hwdom_acpi_build(struct domain *d, u64 gpa, void *buf, size_t size,
		     u64 *rsdp_gpa) { return 0; }
/* No host ACPI here: hide_host_chips() finds no RSDP to walk. */
int acpi_walk_init(struct acpi_walk *w, u64 rsdp_phys, acpi_map_fn map,
		   void *ctx) { return -EINVAL; }
const void *acpi_map_firmware(u64 phys, u64 len, void *ctx) { return NULL; }
int hwdom_acpi_ioapic_pages(const struct acpi_walk *w, u64 *out,
			    unsigned int max) { return -ENOENT; }
int hwdom_acpi_ecam(const struct acpi_walk *w, struct boot_range *out,
		    unsigned int max) { return 0; }

/* arch_hwdom_set_memory() on the arena: its e820 and its p2m say the same. */
static void test_hardware_domain_build(void **state)
{
	const u64 top = ARENA_SIZE - MiB(1);
	struct domain *d;
	u64 hpa, attr, ram = 0;

	memset(&boot_info, 0, sizeof(boot_info));
	bootinfo_add_memmap(&boot_info, 0, 0x9fc00, MEM_USABLE);
	bootinfo_add_memmap(&boot_info, 0x9fc00, 0x400, MEM_RESERVED);
	bootinfo_add_memmap(&boot_info, 0x100000, top - 0x100000, MEM_USABLE);
	bootinfo_add_memmap(&boot_info, top, MiB(1), MEM_ACPI);
	bootinfo_add_memmap(&boot_info, 0xfec00000, 0x1000, MEM_RESERVED);
	bootinfo_add_memmap(&boot_info, GiB(5), MiB(2), MEM_RESERVED);
	destroy(2);
	d = dom[2] = domain_create(2, 1);
	assert_non_null(d);
	d->hardware = true;
	assert_int_equal(arch_hwdom_set_memory(d, MiB(8)), 0);
	assert_int_equal(p2m_tot_pages(d), MiB(8) >> PAGE_SHIFT);
	assert_int_equal(d->mem_size, MiB(8));
	assert_true(d->nr_memmap > 4 && d->nr_memmap <= HWDOM_MAX_MEMMAP);
	for (unsigned int i = 0; i < d->nr_memmap; i++) {
		const struct hvm_memmap_table_entry *e = &d->memmap[i];

		if (i)
			assert_true(d->memmap[i - 1].addr + d->memmap[i - 1].size <=
				    e->addr);
		/* Whole pages: a page shared with host RAM is not mapped. */
		for (u64 gpa = ALIGN_UP(e->addr, PAGE_SIZE);
		     gpa + PAGE_SIZE <= e->addr + e->size; gpa += PAGE_SIZE) {
			int rc = p2m_lookup(d, gpa, &hpa, &attr);

			if (e->type == XEN_HVM_MEMMAP_TYPE_UNUSABLE &&
			    gpa < MiB(1)) {
				/* the firmware's low pages: readable, not its */
				assert_int_equal(rc, 0);
				assert_int_equal(arch_p2m_access(attr),
						 P2M_READ | P2M_WRITE | P2M_MMIO);
				continue;
			}
			if (e->type == XEN_HVM_MEMMAP_TYPE_UNUSABLE) {
				/* keel's, other domains', not given: never mapped */
				assert_int_not_equal(rc, 0);
				continue;
			}
			/* RAM, keel's stolen pages, the host's ACPI: all 1:1 */
			assert_int_equal(rc, 0);
			assert_int_equal(hpa & PAGE_MASK, gpa);
			if (e->type == XEN_HVM_MEMMAP_TYPE_RAM) {
				assert_true(arch_p2m_access(attr) & P2M_OWNED);
				assert_int_equal(page_owner(gpa), 2);
				ram++;
			}
		}
	}
	/* The stolen pages: the top of its RAM, out of the RAM it is told of. */
	assert_int_equal(ram + PFN_DOWN(d->special_size), MiB(8) >> PAGE_SHIFT);
	assert_int_equal(d->boot_gpa, d->special_base + HWDOM_SPECIAL_PAGES * PAGE_SIZE);
	assert_int_equal(page_owner(d->boot_gpa), 2);
	assert_true(arch_p2m_access(attr_of(2, d->special_base)) & P2M_OWNED);
	/* Others' frames stay out; devices 1:1 but the LAPIC; high RAM-less holes empty. */
	assert_false(mapped(2, hpa_of(1, RAM_4K)));
	/* Below 1 MiB the firmware's pages (BIOS data, EBDA) are there to read. */
	assert_true(arch_p2m_access(attr_of(2, 0)) & P2M_MMIO);
	assert_true(arch_p2m_access(attr_of(2, 0x9f000)) & P2M_MMIO);
	assert_true(arch_p2m_access(attr_of(2, 0xff000)) & P2M_MMIO);
	assert_true(arch_p2m_access(attr_of(2, 0xfffff000)) & P2M_MMIO);
	assert_true(arch_p2m_access(attr_of(2, 0xfec00000)) & P2M_MMIO);
	assert_true(arch_p2m_access(attr_of(2, 0xe0000000)) & P2M_MMIO);
	assert_true(arch_p2m_access(attr_of(2, 0xa0000)) & P2M_MMIO);
	assert_false(mapped(2, 0xfee00000));
	assert_true(arch_p2m_access(attr_of(2, 0xfee01000)) & P2M_MMIO);
	assert_true(arch_p2m_access(attr_of(2, GiB(5))) & P2M_MMIO);
	assert_false(mapped(2, GiB(5) + MiB(2)));
	assert_false(mapped(2, GiB(4) + MiB(2)));
	/* Its frames come back to keel with it (the teardown checks). */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vcpu_info_rules),
		T(test_vcpu_info_page_outlives_physmap),
		T(test_readonly_grant_stays_readonly),
		T(test_keel_pages_are_not_the_guests),
		T(test_read_u64),
		T(test_batch_array_pages),
		T(test_dev_bus_addr_is_zero),
		T(test_shared_info_moves_leave_no_tables),
		T(test_placement_range),
		T(test_table_cap),
		T(test_foreign_map_holds_frame),
		T(test_foreign_map_flushes_before_free),
		T(test_pin_then_physmap),
		T(test_pin_physmap_race),
		T(test_balloon_out_and_in),
		T(test_max_mem_ratchet),
		T(test_balloon_large_leaf),
		T(test_balloon_pinned_page),
		T(test_balloon_refusals),
		T(test_balloon_batches),
		T(test_increase_reservation),
		T(test_reservation_queries),
		T(test_domain_free_order),
		T(test_hardware_domain_memory),
		T(test_hardware_domain_grant_over_mmio),
		T(test_hardware_domain_build),
	};

	return cmocka_run_group_tests_name("p2m", tests, NULL, NULL);
}
