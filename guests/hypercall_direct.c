/* Test guest hypercall_direct: xen_version through direct vmcall and through vmmcall. */
#include "console.h"
#include "hypercall.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

#include <public/errno.h>
#include <public/version.h>

const char guest_name[] = "hypercall_direct";

void guest_main(void)
{
	uint32_t cpuid_version;
	long v1, v2;
	uint64_t rax;
	int vec;

	test_require_hv();
	cpuid_version = hv.version;

	v1 = hypercall_vmcall(HYPERCALL_xen_version, XENVER_version, 0, 0, 0, 0);
	con_printf("hypercall_direct: vmcall xen_version = %#lx (cpuid says %#x)\n", v1,
		   cpuid_version);
	if (v1 < 0)
		test_fail("vmcall xen_version(XENVER_version) returned %ld", v1);
	if ((uint32_t)v1 != cpuid_version)
		test_fail("xen_version %#lx differs from CPUID version %#x", v1, cpuid_version);

	/* vmmcall (0F 01 D9) must be a hypercall on Intel too: catch a #UD to report it. */
	vec = TRY_INSN(X86_EXC_UD, ".byte 0x0f, 0x01, 0xd9", "=a"(rax)
		       : "a"((uint64_t)HYPERCALL_xen_version), "D"((uint64_t)XENVER_version),
			 "S"(0ull)
		       : "memory", "rcx", "rdx", "r8", "r10", "r11");
	if (vec >= 0)
		test_fail("vmmcall raised #UD in the guest instead of being a hypercall");
	v2 = (long)rax;
	con_printf("hypercall_direct: vmmcall xen_version = %#lx\n", v2);
	if (v2 != v1)
		test_fail("vmmcall xen_version %#lx, vmcall gave %#lx", v2, v1);

	/* The library's vmmcall path, and an unknown number through both instructions. */
	v2 = hypercall_vmmcall(HYPERCALL_xen_version, XENVER_version, 0, 0, 0, 0);
	if (v2 != v1)
		test_fail("hypercall_vmmcall xen_version %#lx, expected %#lx", v2, v1);
	v1 = hypercall_vmcall(99, 0, 0, 0, 0, 0);
	v2 = hypercall_vmmcall(99, 0, 0, 0, 0, 0);
	con_printf("hypercall_direct: hypercall 99 -> vmcall %ld, vmmcall %ld\n", v1, v2);
	if (v1 != -ENOSYS || v2 != -ENOSYS)
		test_fail("hypercall 99 returned %ld / %ld, expected -ENOSYS (-38)", v1, v2);

	/* The console line below goes out through vmmcall too. */
	hv.mode = HV_CALL_VMMCALL;
	con_printf("hypercall_direct: this line was written with vmmcall\n");
	test_pass();
}
