/* Which CR4 values a guest may load: every bit against its domain's CPUID, plus the mode rules. */
#include <asm/cpu.h>
#include <asm/cpuid_bits.h>
#include <asm/hvm_emul.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

/* CR3 bits that must be zero to set CR4.PCIDE. */
#define CR3_PCID_MASK 0xfffULL

/* Bits whose value never needs Keel's attention once the CPUID offers them. */
#define CR4_ALWAYS_SAFE (CR4_PGE | CR4_TSD | CR4_PCE)

u64 hvm_cr4_valid_bits(struct vcpu *v)
{
	struct cpuid_regs l1, l7;
	u64 bits = CR4_PCE; /* RDPMC exits and raises #GP whatever PCE says */

	hvm_cpuid(v, 1, 0, &l1);
	hvm_cpuid(v, 7, 0, &l7); /* all zero when the policy ends below leaf 7 */
	if (l1.edx & LEAF1_EDX_VME)
		bits |= CR4_VME | CR4_PVI;
	if (l1.edx & LEAF1_EDX_TSC)
		bits |= CR4_TSD;
	if (l1.edx & LEAF1_EDX_DE)
		bits |= CR4_DE;
	if (l1.edx & LEAF1_EDX_PSE)
		bits |= CR4_PSE;
	if (l1.edx & LEAF1_EDX_PAE)
		bits |= CR4_PAE;
	if (l1.edx & LEAF1_EDX_MCE)
		bits |= CR4_MCE;
	if (l1.edx & LEAF1_EDX_PGE)
		bits |= CR4_PGE;
	if (l1.edx & LEAF1_EDX_FXSR)
		bits |= CR4_OSFXSR;
	if (l1.edx & LEAF1_EDX_SSE)
		bits |= CR4_OSXMMEXCPT;
	if (l1.ecx & LEAF1_ECX_PCID)
		bits |= CR4_PCIDE;
	if (l1.ecx & LEAF1_ECX_XSAVE)
		bits |= CR4_OSXSAVE;
	if (l7.ebx & LEAF7_EBX_FSGSBASE)
		bits |= CR4_FSGSBASE;
	if (l7.ebx & LEAF7_EBX_SMEP)
		bits |= CR4_SMEP;
	if (l7.ebx & LEAF7_EBX_SMAP)
		bits |= CR4_SMAP;
	if (l7.ecx & LEAF7_ECX_UMIP)
		bits |= CR4_UMIP;
	if (l7.ecx & LEAF7_ECX_PKU)
		bits |= CR4_PKE;
	if (l7.ecx & LEAF7_ECX_LA57)
		bits |= CR4_LA57;
	/*
	 * Never: VMXE (no nested VT-x), SMXE, and the bits of features no CPUID leaf here offers
	 * (key locker, CET, PKS, user interrupts, LAM, FRED, ...).
	 */
	return bits;
}

u64 hvm_cr4_guest_owned(struct vcpu *v)
{
	return hvm_cr4_valid_bits(v) & CR4_ALWAYS_SAFE;
}

int hvm_cr4_check(struct vcpu *v, u64 old, u64 val, u64 efer, u64 cr3)
{
	bool long_mode = efer & EFER_LMA;

	if (val & ~hvm_cr4_valid_bits(v))
		return -EPERM;
	/* In IA-32e mode PAE stays on and the paging depth (LA57) cannot change. */
	if (long_mode && (!(val & CR4_PAE) || ((val ^ old) & CR4_LA57)))
		return -EPERM;
	/* PCIDs exist only in IA-32e mode, and are turned on only while CR3 names PCID 0. */
	if ((val & CR4_PCIDE) && !long_mode)
		return -EPERM;
	if ((val & CR4_PCIDE) && !(old & CR4_PCIDE) && (cr3 & CR3_PCID_MASK))
		return -EPERM;
	return 0;
}
