/* Guest MSR accesses that exit: an allow list; anything else raises #GP in the guest. */
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

#define MTRR_DEF_TYPE_WB_ENABLED ((1ULL << 11) | 6) /* MTRRs on, default type write-back */
/*
 * IA32_DEBUGCTL is per-vCPU state kept by the vendor (VMCS). Of its bits only BTF (single-step
 * on branches) is offered: LBR, BTS and the PMU freezes need MSRs and a PMU guests do not have.
 */
#define DEBUGCTL_BTF (1ULL << 1)

int hvm_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_EFER:
		*val = hvm_ops->get_efer(v);
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc();
		return 0;
	case MSR_APIC_BASE:
		/* The default xAPIC base, enabled; the BSP flag on vCPU 0. */
		*val = 0xfee00000ULL | (1ULL << 11) | (v->id == 0 ? 1ULL << 8 : 0);
		return 0;
	case MSR_IA32_MTRRCAP:
		*val = 0; /* no variable or fixed ranges, no WC */
		return 0;
	case MSR_IA32_MTRR_DEF_TYPE:
		*val = MTRR_DEF_TYPE_WB_ENABLED;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = 1ULL << 0; /* fast strings */
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
	case MSR_IA32_MTRR_DEF_TYPE:
		return val == MTRR_DEF_TYPE_WB_ENABLED ? 0 : -EPERM;
	case MSR_IA32_DEBUGCTL:
		if (val & ~DEBUGCTL_BTF)
			return -EPERM;
		hvm_ops->set_debugctl(v, val);
		return 0;
	case MSR_APIC_BASE: /* no virtual LAPIC to move yet: ignored */
	case MSR_IA32_MISC_ENABLE:
		return 0;
	default:
		return -EPERM;
	}
}
