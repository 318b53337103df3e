/* Host tests of a hardware dom0's port policy: its I/O bitmap, the inert vPIC, denials, PM1 and resets. */
#include <string.h>
#include <asm/hwdom_ports.h>
#include "host.h"

/* The real ports, faked: every access keel makes on dom0's behalf is logged. */
static struct { uint16_t port; unsigned int size; bool in; uint32_t val; } hw_log[16];
static unsigned int hw_n;

static uint32_t fake_in(uint16_t port, unsigned int size)
{
	assert_true(hw_n < 16);
	hw_log[hw_n++] = (typeof(hw_log[0])){ port, size, true, 0 };
	return 0x5a5a5a5a & (size == 4 ? ~0u : (1u << 8 * size) - 1);
}

static void fake_out(uint16_t port, unsigned int size, uint32_t val)
{
	assert_true(hw_n < 16);
	hw_log[hw_n++] = (typeof(hw_log[0])){ port, size, false, val };
}

static const struct port_hw fake = { fake_in, fake_out };
static struct hwdom_ports ports;

/* The q35 host: PM1a_CNT 0x604, PM timer 0x608, RESET_REG 0xCF9 = 0x0F, \_S5 = 5, P_BLK 0xB010. */
static void q35(void)
{
	struct fadt_ports f = {
		.sci = 9, .smi_cmd = 0xb2, .pm1a_cnt = 0x604, .pm1_cnt_len = 2,
		.pm_tmr = 0x608, .pm_tmr_len = 4, .reset_port = 0xcf9,
		.reset_value = 0x0f, .s5_known = true, .s5_typ_a = 5,
		.nr_pblks = 1, .pblks = { 0xb010 },
	};

	hwdom_ports_setup(&ports, &f);
	hw_n = 0;
}

static uint32_t in(uint16_t port, unsigned int size, enum hwdom_io_act want)
{
	uint32_t val = 0x12345678;

	assert_int_equal(hwdom_port_access(&ports, port, size, true, &val, &fake), want);
	return val;
}

static void out(uint16_t port, unsigned int size, uint32_t val,
		enum hwdom_io_act want)
{
	assert_int_equal(hwdom_port_access(&ports, port, size, false, &val, &fake), want);
}

static bool bit(const uint8_t *bitmap, uint32_t port)
{
	return bitmap[port / 8] & (1 << (port % 8));
}

static void test_bitmap(void **state)
{
	static const uint16_t trapped[] = {
		0x00, 0x0f, 0x1f, 0x20, 0x21, 0x40, 0x43, 0x61, 0x81, 0x8f, 0x92,
		0xa0, 0xa1, 0xc0, 0xdf, 0xe9, 0xf0, 0x3f8, 0x3ff, 0x4d0, 0x4d1,
		0xcf8, 0xcf9, 0xcfc, 0xcff, 0x604, 0x605, 0x608, 0x60b,
		0xb014, 0xb015,
	};
	static const uint16_t passed[] = {
		0x22, 0x3f, 0x44, 0x60, 0x64, 0x70, 0x71, 0x80, 0x90, 0xa2, 0xb2,
		0xe0, 0xe8, 0x170, 0x1f0, 0x1f7, 0x2f8, 0x376, 0x3f6, 0x3f7, 0x400,
		0x4d2, 0xcf7, 0xd00, 0x600, 0x603, 0x606, 0x607, 0x60c, 0x620,
		0xb000, 0xb010, 0xb013, 0xb016, 0xc000, 0xffff,
	};
	static uint8_t bitmap[IO_BITMAP_BYTES];
	unsigned int nr = 0;

	(void)state;
	q35();
	hwdom_io_bitmap_fill(&ports, bitmap);
	for (unsigned int i = 0; i < sizeof(trapped) / sizeof(trapped[0]); i++)
		assert_true(bit(bitmap, trapped[i]));
	for (unsigned int i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
		assert_false(bit(bitmap, passed[i]));
	for (uint32_t p = 0; p < 0x10000; p++)
		nr += bit(bitmap, p);
	/* 32 DMA + 2 + 4 + 1 + 15 + 1 + 2 + 32 + 1 + 1 + 8 + 2 + 8 + PM1 2 + timer 4 + P_LVL 2 */
	assert_int_equal(nr, 117);
}

static void test_no_fadt_keeps_fixed_ports(void **state)
{
	static uint8_t bitmap[IO_BITMAP_BYTES];
	struct fadt_ports none = { 0 };
	unsigned int nr = 0;

	(void)state;
	hwdom_ports_setup(&ports, &none);
	hwdom_io_bitmap_fill(&ports, bitmap);
	for (uint32_t p = 0; p < 0x10000; p++)
		nr += bit(bitmap, p);
	assert_int_equal(nr, 117 - 8);		/* no PM1, timer, P_LVLx; port 0 stays DMA's */
	assert_true(bit(bitmap, 0x20));
	assert_false(bit(bitmap, 0x604));
}

/* Linux's init_8259A(): mask, ICW1-4, then its masks; IRR/ISR read 0. */
static void test_inert_vpic(void **state)
{
	(void)state;
	q35();
	assert_int_equal(in(0x21, 1, HWDOM_IO_DONE), 0xff);	/* masked from the start */
	out(0x21, 1, 0xff, HWDOM_IO_DONE);
	out(0xa1, 1, 0xff, HWDOM_IO_DONE);
	out(0x20, 1, 0x11, HWDOM_IO_DONE);	/* ICW1: edge, cascade, ICW4 */
	out(0x21, 1, 0x30, HWDOM_IO_DONE);	/* ICW2: not a mask */
	out(0x21, 1, 0x04, HWDOM_IO_DONE);	/* ICW3 */
	out(0x21, 1, 0x01, HWDOM_IO_DONE);	/* ICW4 */
	assert_int_equal(in(0x21, 1, HWDOM_IO_DONE), 0);	/* ICW1 cleared the mask */
	out(0xa0, 1, 0x11, HWDOM_IO_DONE);
	out(0xa1, 1, 0x38, HWDOM_IO_DONE);
	out(0xa1, 1, 0x02, HWDOM_IO_DONE);
	out(0xa1, 1, 0x01, HWDOM_IO_DONE);
	out(0x21, 1, 0xfb, HWDOM_IO_DONE);	/* OCW1 */
	out(0xa1, 1, 0xff, HWDOM_IO_DONE);
	assert_int_equal(in(0x21, 1, HWDOM_IO_DONE), 0xfb);
	assert_int_equal(in(0xa1, 1, HWDOM_IO_DONE), 0xff);
	out(0x20, 1, 0x0b, HWDOM_IO_DONE);	/* OCW3: read ISR */
	assert_int_equal(in(0x20, 1, HWDOM_IO_DONE), 0);
	out(0x20, 1, 0x60, HWDOM_IO_DONE);	/* specific EOI */
	assert_int_equal(in(0xa0, 1, HWDOM_IO_DONE), 0);
	/* A word access is two byte accesses: IRR (0) and IMR. */
	assert_int_equal(in(0x20, 2, HWDOM_IO_DONE), 0xfb00);
	/* Single mode without ICW4: ICW2 is the last ICW. */
	out(0x20, 1, 0x12, HWDOM_IO_DONE);
	out(0x21, 1, 0x08, HWDOM_IO_DONE);
	out(0x21, 1, 0x7f, HWDOM_IO_DONE);
	assert_int_equal(in(0x21, 1, HWDOM_IO_DONE), 0x7f);
	assert_int_equal(hw_n, 0);		/* the real PIC never touched */
}

static void test_elcr_latches(void **state)
{
	(void)state;
	q35();
	assert_int_equal(in(0x4d0, 2, HWDOM_IO_DONE), 0);
	out(0x4d0, 2, 0xffff, HWDOM_IO_DONE);
	/* IRQs 0-2, 8 and 13 stay edge. */
	assert_int_equal(in(0x4d0, 2, HWDOM_IO_DONE), 0xdef8);
	out(0x4d1, 1, 0x0e, HWDOM_IO_DONE);
	assert_int_equal(in(0x4d1, 1, HWDOM_IO_DONE), 0x0e);
	assert_int_equal(hw_n, 0);
}

static void test_denied_ports(void **state)
{
	(void)state;
	q35();
	assert_int_equal(in(0x40, 1, HWDOM_IO_DONE), 0xff);	/* PIT */
	out(0x43, 1, 0x34, HWDOM_IO_DONE);
	assert_int_equal(in(0x61, 1, HWDOM_IO_DONE), 0);	/* no NMI reason */
	out(0x61, 1, 0x03, HWDOM_IO_DONE);
	assert_int_equal(in(0x00, 1, HWDOM_IO_DONE), 0xff);	/* ISA DMA */
	out(0x0a, 1, 0x04, HWDOM_IO_DONE);
	out(0x87, 1, 0x12, HWDOM_IO_DONE);
	assert_int_equal(in(0xc4, 2, HWDOM_IO_DONE), 0xffff);
	assert_int_equal(in(0x608, 4, HWDOM_IO_DONE), 0xffffffff);	/* PM timer */
	assert_int_equal(in(0xb014, 1, HWDOM_IO_DONE), 0xff);		/* P_LVL2 */
	assert_int_equal(in(0xb015, 1, HWDOM_IO_DONE), 0xff);		/* P_LVL3 */
	assert_int_equal(in(0x3fd, 1, HWDOM_IO_DONE), 0xff);		/* keel's UART */
	out(0x3f8, 1, 'x', HWDOM_IO_DONE);
	out(0xf0, 1, 0, HWDOM_IO_DONE);
	assert_int_equal(hw_n, 0);
}

/* Accesses straddling a kept and an owned port: the owned bytes reach the hardware. */
static void test_straddling_access(void **state)
{
	(void)state;
	q35();
	out(0x3f7, 2, 0x4142, HWDOM_IO_DONE);		/* 0x3F7 dom0's, 0x3F8 keel's */
	assert_int_equal(hw_n, 1);
	assert_int_equal(hw_log[0].port, 0x3f7);
	assert_int_equal(hw_log[0].size, 1);
	assert_int_equal(hw_log[0].val, 0x42);
	assert_int_equal(in(0xffff, 2, HWDOM_IO_DONE), 0xff5a);	/* wraps to DMA port 0 */
	assert_int_equal(hw_log[1].port, 0xffff);
	assert_int_equal(hw_n, 2);
}

static void test_not_mine(void **state)
{
	(void)state;
	q35();
	in(0xcf8, 4, HWDOM_IO_NOT_MINE);
	in(0xcfc, 4, HWDOM_IO_NOT_MINE);
	in(0xcfe, 1, HWDOM_IO_NOT_MINE);
	out(0xcf9, 2, 0x0606, HWDOM_IO_NOT_MINE);	/* config data, not the reset byte */
	out(0xe9, 1, 'k', HWDOM_IO_NOT_MINE);
	assert_int_equal(hw_n, 0);
}

static void test_resets(void **state)
{
	struct fadt_ports f = { .reset_port = 0x64, .reset_value = 0xfe };

	(void)state;
	q35();
	out(0xcf9, 1, 0x02, HWDOM_IO_DONE);		/* SYS_RST alone: latched */
	assert_int_equal(in(0xcf9, 1, HWDOM_IO_DONE), 0x02);
	out(0xcf9, 1, 0x06, HWDOM_IO_REBOOT);
	out(0xcf9, 1, 0x0f, HWDOM_IO_REBOOT);		/* q35's RESET_REG value */
	assert_int_equal(in(0x92, 1, HWDOM_IO_DONE), 0x02);
	out(0x92, 1, 0x02, HWDOM_IO_DONE);
	out(0x92, 1, 0x03, HWDOM_IO_REBOOT);
	assert_int_equal(hw_n, 0);
	/* A RESET_REG on a port of its own: only its value resets. */
	hwdom_ports_setup(&ports, &f);
	out(0x64, 1, 0xfd, HWDOM_IO_DONE);
	out(0x64, 1, 0xfe, HWDOM_IO_REBOOT);
	assert_int_equal(hw_n, 0);
}

static void test_pm1_control(void **state)
{
	(void)state;
	q35();
	/* SCI_EN and friends reach the hardware; reads come from it. */
	out(0x604, 2, 0x0001, HWDOM_IO_DONE);
	assert_int_equal(in(0x604, 2, HWDOM_IO_DONE), 0x5a5a);
	assert_int_equal(hw_n, 2);
	assert_int_equal(hw_log[0].port, 0x604);
	assert_int_equal(hw_log[0].val, 0x0001);
	assert_false(hw_log[0].in);
	/* Linux's S5: SLP_TYP first (passed on), then SLP_TYP | SLP_EN (keel's). */
	out(0x604, 2, 5 << 10, HWDOM_IO_DONE);
	assert_int_equal(hw_n, 3);
	assert_int_equal(ports.slp_typ[0], 5);
	out(0x604, 2, (5 << 10) | (1 << 13) | 1, HWDOM_IO_POWEROFF);
	assert_int_equal(hw_n, 3);			/* not written: keel powers off later */
	assert_int_equal(ports.off_cnt[0], (5 << 10) | (1 << 13));
	/* S1 or S3: refused, never reaches the hardware. */
	out(0x604, 2, (1 << 10) | (1 << 13), HWDOM_IO_REFUSED);
	out(0x605, 1, (3 << 2) | (1 << 5), HWDOM_IO_REFUSED);
	assert_int_equal(hw_n, 3);
	/* The high byte alone carries SLP_TYP and SLP_EN too. */
	out(0x605, 1, (5 << 2) | (1 << 5), HWDOM_IO_POWEROFF);
	/* Without \_S5 every sleep request is a power-off. */
	ports.fadt.s5_known = false;
	out(0x604, 2, (3 << 10) | (1 << 13), HWDOM_IO_POWEROFF);
	assert_int_equal(ports.off_cnt[0], (3 << 10) | (1 << 13));
	assert_int_equal(hw_n, 3);
}

/* A FADT naming a port keel keeps as PM1 control gets no pass-through there. */
static void test_bogus_pm1_on_kept_port(void **state)
{
	struct fadt_ports f = { .pm1a_cnt = 0x20, .pm1b_cnt = 0x3f7, .pm1_cnt_len = 2 };

	(void)state;
	hwdom_ports_setup(&ports, &f);
	hw_n = 0;
	out(0x20, 2, 0x2011, HWDOM_IO_DONE);		/* vPIC ICW1, then the IMR byte */
	out(0x3f7, 2, 0x2000 | (5 << 10), HWDOM_IO_DONE);	/* no power-off */
	assert_int_equal(hw_n, 1);			/* only 0x3F7's byte */
	assert_int_equal(hw_log[0].port, 0x3f7);
	assert_int_equal(ports.fadt.pm1a_cnt, 0);
	assert_int_equal(ports.fadt.pm1b_cnt, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitmap),
		cmocka_unit_test(test_no_fadt_keeps_fixed_ports),
		cmocka_unit_test(test_inert_vpic),
		cmocka_unit_test(test_elcr_latches),
		cmocka_unit_test(test_denied_ports),
		cmocka_unit_test(test_straddling_access),
		cmocka_unit_test(test_not_mine),
		cmocka_unit_test(test_resets),
		cmocka_unit_test(test_pm1_control),
		cmocka_unit_test(test_bogus_pm1_on_kept_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
