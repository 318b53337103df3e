/* selftest=: deliberate failures that let the test suite check keel's own error paths. */
#include <keel/errno.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/selftest.h>
#include <keel/string.h>

static enum { SELFTEST_NONE, SELFTEST_FAULT } selftest;

/* selftest=fault: read address 0 once keel's page tables are active. */
static int parse_selftest(const char *value)
{
	if (value && !strcmp(value, "fault")) {
		selftest = SELFTEST_FAULT;
		return 0;
	}
	return -EINVAL;
}
custom_param("selftest", parse_selftest);

void selftest_after_paging(void)
{
	if (selftest == SELFTEST_FAULT) {
		pr_info("selftest: reading address 0, which keel leaves unmapped\n");
		(void)*(volatile u64 *)0;
	}
}
