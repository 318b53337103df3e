/* selftest=vtd: QEMU's edu device DMAs through VT-d; each step prints PASS or FAIL with what it read. */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/time.h>
#include <asm/edu.h>

#define PATTERN_LEN 256

#define pass(step, fmt, ...) pr_info("vtd-selftest: %s: PASS " fmt "\n", step, ##__VA_ARGS__)
#define fail(step, fmt, ...) pr_err("vtd-selftest: %s: FAIL " fmt "\n", step, ##__VA_ARGS__)

static struct edu edu;

static void fill(u8 *buf, u8 seed)
{
	for (unsigned int i = 0; i < PATTERN_LEN; i++)
		buf[i] = (u8)(seed + i * 7);
}

/* RAM -> device buffer -> RAM at bus addresses @from, @to: 0, or the DMA's error. */
static int round_trip(u64 from, u64 to)
{
	int rc = edu_dma(&edu, from, 0, PATTERN_LEN, false);

	return rc ? rc : edu_dma(&edu, to, 0, PATTERN_LEN, true);
}

/* Without translation (no IOMMU): the driver and the device work at all. */
static void untranslated(u8 *src, u8 *dst)
{
	int rc;

	fill(src, 0x5a);
	memset(dst, 0, PATTERN_LEN);
	rc = round_trip(virt_to_phys(src), virt_to_phys(dst));
	if (rc || memcmp(src, dst, PATTERN_LEN))
		fail("untranslated", "DMA %d, read back %02x %02x %02x, wanted %02x %02x %02x",
		     rc, dst[0], dst[1], dst[2], src[0], src[1], src[2]);
	else
		pass("untranslated", "%u bytes from 0x%llx through edu to 0x%llx",
		     PATTERN_LEN, (unsigned long long)virt_to_phys(src),
		     (unsigned long long)virt_to_phys(dst));
}

void arch_iommu_selftest(void)
{
	u64 hz = tsc_hz ? tsc_hz : arch_calibrate_tsc();
	u8 *src = alloc_page(), *dst = alloc_page();

	if (!src || !dst || edu_probe(&edu, hz / 1000)) {
		fail("edu", "no edu device (1234:11e8) on bus 0, or no memory");
		goto out;
	}
	pr_info("vtd-selftest: edu at 0000:00:%02x.%u, MSI capability at 0x%x\n",
		edu.bdf >> 3, edu.bdf & 7, edu.msi);
	untranslated(src, dst);
out:
	if (src)
		free_page(src);
	if (dst)
		free_page(dst);
}
