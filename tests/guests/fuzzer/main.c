/*
 * fuzzer: the unprivileged domain of the hypercall fuzz test
 * (../fuzz/fuzz.h). With a seeded PRNG (the seed is printed) it makes
 * "iters" rounds of random and structured hypercalls (ops.c): every
 * hypercall number, every sub-op keel or Xen has, with pointers into the
 * arena, unmapped and guard pages, its read-only mapping of the peer's
 * page, keel's special pages, MMIO, high and non-canonical addresses,
 * bogus domain ids (the peer's and dom0's too), ports, refs and huge
 * counts, and writes random words into its own shared_info, grant table
 * and vcpu_info between calls. It never makes a call that would end it
 * on purpose (shutdown, or a block nothing wakes) until the end; keel
 * must keep running it. Checks of its own: nothing an unprivileged domain
 * must not do succeeds (ops.c's oracle_fail()), and its code is unchanged.
 * "trace=N" prints every call from round N on, to find the one that hurt;
 * "hang=N" blocks for good in round N (dom0's post-mortem is then printed).
 */
#include <public/vcpu.h>
#include "../fuzz/fuzz.h"
#include "ops.h"

#define APIC_SVR 0x80f
#define APIC_SELF_IPI 0x83f
#define BLOCK_VECTOR 0xfe		/* stays pending in the vLAPIC: IF is never set */
#define DEFAULT_ITERS 1000
#define CHECK_EVERY 256
#define NR_COUNTED 64

extern const char __stop_ex_table[];

struct fz_state S;
static struct vcpu_time_info clk;
static u8 vinfo_page[4096] __aligned(4096);
static u64 calls[NR_COUNTED + 1], ok[NR_COUNTED + 1];
static u64 text_sum;

/* Sums of the code in 256-byte lines, to say where it changed. */
#define LINE 256
#define MAX_LINES 2048
static u64 line_sum[MAX_LINES];

/* The last calls made: printed when the code is found changed, and by dom0 when we hang. */
#define NR_RECENT FUZZ_RECORDER_CALLS
static struct fuzz_recorder rec __aligned(4096) = { .magic = FUZZ_RECORDER_MAGIC };

/* System time from a copy of the pvclock taken at start: no hypercall can move it. */
u64 now_ns(void)
{
	return pvclock_read(&clk);
}

long hc(unsigned long nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4)
{
	unsigned int i = nr < NR_COUNTED ? nr : NR_COUNTED;
	struct fuzz_call *c;
	long rc;

	if (S.iter >= S.trace_from)
		printf("fuzzer: #%lu hc %lu(%#lx, %#lx, %#lx, %#lx, %#lx)\n", S.iter,
		       nr, a0, a1, a2, a3, a4);
	c = &rec.c[rec.nr++ % NR_RECENT];
	*c = (struct fuzz_call){ S.iter, nr, { a0, a1, a2, a3, a4 }, FUZZ_RC_PENDING };
	rc = _hypercall5(nr, a0, a1, a2, a3, a4);
	c->rc = rc;
	if (S.iter >= S.trace_from)
		printf("fuzzer: #%lu = %ld\n", S.iter, rc);
	calls[i]++;
	ok[i] += rc >= 0;
	S.calls++;
	return rc;
}

void track_port(evtchn_port_t port)
{
	S.ports[S.nr_ports++ % NR_TRACKED] = port;
}

void track_map(grant_handle_t handle, u64 addr, bool peer)
{
	S.maps[S.nr_maps++ % NR_TRACKED] = (struct fz_map){ handle, addr, peer };
}

void oracle_fail(const char *fmt, ...)
{
	char msg[CONSOLE_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	test_fail("fuzzer round", (int)S.iter, "%s", msg);
	S.oracle_failures++;
}

void oracle_skip(const char *what)
{
	printf("\nfuzzer: round %lu: no verdict: %s\n", S.iter, what);
	S.oracle_skips++;
}

/* Keep an interrupt pending in our vLAPIC, so SCHEDOP_block always finds work. */
void self_ipi(void)
{
	wrmsr_safe(APIC_SELF_IPI, BLOCK_VECTOR);
}

static u64 sum_range(const u64 *p, const u64 *end)
{
	u64 s = 0;

	for (; p < end; p++)
		s = (s ^ *p) * 0x100000001b3ULL;
	return s;
}

static u64 text_checksum(void)
{
	return sum_range((const u64 *)__image_start, (const u64 *)__stop_ex_table);
}

static unsigned int text_lines(void)
{
	return MIN((unsigned int)((__stop_ex_table - __image_start + LINE - 1) / LINE),
		   (unsigned int)MAX_LINES);
}

static u64 line_checksum(unsigned int i)
{
	const u64 *p = (const u64 *)(__image_start + i * LINE);

	return sum_range(p, MIN(p + LINE / 8, (const u64 *)__stop_ex_table));
}

/* The code changed: where, into what, and the calls made since it was last found intact. */
static void report_code_change(void)
{
	u64 n = MIN(rec.nr, (u64)NR_RECENT);

	for (unsigned int i = 0; i < text_lines(); i++) {
		const u64 *p = (const u64 *)(__image_start + i * LINE);

		if (line_checksum(i) == line_sum[i])
			continue;
		printf("\nfuzzer: code line %#lx changed, now:\n", (u64)(uptr)p);
		for (unsigned int w = 0; w < LINE / 8 && p + w < (const u64 *)__stop_ex_table;
		     w += 4)
			printf("fuzzer:   %#lx: %016lx %016lx %016lx %016lx\n",
			       (u64)(uptr)(p + w), p[w], p[w + 1], p[w + 2], p[w + 3]);
	}
	printf("fuzzer: the last %lu calls, oldest first:\n", n);
	for (u64 i = rec.nr - n; i != rec.nr; i++) {
		const struct fuzz_call *c = &rec.c[i % NR_RECENT];

		printf("fuzzer: #%lu hc %lu(%#lx, %#lx, %#lx, %#lx, %#lx) = %ld\n", c->iter,
		       c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->rc);
	}
}

/* "known=1,8": audit findings whose triggers this run leaves out, to look past them. */
static u64 known_findings(const char *cmdline)
{
	char list[64];
	u64 mask = 0;
	u32 n = 0;

	if (!cmdline_param(cmdline, "known", list, sizeof(list)))
		return 0;
	for (const char *c = list;; c++) {
		if (*c >= '0' && *c <= '9') {
			n = n * 10 + (*c - '0');
		} else {
			if (n < 64)
				mask |= BIT(n);
			n = 0;
			if (!*c)
				break;
		}
	}
	printf("fuzzer: leaving out the triggers of audit findings %s\n", list);
	return mask;
}

/*
 * Finding 23: every timeout the fuzzer builds comes within 2 ms of "now",
 * however early in keel's uptime it runs (guest-fuzz starts it in keel's
 * first second, when "now - 1 s" wrapped to the far future). Before the
 * run's own seed: its calls stay those of the seed alone.
 */
static bool timeouts_come(void)
{
	static const u64 nows[] = { 1, 2, NS_PER_MS, 500 * NS_PER_MS, 999999999,
				    1000 * NS_PER_MS, 3600000 * NS_PER_MS };

	rng_seed(0);
	for (unsigned int i = 0; i < ARRAY_SIZE(nows); i++)
		for (unsigned int j = 0; j < 64; j++) {
			u64 t = soon_after(nows[i]);

			if (!CHECK(t && t <= nows[i] + 2 * NS_PER_MS,
				   "a timeout built at %lu ns is %#lx", (u64)nows[i], t))
				return false;
		}
	return true;
}

static bool setup(u32 seed)
{
	struct vcpu_register_vcpu_info r = { .mfn = (uptr)vinfo_page >> 12 };
	const volatile struct vcpu_time_info *t;
	u32 v;

	layout_init();
	if (!CHECK(L.ram_end >= L.scratch + MiB(1), "RAM ends at %#lx, too small",
		   L.ram_end))
		return false;
	if (!arena_args_safe())
		return false;
	rng_seed(seed);		/* the check drew from seed 0: the run is its seed's alone */
	for (u64 a = L.arena; a < L.arena_end; a += 8)
		*(u64 *)(uptr)a = gen_word();

	/* vcpu_info in a page of our own, first: a clock to copy. */
	if (!CHECK(!HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r),
		   "registering vcpu_info"))
		return false;
	S.vinfo_pfn = r.mfn;
	t = &((volatile struct vcpu_info *)vinfo_page)->time;
	do {
		v = t->version;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		memcpy(&clk, (const void *)t, sizeof(clk));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} while ((v & 1) || v != t->version);
	if (!CHECK(clk.tsc_to_system_mul && now_ns(), "no pvclock in vcpu_info"))
		return false;

	CHECK(wrmsr_safe(APIC_SVR, 0x1ff) == NO_FAULT, "enabling the local APIC");
	self_ipi();
	if (!CHECK(map_peer_page(), "cannot map d%u's grant %u", S.peer, S.peer_ref) ||
	    !CHECK(*(volatile u32 *)(uptr)S.ro_gpa == peer_pattern(PEER_RO_GPA),
		   "d%u's page holds %#x, not its pattern", S.peer,
		   *(volatile u32 *)(uptr)S.ro_gpa))
		return false;
	text_sum = text_checksum();
	for (unsigned int i = 0; i < text_lines(); i++)
		line_sum[i] = line_checksum(i);
	printf("fuzzer: d%u, seed %u: image %#lx-%#lx, arena %#lx-%#lx, scratch %#lx-%#lx, peer page at %#lx, %lu ms since keel's boot\n",
	       S.self, seed, L.image_start, L.image_end, L.arena, L.arena_end,
	       L.scratch, L.ram_end, S.ro_gpa, (u64)(now_ns() / NS_PER_MS));
	return true;
}

/* "hang=N": block for good in round N, to try dom0's post-mortem (fuzz/main.c). */
static void hang_for_good(void)
{
	struct sched_poll p = { .nr_ports = 0, .timeout = 0 };

	printf("\nfuzzer: round %lu: blocking for good, as asked\n", S.iter);
	for (;;)	/* a timer of ours may still raise an event */
		hc(__HYPERVISOR_sched_op, SCHEDOP_poll, put_in_arena(&p, sizeof(p)), 0, 0, 0);
}

static void report(u64 iters, u64 ns)
{
	static const char *const names[NR_COUNTED] = {
		[12] = "memory_op", [15] = "set_timer_op", [17] = "xen_version",
		[18] = "console_io", [20] = "grant_table_op", [24] = "vcpu_op",
		[29] = "sched_op", [32] = "event_channel_op", [34] = "hvm_op",
		[48] = "keel_op",
	};
	u64 others = 0, others_ok = 0;

	printf("fuzzer: %lu rounds, %lu hypercalls in %lu ms\n", iters, S.calls, (u64)(ns / NS_PER_MS));
	for (unsigned int i = 0; i < NR_COUNTED; i++) {
		if (names[i])
			printf("fuzzer:   %-16s %8lu calls, %8lu succeeded\n", names[i],
			       calls[i], ok[i]);
		else {
			others += calls[i];
			others_ok += ok[i];
		}
	}
	printf("fuzzer:   %-16s %8lu calls, %8lu succeeded\n", "others 0-63", others,
	       others_ok);
	printf("fuzzer:   %-16s %8lu calls, %8lu succeeded\n", "64 and up",
	       calls[NR_COUNTED], ok[NR_COUNTED]);
}

int guest_main(const char *cmdline)
{
	u32 seed = 1, iters = DEFAULT_ITERS, trace = ~0u, hang = ~0u;
	u64 step, start;

	if (!CHECK(cmdline_uint(cmdline, "self", &S.self) &&
		   cmdline_uint(cmdline, "peer", &S.peer) &&
		   cmdline_uint(cmdline, "ref", &S.peer_ref) &&
		   cmdline_uint(cmdline, "dom0port", &S.dom0port),
		   "bad command line \"%s\"", cmdline))
		return test_result("fuzzer");
	cmdline_uint(cmdline, "seed", &seed);
	cmdline_uint(cmdline, "iters", &iters);
	cmdline_uint(cmdline, "trace", &trace);
	cmdline_uint(cmdline, "hang", &hang);
	S.known = known_findings(cmdline);
	S.trace_from = trace;
	if (!timeouts_come())
		return test_result("fuzzer");
	rng_seed(seed);
	S.ro_gpa = RO_WINDOW;
	if (!setup(seed))
		return test_result("fuzzer");

	step = MAX(iters / 10, 1u);
	start = now_ns();
	for (S.iter = 0; S.iter < iters; S.iter++) {
		if (S.iter == hang)
			hang_for_good();
		fuzz_one();
		if (S.iter % CHECK_EVERY == 0) {
			if (!S.ro_mapped)
				map_peer_page();
			if (!CHECK(text_checksum() == text_sum,
				   "round %lu: my own code changed", S.iter)) {
				report_code_change();
				break;
			}
		}
		/* A newline first ends whatever junk our console ring left keel. */
		if ((S.iter + 1) % step == 0 || S.iter + 1 == iters)
			printf("\nfuzzer: %lu/%u rounds, %lu hypercalls\n", S.iter + 1, iters,
			       S.calls);
	}
	printf("\n");
	report(S.iter, now_ns() - start);
	printf("fuzzer: %u calls overwrote their own arguments and had no verdict\n",
	       S.oracle_skips);
	CHECK(!S.oracle_failures, "seed %u: %u calls did what they must not",
	      seed, S.oracle_failures);
	return test_result("fuzzer");
}
