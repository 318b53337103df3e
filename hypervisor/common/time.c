/* System time since boot, kept in nanoseconds through the TSC's pvclock scale. */
#include <keel/printk.h>
#include <keel/time.h>

u64 tsc_hz;
u64 boot_tsc;
struct time_scale tsc_scale;
u64 boot_wallclock_sec;

/* Xen's set_time_scale(): keep mul_frac in 32 bits with a power-of-two shift. */
struct time_scale time_scale_for(u64 ticks_per_sec)
{
	struct time_scale ts = { 0, 0 };
	u64 tps = ticks_per_sec;
	int shift = 0;

	while (tps > 2 * NSEC_PER_SEC) {
		tps >>= 1;
		shift--;
	}
	while (tps <= NSEC_PER_SEC) {
		tps <<= 1;
		shift++;
	}
	ts.shift = shift;
	ts.mul_frac = (u32)((NSEC_PER_SEC << 32) / tps);
	return ts;
}

u64 scale_delta(u64 delta, const struct time_scale *ts)
{
	if (ts->shift < 0)
		delta >>= -ts->shift;
	else
		delta <<= ts->shift;
	return (u64)(((unsigned __int128)delta * ts->mul_frac) >> 32);
}

u64 now_ns(void)
{
	return scale_delta(arch_read_tsc() - boot_tsc, &tsc_scale);
}

void time_init(void)
{
	tsc_hz = arch_calibrate_tsc();
	boot_tsc = arch_read_tsc();
	tsc_scale = time_scale_for(tsc_hz);
	boot_wallclock_sec = arch_read_rtc();
	pr_info("time: TSC %llu.%03llu MHz, wall clock %llu s since 1970\n",
		(unsigned long long)tsc_hz / 1000000,
		(unsigned long long)(tsc_hz / 1000) % 1000,
		(unsigned long long)boot_wallclock_sec);
}
