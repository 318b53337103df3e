/* Hooks for selftest=, which makes keel fail on purpose so tests can check the failure paths. */
#ifndef KEEL_SELFTEST_H
#define KEEL_SELFTEST_H

#include <keel/types.h>

/* Was selftest=@name given? */
bool selftest_enabled(const char *name);

/* Called once keel's own page tables are active. */
void selftest_after_paging(void);
/* Called once the IOMMU is up (or found absent), before VT-x is looked for. */
void selftest_after_iommu(void);

#endif
