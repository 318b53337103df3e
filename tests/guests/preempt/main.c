/*
 * preempt: a dom0 test guest that builds the hog guest (module 0) and
 * checks that keel and dom0 stay responsive while it hogs (audit findings
 * 7 and 13). test= on its command line:
 *  copy   a hog with two vCPUs: one in a GNTTABOP_copy of 2^31-1 ops, the
 *         other asks for shutdown; the domain must be gone within seconds.
 *         Then a hog with one vCPU in the same copy, destroyed by dom0: the
 *         destroy must return within a second. Every page comes back.
 *  flood  a hog flooding console_io and its PV console ring on two vCPUs
 *         for FLOOD_NS while dom0 wakes every TICK_NS and prints a line:
 *         no wake-up may come more than MAX_LATE_NS late. The hog's output
 *         must be kept (console_read) and, with expect=silent, none of it in
 *         keel's log; with expect=limited (guest_loglvl=none/all) some of it
 *         with a "suppressed" line, and no byte of it unfiltered.
 * Before hypercalls could be preempted, copy never ends (CPU0's shutdown
 * tasklet, then dom0, wait for the copying vCPU for hours) and flood keeps
 * dom0's ticks waiting seconds behind 64 KiB of UART output.
 */
#include "guest.h"
#include "domctl.h"

#define HOG_MEM_MB 24
#define TEXT_MAX 4096
#define END_NS (5000 * NS_PER_MS)
#define DESTROY_MAX_NS (1000 * NS_PER_MS)
#define TICK_NS (100 * NS_PER_MS)
#define FLOOD_NS (1500 * NS_PER_MS)
#define MAX_LATE_NS (300 * NS_PER_MS)

static char stream[65536 + 1];
static evtchn_port_t dom_exc;

static u64 now(void)
{
	return pvclock_ns();
}

/* Block until @deadline or an event on VIRQ_DOM_EXC. */
static void sleep_until(u64 deadline)
{
	struct sched_poll p = { .ports = (uptr)&dom_exc, .nr_ports = 1,
				.timeout = deadline };

	HYPERVISOR_sched_op(SCHEDOP_poll, &p);
	evtchn_clear_pending(dom_exc);
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

/* Everything keel keeps of a stream (console_read of @dom, or readlog) from @from. */
static long read_stream(u32 cmd, domid_t dom, u64 from)
{
	struct keel_domctl op;
	u64 pos = from;
	long len = 0;

	do {
		op = (struct keel_domctl){ .cmd = cmd, .domain = dom,
			.u.text = { .buffer = (uptr)stream + len, .offset = pos,
				    .size = MIN((u64)TEXT_MAX, sizeof(stream) - 1 - len) } };
		if (keel_domctl(&op))
			return -EIO;
		pos = op.u.text.offset + op.u.text.nr;
		len += op.u.text.nr;
	} while (op.u.text.nr && len < (long)sizeof(stream) - 1);
	stream[len] = '\0';
	return len;
}

static u64 log_head(void)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_readlog };

	return keel_domctl(&op) ? 0 : op.u.text.head;
}

/* Build and start a hog with @vcpus vCPUs and command line @args. */
static long start_hog(unsigned int vcpus, const char *args)
{
	const struct hvm_modlist_entry *mods = (const void *)start_info->modlist_paddr;
	long dom;

	if (!CHECK(start_info->nr_modules >= 1, "no hog module"))
		return -ENOENT;
	dom = domu_build((const void *)mods[0].paddr, mods[0].size, vcpus,
			 HOG_MEM_MB, args);
	if (!CHECK(dom > 0, "building the hog: %ld", dom))
		return -EIO;
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_unpause, dom), 0);
	return dom;
}

/* Wait until the hog's kept console shows @needle ("hog: <mode> running", or its flood). */
static bool hog_shows(domid_t dom, const char *needle)
{
	u64 end = now() + END_NS;

	do {
		if (read_stream(KEEL_DOMCTL_console_read, dom, 0) >= 0 &&
		    contains(stream, needle))
			return true;
		sleep_until(now() + 20 * NS_PER_MS);
	} while (now() < end);
	return CHECK(false, "d%u's console never showed \"%s\"", dom, needle);
}

static bool domain_gone(domid_t dom)
{
	struct keel_domctl_info info;

	return keel_domctl_getinfo(dom, &info) == -ESRCH;
}

static void test_copy(void)
{
	u64 before = keel_free_pages(), t0, took;
	long dom;

	/* vCPU 1 asks for shutdown while vCPU 0 copies: keel ends the domain. */
	dom = start_hog(2, "mode=copy-shutdown");
	if (dom < 0 || !hog_shows(dom, "hog: copy-shutdown running\n"))
		return;
	t0 = now();
	while (!domain_gone(dom) && now() - t0 < END_NS)
		sleep_until(now() + 20 * NS_PER_MS);
	took = now() - t0;
	if (CHECK(domain_gone(dom), "d%ld still there %llu ms after its shutdown began", dom,
		  (unsigned long long)(took / NS_PER_MS)))
		printf("preempt: d%ld shut down inside its copy, gone after %llu ms\n", dom,
		       (unsigned long long)(took / NS_PER_MS));

	/* One vCPU copying, destroyed by dom0: the destroy waits for it briefly. */
	dom = start_hog(1, "mode=copy");
	if (dom < 0 || !hog_shows(dom, "hog: copy running\n"))
		return;
	sleep_until(now() + 100 * NS_PER_MS);
	t0 = now();
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom), 0);
	took = now() - t0;
	CHECK(took < DESTROY_MAX_NS, "destroying d%ld inside its copy took %llu ms", dom,
	      (unsigned long long)(took / NS_PER_MS));
	printf("preempt: d%ld destroyed inside its copy in %llu ms\n", dom,
	       (unsigned long long)(took / NS_PER_MS));
	CHECK(domain_gone(dom), "d%ld still listed after its destroy", dom);
	CHECK(keel_free_pages() == before, "free pages: %llu before the hogs, %llu after",
	      (unsigned long long)before, (unsigned long long)keel_free_pages());
}

static void test_flood(const char *expect)
{
	u64 before = keel_free_pages(), log_from = log_head(), start, deadline;
	u64 late, max_late = 0, t0, took;
	char line[32];
	unsigned int ticks = 0;
	long dom;

	dom = start_hog(2, "mode=flood");
	if (dom < 0 || !hog_shows(dom, "flood: \x1b[2J"))
		return;
	start = now();
	deadline = start;
	while (now() - start < FLOOD_NS) {
		deadline += TICK_NS;
		while (now() < deadline)
			sleep_until(deadline);
		late = now() - deadline;
		max_late = MAX(max_late, late);
		printf("preempt: tick %u, %llu ms late\n", ++ticks,
		       (unsigned long long)(late / NS_PER_MS));
	}
	CHECK(max_late < MAX_LATE_NS, "dom0 woke up to %llu ms late beside the flood",
	      (unsigned long long)(max_late / NS_PER_MS));
	printf("preempt: %u ticks beside the flood, at most %llu ms late\n", ticks,
	       (unsigned long long)(max_late / NS_PER_MS));

	/*
	 * Its output is kept as it wrote it, whatever reached keel's console:
	 * the newest 16 KiB hold the console_io lines, the ring's or both
	 * (which vCPU wrote last is a race), never a filtered copy.
	 */
	CHECK(read_stream(KEEL_DOMCTL_console_read, dom, 0) > 0 &&
	      (contains(stream, "flood: \x1b[2J") ||
	       contains(stream, "ring flood \x1b[31m")) &&
	      !contains(stream, "flood: ?[2J") && !contains(stream, "ring flood ?[31m"),
	      "the hog's output is not kept as it wrote it");
	t0 = now();
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom), 0);
	took = now() - t0;
	CHECK(took < DESTROY_MAX_NS, "destroying the flooding d%ld took %llu ms", dom,
	      (unsigned long long)(took / NS_PER_MS));

	/* What keel's log (and console) got of it. */
	snprintf(line, sizeof(line), "(d%ld) ", dom);
	if (read_stream(KEEL_DOMCTL_readlog, 0, log_from) < 0)
		CHECK(false, "readlog failed");
	else if (!strcmp(expect, "silent"))
		CHECK(!contains(stream, line), "d%ld's output is in keel's log", dom);
	else if (CHECK(contains(stream, line), "none of d%ld's output is in keel's log", dom))
		CHECK(contains(stream, "bytes of console output suppressed]") &&
		      !contains(stream, "\x1b") && !contains(stream, "\x07"),
		      "d%ld's output in keel's log is not limited and filtered", dom);
	CHECK(keel_free_pages() == before, "free pages: %llu before the hog, %llu after",
	      (unsigned long long)before, (unsigned long long)keel_free_pages());
}

int guest_main(const char *cmdline)
{
	char test[16] = "", expect[16] = "silent";

	if (events_init())
		return test_result("preempt");
	EXPECT(evtchn_bind_virq(VIRQ_DOM_EXC, 0, &dom_exc), 0);
	cmdline_param(cmdline, "test", test, sizeof(test));
	cmdline_param(cmdline, "expect", expect, sizeof(expect));
	if (!strcmp(test, "copy"))
		test_copy();
	else if (!strcmp(test, "flood"))
		test_flood(expect);
	else
		CHECK(false, "unknown test '%s'", test);
	return test_result("preempt");
}
