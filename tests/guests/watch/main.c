/*
 * watch: a dom0 for boot-tree tests. It lists the domains keel built at
 * boot, then waits (woken by VIRQ_DOM_EXC) until every other domain has
 * ended: a guest that triple faults (fault=<id> on its command line names
 * it) must not take it or the others down.
 */
#include "guest.h"
#include "domctl.h"

#define WAIT_NS (20000 * NS_PER_MS)

static unsigned int list_domains(struct keel_domctl_info *info, unsigned int max)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_list,
		.u.list = { .buffer = (uptr)info, .max = max, .first = 0 } };

	return keel_domctl(&op) ? 0 : op.u.list.nr;
}

int guest_main(const char *cmdline)
{
	struct keel_domctl_info info[8];
	unsigned int n, others;
	char fault[8] = "";
	evtchn_port_t port;
	u64 end;

	if (events_init())
		return test_result("watch");
	cmdline_param(cmdline, "fault", fault, sizeof(fault));
	EXPECT(evtchn_bind_virq(VIRQ_DOM_EXC, 0, &port), 0);
	n = list_domains(info, 8);
	printf("watch: %u domains at boot\n", n);
	for (unsigned int i = 0; i < n; i++)
		printf("watch: d%u: %u vCPU(s), %llu KiB, weight %u%s\n", info[i].domid,
		       info[i].nr_vcpus, (unsigned long long)info[i].mem_kb,
		       info[i].weight,
		       info[i].flags & KEEL_DOMINF_privileged ? ", privileged" : "");
	CHECK(n >= 2, "keel built only %u domain(s)", n);
	end = pvclock_ns() + WAIT_NS;
	do {
		struct sched_poll p = { .ports = (uptr)&port, .nr_ports = 1,
					.timeout = pvclock_ns() + 100 * NS_PER_MS };

		HYPERVISOR_sched_op(SCHEDOP_poll, &p);
		evtchn_set_mask(port, false);
		n = list_domains(info, 8);
		others = 0;
		for (unsigned int i = 0; i < n; i++) {
			if (info[i].domid != 0)
				others++;
		}
	} while (others && pvclock_ns() < end);
	if (CHECK(!others, "%u domain(s) still running", others) && fault[0])
		printf("watch: all others ended, dom0 ran on through d%s's triple fault\n", fault);
	return test_result("watch");
}
