/* Test guest bench: median TSC cost of a CPUID exit, a null hypercall and a vmcall round trip. */
#include "bootargs.h"
#include "console.h"
#include "hypercall.h"
#include "stats.h"
#include "test.h"
#include "x86.h"

#include <public/errno.h>
#include <public/version.h>

const char guest_name[] = "bench";

#define RUNS_DEFAULT 1000
#define RUNS_MAX     4096

static uint64_t samples[RUNS_MAX];

enum bench_op { OP_CPUID, OP_HYPERCALL, OP_VMCALL };

static uint64_t measure(enum bench_op op, size_t runs)
{
	for (size_t i = 0; i < runs; i++) {
		uint64_t t0 = rdtsc_ordered(), t1;
		long rc = 0;

		switch (op) {
		case OP_CPUID:
			(void)cpuid(0);
			break;
		case OP_HYPERCALL:
			rc = hypercall_vmcall(HYPERCALL_xen_version, XENVER_version, 0, 0, 0, 0);
			break;
		case OP_VMCALL:
			rc = hypercall_vmcall(99, 0, 0, 0, 0, 0) == -ENOSYS ? 0 : -1;
			break;
		}
		t1 = rdtsc_ordered();
		if (rc < 0)
			test_fail("benchmark op %d failed with %ld", (int)op, rc);
		samples[i] = t1 - t0;
	}
	return stats_median_u64(samples, runs);
}

void guest_main(void)
{
	uint64_t runs = bootargs_get_u64(boot_cmdline, "runs", RUNS_DEFAULT);
	uint64_t c, h, v;

	if (runs == 0 || runs > RUNS_MAX)
		test_fail("runs=%lu out of range 1..%d", (unsigned long)runs, RUNS_MAX);
	c = measure(OP_CPUID, runs);
	if (!hv.found) {
		con_printf("bench: cpuid=%lu (no hypervisor: no hypercall numbers)\n",
			   (unsigned long)c);
		test_skip("no hypervisor for the hypercall benchmarks");
	}
	h = measure(OP_HYPERCALL, runs);
	v = measure(OP_VMCALL, runs);
	con_printf("bench: median of %lu runs, TSC ticks\n", (unsigned long)runs);
	con_printf("BENCH cpuid=%lu hypercall=%lu vmcall=%lu\n", (unsigned long)c, (unsigned long)h,
		   (unsigned long)v);
	test_pass();
}
