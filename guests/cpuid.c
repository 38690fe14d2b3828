/* Test guest cpuid: the hypervisor CPUID leaves (signature, version, hypercall MSR, flags). */
#include "console.h"
#include "hypercall.h"
#include "test.h"
#include "x86.h"

#include <public/cpuid.h>

const char guest_name[] = "cpuid";

void guest_main(void)
{
	struct cpuid_regs r = cpuid(1);
	uint32_t eax, ebx, ecx, edx, flags;
	unsigned int found = 0;

	test_require_hv();
	if (!(r.ecx & CPUID1_ECX_HYPERVISOR))
		test_fail("CPUID.1:ECX[31] (hypervisor) is clear: ecx %#x", r.ecx);
	con_printf("cpuid: CPUID.1:ECX = %#x, hypervisor bit set\n", r.ecx);

	/* Exactly one base in the scan range carries the signature. */
	for (uint32_t base = HV_CPUID_BASE_FIRST; base <= HV_CPUID_BASE_LAST;
	     base += HV_CPUID_BASE_STEP) {
		r = cpuid(base);
		if (r.ebx == HV_CPUID_SIG_EBX && r.ecx == HV_CPUID_SIG_ECX &&
		    r.edx == HV_CPUID_SIG_EDX)
			found++;
	}
	if (found != 1)
		test_fail("signature XenVMMXenVMM found at %u bases, expected 1", found);
	r = cpuid(hv.base);
	con_printf("cpuid: base %#x: max leaf %#x, signature %.4s%.4s%.4s\n", hv.base, r.eax,
		   (const char *)&r.ebx, (const char *)&r.ecx, (const char *)&r.edx);
	if (r.eax < hv.base + HV_CPUID_LEAF_MIN_MAX)
		test_fail("max leaf %#x < base + 2", r.eax);

	eax = hv_cpuid(HV_CPUID_LEAF_VERSION, &ebx, &ecx, &edx);
	con_printf("cpuid: version leaf: %u.%u\n", HV_CPUID_VERSION_MAJOR(eax),
		   HV_CPUID_VERSION_MINOR(eax));
	if (HV_CPUID_VERSION_MAJOR(eax) < 4)
		test_fail("version major %u < 4 (eax %#x)", HV_CPUID_VERSION_MAJOR(eax), eax);

	eax = hv_cpuid(HV_CPUID_LEAF_HYPERCALL, &ebx, &ecx, &edx);
	con_printf("cpuid: hypercall leaf: %u page(s), msr %#x\n", eax, ebx);
	if (eax < 1)
		test_fail("hypercall leaf reports %u hypercall pages", eax);
	if (ebx != HV_MSR_HYPERCALL_PAGE)
		test_fail("hypercall MSR %#x, expected %#x", ebx, HV_MSR_HYPERCALL_PAGE);

	if (hv.max_leaf >= hv.base + HV_CPUID_LEAF_HVM) {
		flags = hv_cpuid(HV_CPUID_LEAF_HVM, &ebx, &ecx, &edx);
		con_printf("cpuid: hvm leaf: flags %#x vcpu id %u domid %u\n", flags, ebx, ecx);
		if ((flags & HV_CPUID_HVM_VCPU_ID_PRESENT) && ebx != 0)
			test_fail("BSP reports vcpu id %u, expected 0", ebx);
	} else {
		con_printf("cpuid: no hvm leaf (max leaf %#x)\n", hv.max_leaf);
	}
	test_pass();
}
