/* x86 clocks: TSC, its calibration against the PIT, and the CMOS real-time clock. */
#include <keel/time.h>
#include <asm/io.h>
#include <asm/processor.h>

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61
#define CALIBRATE_MS 10
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

u64 arch_read_tsc(void)
{
	return rdtsc();
}

/* Count TSC ticks while PIT channel 2 counts down CALIBRATE_MS. */
u64 arch_calibrate_tsc(void)
{
	u16 count = PIT_HZ / (1000 / CALIBRATE_MS);
	u64 start, end;

	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0);		/* channel 2, lo/hi byte, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	start = arch_read_tsc();
	while (!(inb(PIT_GATE) & 0x20))
		;
	end = arch_read_tsc();
	return (end - start) * (1000 / CALIBRATE_MS);
}

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned int bcd(u8 v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 15);
}

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
static u64 days_since_epoch(unsigned int y, unsigned int m, unsigned int d)
{
	y -= m <= 2;
	u64 era = y / 400, yoe = y - era * 400;
	u64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	u64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

u64 arch_read_rtc(void)
{
	unsigned int sec, min, hour, day, mon, year;
	bool binary;
	u8 hour_raw;

	for (int i = 0; i < 100000 && (cmos_read(0x0a) & 0x80); i++)
		;	/* an update is in progress: wait for it (< 2 ms) */
	binary = cmos_read(0x0b) & 0x04;
	sec = bcd(cmos_read(0x00), binary);
	min = bcd(cmos_read(0x02), binary);
	hour_raw = cmos_read(0x04);
	hour = bcd(hour_raw & 0x7f, binary);
	if (!(cmos_read(0x0b) & 0x02) && (hour_raw & 0x80))
		hour = (hour % 12) + 12;	/* 12-hour clock, PM */
	day = bcd(cmos_read(0x07), binary);
	mon = bcd(cmos_read(0x08), binary);
	year = bcd(cmos_read(0x09), binary) + 2000;
	if (!mon || mon > 12 || !day || day > 31)
		return 0;
	return days_since_epoch(year, mon, day) * 86400 + hour * 3600 +
	       min * 60 + sec;
}
