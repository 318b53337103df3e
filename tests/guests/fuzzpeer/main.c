/*
 * fuzzpeer: the bystander of the hypercall fuzz test (../fuzz/fuzz.h). It
 * fills every free page of its RAM with peer_pattern(), grants the page at
 * PEER_RO_GPA read-only to the fuzzer, tells dom0 it is ready and checks
 * every word again each PEER_CHECK_NS while the fuzzer runs (until the
 * first change it finds: it reports that and waits). When dom0
 * says the fuzzer is gone it checks its memory once more, and its grant:
 * unchanged, no GTF_reading or GTF_writing left, revocable. Nothing the
 * fuzzer does may change any of it.
 */
#include "guest.h"
#include "../fuzz/fuzz.h"

#define DOM0 0
#define MAX_RUN_NS (3600000 * NS_PER_MS)	/* dom0 gone? give up after an hour */
#define MAX_REPORTS 8

static u8 table_page[4096] __aligned(4096);

struct range {
	u64 start, end;
};

static struct range ranges[8];
static unsigned int nr_ranges;
static u64 checked_pages, bad_words;

/* The free RAM: the memory map's RAM below 4 GiB, less this image and the boot page. */
static void find_ranges(void)
{
	const struct hvm_memmap_table_entry *map =
		(const void *)start_info->memmap_paddr;
	u64 img_lo = ALIGN_DOWN((uptr)__image_start, 4096);
	u64 img_hi = ALIGN_UP((uptr)__image_end, 4096);

	for (u32 i = 0; i < start_info->memmap_entries; i++) {
		u64 lo = ALIGN_UP(map[i].addr, 4096);
		u64 hi = ALIGN_DOWN(MIN(map[i].addr + map[i].size,
					IDENTITY_MAP_END), 4096);

		if (map[i].type != XEN_HVM_MEMMAP_TYPE_RAM || lo >= hi)
			continue;
		/* Split around the image (the boot page is not RAM). */
		if (lo < img_lo && hi > img_lo) {
			if (nr_ranges < ARRAY_SIZE(ranges))
				ranges[nr_ranges++] = (struct range){ lo, img_lo };
			lo = img_hi;
		} else if (lo >= img_lo && lo < img_hi) {
			lo = img_hi;
		}
		if (lo < hi && nr_ranges < ARRAY_SIZE(ranges))
			ranges[nr_ranges++] = (struct range){ lo, hi };
	}
}

static void fill(void)
{
	for (unsigned int r = 0; r < nr_ranges; r++)
		for (u64 a = ranges[r].start; a < ranges[r].end; a += 4)
			*(volatile u32 *)(uptr)a = peer_pattern(a);
}

/* Every word of the free RAM; true if all are intact. */
static bool check(const char *when)
{
	u64 bad = 0;

	checked_pages = 0;
	for (unsigned int r = 0; r < nr_ranges; r++) {
		for (u64 a = ranges[r].start; a < ranges[r].end; a += 4) {
			u32 v = *(volatile u32 *)(uptr)a;

			if (v == peer_pattern(a))
				continue;
			if (bad_words + bad++ < MAX_REPORTS)
				printf("fuzzpeer: %s: word at %#lx is %#x, want %#x\n",
				       when, a, v, peer_pattern(a));
		}
		checked_pages += (ranges[r].end - ranges[r].start) >> 12;
	}
	bad_words += bad;
	return CHECK(!bad, "%s: %lu words of my memory changed", when, bad);
}

/* The grant to the fuzzer: frame and grantee as written, read-only. */
static bool grant_intact(domid_t fuzzer, const char *when)
{
	volatile grant_entry_v1_t *e = gnttab_entry(FUZZ_GRANT_REF);
	u16 flags = e->flags;

	return CHECK(e->frame == PEER_RO_GPA >> 12 && e->domid == fuzzer &&
		     (flags & (GTF_type_mask | GTF_readonly)) ==
		     (GTF_permit_access | GTF_readonly) && !(flags & GTF_writing),
		     "%s: grant %u: frame %#x domid %u flags %#x", when,
		     FUZZ_GRANT_REF, e->frame, e->domid, flags);
}

int guest_main(const char *cmdline)
{
	u32 fuzzer, dom0port, ref;
	evtchn_port_t port;
	unsigned int rounds = 0;
	u64 end;

	if (!CHECK(cmdline_uint(cmdline, "fuzzer", &fuzzer) &&
		   cmdline_uint(cmdline, "dom0port", &dom0port) &&
		   cmdline_uint(cmdline, "ref", &ref) && ref == FUZZ_GRANT_REF,
		   "bad command line \"%s\"", cmdline) ||
	    !CHECK(!events_init(), "no event channels") ||
	    !CHECK(!gnttab_init((uptr)table_page, 1), "no grant table"))
		return test_result("fuzzpeer");
	find_ranges();
	if (!CHECK(nr_ranges, "no free RAM found"))
		return test_result("fuzzpeer");
	fill();
	gnttab_grant_access(FUZZ_GRANT_REF, fuzzer, PEER_RO_GPA, true);
	if (!CHECK(!evtchn_bind_interdomain(DOM0, dom0port, &port),
		   "binding dom0's port %u", dom0port))
		return test_result("fuzzpeer");
	evtchn_set_mask(port, true);		/* polled, never an upcall */
	evtchn_clear_pending(port);		/* the bind raised it, as Xen's does */
	EXPECT(evtchn_send(port), 0);		/* ready */

	/* Until dom0 says the fuzzer is gone; after a first failure, only wait. */
	end = pvclock_ns() + MAX_RUN_NS;
	for (bool failed = false;;) {
		if (!failed) {
			rounds++;
			failed = !check("while the fuzzer runs") ||
				 !grant_intact(fuzzer, "while the fuzzer runs");
		}
		if (evtchn_poll(port, PEER_CHECK_NS)) {
			evtchn_clear_pending(port);
			break;
		}
		if (!CHECK(pvclock_ns() < end, "no word from dom0"))
			break;
	}
	check("after the fuzzer");
	if (grant_intact(fuzzer, "after the fuzzer")) {
		CHECK(!(gnttab_entry(FUZZ_GRANT_REF)->flags & GTF_reading),
		      "the destroyed fuzzer still maps my page");
		EXPECT(gnttab_end_access(FUZZ_GRANT_REF), 0);
	}
	printf("fuzzpeer: %u checks of %lu pages, %lu words changed\n",
	       rounds + 1, checked_pages, bad_words);
	return test_result("fuzzpeer");
}
