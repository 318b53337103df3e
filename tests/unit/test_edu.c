/* Host tests of the edu driver (arch/x86/edu.c) on a fake configuration space and BAR. */
#include <string.h>
#include <keel/errno.h>
#include <asm/edu.h>
#include <asm/pci.h>
#include "host.h"

#define EDU_BDF 0x28		/* 00:05.0 */
#define BAR_PHYS 0xfea00000u

static u8 conf[256];		/* edu's configuration space */
static bool present;
static u8 bar[4096] __attribute__((aligned(4096)));
static u64 tsc;
static long done_after;		/* TSC reads until the fake engine finishes; < 0: never */

u32 pci_conf_read(u16 bdf, u16 reg, unsigned int size)
{
	u32 v = 0;

	if (bdf != EDU_BDF || !present)
		return size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff;
	memcpy(&v, &conf[reg], size);
	return v;
}

void pci_conf_write(u16 bdf, u16 reg, unsigned int size, u32 val)
{
	assert_int_equal(bdf, EDU_BDF);
	memcpy(&conf[reg], &val, size);
}

void *pci_ioremap(u64 phys, u64 len)
{
	assert_int_equal(phys, BAR_PHYS);
	return bar;
}

u64 arch_read_tsc(void)
{
	if (done_after >= 0 && done_after-- == 0)
		bar[0x98] &= ~1;	/* the engine is done: START clears */
	return tsc += 10;
}

static u64 reg64(unsigned int off)
{
	u64 v;

	memcpy(&v, &bar[off], 8);
	return v;
}

/* edu at 00:05.0: BAR0, a power-management capability, then MSI (64-bit when @msi64). */
static int setup(bool msi64)
{
	memset(conf, 0, sizeof(conf));
	memset(bar, 0, sizeof(bar));
	present = true;
	done_after = 3;
	*(u32 *)&conf[0] = 0x11e81234;
	*(u16 *)&conf[6] = 0x10;	/* capability list */
	*(u32 *)&conf[0x10] = BAR_PHYS;
	conf[0x34] = 0x40;
	conf[0x40] = 0x01;		/* power management */
	conf[0x41] = 0x50;
	conf[0x50] = 0x05;		/* MSI */
	conf[0x52] = msi64 ? 0x80 : 0;
	*(u32 *)&bar[0] = 0x010000ed;
	return 0;
}

static void test_probe(void **state)
{
	struct edu e;

	setup(true);
	assert_int_equal(edu_probe(&e, 1000), 0);
	assert_int_equal(e.bdf, EDU_BDF);
	assert_int_equal(e.msi, 0x50);
	assert_ptr_equal(e.regs, bar);
	assert_int_equal(conf[4] & 6, 6);	/* memory decoding and bus mastering */

	*(u32 *)&bar[0] = 0x12345678;		/* not edu's id register */
	assert_int_equal(edu_probe(&e, 1000), -ENODEV);
	setup(true);
	*(u32 *)&conf[0x10] = BAR_PHYS | 4;	/* a 64-bit BAR: not edu's */
	assert_int_equal(edu_probe(&e, 1000), -ENODEV);
	present = false;
	assert_int_equal(edu_probe(&e, 1000), -ENODEV);
}

/* A capability list that loops ends; a device without one has no MSI. */
static void test_hostile_caps(void **state)
{
	struct edu e;

	setup(true);
	conf[0x41] = 0x40;			/* points at itself */
	assert_int_equal(edu_probe(&e, 1000), 0);
	assert_int_equal(e.msi, 0);
	edu_msi(&e, 0xfee00000, 0x30, true);	/* nothing to program */
	assert_int_equal(conf[0x52], 0x80);
	setup(true);
	*(u16 *)&conf[6] = 0;
	assert_int_equal(edu_probe(&e, 1000), 0);
	assert_int_equal(e.msi, 0);
}

static void test_dma(void **state)
{
	struct edu e;

	setup(true);
	assert_int_equal(edu_probe(&e, 1000), 0);
	assert_int_equal(edu_dma(&e, 0x100000, 0x10, 256, false), 0);
	assert_int_equal(reg64(0x80), 0x100000);	/* RAM -> device */
	assert_int_equal(reg64(0x88), 0x40010);
	assert_int_equal(reg64(0x90), 256);
	assert_int_equal(reg64(0x98), 0);		/* started, then done */
	done_after = 3;
	assert_int_equal(edu_dma(&e, 0x101000, 0, 4096, true), 0);
	assert_int_equal(reg64(0x80), 0x40000);		/* device -> RAM */
	assert_int_equal(reg64(0x88), 0x101000);
	assert_int_equal(reg64(0x90), 4096);
	assert_int_equal(reg64(0x98), 2);		/* direction bit stays */
	/* An engine that never finishes: 2000 ms of TSC at 1000 ticks per ms. */
	done_after = -1;
	tsc = 0;
	assert_int_equal(edu_dma(&e, 0x100000, 0, 8, false), -ETIMEDOUT);
	assert_true(tsc >= 2000 * 1000 && tsc < 2000 * 1000 + 100);
}

/* Outside edu's 4 KiB buffer QEMU aborts: such transfers never reach the device. */
static void test_dma_bounds(void **state)
{
	struct edu e;

	setup(true);
	assert_int_equal(edu_probe(&e, 1000), 0);
	assert_int_equal(edu_dma(&e, 0x100000, 4096, 1, false), -EINVAL);
	assert_int_equal(edu_dma(&e, 0x100000, 1, 4096, true), -EINVAL);
	assert_int_equal(edu_dma(&e, 0x100000, 4097, 0, true), -EINVAL);
	assert_int_equal(edu_dma(&e, 0x100000, 8, 0xfffffffcu, true), -EINVAL);
	assert_int_equal(reg64(0x98), 0);
	assert_int_equal(reg64(0x90), 0);
}

static void test_msi(void **state)
{
	struct edu e;

	setup(true);
	assert_int_equal(edu_probe(&e, 1000), 0);
	*(u32 *)&conf[0x58] = 0xdead;			/* upper address: cleared */
	edu_msi(&e, 0xfee01000, 0x41, true);
	assert_int_equal(*(u32 *)&conf[0x54], 0xfee01000);
	assert_int_equal(*(u32 *)&conf[0x58], 0);
	assert_int_equal(*(u16 *)&conf[0x5c], 0x41);
	assert_int_equal(*(u16 *)&conf[0x52], 0x81);	/* 64-bit, enabled */
	edu_msi(&e, 0, 0, false);
	assert_int_equal(*(u16 *)&conf[0x52], 0x80);

	setup(false);					/* 32-bit: data at +8 */
	assert_int_equal(edu_probe(&e, 1000), 0);
	edu_msi(&e, 0xfee00000, 0x1234, true);
	assert_int_equal(*(u32 *)&conf[0x54], 0xfee00000);
	assert_int_equal(*(u16 *)&conf[0x58], 0x1234);
	assert_int_equal(*(u16 *)&conf[0x52], 0x01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_hostile_caps),
		cmocka_unit_test(test_dma),
		cmocka_unit_test(test_dma_bounds),
		cmocka_unit_test(test_msi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
