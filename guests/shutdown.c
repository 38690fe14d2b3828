/* Test guest shutdown: SCHEDOP_shutdown with each reason, shutdown_code, and halting every vCPU. */
#include "bootargs.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/cpuid.h>
#include <public/errno.h>
#include <public/sched.h>
#include <public/vcpu.h>

const char guest_name[] = "shutdown";

#define AP_STACK_SIZE 16384

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
static volatile int ap_ran;

static long domain_id(void)
{
	uint32_t domid;

	if (!(hv_cpuid(HV_CPUID_LEAF_HVM, 0, &domid, 0) & HV_CPUID_HVM_DOMID_PRESENT))
		return -1;
	return domid;
}

static long shutdown_op(int cmd, uint32_t reason)
{
	struct sched_shutdown s = {.reason = reason};

	return hv_sched_op(cmd, &s);
}

/* vCPU 1 halts for good at once: interrupts off, callback vector set. */
static void ap_main(void)
{
	ap_ran = 1;
	halt_forever();
}

/*
 * mode=halt_all: both vCPUs end in HLT with IF = 0 (as Linux does without ACPI _S5): Keel must
 * power the domain off, but not while vCPU 0 still runs after vCPU 1 halted.
 */
static void halt_all(void)
{
	struct vcpu_start_context ctx = {
	    .entry_eip = (uint32_t)(uintptr_t)pvh_ap_entry32,
	    .ebx = (uint32_t)(uintptr_t)(ap_stack + sizeof(ap_stack)),
	};
	uint64_t t0;
	long rc;

	rc = shared_info_map();
	rc = rc ? rc : events_init();
	if (rc)
		test_fail("shared_info or callback vector: %ld", rc);
	guest_ap_main = ap_main;
	TEST_CHECK(hv_vcpu_op(VCPUOP_initialise, 1, &ctx) == 0 && hv_vcpu_op(VCPUOP_up, 1, 0) == 0,
		   "starting vCPU 1");
	t0 = time_now_ns();
	while (!ap_ran) {
		if (time_now_ns() - t0 > 5000 * NS_PER_MS)
			test_fail("vCPU 1 did not run within 5 s");
		cpu_relax();
	}
	t0 = time_now_ns();
	while (time_now_ns() - t0 < 50 * NS_PER_MS)
		cpu_relax();
	con_printf("shutdown: vCPU 1 halted with interrupts off; vCPU 0 still runs 50 ms later\n");
	con_printf("EXPECT-POWEROFF shutdown: halting vCPU 0 with interrupts off too\n");
	halt_forever();
}

/*
 * mode=reason reason=N: SCHEDOP_shutdown(N). suspend must be refused (-EINVAL) and the guest runs
 * on; every other reason ends the domain. until_domid=M passes instead once the domain id is M or
 * more (a domain that reboots is restarted under the next free id).
 * mode=code: SCHEDOP_shutdown_code(crash), then SCHEDOP_shutdown(poweroff): the domain ends as a
 * crash. mode=bad: reasons 6 and ~0 are refused.
 */
void guest_main(void)
{
	char mode[16];
	uint64_t reason = bootargs_get_u64(boot_cmdline, "reason", SHUTDOWN_poweroff);
	uint64_t until = bootargs_get_u64(boot_cmdline, "until_domid", 0);
	long domid, rc;

	test_require_hv();
	if (bootargs_get(boot_cmdline, "mode", mode, sizeof(mode)) < 0)
		test_fail("no mode= given");
	domid = domain_id();
	if (mode[0] == 'h') {
		halt_all();
	} else if (mode[0] == 'c') {
		TEST_CHECK(shutdown_op(SCHEDOP_shutdown_code, SHUTDOWN_suspend) == -EINVAL,
			   "shutdown_code(suspend)");
		TEST_CHECK(shutdown_op(SCHEDOP_shutdown_code, SHUTDOWN_crash) == 0,
			   "SCHEDOP_shutdown_code(crash)");
		con_printf("EXPECT-SHUTDOWN crash: recorded, now asking for poweroff\n");
		rc = shutdown_op(SCHEDOP_shutdown, SHUTDOWN_poweroff);
		test_fail("SCHEDOP_shutdown returned %ld", rc);
	} else if (mode[0] == 'b') {
		TEST_CHECK(shutdown_op(SCHEDOP_shutdown, 6) == -EINVAL, "reason 6");
		TEST_CHECK(shutdown_op(SCHEDOP_shutdown, 0xffffffffu) == -EINVAL, "reason ~0");
		TEST_CHECK(shutdown_op(SCHEDOP_shutdown, SHUTDOWN_suspend) == -EINVAL,
			   "suspend must be refused: Keel cannot save a domain");
		TEST_CHECK(hv_sched_op(SCHEDOP_shutdown, (void *)(uintptr_t)(5ull << 30)) ==
			       -EFAULT,
			   "an unreadable sched_shutdown");
		test_pass();
	} else {
		if (until && domid >= (long)until) {
			con_printf("shutdown: d%ld reached, ending with a poweroff\n", domid);
			test_pass();
		}
		con_printf("EXPECT-SHUTDOWN reason %lu from d%ld\n", (unsigned long)reason, domid);
		rc = shutdown_op(SCHEDOP_shutdown, (uint32_t)reason);
		test_fail("SCHEDOP_shutdown(%lu) returned %ld", (unsigned long)reason, rc);
	}
}
