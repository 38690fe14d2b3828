/* x86 time sources: PIT and HPET as calibration references, the TSC as Keel's clock. */
#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <keel/types.h>

/* Set up the reference clock: the HPET at @hpet_base when non-zero (and allowed), else the PIT. */
void platform_clock_init(paddr_t hpet_base);
const char *platform_clock_name(void);
/* Busy-wait about @ms milliseconds on the reference clock; returns the nanoseconds it measured. */
u64 platform_clock_wait_ms(unsigned int ms);

/* PIT channel 2 one-shot: wait @ms (<= 50) and return the exact ns the programmed count means. */
u64 pit_wait_ms(unsigned int ms);
/* HPET: map and enable the main counter; 0 or -errno. */
int hpet_init(paddr_t base);
u64 hpet_wait_ms(unsigned int ms);

void tsc_calibrate(void);
/* Conversion factors for TSC -> ns: ns = (delta * tsc_mul) >> 32 (also fed to guests' pvclock). */
extern u64 tsc_mul;
extern u64 tsc_boot;
/* The same factor in the guests' pvclock form: ns = ((delta <<|>> shift) * mul) >> 32. */
extern u32 tsc_pv_mul;
extern s8 tsc_pv_shift;

#endif
