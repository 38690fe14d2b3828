/* Test guest physmap_race: two vCPUs move shared_info at once; exactly one mapping must be left. */
#include "bootargs.h"
#include "console.h"
#include "hypercall.h"
#include "physmap.h"
#include "test.h"
#include "x86.h"

#include <public/shared_info.h>
#include <public/vcpu.h>

const char guest_name[] = "physmap_race";

#define AP_VCPU	      1
#define AP_STACK_SIZE 16384
#define MAX_ROUNDS    512 /* one 2 MiB region of its own per move, within 1 GiB */
#define WAIT_TSC      (40ull * 1000 * 1000 * 1000)
#define MARKER	      0x5eedfacecafe1234ull
#define MARKER_SLOT   31 /* vcpu_info slot no vCPU of this domain uses */

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
static volatile int go, ap_done;
static volatile long ap_error;
static uint64_t rounds;

/*
 * Where vCPU @who puts shared_info in its move @i: never the same frame twice (a mapping Keel
 * lost track of stays visible), outside the 4 MiB of RAM, from 1 GiB (vCPU 0) or 2 GiB (vCPU 1)
 * in 2 MiB steps, so each move needs an EPT table of its own that the next one gives back.
 */
static uint64_t candidate(int who, unsigned int i)
{
	uint64_t base = (1ull + (unsigned int)who) << 30;

	return (base + (uint64_t)i * (2ull << 20)) / 4096 + i % 3;
}

static long remap_loop(int who)
{
	for (uint64_t r = 0; r < rounds; r++) {
		long rc = physmap_put_shared_info(candidate(who, (unsigned int)r));

		if (rc)
			return rc;
	}
	return 0;
}

static void ap_main(void)
{
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		cpu_relax();
	ap_error = remap_loop(AP_VCPU);
	__atomic_store_n(&ap_done, 1, __ATOMIC_RELEASE);
}

static void start_ap(void)
{
	struct vcpu_start_context ctx = {
	    .entry_eip = (uint32_t)(uintptr_t)pvh_ap_entry32,
	    .ebx = (uint32_t)(uintptr_t)(ap_stack + sizeof(ap_stack)),
	};
	long rc;

	guest_ap_main = ap_main;
	rc = hv_vcpu_op(VCPUOP_initialise, AP_VCPU, &ctx);
	if (!rc)
		rc = hv_vcpu_op(VCPUOP_up, AP_VCPU, 0);
	if (rc)
		test_fail("could not start vCPU 1: %ld", rc);
}

void guest_main(void)
{
	uint64_t mapped_gfn = 0, t0;
	unsigned int mapped = 0, probed = 0;
	volatile struct shared_info *si;
	long rc;

	test_require_hv();
	rounds = bootargs_get_u64(boot_cmdline, "rounds", 300);
	if (rounds < 1 || rounds > MAX_ROUNDS)
		test_fail("rounds=%lu out of range 1..%u", (unsigned long)rounds, MAX_ROUNDS);
	rc = physmap_put_shared_info(candidate(0, 0));
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	si = (volatile struct shared_info *)(uintptr_t)(candidate(0, 0) << 12);
	*(volatile uint64_t *)&si->vcpu_info[MARKER_SLOT] = MARKER;

	start_ap();
	con_printf("physmap_race: 2 vCPUs moving shared_info %lu times each\n",
		   (unsigned long)rounds);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	rc = remap_loop(0);
	if (rc)
		test_fail("vCPU 0: XENMEM_add_to_physmap returned %ld", rc);
	t0 = rdtsc_ordered();
	while (!__atomic_load_n(&ap_done, __ATOMIC_ACQUIRE)) {
		if (rdtsc_ordered() - t0 > WAIT_TSC)
			test_fail("vCPU 1 did not finish its moves");
		cpu_relax();
	}
	if (ap_error)
		test_fail("vCPU 1: XENMEM_add_to_physmap returned %ld", ap_error);

	/* Every frame either vCPU used: exactly one may still map shared_info. */
	for (int who = 0; who < 2; who++) {
		for (unsigned int i = 0; i < rounds; i++) {
			uint64_t gfn = candidate(who, i);
			int p = physmap_probe(gfn);

			probed++;
			if (p < 0)
				test_fail("gfn %#lx maps something that is not shared_info",
					  (unsigned long)gfn);
			if (p) {
				mapped++;
				mapped_gfn = gfn;
			}
		}
	}
	con_printf("physmap_race: %u mapping%s left of %u probed\n", mapped, mapped == 1 ? "" : "s",
		   probed);
	if (mapped != 1)
		test_fail("%u frames map shared_info after the moves, expected exactly 1", mapped);
	si = (volatile struct shared_info *)(uintptr_t)(mapped_gfn << 12);
	if (*(volatile uint64_t *)&si->vcpu_info[MARKER_SLOT] != MARKER)
		test_fail("gfn %#lx does not show shared_info's contents",
			  (unsigned long)mapped_gfn);
	if (bootargs_has(boot_cmdline, "crash")) {
		/* For restart cycles: end the domain the hard way, with its EPT full of history. */
		struct __attribute__((packed)) {
			uint16_t limit;
			uint64_t base;
		} null_idt = {0, 0};

		con_printf("physmap_race: checks passed; crashing for a restart\n");
		con_printf("EXPECT-CRASH physmap_race\n");
		__asm__ __volatile__("lidt %0\n\tud2" ::"m"(null_idt) : "memory");
	}
	test_pass();
}
