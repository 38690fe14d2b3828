/* Test guest tickless: spins on the TSC and counts the gaps where the CPU was taken from it. */
#include "bootargs.h"
#include "console.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

const char guest_name[] = "tickless";

/*
 * A tight loop reads the TSC; two reads further apart than `gap_ticks` mean the vCPU lost the CPU
 * in between (a VM exit for a host timer interrupt, a preemption-timer slice end, a switch to
 * another vCPU). Under Bochs with `clock: sync=none` the TSC counts instructions, so a loop turn
 * is a few ticks and any exit is hundreds. The guest makes no hypercalls and takes no interrupts
 * while it spins: on a CPU of a null pool, Keel should not take the CPU from it at all.
 */

void guest_main(void)
{
	uint64_t span_ms = bootargs_get_u64(boot_cmdline, "span_ms", 200);
	uint64_t gap_ticks = bootargs_get_u64(boot_cmdline, "gap_ticks", 200);
	uint64_t per_us, span, start, prev, now, gaps = 0, max_gap = 0;
	char name[32] = "tickless";
	long rc;

	test_require_hv();
	bootargs_get(boot_cmdline, "name", name, sizeof(name));
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	per_us = time_tsc_per_us();
	TEST_CHECK(per_us > 0, "pvclock gives no TSC rate");
	TEST_CHECK(span_ms > 0 && span_ms <= 60000, "span_ms=%lu out of range 1..60000",
		   (unsigned long)span_ms);
	span = span_ms * 1000 * per_us;

	irq_disable(); /* nothing of its own may interrupt it either */
	start = prev = rdtsc_ordered();
	do {
		now = rdtsc_ordered();
		if (now - prev > gap_ticks) {
			gaps++;
			if (now - prev > max_gap)
				max_gap = now - prev;
		}
		prev = now;
	} while (now - start < span);
	irq_enable();
	con_printf("TICKLESS %s gaps=%lu max_gap_ticks=%lu span_ticks=%lu gap_ticks=%lu\n", name,
		   (unsigned long)gaps, (unsigned long)max_gap, (unsigned long)span,
		   (unsigned long)gap_ticks);
	test_pass();
}
