/* Hypervisor time: nanoseconds since boot from the calibrated TSC. */
#ifndef KEEL_TIME_H
#define KEEL_TIME_H

#include <keel/types.h>

/* Nanoseconds since boot; 0 until the TSC has been calibrated. */
u64 now_ns(void);
/* Busy-wait (calibrated TSC; before calibration a conservative PIT-based delay). */
void udelay(u64 us);

extern u64 tsc_khz;

#endif
