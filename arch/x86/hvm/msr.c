/* Guest MSR accesses that exit: a deliberate answer per MSR Linux touches; anything else is #GP. */
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
#include <asm/hvm_msr.h>
#include <asm/spec_ctrl.h>
#include <asm/vlapic.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

/*
 * The answers, group by group (each decision is matched by the CPUID policy in cpuid.c):
 * - MTRRs and IA32_PAT: msr_mtrr.c.
 * - Machine check: MCE and MCA are hidden in CPUID, so IA32_MCG_CAP/STATUS/CTL and the bank
 *   MSRs are #GP like any unknown MSR. Keel takes machine checks itself (#MC exits, CR4.MCE
 *   stays on underneath the guest); a guest with banks reading 0 would learn nothing more.
 * - IA32_MISC_ENABLE: fast strings on, BTS and PEBS unavailable; every other bit 0 (so
 *   "limit CPUID maxval" and "XD disable" read clear). A write may not change it.
 * - IA32_FEATURE_CONTROL: locked, VMX and SMX off (both hidden in CPUID); writes #GP.
 * - IA32_TSC: reads the TSC the guest's RDTSC sees (the host's: offset 0). A write is #GP:
 *   the PV clock's tsc_timestamp is the host TSC, shared by every vCPU, and a per-vCPU offset
 *   would break its TSC_STABLE promise. TSC_ADJUST is hidden in CPUID, so it is #GP too.
 * - IA32_ARCH_CAPABILITIES: when the host has it, offered read-only with only the "not
 *   affected" bits (spec_policy.guest_arch_caps), so a guest skips mitigations the CPU does
 *   not need. SPEC_CTRL, PRED_CMD and FLUSH_CMD stay hidden (#GP): offering them needs the
 *   guest's SPEC_CTRL switched at every exit. Keel itself does IBPB between domains and the
 *   L1D flush or VERW before VM entry (arch/x86/cpu/spec_ctrl.c).
 * - IA32_UCODE_REV: Linux writes 0 then reads it; it reads 0 (no microcode level to report).
 * - MSR_PLATFORM_INFO (0xCE), APERF/MPERF (0xE7/0xE8, CPUID.6 is all zero), the AMD K7/K8
 *   ranges and everything else: #GP.
 */
#define DEBUGCTL_BTF	     (1ULL << 1) /* the only IA32_DEBUGCTL bit offered (no LBR/BTS/PMU) */
#define MISC_ENABLE_FAST_STR (1ULL << 0)
#define MISC_ENABLE_NO_BTS   (1ULL << 11)
#define MISC_ENABLE_NO_PEBS  (1ULL << 12)
#define MISC_ENABLE_VALUE    (MISC_ENABLE_FAST_STR | MISC_ENABLE_NO_BTS | MISC_ENABLE_NO_PEBS)
#define FEATURE_CONTROL_LOCK (1ULL << 0)

/* MSRs whose answer needs no per-vCPU state. 1: not one of them. */
static int fixed_read(struct vcpu *v, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_IA32_TSC:
		*val = rdtsc();
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE_VALUE;
		return 0;
	case MSR_FEATURE_CONTROL:
		*val = FEATURE_CONTROL_LOCK;
		return 0;
	case MSR_IA32_UCODE_REV:
		*val = 0;
		return 0;
	case MSR_ARCH_CAPABILITIES:
		if (!spec_policy.guest_has_arch_caps)
			return -EPERM;
		*val = spec_policy.guest_arch_caps;
		return 0;
	default:
		(void)v;
		return 1;
	}
}

int hvm_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	int rc = vlapic_msr_read(v, msr, val); /* APIC_BASE, x2APIC, TSC deadline */

	if (rc != -ENOENT)
		return rc;
	rc = hvm_msr_mtrr_read(v, msr, val);
	if (rc != 1)
		return rc;
	rc = fixed_read(v, msr, val);
	if (rc != 1)
		return rc;
	switch (msr) {
	case MSR_EFER:
		*val = hvm_ops->get_efer(v);
		return 0;
	case MSR_TSC_AUX:
		*val = v->arch.msr_tsc_aux;
		return 0;
	case MSR_IA32_DEBUGCTL:
		*val = hvm_ops->get_debugctl(v);
		return 0;
	default:
		return -EPERM;
	}
}

int hvm_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	int rc = vlapic_msr_write(v, msr, val); /* APIC_BASE, x2APIC, TSC deadline */

	if (rc != -ENOENT)
		return rc;
	rc = hvm_msr_mtrr_write(v, msr, val);
	if (rc != 1)
		return rc;
	switch (msr) {
	case MSR_EFER:
		return hvm_ops->set_efer(v, val) ? -EPERM : 0;
	case HYPERCALL_PAGE_MSR:
		if (val & 0xfff)
			return -EPERM; /* one page only: index 0 */
		return hvm_write_hypercall_page(v, val & ~0xfffULL) ? -EPERM : 0;
	case MSR_TSC_AUX:
		if (val >> 32)
			return -EPERM;
		v->arch.msr_tsc_aux = val;
		wrmsr(MSR_TSC_AUX, val); /* this vCPU is the one loaded on this CPU */
		return 0;
	case MSR_IA32_DEBUGCTL:
		if (val & ~DEBUGCTL_BTF)
			return -EPERM;
		hvm_ops->set_debugctl(v, val);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		return val == MISC_ENABLE_VALUE ? 0 : -EPERM;
	case MSR_IA32_UCODE_REV:
		return val == 0 ? 0 : -EPERM; /* the "clear, then CPUID" step before a read */
	default:
		return -EPERM; /* read-only ones included: IA32_TSC, FEATURE_CONTROL, ... */
	}
}
