/* Guest library: CPUID signature scan and the three ways of entering the hypervisor. */
#include "hypercall.h"
#include "x86.h"

#include <public/cpuid.h>

struct hv_info hv;
uint8_t hypercall_page[4096] __attribute__((aligned(4096)));

int hv_detect(void)
{
	for (uint32_t base = HV_CPUID_BASE_FIRST; base <= HV_CPUID_BASE_LAST;
	     base += HV_CPUID_BASE_STEP) {
		struct cpuid_regs r = cpuid(base);

		if (r.ebx != HV_CPUID_SIG_EBX || r.ecx != HV_CPUID_SIG_ECX ||
		    r.edx != HV_CPUID_SIG_EDX)
			continue;
		if (r.eax < base + HV_CPUID_LEAF_MIN_MAX || r.eax > base + 0xff)
			continue;
		hv.found = 1;
		hv.base = base;
		hv.max_leaf = r.eax;
		hv.version = cpuid(base + HV_CPUID_LEAF_VERSION).eax;
		r = cpuid(base + HV_CPUID_LEAF_HYPERCALL);
		hv.hypercall_pages = r.eax;
		hv.hypercall_msr = r.ebx;
		hv.mode = HV_CALL_VMCALL;
		return 1;
	}
	return 0;
}

uint32_t hv_cpuid(uint32_t offset, uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
	struct cpuid_regs r = {0, 0, 0, 0};

	if (hv.found && hv.base + offset <= hv.max_leaf)
		r = cpuid(hv.base + offset);
	if (ebx)
		*ebx = r.ebx;
	if (ecx)
		*ecx = r.ecx;
	if (edx)
		*edx = r.edx;
	return r.eax;
}

int hv_vcpu_id(void)
{
	uint32_t id;

	if (!(hv_cpuid(HV_CPUID_LEAF_HVM, &id, 0, 0) & HV_CPUID_HVM_VCPU_ID_PRESENT))
		return -1;
	return (int)id;
}

void hv_install_hypercall_page(void)
{
	wrmsr(hv.hypercall_msr, (uint64_t)(uintptr_t)hypercall_page);
}

/*
 * The hypervisor may clobber argument registers: all five are in/out operands. RCX and R11
 * are listed as clobbered as well, to be safe against a SYSCALL-style convention.
 */
#define HYPERCALL_ASM(insn)                                                         \
	register uint64_t r10 asm("r10") = a4;                                      \
	register uint64_t r8 asm("r8") = a5;                                        \
	long ret;                                                                   \
	asm volatile(insn                                                           \
		     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8) \
		     : "0"(nr)                                                      \
		     : "memory", "cc", "rcx", "r11");                               \
	return ret

long hypercall_vmcall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	HYPERCALL_ASM("vmcall");
}

long hypercall_vmmcall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	HYPERCALL_ASM(".byte 0x0f, 0x01, 0xd9");
}

long hypercall_via_page(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			uint64_t a5)
{
	register uint64_t r10 asm("r10") = a4;
	register uint64_t r8 asm("r8") = a5;
	uint64_t slot = (uint64_t)(uintptr_t)hypercall_page + nr * HYPERCALL_PAGE_SLOT_SIZE;
	long ret;

	if (nr >= HYPERCALL_PAGE_SLOTS)
		return hypercall_vmcall(nr, a1, a2, a3, a4, a5);
	/* The slot loads EAX itself; RAX is clobbered. */
	asm volatile("call *%[slot]"
		     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
		     : [slot] "r"(slot)
		     : "memory", "cc", "rcx", "r11", "r9");
	return ret;
}

long hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	switch (hv.mode) {
	case HV_CALL_PAGE:
		return hypercall_via_page(nr, a1, a2, a3, a4, a5);
	case HV_CALL_VMMCALL:
		return hypercall_vmmcall(nr, a1, a2, a3, a4, a5);
	case HV_CALL_VMCALL:
	default:
		return hypercall_vmcall(nr, a1, a2, a3, a4, a5);
	}
}
