/* Which CR4 values a guest may load: every bit against its domain's CPUID, plus the mode rules. */
#include <asm/cpu.h>
#include <asm/hvm_emul.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

/* CPUID.1:EDX, CPUID.1:ECX, CPUID.7.0:EBX/ECX bits that make a CR4 bit exist. */
#define L1D_VME	      (1u << 1)
#define L1D_DE	      (1u << 2)
#define L1D_PSE	      (1u << 3)
#define L1D_TSC	      (1u << 4)
#define L1D_PAE	      (1u << 6)
#define L1D_MCE	      (1u << 7)
#define L1D_PGE	      (1u << 13)
#define L1D_FXSR      (1u << 24)
#define L1D_SSE	      (1u << 25)
#define L1C_PCID      (1u << 17)
#define L1C_XSAVE     (1u << 26)
#define L7B_FSGSBASE  (1u << 0)
#define L7B_SMEP      (1u << 7)
#define L7B_SMAP      (1u << 20)
#define L7C_UMIP      (1u << 2)
#define L7C_PKU	      (1u << 3)
#define L7C_LA57      (1u << 16)
#define CR3_PCID_MASK 0xfffULL

/* Bits whose value never needs Keel's attention once the CPUID offers them. */
#define CR4_ALWAYS_SAFE (CR4_PGE | CR4_TSD | CR4_PCE)

u64 hvm_cr4_valid_bits(struct vcpu *v)
{
	struct cpuid_regs l1, l7;
	u64 bits = CR4_PCE; /* RDPMC exits and raises #GP whatever PCE says */

	hvm_cpuid(v, 1, 0, &l1);
	hvm_cpuid(v, 7, 0, &l7); /* all zero when the policy ends below leaf 7 */
	if (l1.edx & L1D_VME)
		bits |= CR4_VME | CR4_PVI;
	if (l1.edx & L1D_TSC)
		bits |= CR4_TSD;
	if (l1.edx & L1D_DE)
		bits |= CR4_DE;
	if (l1.edx & L1D_PSE)
		bits |= CR4_PSE;
	if (l1.edx & L1D_PAE)
		bits |= CR4_PAE;
	if (l1.edx & L1D_MCE)
		bits |= CR4_MCE;
	if (l1.edx & L1D_PGE)
		bits |= CR4_PGE;
	if (l1.edx & L1D_FXSR)
		bits |= CR4_OSFXSR;
	if (l1.edx & L1D_SSE)
		bits |= CR4_OSXMMEXCPT;
	if (l1.ecx & L1C_PCID)
		bits |= CR4_PCIDE;
	if (l1.ecx & L1C_XSAVE)
		bits |= CR4_OSXSAVE;
	if (l7.ebx & L7B_FSGSBASE)
		bits |= CR4_FSGSBASE;
	if (l7.ebx & L7B_SMEP)
		bits |= CR4_SMEP;
	if (l7.ebx & L7B_SMAP)
		bits |= CR4_SMAP;
	if (l7.ecx & L7C_UMIP)
		bits |= CR4_UMIP;
	if (l7.ecx & L7C_PKU)
		bits |= CR4_PKE;
	if (l7.ecx & L7C_LA57)
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
