/* Test guest rt_deadline: a periodic real-time task on the TSC-deadline timer: latency and misses. */
#include "bootargs.h"
#include "console.h"
#include "lapic.h"
#include "pvclock.h"
#include "stats.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

const char guest_name[] = "rt_deadline";

/*
 * Period k is released at D_k = D_0 + k * P (TSC ticks): the TSC-deadline timer fires at D_k, the
 * handler stamps the TSC, and the task then computes for `work_us`. Its deadline is the next
 * release: finishing after D_k + P is a miss. Latency is handler TSC - D_k (programmed deadline to
 * the guest's handler). The first `warmup` periods are not counted.
 */

#define VEC_TIMER   0x40
#define MAX_PERIODS 20000

static volatile uint64_t fired_tsc;
static volatile int fired;
static uint64_t latency[MAX_PERIODS];

static int timer_hook(struct trap_frame *f)
{
	if (f->vector != VEC_TIMER)
		return 0;
	fired_tsc = rdtsc_ordered();
	fired = 1;
	lapic_write(LAPIC_EOI, 0);
	return 1;
}

static void wait_for_timer(void)
{
	for (;;) {
		irq_disable();
		if (fired) {
			irq_enable();
			return;
		}
		safe_halt(); /* sti; hlt: the timer interrupt ends it */
	}
}

void guest_main(void)
{
	uint64_t period_us = bootargs_get_u64(boot_cmdline, "period_us", 1000);
	uint64_t work_us = bootargs_get_u64(boot_cmdline, "work_us", 100);
	uint64_t periods = bootargs_get_u64(boot_cmdline, "periods", 1000);
	uint64_t warmup = bootargs_get_u64(boot_cmdline, "warmup", 20);
	uint64_t max_misses = bootargs_get_u64(boot_cmdline, "max_misses", 0);
	uint64_t per_us, period, work, release, misses = 0, late_max = 0;
	char name[32] = "rt";
	long rc;

	test_require_hv();
	bootargs_get(boot_cmdline, "name", name, sizeof(name));
	if (periods == 0 || periods > MAX_PERIODS || period_us == 0 || work_us >= period_us)
		test_fail("bad arguments: periods=%lu (1..%d), work_us=%lu < period_us=%lu",
			  (unsigned long)periods, MAX_PERIODS, (unsigned long)work_us,
			  (unsigned long)period_us);
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	TEST_CHECK(cpuid(1).ecx & (1u << 24), "no TSC-deadline timer (CPUID.1:ECX bit 24)");
	per_us = time_tsc_per_us();
	TEST_CHECK(per_us > 0, "pvclock gives no TSC rate");
	period = period_us * per_us;
	work = work_us * per_us;

	lapic_enable(); /* installs the library's counting hook: ours replaces it */
	trap_hook = timer_hook;
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_TSCDL | VEC_TIMER);
	con_printf("RT %s start period_us=%lu work_us=%lu periods=%lu ticks_per_us=%lu\n", name,
		   (unsigned long)period_us, (unsigned long)work_us, (unsigned long)periods,
		   (unsigned long)per_us);

	release = rdtsc_ordered() + period;
	for (uint64_t k = 0; k < warmup + periods; k++, release += period) {
		uint64_t lat, done;

		fired = 0;
		wrmsr(MSR_TSC_DEADLINE, release);
		wait_for_timer();
		lat = fired_tsc > release ? fired_tsc - release : 0;
		while (rdtsc_ordered() - fired_tsc < work)
			cpu_relax();
		done = rdtsc_ordered();
		if (k < warmup)
			continue;
		latency[k - warmup] = lat;
		if (done > release + period) {
			if (misses < 4)
				con_printf(
				    "RT %s miss in period %lu: latency %lu ticks, done %lu ticks "
				    "late\n",
				    name, (unsigned long)(k - warmup), (unsigned long)lat,
				    (unsigned long)(done - release - period));
			misses++;
			if (done - release - period > late_max)
				late_max = done - release - period;
		}
	}
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);

	stats_sort_u64(latency, periods);
	con_printf("RT %s periods=%lu misses=%lu latency_ticks median=%lu p99=%lu max=%lu "
		   "worst_overrun_ticks=%lu\n",
		   name, (unsigned long)periods, (unsigned long)misses,
		   (unsigned long)latency[periods / 2], (unsigned long)latency[periods * 99 / 100],
		   (unsigned long)latency[periods - 1], (unsigned long)late_max);
	if (misses > max_misses)
		test_fail("%lu of %lu deadlines missed (at most %lu allowed)",
			  (unsigned long)misses, (unsigned long)periods, (unsigned long)max_misses);
	test_pass();
}
