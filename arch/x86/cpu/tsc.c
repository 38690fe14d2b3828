/* The TSC as Keel's clock: calibration against the reference clock, now_ns(), udelay(). */
#include <asm/cpu.h>
#include <asm/time.h>
#include <keel/cmdline.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/time.h>

u64 tsc_khz;
u64 tsc_mul;
u64 tsc_boot;
u32 tsc_pv_mul;
s8 tsc_pv_shift;

static bool opt_nohpet;
KEEL_PARAM_BOOL(nohpet, opt_nohpet, "calibrate timers against the PIT even when an HPET exists");
static bool use_hpet;

void platform_clock_init(paddr_t hpet_base)
{
	use_hpet = hpet_base && !opt_nohpet && hpet_init(hpet_base) == 0;
}

const char *platform_clock_name(void)
{
	return use_hpet ? "HPET" : "PIT";
}

u64 platform_clock_wait_ms(unsigned int ms)
{
	return use_hpet ? hpet_wait_ms(ms) : pit_wait_ms(ms);
}

/* Guests compute ns = ((delta << shift or >> -shift) * mul) >> 32 with a 32-bit mul. */
static void pv_scale(void)
{
	u64 m = tsc_mul; /* ns per TSC tick, 32.32 fixed point */
	int s = 0;

	while (m > 0xffffffffULL) {
		m >>= 1;
		s++;
	}
	while (m && m < 0x80000000ULL && s > -31) {
		m <<= 1;
		s--;
	}
	tsc_pv_mul = (u32)m;
	tsc_pv_shift = (s8)s;
}

void tsc_calibrate(void)
{
	u64 best = ~0ULL;

	/* Take the lowest of three 10 ms samples: interference only ever adds cycles. */
	for (int i = 0; i < 3; i++) {
		u64 t0 = rdtsc();
		u64 ns = platform_clock_wait_ms(10);
		u64 khz = (rdtsc() - t0) * 1000000 / ns;

		if (khz < best)
			best = khz;
	}
	if (!best)
		panic("tsc: calibration measured 0 kHz");
	tsc_mul = (1000000ULL << 32) / best;
	tsc_khz = best;
	tsc_boot = rdtsc();
	pv_scale();
	pr_info("tsc: %llu.%03llu MHz (calibrated against the %s)", best / 1000, best % 1000,
		platform_clock_name());
}

static u64 tsc_to_ns(u64 delta)
{
	return (u64)(((unsigned __int128)delta * tsc_mul) >> 32);
}

u64 now_ns(void)
{
	return tsc_khz ? tsc_to_ns(rdtsc() - tsc_boot) : 0;
}

void udelay(u64 us)
{
	if (!tsc_khz) {
		/* Before calibration: the PIT, at most 50 ms at a time. */
		for (u64 ms = (us + 999) / 1000; ms; ms -= MIN(ms, 50ULL))
			pit_wait_ms((unsigned int)MIN(ms, 50ULL));
		return;
	}
	u64 end = rdtsc() + us * tsc_khz / 1000;

	while ((s64)(rdtsc() - end) < 0)
		cpu_relax();
}
