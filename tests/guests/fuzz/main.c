/*
 * fuzz: dom0 of the hypercall fuzz test (fuzz.h). It builds the peer
 * (module 2) and the fuzzer (module 1) as unprivileged domains, starts the
 * fuzzer once the peer has filled its memory and granted the fuzzer a page
 * read-only, and while the fuzzer runs checks its own memory (a filled
 * region and the two modules it built the domains from) and that the peer
 * keeps running. When the fuzzer has shut down it must have passed (its
 * console shows "guest: PASS fuzzer"); dom0 destroys it, lets the peer
 * check itself a last time, destroys the peer, and keel's free page count
 * must be back where it was. Command line: seed=S (default: from the TSC)
 * iters=N (default 20000) limit=SECONDS (system time for the fuzzer,
 * default 900); known=LIST, trace=N and hang=N go to the fuzzer as they are.
 */
#include "guest.h"
#include "domctl.h"
#include "fuzz.h"

#define DEFAULT_ITERS 20000
#define DEFAULT_LIMIT_S 900
#define REGION_WORDS (MiB(1) / 4)
#define WATCH_NS (100 * NS_PER_MS)
#define PEER_READY_NS (120000 * NS_PER_MS)
#define PEER_END_NS (120000 * NS_PER_MS)
#define TEXT_MAX 4096
#define POST_MORTEM_CALLS 64

static u32 region[REGION_WORDS] __aligned(4096);
static char stream[65536 + 1];
static u64 module_sum[2];

static u32 region_pattern(unsigned int i)
{
	return 0x30d00000u ^ (i * 2654435761u);
}

static u64 sum(const void *p, u64 len)
{
	const u8 *b = p;
	u64 s = 0;

	for (u64 i = 0; i < len; i++)
		s = (s + b[i]) * 0x100000001b3ULL;
	return s;
}

static const struct hvm_modlist_entry *module(unsigned int i)
{
	const struct hvm_modlist_entry *mods =
		(const void *)start_info->modlist_paddr;

	return i < start_info->nr_modules ? &mods[i] : NULL;
}

/* dom0's own memory: the region and the modules, as they were. */
static bool own_memory_intact(const char *when)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < REGION_WORDS; i++)
		if (region[i] != region_pattern(i) && !bad++)
			printf("fuzz: %s: region word %u is %#x\n", when, i,
			       region[i]);
	for (unsigned int m = 0; m < 2; m++)
		if (sum((const void *)module(m)->paddr, module(m)->size) !=
		    module_sum[m]) {
			printf("fuzz: %s: module %u changed\n", when, m + 1);
			bad++;
		}
	return CHECK(!bad, "%s: dom0's memory changed", when);
}

static void sleep_ns(u64 ns)
{
	struct sched_poll p = { .timeout = pvclock_ns() + ns };

	HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static bool stopped(const struct keel_domctl_info *info)
{
	return info->flags & (KEEL_DOMINF_shutdown | KEEL_DOMINF_crashed);
}

/* Let foreign_map() give dom0's p2m the tables it keeps for its window. */
static void warm_up(void)
{
	long dom = domu_create(DOMID_INVALID, 1, 4);

	if (!CHECK(dom > 0, "warm-up domain: %ld", dom))
		return;
	EXPECT(foreign_map(dom, 0x100, FOREIGN_WINDOW), 0);
	EXPECT(foreign_unmap(FOREIGN_WINDOW), 0);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom), 0);
}

/* A paused domain whose shutdowns and crash stay visible to getinfo. */
static long create(unsigned int mem_mb)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_set_actions,
		.u.actions = { KEEL_ACTION_preserve, KEEL_ACTION_preserve,
			       KEEL_ACTION_preserve } };
	long dom = domu_create(DOMID_INVALID, 1, mem_mb);

	if (!CHECK(dom > 0, "creating a domain: %ld", dom))
		return -1;
	op.domain = dom;
	EXPECT(keel_domctl(&op), 0);
	return dom;
}

static bool start(domid_t dom, unsigned int m, const char *cmdline)
{
	long rc = domu_load(dom, (const void *)module(m)->paddr,
			    module(m)->size, cmdline);

	if (!CHECK(!rc, "loading d%u: %ld", dom, rc))
		return false;
	return CHECK(!keel_domctl_simple(KEEL_DOMCTL_unpause, dom),
		     "unpausing d%u", dom);
}

/* Does @dom's kept console output hold @needle? */
static bool console_holds(domid_t dom, const char *needle)
{
	struct keel_domctl op;
	u64 pos = 0;
	long len = 0;
	size_t n = strlen(needle);

	do {
		op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_console_read,
			.domain = dom, .u.text = { .buffer = (uptr)(stream + len),
			.offset = pos,
			.size = MIN((u64)TEXT_MAX, sizeof(stream) - 1 - len) } };
		if (keel_domctl(&op))
			return false;
		pos = op.u.text.offset + op.u.text.nr;
		len += op.u.text.nr;
	} while (op.u.text.nr && len < (long)sizeof(stream) - 1);
	/* The guest may have written NULs: look at every byte kept. */
	for (long i = 0; i + (long)n <= len; i++)
		if (!memcmp(stream + i, needle, n))
			return true;
	return false;
}

/* Copy @len bytes at the start of frame @gfn of @dom through the foreign window. */
static bool read_foreign(domid_t dom, u64 gfn, void *buf, u64 len)
{
	if (foreign_map(dom, gfn, FOREIGN_WINDOW))
		return false;
	memcpy(buf, (const void *)(uptr)FOREIGN_WINDOW, len);
	return !foreign_unmap(FOREIGN_WINDOW);
}

/* The fuzzer's flight recorder (fuzz.h): at a page boundary of its image. */
static bool read_recorder(domid_t dom, struct fuzz_recorder *r)
{
	u64 last = 0x100 + (module(0)->size >> 12) + 64;	/* the image is at 1 MiB */

	for (u64 gfn = 0x100; gfn < last; gfn++) {
		if (!read_foreign(dom, gfn, r, 8))
			return false;
		if (r->magic != FUZZ_RECORDER_MAGIC)
			continue;
		for (u64 off = 0; off < sizeof(*r); off += 4096)
			if (!read_foreign(dom, gfn + off / 4096, (u8 *)r + off,
					  MIN(4096ULL, sizeof(*r) - off)))
				return false;
		return true;
	}
	return false;
}

/* The fuzzer stopped making progress: keel's view of its vCPUs, then its last calls. */
static void post_mortem(domid_t dom)
{
	static struct fuzz_recorder rec;
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_dump_vcpus, .domain = dom };
	u64 n;

	EXPECT(keel_domctl(&op), 0);
	if (!CHECK(read_recorder(dom, &rec), "no flight recorder in d%u", dom))
		return;
	n = MIN(rec.nr, (u64)POST_MORTEM_CALLS);
	printf("fuzz: d%u made %llu calls; the last %llu, oldest first:\n", dom,
	       (unsigned long long)rec.nr, (unsigned long long)n);
	for (u64 i = rec.nr - n; i != rec.nr; i++) {
		const struct fuzz_call *c = &rec.c[i % FUZZ_RECORDER_CALLS];

		printf("fuzz: #%llu hc %llu(%#llx, %#llx, %#llx, %#llx, %#llx) = ",
		       (unsigned long long)c->iter, (unsigned long long)c->nr,
		       (unsigned long long)c->a[0], (unsigned long long)c->a[1],
		       (unsigned long long)c->a[2], (unsigned long long)c->a[3],
		       (unsigned long long)c->a[4]);
		if (c->rc == FUZZ_RC_PENDING)
			printf("(not returned)\n");
		else
			printf("%lld\n", (long long)c->rc);
	}
}

/* Until the fuzzer stops, the peer stops (it must not) or @limit_ns pass. */
static bool watch(domid_t fuzzer, domid_t peer, u64 limit_ns,
		  struct keel_domctl_info *fi)
{
	u64 start = pvclock_ns(), end = start + limit_ns, next = start;
	struct keel_domctl_info pi;

	for (;;) {
		if (!CHECK(!keel_domctl_getinfo(fuzzer, fi), "fuzzer d%u gone", fuzzer) ||
		    !CHECK(!keel_domctl_getinfo(peer, &pi), "peer d%u gone", peer))
			return false;
		if (stopped(fi))
			return true;
		if (!CHECK(!stopped(&pi), "the peer stopped while the fuzzer ran: flags %#x reason %u",
			   pi.flags, pi.shutdown_reason))
			return false;
		if (pvclock_ns() >= next) {
			if (!own_memory_intact("while the fuzzer runs"))
				return false;
			next = pvclock_ns() + 10 * WATCH_NS;
		}
		if (!CHECK(pvclock_ns() < end,
			   "the fuzzer still runs after %llu s (flags %#x, %llu ms of CPU)",
			   (unsigned long long)(limit_ns / 1000000000ULL), fi->flags,
			   (unsigned long long)(fi->cpu_time_ns / NS_PER_MS))) {
			post_mortem(fuzzer);
			return false;
		}
		sleep_ns(WATCH_NS);
	}
}

/* Wait until @dom stops; false after @ns. */
static bool wait_stopped(domid_t dom, u64 ns, struct keel_domctl_info *info)
{
	u64 end = pvclock_ns() + ns;

	do {
		if (keel_domctl_getinfo(dom, info))
			return false;
		if (stopped(info))
			return true;
		sleep_ns(WATCH_NS);
	} while (pvclock_ns() < end);
	return false;
}

static bool passed(const struct keel_domctl_info *info)
{
	return (info->flags & KEEL_DOMINF_shutdown) && !(info->flags & KEEL_DOMINF_crashed) &&
	       info->shutdown_reason == SHUTDOWN_poweroff;
}

static void run(u32 seed, u32 iters, u32 limit_s, const char *extra)
{
	struct keel_domctl_info info;
	evtchn_port_t pport, fport;
	long peer, fuzzer;
	char cmdline[256];

	peer = create(FUZZ_PEER_MEM_MB);
	fuzzer = create(FUZZ_FUZZER_MEM_MB);
	if (peer < 0 || fuzzer < 0)
		return;
	if (!CHECK(!evtchn_alloc_unbound(DOMID_SELF, peer, &pport) &&
		   !evtchn_alloc_unbound(DOMID_SELF, fuzzer, &fport), "ports"))
		return;
	evtchn_set_mask(pport, true);	/* polled, never upcalls */
	evtchn_set_mask(fport, true);

	snprintf(cmdline, sizeof(cmdline), "fuzzer=%ld dom0port=%u ref=%u",
		 fuzzer, pport, FUZZ_GRANT_REF);
	if (!start(peer, 1, cmdline))
		return;
	if (!CHECK(evtchn_poll(pport, PEER_READY_NS), "the peer d%ld never got ready", peer))
		return;
	evtchn_clear_pending(pport);

	snprintf(cmdline, sizeof(cmdline),
		 "seed=%u iters=%u self=%ld peer=%ld ref=%u dom0port=%u%s",
		 seed, iters, fuzzer, peer, FUZZ_GRANT_REF, fport, extra);
	printf("fuzz: seed %u, %u iterations: fuzzer d%ld, peer d%ld\n",
	       seed, iters, fuzzer, peer);
	if (!start(fuzzer, 0, cmdline))
		return;
	if (watch(fuzzer, peer, (u64)limit_s * 1000000000ULL, &info)) {
		printf("fuzz: the fuzzer stopped after %llu ms of CPU: flags %#x reason %u\n",
		       (unsigned long long)(info.cpu_time_ns / NS_PER_MS), info.flags,
		       info.shutdown_reason);
		CHECK(passed(&info) && console_holds(fuzzer, "guest: PASS fuzzer"),
		      "the fuzzer (seed %u) failed or ended early", seed);
	}
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, fuzzer), 0);
	EXPECT(evtchn_close(fport), 0);

	/* The peer checks itself once more, then ends. */
	EXPECT(evtchn_send(pport), 0);
	if (CHECK(wait_stopped(peer, PEER_END_NS, &info), "the peer d%ld did not stop", peer))
		CHECK(passed(&info) && console_holds(peer, "guest: PASS fuzzpeer"),
		      "the peer d%ld failed: flags %#x reason %u", peer, info.flags,
		      info.shutdown_reason);
	EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, peer), 0);
	EXPECT(evtchn_close(pport), 0);
}

int guest_main(const char *cmdline)
{
	static const char *const passed_on[] = { "known", "trace", "dry", "hang" };
	u32 seed, iters = DEFAULT_ITERS, limit_s = DEFAULT_LIMIT_S;
	char extra[96] = "", val[40];
	u64 before, after;

	if (!cmdline_uint(cmdline, "seed", &seed))
		seed = (u32)rdtsc() ^ (u32)(rdtsc() >> 32);
	cmdline_uint(cmdline, "iters", &iters);
	cmdline_uint(cmdline, "limit", &limit_s);
	for (unsigned int i = 0; i < ARRAY_SIZE(passed_on); i++) {
		const char *key = passed_on[i];
		size_t len = strlen(extra);

		if (cmdline_param(cmdline, key, val, sizeof(val)))
			snprintf(extra + len, sizeof(extra) - len, " %s=%s", key, val);
	}
	if (!CHECK(module(0) && module(1), "want two modules: the fuzzer and the peer") ||
	    !CHECK(!events_init(), "no event channels"))
		return test_result("fuzz");

	for (unsigned int i = 0; i < REGION_WORDS; i++)
		region[i] = region_pattern(i);
	for (unsigned int m = 0; m < 2; m++)
		module_sum[m] = sum((const void *)module(m)->paddr, module(m)->size);

	warm_up();
	before = keel_free_pages();
	run(seed, iters, limit_s, extra);
	own_memory_intact("at the end");

	/* The last reference may go from keel's scheduler loop: let it run. */
	for (int i = 0; i < 50 && keel_free_pages() != before; i++)
		sleep_ns(20 * NS_PER_MS);
	after = keel_free_pages();
	printf("fuzz: %llu free pages before the fuzzer and the peer, %llu after\n",
	       (unsigned long long)before, (unsigned long long)after);
	CHECK(before && after == before, "%lld pages not returned",
	      (long long)(before - after));
	return test_result("fuzz");
}
