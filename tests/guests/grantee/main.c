/*
 * grantee: the unprivileged domU of the interdomain test, built by the
 * granter (dom0), which passes its port and grant refs on the command line
 * (see ../granter/interdomain.h for the protocol). It binds dom0's port,
 * maps dom0's read-write and read-only grants above its RAM, checks them,
 * answers through the read-write mapping and with GNTTABOP_copy, unmaps,
 * finds the revoked grants refused and its port unbound once dom0 closed
 * its end. Every hostile op an unprivileged domain can try gets Xen's error
 * or GNTST_* code. keel must not write into the read-only mapping for it
 * either: hypercall output, vcpu_info and the hypercall page there are
 * refused. With "writero" it instead writes to a read-only mapping, which
 * keel must refuse by crashing it.
 */
#include "guest.h"
#include "domctl.h"
#include "extable.h"
#include "../granter/interdomain.h"
#include <public/memory.h>
#include <public/vcpu.h>
#include <public/version.h>

#define MSR_XEN_HYPERCALL_PAGE 0x40000000

#define DOM0 0
#define NO_SUCH_DOMAIN 42
#define STEP_TIMEOUT_NS (10000 * NS_PER_MS)
#define RW_GPA GRANTEE_MAP_GPA
#define RO_GPA (GRANTEE_MAP_GPA + 4096)
#define REF_BEYOND_ANY_TABLE 0x100000	/* keel allows 64 frames of 512 */

struct offer {
	u32 port, rw, ro, foreign, unused, notmine;
};

static u32 local_page[PAGE_WORDS] __aligned(4096);

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

static bool parse_offer(const char *cmdline, struct offer *o)
{
	return cmdline_uint(cmdline, "port", &o->port) &&
	       cmdline_uint(cmdline, "rw", &o->rw) &&
	       cmdline_uint(cmdline, "ro", &o->ro) &&
	       cmdline_uint(cmdline, "foreign", &o->foreign) &&
	       cmdline_uint(cmdline, "unused", &o->unused) &&
	       cmdline_uint(cmdline, "notmine", &o->notmine);
}

/* dom0's event for the next step. */
static bool await(evtchn_port_t port, const char *step)
{
	if (!CHECK(evtchn_poll(port, STEP_TIMEOUT_NS), "no event for %s", step))
		return false;
	evtchn_clear_pending(port);
	return true;
}

static bool page_is(const volatile u32 *page, u32 (*pattern)(unsigned int))
{
	for (unsigned int i = 0; i < PAGE_WORDS; i++)
		if (page[i] != pattern(i))
			return CHECK(false, "word %u: %#x, want %#x", i,
				     page[i], pattern(i));
	return true;
}

/*
 * What the grantee may not write, keel does not write for it either (the
 * audit's finding 8): each of these would land in dom0's read-only page.
 */
static void keel_writes_refused(void)
{
	struct vcpu_register_vcpu_info vi = { .mfn = RO_GPA >> 12, .offset = 64 };
	struct xen_memory_map map = { .nr_entries = 4, .buffer = RO_GPA };

	EXPECT(HYPERVISOR_xen_version(XENVER_extraversion, (void *)(uptr)RO_GPA),
	       -EFAULT);
	EXPECT(HYPERVISOR_memory_op(XENMEM_memory_map, &map), -EFAULT);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi), -EINVAL);
	EXPECT(wrmsr_safe(MSR_XEN_HYPERCALL_PAGE, RO_GPA), X86_EXC_GP);
	/* Reading from it is what it may do. */
	map.buffer = (u64)(uptr)local_page;
	EXPECT(HYPERVISOR_memory_op(XENMEM_memory_map, &map), 0);
}

/* Refused before binding; then the bind, which raises our new port. */
static bool bind(const struct offer *o, evtchn_port_t *local)
{
	struct evtchn_status es;
	evtchn_port_t p;

	EXPECT(evtchn_bind_interdomain(DOM0, o->notmine, &p), -EINVAL);
	EXPECT(evtchn_bind_interdomain(DOM0, 4095, &p), -EINVAL);
	EXPECT(evtchn_bind_interdomain(NO_SUCH_DOMAIN, o->port, &p), -ESRCH);
	EXPECT(evtchn_alloc_unbound(DOM0, DOMID_SELF, &p), -EPERM);
	EXPECT(evtchn_status_of(DOM0, o->port, &es), -EPERM);
	EXPECT(evtchn_reset(DOM0), -EPERM);
	if (!CHECK(!evtchn_bind_interdomain(DOM0, o->port, local),
		   "cannot bind dom0's port %u", o->port))
		return false;
	evtchn_set_mask(*local, true);	/* polled, never an upcall */
	CHECK(evtchn_is_pending(*local), "port %u not raised by its bind",
	      *local);
	evtchn_clear_pending(*local);
	EXPECT(evtchn_bind_interdomain(DOM0, o->port, &p), -EINVAL); /* taken */
	return true;
}

static void hostile_maps(const struct offer *o)
{
	u32 host = GNTMAP_host_map;
	struct gnttab_query_size q;

	EXPECT_STATUS(gnttab_map(DOM0, REF_BEYOND_ANY_TABLE, RW_GPA + 0x10000,
				 host, NULL, &st), GNTST_bad_gntref);
	EXPECT_STATUS(gnttab_map(DOM0, o->foreign, RW_GPA + 0x10000, host,
				 NULL, &st), GNTST_general_error);
	EXPECT_STATUS(gnttab_map(DOM0, o->unused, RW_GPA + 0x10000, host,
				 NULL, &st), GNTST_general_error);
	EXPECT_STATUS(gnttab_map(DOM0, o->ro, RW_GPA + 0x10000, host, NULL,
				 &st), GNTST_general_error);	/* writable */
	EXPECT_STATUS(gnttab_map(DOM0, o->rw, (uptr)local_page, host, NULL,
				 &st), GNTST_general_error);	/* over our RAM */
	EXPECT_STATUS(gnttab_map(DOM0, o->rw, RO_GPA, host, NULL, &st),
		      GNTST_general_error);		/* ro is mapped there */
	EXPECT_STATUS(gnttab_map(NO_SUCH_DOMAIN, o->rw, RW_GPA + 0x10000, host,
				 NULL, &st), GNTST_bad_domain);
	EXPECT_STATUS(gnttab_unmap(12345, RW_GPA, &st), GNTST_bad_handle);
	EXPECT_STATUS(gnttab_unmap(7, RW_GPA, &st), GNTST_bad_handle); /* free */
	EXPECT(gnttab_query_size(DOM0, &q), 0);
	EXPECT(q.status, GNTST_permission_denied);
	EXPECT(foreign_map(DOM0, 0x100, RW_GPA + 0x10000), -EPERM);
}

/* Grant to local and local to grant, then the refused copies. */
static void copies(const struct offer *o)
{
	struct gnttab_copy_ptr local = gnttab_local_ptr((uptr)local_page, 0);
	struct gnttab_copy_ptr ro = gnttab_ref_ptr(DOM0, o->ro, 0);
	struct gnttab_copy_ptr rw = gnttab_ref_ptr(DOM0, o->rw, COPY_OFFSET);
	struct gnttab_copy_ptr foreign = gnttab_ref_ptr(DOM0, o->foreign, 0);
	struct gnttab_copy_ptr dom0_frame = local;
	const volatile u32 *mapped = (const u32 *)(uptr)RW_GPA;

	EXPECT_STATUS(gnttab_copy(&ro, &local, 4096, GNTCOPY_source_gref, &st),
		      GNTST_okay);
	CHECK(page_is(local_page, ro_pattern), "grant -> local copy differs");
	for (unsigned int i = 0; i < COPY_WORDS; i++)
		local_page[i] = copy_pattern(i);
	EXPECT_STATUS(gnttab_copy(&local, &rw, COPY_WORDS * 4,
				  GNTCOPY_dest_gref, &st), GNTST_okay);
	for (unsigned int i = 0; i < COPY_WORDS; i++)
		if (!CHECK(mapped[COPY_OFFSET / 4 + i] == copy_pattern(i),
			   "local -> grant copy: word %u is %#x", i,
			   mapped[COPY_OFFSET / 4 + i]))
			break;

	EXPECT_STATUS(gnttab_copy(&local, &ro, 8, GNTCOPY_dest_gref, &st),
		      GNTST_general_error);		/* read-only grant */
	rw.offset = 4000;
	EXPECT_STATUS(gnttab_copy(&rw, &local, 200, GNTCOPY_source_gref, &st),
		      GNTST_bad_copy_arg);		/* across the page end */
	EXPECT_STATUS(gnttab_copy(&local, &rw, 97, GNTCOPY_dest_gref, &st),
		      GNTST_bad_copy_arg);
	EXPECT_STATUS(gnttab_copy(&foreign, &local, 8, GNTCOPY_source_gref,
				  &st), GNTST_general_error);
	dom0_frame.domid = DOM0;	/* frames by number: DOMID_SELF only */
	EXPECT_STATUS(gnttab_copy(&dom0_frame, &local, 8, 0, &st),
		      GNTST_permission_denied);
}

/* Steps 1-5 of interdomain.h; then dom0 closes its end. */
static void exchange(const struct offer *o)
{
	volatile u32 *rw = (u32 *)(uptr)RW_GPA;
	volatile u32 *ro = (u32 *)(uptr)RO_GPA;
	grant_handle_t rw_handle, ro_handle;
	struct gnttab_copy_ptr local = gnttab_local_ptr((uptr)local_page, 0);
	struct gnttab_copy_ptr ro_ref = gnttab_ref_ptr(DOM0, o->ro, 0);
	struct evtchn_status es;
	evtchn_port_t port;
	u64 end;

	if (!bind(o, &port))
		return;
	EXPECT_STATUS(gnttab_map(DOM0, o->rw, RW_GPA, GNTMAP_host_map,
				 &rw_handle, &st), GNTST_okay);
	EXPECT_STATUS(gnttab_map(DOM0, o->ro, RO_GPA,
				 GNTMAP_host_map | GNTMAP_readonly, &ro_handle,
				 &st), GNTST_okay);
	CHECK(page_is(rw, rw_pattern), "the read-write grant differs");
	CHECK(page_is(ro, ro_pattern), "the read-only grant differs");
	keel_writes_refused();
	CHECK(page_is(ro, ro_pattern), "keel wrote to the read-only grant");
	for (unsigned int i = 0; i < ANSWER_WORDS; i++)
		rw[i] = answer_pattern(i);
	copies(o);
	hostile_maps(o);
	EXPECT(evtchn_send(port), 0);

	if (!await(port, "step 2 (unmap)"))
		return;
	EXPECT_STATUS(gnttab_unmap(rw_handle, RO_GPA, &st),
		      GNTST_general_error);		/* not where it is */
	EXPECT_STATUS(gnttab_unmap(rw_handle, RW_GPA, &st), GNTST_okay);
	EXPECT_STATUS(gnttab_unmap(ro_handle, RO_GPA, &st), GNTST_okay);
	EXPECT_STATUS(gnttab_unmap(rw_handle, RW_GPA, &st), GNTST_bad_handle);
	EXPECT(evtchn_send(port), 0);

	if (!await(port, "step 4 (revoked)"))
		return;
	EXPECT_STATUS(gnttab_map(DOM0, o->rw, RW_GPA, GNTMAP_host_map, NULL,
				 &st), GNTST_general_error);
	EXPECT_STATUS(gnttab_map(DOM0, o->ro, RO_GPA,
				 GNTMAP_host_map | GNTMAP_readonly, NULL, &st),
		      GNTST_general_error);
	EXPECT_STATUS(gnttab_copy(&ro_ref, &local, 8, GNTCOPY_source_gref, &st),
		      GNTST_general_error);
	EXPECT(evtchn_send(port), 0);

	/* dom0 closes its end: ours waits for dom0 again, sends are dropped. */
	end = pvclock_ns() + STEP_TIMEOUT_NS;
	while (!evtchn_status(port, &es) && es.status == EVTCHNSTAT_interdomain &&
	       pvclock_ns() < end)
		evtchn_poll(port, 20 * NS_PER_MS);
	EXPECT(evtchn_status(port, &es), 0);
	CHECK(es.status == EVTCHNSTAT_unbound && es.u.unbound.dom == DOM0,
	      "port %u after dom0's close: status %u", port, es.status);
	EXPECT(evtchn_send(port), 0);
	EXPECT(evtchn_close(port), 0);
	EXPECT(evtchn_send(port), -EINVAL);
	EXPECT(evtchn_close(port), -EINVAL);
	EXPECT(evtchn_status(port, &es), 0);
	EXPECT(es.status, EVTCHNSTAT_closed);
}

/* Map @ref read-only and write to it: keel must crash us first. */
static void write_read_only(u32 ref)
{
	volatile u32 *ro = (u32 *)(uptr)RO_GPA;

	EXPECT_STATUS(gnttab_map(DOM0, ref, RO_GPA,
				 GNTMAP_host_map | GNTMAP_readonly, NULL, &st),
		      GNTST_okay);
	if (!CHECK(page_is(ro, ro_pattern), "the read-only grant differs"))
		return;
	printf("guest: grantee writing to its read-only grant mapping\n");
	ro[0] = 0xbad;
	CHECK(false, "wrote to a read-only grant mapping: word 0 is %#x",
	      ro[0]);
}

int guest_main(const char *cmdline)
{
	struct offer o;
	char val[4];

	if (events_init())
		return test_result("grantee");
	if (cmdline_param(cmdline, "writero", val, sizeof(val))) {
		if (CHECK(cmdline_uint(cmdline, "ro", &o.ro), "no ro= ref"))
			write_read_only(o.ro);
	} else if (CHECK(parse_offer(cmdline, &o), "bad command line '%s'",
			 cmdline)) {
		exchange(&o);
	}
	return test_result("grantee");
}
