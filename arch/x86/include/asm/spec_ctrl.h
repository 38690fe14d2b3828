/* Speculation hygiene between domains: what the CPU needs, read once at boot, applied per switch. */
#ifndef ASM_SPEC_CTRL_H
#define ASM_SPEC_CTRL_H

/* What vmx_entry.S does right before VM entry: bits of spec_entry_work. */
#define SPEC_ENTRY_L1D_FLUSH 1 /* IA32_FLUSH_CMD.L1D */
#define SPEC_ENTRY_VERW	     2 /* VERW: clear the CPU's buffers */
#define MSR_FLUSH_CMD	     0x10b
#define FLUSH_CMD_L1D	     1

#ifndef __ASSEMBLY__
#include <asm/cpu.h>
#include <keel/types.h>

/* CPUID.(EAX=7,ECX=0) bits. */
#define CPUID7_EBX_HLE	     (1u << 4)
#define CPUID7_EBX_RTM	     (1u << 11)
#define CPUID7_EDX_MD_CLEAR  (1u << 10) /* VERW clears the CPU's buffers */
#define CPUID7_EDX_IBRS_IBPB (1u << 26) /* IA32_SPEC_CTRL.IBRS and IA32_PRED_CMD.IBPB */
#define CPUID7_EDX_STIBP     (1u << 27)
#define CPUID7_EDX_L1D_FLUSH (1u << 28) /* IA32_FLUSH_CMD */
#define CPUID7_EDX_ARCH_CAPS (1u << 29) /* IA32_ARCH_CAPABILITIES */

#define MSR_PRED_CMD	      0x49
#define PRED_CMD_IBPB	      (1ULL << 0)
#define MSR_ARCH_CAPABILITIES 0x10a
#define ARCH_CAP_RDCL_NO      (1ULL << 0) /* not affected by Meltdown/L1TF */
#define ARCH_CAP_IBRS_ALL     (1ULL << 1)
#define ARCH_CAP_SKIP_L1DFL   (1ULL << 3) /* no L1D flush needed before VM entry */
#define ARCH_CAP_SSB_NO	      (1ULL << 4)
#define ARCH_CAP_MDS_NO	      (1ULL << 5)
#define ARCH_CAP_TAA_NO	      (1ULL << 8)
/* The host's bits a guest may see: each says the CPU is not affected by one attack. */
#define ARCH_CAP_GUEST_BITS (ARCH_CAP_RDCL_NO | ARCH_CAP_SSB_NO | ARCH_CAP_MDS_NO | ARCH_CAP_TAA_NO)

/* What the CPU reports: the raw inputs of the decision. */
struct spec_caps {
	u32 cpuid7_ebx, cpuid7_edx;
	u64 arch_caps; /* IA32_ARCH_CAPABILITIES, 0 when CPUID does not offer the MSR */
};

/* What Keel does about it. */
struct spec_policy {
	bool l1tf_affected, mds_affected, taa_affected;
	bool ibpb_on_switch; /* IBPB when a CPU enters a domain other than the last one it ran */
	bool l1d_flush;	     /* IA32_FLUSH_CMD.L1D before every VM entry */
	bool verw;	     /* VERW before every VM entry */
	/* What guests see: IA32_ARCH_CAPABILITIES offered (read-only) and its value. */
	bool guest_has_arch_caps;
	u64 guest_arch_caps; /* only the "not affected" bits of the host's */
};

extern struct spec_policy spec_policy;
/* SPEC_ENTRY_* from spec_policy, one byte for vmx_entry.S to test. */
extern u8 spec_entry_work;

/* The decision, from the capabilities alone (unit-tested). */
void spec_ctrl_decide(const struct spec_caps *caps, struct spec_policy *p);
/* Log one line: what the CPU offers and what Keel does. */
void spec_ctrl_report(const struct spec_caps *caps, const struct spec_policy *p);
/* On the boot CPU: read the capabilities, decide, report. */
void spec_ctrl_init(void);
/*
 * About to run a vCPU of the domain with @serial on CPU @cpu (interrupts off): IBPB if the CPU
 * last ran another domain. Returns whether it did (or would have, where IBPB is not offered).
 */
bool spec_ctrl_enter_domain(unsigned int cpu, u64 serial);

#endif /* __ASSEMBLY__ */
#endif
