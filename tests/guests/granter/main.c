/*
 * granter: dom0 of the interdomain test. It builds module 1 (the grantee)
 * as domain GRANTEE_ID, offers it an unbound event channel and grants it
 * one page read-write and one read-only, then paces the steps of
 * interdomain.h over the channel: it checks the grantee's answer and copy
 * in the shared page, GTF_reading/GTF_writing while the grantee maps the
 * pages and their clearing after it unmaps, revokes both grants (the
 * grantee's next maps fail), and closes its end (the grantee sees its port
 * unbound). The read-only page stays as dom0 wrote it, though the grantee
 * asks keel to write there (hypercall output, vcpu_info, hypercall page). A second grantee writes to its read-only mapping: keel's EPT
 * stops the write and crashes that domain alone, and the page is
 * unchanged. After both are destroyed keel's free page count is back.
 */
#include "guest.h"
#include "domctl.h"
#include "interdomain.h"

#define GRANTEE_ID 5		/* asked for, so dom0 knows it beforehand */
#define OTHER_ID 6		/* never built: the "foreign" ref's grantee */
#define GRANTEE_MEM_MB 4
#define STEP_TIMEOUT_NS (10000 * NS_PER_MS)

enum { REF_RW = 8, REF_RO, REF_FOREIGN, REF_UNUSED, REF_WRITER_RO };

static u8 table_page[4096] __aligned(4096);
static u32 rw_page[PAGE_WORDS] __aligned(4096);
static u32 ro_page[PAGE_WORDS] __aligned(4096);
static u32 foreign_page[PAGE_WORDS] __aligned(4096);
static u32 writer_page[PAGE_WORDS] __aligned(4096);

static const struct hvm_modlist_entry *grantee_module(void)
{
	const struct hvm_modlist_entry *mods =
		(const void *)start_info->modlist_paddr;

	return start_info->nr_modules >= 1 ? &mods[0] : NULL;
}

static void sleep_ns(u64 ns)
{
	struct sched_poll p = { .timeout = pvclock_ns() + ns };

	HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static u16 flags_of(grant_ref_t ref)
{
	return gnttab_entry(ref)->flags;
}

/* Let foreign_map() give dom0's p2m the tables it keeps for its window. */
static void warm_up(void)
{
	long dom = domu_create(DOMID_INVALID, 1, GRANTEE_MEM_MB);

	if (!CHECK(dom > 0, "warm-up domain: %ld", dom))
		return;
	EXPECT(foreign_map(dom, 0x100, FOREIGN_WINDOW), 0);
	EXPECT(foreign_unmap(FOREIGN_WINDOW), 0);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom), 0);
}

/* Create @want (or any id) with its shutdowns preserved for getinfo. */
static long create_grantee(domid_t want)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_set_actions,
		.u.actions = { KEEL_ACTION_preserve, KEEL_ACTION_preserve,
			       KEEL_ACTION_preserve } };
	long dom = domu_create(want, 1, GRANTEE_MEM_MB);

	if (!CHECK(dom > 0, "creating a grantee: %ld", dom))
		return dom;
	op.domain = dom;
	EXPECT(keel_domctl(&op), 0);
	return dom;
}

static bool start_grantee(domid_t dom, const char *cmdline)
{
	const struct hvm_modlist_entry *m = grantee_module();
	long rc;

	rc = domu_load(dom, (const void *)m->paddr, m->size, cmdline);
	if (!CHECK(!rc, "loading d%u: %ld", dom, rc))
		return false;
	return CHECK(!keel_domctl_simple(KEEL_DOMCTL_unpause, dom),
		     "unpausing d%u", dom);
}

/* Wait until @dom stops running; its info then. */
static bool wait_stopped(domid_t dom, struct keel_domctl_info *info)
{
	u64 end = pvclock_ns() + STEP_TIMEOUT_NS;

	while (pvclock_ns() < end) {
		if (keel_domctl_getinfo(dom, info))
			return false;
		if (info->flags & (KEEL_DOMINF_shutdown | KEEL_DOMINF_crashed))
			return true;
		sleep_ns(20 * NS_PER_MS);
	}
	return false;
}

/* The grantee's event ending @step: false if it stopped or never came. */
static bool await(domid_t dom, evtchn_port_t port, const char *step)
{
	u64 end = pvclock_ns() + STEP_TIMEOUT_NS;
	struct keel_domctl_info info;

	while (pvclock_ns() < end) {
		if (evtchn_poll(port, 50 * NS_PER_MS)) {
			evtchn_clear_pending(port);
			return true;
		}
		if (keel_domctl_getinfo(dom, &info) ||
		    info.flags & (KEEL_DOMINF_shutdown | KEEL_DOMINF_crashed))
			return CHECK(false, "d%u stopped before %s", dom, step);
	}
	return CHECK(false, "no event from d%u for %s", dom, step);
}

static void fill(u32 *page, u32 (*pattern)(unsigned int))
{
	for (unsigned int i = 0; i < PAGE_WORDS; i++)
		page[i] = pattern(i);
}

/* Step 1's result: the answer, the copy, and dom0's words elsewhere. */
static void check_rw_page(void)
{
	volatile u32 *p = rw_page;
	unsigned int copy = COPY_OFFSET / 4, bad = 0;

	for (unsigned int i = 0; i < PAGE_WORDS; i++) {
		u32 want = i < ANSWER_WORDS ? answer_pattern(i) :
			   i >= copy && i < copy + COPY_WORDS ?
			   copy_pattern(i - copy) : rw_pattern(i);

		if (p[i] != want && !bad++)
			CHECK(false, "rw page word %u: %#x, want %#x", i, p[i],
			      want);
	}
	CHECK(!bad, "%u words of the rw page wrong", bad);
}

/* Steps 1-5 with the grantee, then the channel's close. */
static void exchange(domid_t dom)
{
	u16 rw_mapped = GTF_permit_access | GTF_reading | GTF_writing;
	u16 ro_mapped = GTF_permit_access | GTF_readonly | GTF_reading;
	evtchn_port_t port, notmine, remote = 0;
	struct keel_domctl_info info;
	struct evtchn_status st;
	char cmdline[128];

	EXPECT(evtchn_alloc_unbound(DOMID_SELF, dom, &port), 0);
	EXPECT(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &notmine), 0);
	evtchn_set_mask(port, true);	/* polled, never an upcall */
	fill(rw_page, rw_pattern);
	fill(ro_page, ro_pattern);
	gnttab_grant_access(REF_RW, dom, (uptr)rw_page, false);
	gnttab_grant_access(REF_RO, dom, (uptr)ro_page, true);
	gnttab_grant_access(REF_FOREIGN, OTHER_ID, (uptr)foreign_page, false);
	snprintf(cmdline, sizeof(cmdline),
		 "port=%u rw=%u ro=%u foreign=%u unused=%u notmine=%u",
		 port, REF_RW, REF_RO, REF_FOREIGN, REF_UNUSED, notmine);
	if (!start_grantee(dom, cmdline))
		return;

	if (!await(dom, port, "step 1 (maps and copies)"))
		return;
	EXPECT(evtchn_status(port, &st), 0);
	if (CHECK(st.status == EVTCHNSTAT_interdomain &&
		  st.u.interdomain.dom == dom,
		  "port %u: status %u", port, st.status))
		remote = st.u.interdomain.port;
	check_rw_page();
	/* Nothing the grantee asked keel to write reached the read-only page. */
	for (unsigned int i = 0; i < PAGE_WORDS; i++)
		if (!CHECK(ro_page[i] == ro_pattern(i),
			   "ro page word %u: %#x, want %#x", i, ro_page[i],
			   ro_pattern(i)))
			break;
	CHECK(flags_of(REF_RW) == rw_mapped && flags_of(REF_RO) == ro_mapped,
	      "mapped: flags %#x %#x", flags_of(REF_RW), flags_of(REF_RO));
	CHECK(flags_of(REF_FOREIGN) == GTF_permit_access &&
	      flags_of(REF_UNUSED) == 0, "refused ops changed flags %#x %#x",
	      flags_of(REF_FOREIGN), flags_of(REF_UNUSED));
	EXPECT(gnttab_end_access(REF_RW), -EBUSY);
	EXPECT(gnttab_end_access(REF_RO), -EBUSY);
	EXPECT(evtchn_send(port), 0);

	if (!await(dom, port, "step 3 (unmaps)"))
		return;
	CHECK(flags_of(REF_RW) == GTF_permit_access &&
	      flags_of(REF_RO) == (GTF_permit_access | GTF_readonly),
	      "unmapped: flags %#x %#x", flags_of(REF_RW), flags_of(REF_RO));
	EXPECT(gnttab_end_access(REF_RW), 0);
	EXPECT(gnttab_end_access(REF_RO), 0);
	CHECK(!flags_of(REF_RW) && !flags_of(REF_RO), "revoked: flags %#x %#x",
	      flags_of(REF_RW), flags_of(REF_RO));
	EXPECT(evtchn_send(port), 0);

	if (!await(dom, port, "step 5 (revoked grants)"))
		return;
	CHECK(!flags_of(REF_RW) && !flags_of(REF_RO),
	      "refused maps changed flags %#x %#x", flags_of(REF_RW),
	      flags_of(REF_RO));
	/* Close our end: the grantee's port waits for dom0 again. */
	EXPECT(evtchn_close(port), 0);
	EXPECT(evtchn_send(port), -EINVAL);
	EXPECT(evtchn_status(port, &st), 0);
	EXPECT(st.status, EVTCHNSTAT_closed);
	EXPECT(evtchn_status_of(dom, remote, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
	      "d%u's port %u after the close: status %u", dom, remote,
	      st.status);
	EXPECT(evtchn_close(notmine), 0);

	/* The grantee powers off when it passed, crashes when it failed. */
	if (CHECK(wait_stopped(dom, &info), "d%u did not stop", dom))
		CHECK(info.flags & KEEL_DOMINF_shutdown &&
		      info.shutdown_reason == SHUTDOWN_poweroff,
		      "d%u: flags %#x reason %u", dom, info.flags,
		      info.shutdown_reason);
}

/* A write to a read-only grant mapping stops that domain and no other. */
static void read_only_enforced(void)
{
	struct keel_domctl_info info;
	char cmdline[64];
	long dom = create_grantee(DOMID_INVALID);

	if (dom < 0)
		return;
	fill(writer_page, ro_pattern);
	gnttab_grant_access(REF_WRITER_RO, dom, (uptr)writer_page, true);
	snprintf(cmdline, sizeof(cmdline), "writero ro=%u", REF_WRITER_RO);
	if (start_grantee(dom, cmdline) &&
	    CHECK(wait_stopped(dom, &info), "d%ld did not stop", dom)) {
		if (CHECK(info.flags & KEEL_DOMINF_crashed, "d%ld: flags %#x",
			  dom, info.flags))
			printf("granter: d%ld crashed, dom0 still running\n",
			       dom);
	}
	for (unsigned int i = 0; i < PAGE_WORDS; i++)
		if (!CHECK(writer_page[i] == ro_pattern(i),
			   "read-only page written: word %u is %#x", i,
			   writer_page[i]))
			break;
	/* The crashed domain still maps the page until it is destroyed. */
	CHECK(flags_of(REF_WRITER_RO) ==
	      (GTF_permit_access | GTF_readonly | GTF_reading),
	      "crashed mapper: flags %#x", flags_of(REF_WRITER_RO));
	EXPECT(gnttab_end_access(REF_WRITER_RO), -EBUSY);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom), 0);
	CHECK(flags_of(REF_WRITER_RO) == (GTF_permit_access | GTF_readonly),
	      "destroyed mapper: flags %#x", flags_of(REF_WRITER_RO));
	EXPECT(gnttab_end_access(REF_WRITER_RO), 0);
}

int guest_main(const char *cmdline)
{
	u64 before, after;
	long dom;

	if (events_init() || !CHECK(grantee_module(), "no grantee module") ||
	    !CHECK(!gnttab_init((uptr)table_page, 1), "no grant table"))
		return test_result("granter");
	warm_up();
	before = keel_free_pages();

	dom = create_grantee(GRANTEE_ID);
	if (dom > 0) {
		EXPECT(dom, GRANTEE_ID);
		EXPECT(domu_create(GRANTEE_ID, 1, GRANTEE_MEM_MB), -EEXIST);
		exchange(dom);
		EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom), 0);
	}
	read_only_enforced();

	/* The last reference may go from keel's scheduler loop: let it run. */
	for (int i = 0; i < 50 && keel_free_pages() != before; i++)
		sleep_ns(20 * NS_PER_MS);
	after = keel_free_pages();
	printf("granter: %llu free pages before the grantees, %llu after\n",
	       (unsigned long long)before, (unsigned long long)after);
	CHECK(before && after == before, "%lld pages leaked",
	      (long long)(before - after));
	return test_result("granter");
}
