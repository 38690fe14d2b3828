/* Test guest msr_gp: RDMSR/WRMSR of an unknown MSR raise #GP inside the guest. */
#include "console.h"
#include "hypercall.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

const char guest_name[] = "msr_gp";

#define UNKNOWN_MSR 0x12345u

void guest_main(void)
{
	uint64_t val = 0;
	int v;

	v = try_rdmsr(UNKNOWN_MSR, &val);
	if (v != X86_EXC_GP && !hv.found)
		test_skip("no hypervisor, and this CPU (e.g. QEMU TCG) does not fault on MSR %#x",
			  UNKNOWN_MSR);
	if (v != X86_EXC_GP)
		test_fail("rdmsr(%#x) raised %d, expected #GP (13); value %#lx", UNKNOWN_MSR, v,
			  (unsigned long)val);
	con_printf("msr_gp: rdmsr(%#x) -> #GP error %#lx\n", UNKNOWN_MSR,
		   (unsigned long)trap_try.error_code);

	v = try_wrmsr(UNKNOWN_MSR, 0x1122334455667788ull);
	if (v != X86_EXC_GP)
		test_fail("wrmsr(%#x) raised %d, expected #GP (13)", UNKNOWN_MSR, v);
	con_printf("msr_gp: wrmsr(%#x) -> #GP error %#lx\n", UNKNOWN_MSR,
		   (unsigned long)trap_try.error_code);

	/* A real MSR still works afterwards: EFER has LME and LMA set in long mode. */
	v = try_rdmsr(X86_EFER_MSR, &val);
	if (v >= 0)
		test_fail("rdmsr(EFER) raised vector %d", v);
	if ((val & (X86_EFER_LME | X86_EFER_LMA)) != (X86_EFER_LME | X86_EFER_LMA))
		test_fail("EFER %#lx lacks LME|LMA", (unsigned long)val);
	con_printf("msr_gp: rdmsr(EFER) = %#lx\n", (unsigned long)val);
	test_pass();
}
