/* Test guest smp: start vCPU 1 with Keel's PVH AP protocol (VCPUOP_initialise + VCPUOP_up). */
#include "console.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/errno.h>
#include <public/vcpu.h>

const char guest_name[] = "smp";

#define AP_VCPU	      1
#define AP_STACK_SIZE 16384
#define AP_WAIT_NS    (5000 * NS_PER_MS)
#define AP_WAIT_TSC   (20ull * 1000 * 1000 * 1000) /* fallback bound without a clock */

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
static volatile int ap_ran;
static volatile int ap_vcpu_id = -2;

static void ap_main(void)
{
	int id = hv_vcpu_id();

	con_printf("smp: AP running, CPUID vcpu id %d\n", id);
	ap_vcpu_id = id;
	__atomic_store_n(&ap_ran, 1, __ATOMIC_RELEASE);
	/* Return: the library halts this vCPU with IF = 0. */
}

void guest_main(void)
{
	struct vcpu_start_context ctx = {
	    .entry_eip = (uint32_t)(uintptr_t)pvh_ap_entry32,
	    .ebx = (uint32_t)(uintptr_t)(ap_stack + sizeof(ap_stack)),
	};
	int bsp_id;
	uint64_t t0, tsc0;
	long rc;

	test_require_hv();
	bsp_id = hv_vcpu_id();
	con_printf("smp: BSP running, CPUID vcpu id %d\n", bsp_id);
	if (bsp_id >= 0 && bsp_id != 0)
		test_fail("BSP reports vcpu id %d, expected 0", bsp_id);
	rc = shared_info_map();
	if (rc)
		con_printf("smp: no shared_info (%ld): bounding waits with the TSC\n", rc);

	rc = hv_vcpu_op(VCPUOP_is_up, AP_VCPU, 0);
	con_printf("smp: VCPUOP_is_up(1) = %ld before start\n", rc);
	if (rc != 0)
		test_fail("VCPUOP_is_up(1) = %ld before start, expected 0", rc);

	guest_ap_main = ap_main;
	rc = hv_vcpu_op(VCPUOP_initialise, AP_VCPU, &ctx);
	if (rc)
		test_fail("VCPUOP_initialise(1, entry %#x) returned %ld", ctx.entry_eip, rc);
	rc = hv_vcpu_op(VCPUOP_up, AP_VCPU, 0);
	if (rc)
		test_fail("VCPUOP_up(1) returned %ld", rc);
	con_printf("smp: vCPU 1 started at %#x, stack %#x\n", ctx.entry_eip, ctx.ebx);

	t0 = time_now_ns();
	tsc0 = rdtsc_ordered();
	while (!__atomic_load_n(&ap_ran, __ATOMIC_ACQUIRE)) {
		if (shinfo ? time_now_ns() - t0 > AP_WAIT_NS : rdtsc_ordered() - tsc0 > AP_WAIT_TSC)
			test_fail("vCPU 1 did not run within 5 s");
		cpu_relax();
	}
	if (ap_vcpu_id >= 0 && ap_vcpu_id != AP_VCPU)
		test_fail("the AP reports vcpu id %d, expected %d", ap_vcpu_id, AP_VCPU);
	rc = hv_vcpu_op(VCPUOP_is_up, AP_VCPU, 0);
	if (rc != 1)
		test_fail("VCPUOP_is_up(1) = %ld while it runs, expected 1", rc);
	rc = hv_vcpu_op(VCPUOP_initialise, AP_VCPU, &ctx);
	if (rc != -EEXIST)
		test_fail("VCPUOP_initialise on a running vCPU returned %ld, expected -EEXIST", rc);
	con_printf("smp: both vCPUs ran (BSP id %d, AP id %d)\n", bsp_id, ap_vcpu_id);
	test_pass();
}
