/* selftest=: deliberate failures that let the test suite check keel's own error paths. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/selftest.h>
#include <keel/string.h>

static const char *const selftests[] = { "fault", "bad-guest-state", "ipi",
					       "ap-fail", "vtd" };
static const char *selftest;

/*
 * selftest=fault: read address 0 once keel's page tables are active.
 * selftest=bad-guest-state: break dom0's VMCS so its first VM entry fails.
 * selftest=ipi: once the CPUs are up, kick each one and check it took the IPI.
 * selftest=ap-fail: every other CPU fails its setup and must be left offline.
 * selftest=vtd: drive a test device's DMA through the IOMMU (arch_iommu_selftest()).
 */
static int parse_selftest(const char *value)
{
	for (unsigned int i = 0; value && i < ARRAY_SIZE(selftests); i++) {
		if (!strcmp(value, selftests[i])) {
			selftest = selftests[i];
			return 0;
		}
	}
	return -EINVAL;
}

bool selftest_enabled(const char *name)
{
	return selftest && !strcmp(selftest, name);
}
custom_param("selftest", parse_selftest);

void selftest_after_paging(void)
{
	if (selftest_enabled("fault")) {
		pr_info("selftest: reading address 0, which keel leaves unmapped\n");
		(void)*(volatile u64 *)0;
	}
}

void selftest_after_iommu(void)
{
	if (selftest_enabled("vtd"))
		arch_iommu_selftest();
}
