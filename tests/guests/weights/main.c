/*
 * weights: four CPU-bound domains (module 1, the spin guest) with credit
 * weights 1:2:3:4 share the CPUs for a while; each must get its weight's
 * share of the CPU time they used, within 10%. dom0 itself sleeps.
 */
#include "guest.h"
#include "domctl.h"

#define NR_SPINNERS 4
#define RUN_NS (4000 * NS_PER_MS)

static void sleep_ns(u64 ns)
{
	struct sched_poll p = { .ports = 0, .nr_ports = 0,
				.timeout = pvclock_ns() + ns };

	HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

int guest_main(const char *cmdline)
{
	const struct hvm_modlist_entry *mods = (const void *)start_info->modlist_paddr;
	static const u32 weight[NR_SPINNERS] = { 100, 200, 300, 400 };
	struct keel_domctl_info info[NR_SPINNERS];
	long dom[NR_SPINNERS];
	u64 total_time = 0, total_weight = 0;
	struct keel_domctl op;

	if (events_init() || !CHECK(start_info->nr_modules >= 1, "no spin module"))
		return test_result("weights");
	for (int i = 0; i < NR_SPINNERS; i++) {
		dom[i] = domu_build((const void *)mods[0].paddr, mods[0].size, 1, 4, "spin");
		if (!CHECK(dom[i] > 0, "building spinner %d: %ld", i, dom[i]))
			return test_result("weights");
		op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_set_sched, .domain = dom[i],
					   .u.sched = { weight[i], 0 } };
		EXPECT(keel_domctl(&op), 0);
	}
	for (int i = 0; i < NR_SPINNERS; i++)
		EXPECT(keel_domctl_simple(KEEL_DOMCTL_unpause, dom[i]), 0);
	sleep_ns(RUN_NS);
	for (int i = 0; i < NR_SPINNERS; i++)
		EXPECT(keel_domctl_simple(KEEL_DOMCTL_pause, dom[i]), 0);
	for (int i = 0; i < NR_SPINNERS; i++) {
		EXPECT(keel_domctl_getinfo(dom[i], &info[i]), 0);
		CHECK(info[i].weight == weight[i], "d%ld weight %u", dom[i], info[i].weight);
		total_time += info[i].cpu_time_ns;
		total_weight += weight[i];
	}
	for (int i = 0; i < NR_SPINNERS; i++) {
		/* Shares in tenths of a percent, then the error relative to the ideal. */
		u64 share = info[i].cpu_time_ns * 1000 / (total_time ? total_time : 1);
		u64 ideal = weight[i] * 1000 / total_weight;
		u64 diff = share > ideal ? share - ideal : ideal - share;

		printf("weights: d%ld weight %u ran %llu ms: %llu.%llu%% of the CPU time, ideal %llu.%llu%%\n",
		       dom[i], weight[i], (unsigned long long)info[i].cpu_time_ns / NS_PER_MS,
		       (unsigned long long)share / 10, (unsigned long long)share % 10,
		       (unsigned long long)ideal / 10, (unsigned long long)ideal % 10);
		CHECK(diff * 10 <= ideal, "d%ld: share off its weight by more than 10%%", dom[i]);
	}
	CHECK(total_time >= RUN_NS / 2, "the spinners ran only %llu ms",
	      (unsigned long long)total_time / NS_PER_MS);
	for (int i = 0; i < NR_SPINNERS; i++)
		EXPECT(keel_domctl_simple(KEEL_DOMCTL_destroy, dom[i]), 0);
	return test_result("weights");
}
