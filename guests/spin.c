/* Test guest spin: a CPU-bound loop (or a hypercall flood) counting iterations over a time span. */
#include "bootargs.h"
#include "console.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

const char guest_name[] = "spin";

#define CHECK_EVERY 1024 /* iterations between clock reads */

void guest_main(void)
{
	uint64_t runtime_ms = bootargs_get_u64(boot_cmdline, "runtime_ms", 2000);
	uint64_t report_ms = bootargs_get_u64(boot_cmdline, "report_ms", 500);
	/* hypercalls=1: every iteration is also a hypercall (a VM exit): a hypercall flooder. */
	uint64_t flood = bootargs_get_u64(boot_cmdline, "hypercalls", 0);
	/*
	 * sti=1: spin with interrupts enabled, as a real kernel does. It takes none (it asks for
	 * none), but under Bochs a guest with IF=0 also holds off the host's own interrupts until
	 * its next VM exit (on hardware they always exit): a neighbour that must not delay a
	 * real-time domain's timer runs with sti=1.
	 */
	uint64_t sti = bootargs_get_u64(boot_cmdline, "sti", 0);
	char name[32] = "spin";
	uint64_t start, now, end, next_report;
	volatile uint64_t iterations = 0;
	long rc;

	test_require_hv();
	bootargs_get(boot_cmdline, "name", name, sizeof(name));
	if (!name[0])
		name[0] = '?';
	if (runtime_ms == 0 || runtime_ms > 3600 * 1000)
		test_fail("runtime_ms=%lu out of range 1..3600000", (unsigned long)runtime_ms);
	if (report_ms == 0)
		report_ms = runtime_ms;
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);

	if (sti)
		irq_enable();
	start = time_now_ns();
	end = start + runtime_ms * NS_PER_MS;
	next_report = start + report_ms * NS_PER_MS;
	con_printf("SPIN %s start runtime_ms=%lu report_ms=%lu\n", name, (unsigned long)runtime_ms,
		   (unsigned long)report_ms);
	for (;;) {
		for (int i = 0; i < CHECK_EVERY; i++) {
			iterations = iterations + 1;
			if (flood)
				hv_xen_version(0, NULL);
		}
		now = time_now_ns();
		if (now < start)
			test_fail("system time went backwards: %lu < %lu", (unsigned long)now,
				  (unsigned long)start);
		if (now >= end)
			break;
		if (now >= next_report) {
			con_printf("SPIN %s ms=%lu iterations=%lu\n", name,
				   (unsigned long)((now - start) / NS_PER_MS),
				   (unsigned long)iterations);
			next_report += report_ms * NS_PER_MS;
		}
	}
	con_printf("SPIN %s iterations=%lu\n", name, (unsigned long)iterations);
	test_pass();
}
