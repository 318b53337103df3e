/* System time: nanoseconds since boot from the TSC, and its pvclock scale. */
#ifndef KEEL_TIME_H
#define KEEL_TIME_H

#include <keel/types.h>

#define NSEC_PER_SEC 1000000000ULL
#define MILLISECS(ms) ((u64)(ms) * 1000000ULL)

/* ns = ((tsc << shift) * mul_frac) >> 32, shift negative meaning >> (pvclock's form). */
struct time_scale {
	s8 shift;
	u32 mul_frac;
};

/* Calibrated at boot; all of them valid after time_init(). */
extern u64 tsc_hz;
extern u64 boot_tsc;
extern struct time_scale tsc_scale;
extern u64 boot_wallclock_sec;	/* UTC seconds at system time 0 */

void time_init(void);
/* The pvclock-style scale converting @ticks_per_sec into nanoseconds. */
struct time_scale time_scale_for(u64 ticks_per_sec);
u64 scale_delta(u64 delta, const struct time_scale *ts);
/* Nanoseconds since boot. */
u64 now_ns(void);

/**
 * arch_read_tsc() / arch_calibrate_tsc() / arch_read_rtc():
 * the cycle counter, its frequency in Hz measured against a fixed clock,
 * and the battery-backed clock in seconds since 1970 (UTC).
 */
u64 arch_read_tsc(void);
u64 arch_calibrate_tsc(void);
u64 arch_read_rtc(void);

#endif
