/* Test guest triple_fault: exceptions with an empty IDT end in a triple fault (the domain reboots). */
#include "bootargs.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/cpuid.h>
#include <public/event_channel.h>

const char guest_name[] = "triple_fault";

static volatile uint32_t timer_fired;

static void on_timer(evtchn_port_t port, void *ctx)
{
	(void)port;
	(void)ctx;
	timer_fired++;
}

/* Our domain id from the hypervisor's CPUID leaf, or -1. */
static long domain_id(void)
{
	uint32_t domid;

	if (!(hv_cpuid(HV_CPUID_LEAF_HVM, 0, &domid, 0) & HV_CPUID_HVM_DOMID_PRESENT))
		return -1;
	return domid;
}

/* Sleep @ms of system time in HLT, woken by the singleshot timer (a healthy, idle run). */
static void sleep_ms(uint64_t ms)
{
	evtchn_port_t port;
	uint64_t end;
	long rc;

	rc = shared_info_map();
	rc = rc ? rc : events_init();
	rc = rc ? rc : events_bind_virq(VIRQ_TIMER, 0, &port, on_timer, 0);
	if (rc)
		test_fail("setting up the timer to wait %lu ms failed (%ld)", (unsigned long)ms,
			  rc);
	end = time_now_ns() + ms * NS_PER_MS;
	while (time_now_ns() < end) {
		irq_disable();
		rc = timer_set_abs(end);
		if (rc)
			test_fail("VCPUOP_set_singleshot_timer returned %ld", rc);
		safe_halt();
	}
	irq_enable();
}

/*
 * Options: `after_ms=N` runs (idle) for N ms before the crash; `until_domid=N` passes instead of
 * crashing once its domain id is N or more (each restart is a new domain with the next free id,
 * so a test can let a restarted domain end after a known number of crashes).
 */
void guest_main(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} null_idt = {0, 0};
	uint64_t after_ms = bootargs_get_u64(boot_cmdline, "after_ms", 0);
	uint64_t until_domid = bootargs_get_u64(boot_cmdline, "until_domid", 0);
	long domid;

	if (!hv.found && !bootargs_has(boot_cmdline, "force"))
		test_skip("no hypervisor (boot with `force` to triple-fault the machine anyway)");
	domid = domain_id();
	if (until_domid && domid >= (long)until_domid) {
		con_printf("triple_fault: d%ld reached, ending without a crash\n", domid);
		test_pass();
	}
	if (after_ms) {
		con_printf("triple_fault: d%ld running for %lu ms first\n", domid,
			   (unsigned long)after_ms);
		sleep_ms(after_ms);
	}
	con_printf("triple_fault: loading an empty IDT, then ud2: #UD -> #GP -> #DF -> shutdown\n");
	con_printf("EXPECT-CRASH triple_fault\n");
	asm volatile("lidt %0\n\tud2" ::"m"(null_idt) : "memory");
	test_fail("still running after a triple fault");
}
