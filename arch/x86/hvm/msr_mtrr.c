/* Guest memory-type MSRs: MTRRcap, MTRRdefType, the variable and fixed ranges, and IA32_PAT. */
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
#include <asm/hvm_msr.h>
#include <asm/x86_defs.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/vcpu.h>

/*
 * What a vCPU is told: 8 variable ranges, the fixed ranges and write-combining, no SMRR.
 * The values are only stored: guest memory is RAM mapped write-back by the EPT without
 * "ignore PAT", so the effective type is the guest's PAT (loaded into the CPU on every VM
 * entry from the VMCS) over write-back. Linux 6.1 turns PAT off when it finds MTRRs missing
 * or disabled, so MTRRs must be offered, and enabled with write-back as the default type.
 */
#define MTRRCAP_FIX (1ULL << 8)
#define MTRRCAP_WC  (1ULL << 10)
#define MTRRCAP	    (HVM_MTRR_VAR_COUNT | MTRRCAP_FIX | MTRRCAP_WC)

#define DEF_TYPE_BITS  (0xffULL | (1ULL << 10) | (1ULL << 11)) /* type, FE, E */
#define VAR_BASE_LOW   0xffULL				       /* type; bits 11:8 reserved */
#define VAR_MASK_VALID (1ULL << 11)			       /* bits 10:0 reserved */

/* Memory types an MTRR may hold: UC, WC, WT, WP, WB (2, 3 and 7 and above are reserved). */
static bool mtrr_type_ok(u64 t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

/* PAT entries may also be UC- (7). */
static bool pat_type_ok(u64 t)
{
	return mtrr_type_ok(t) || t == 7;
}

/* Bits above the guest's MAXPHYADDR are reserved in the range base and mask registers. */
static u64 phys_addr_mask(struct vcpu *v)
{
	struct cpuid_regs r;
	unsigned int bits = 36;

	hvm_cpuid(v, 0x80000000u, 0, &r);
	if (r.eax >= 0x80000008u) {
		hvm_cpuid(v, 0x80000008u, 0, &r);
		if ((r.eax & 0xff) >= 32 && (r.eax & 0xff) <= 52)
			bits = r.eax & 0xff;
	}
	return (1ULL << bits) - 1;
}

/* Index into mtrr_fixed[] of a fixed-range MSR, or -1. */
static int fixed_index(u32 msr)
{
	if (msr == MSR_MTRR_FIX64K_00000)
		return 0;
	if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000)
		return 1 + (int)(msr - MSR_MTRR_FIX16K_80000);
	if (msr >= MSR_MTRR_FIX4K_C0000 && msr < MSR_MTRR_FIX4K_C0000 + 8)
		return 3 + (int)(msr - MSR_MTRR_FIX4K_C0000);
	return -1;
}

static bool is_var(u32 msr)
{
	return msr >= MSR_MTRR_PHYS_BASE0 && msr < MSR_MTRR_PHYS_BASE0 + 2 * HVM_MTRR_VAR_COUNT;
}

static bool bytes_ok(u64 val, bool (*ok)(u64))
{
	for (unsigned int i = 0; i < 8; i++)
		if (!ok((val >> (i * 8)) & 0xff))
			return false;
	return true;
}

void hvm_msr_reset(struct vcpu *v)
{
	struct hvm_vcpu_msrs *m = &v->arch.msrs;

	memset(m, 0, sizeof(*m));
	m->mtrr_def_type = HVM_MTRR_DEF_TYPE_RESET;
	for (unsigned int i = 0; i < HVM_MTRR_FIXED; i++)
		m->mtrr_fixed[i] = HVM_MTRR_FIXED_RESET;
}

int hvm_msr_mtrr_read(struct vcpu *v, u32 msr, u64 *val)
{
	const struct hvm_vcpu_msrs *m = &v->arch.msrs;
	int fix = fixed_index(msr);

	if (fix >= 0) {
		*val = m->mtrr_fixed[fix];
		return 0;
	}
	if (is_var(msr)) {
		u32 n = msr - MSR_MTRR_PHYS_BASE0;

		*val = m->mtrr_var[n / 2][n % 2];
		return 0;
	}
	switch (msr) {
	case MSR_IA32_MTRRCAP:
		*val = MTRRCAP;
		return 0;
	case MSR_IA32_MTRR_DEF_TYPE:
		*val = m->mtrr_def_type;
		return 0;
	case MSR_PAT:
		*val = hvm_ops->get_pat(v);
		return 0;
	default:
		return 1;
	}
}

int hvm_msr_mtrr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct hvm_vcpu_msrs *m = &v->arch.msrs;
	int fix = fixed_index(msr);

	if (fix >= 0) {
		if (!bytes_ok(val, mtrr_type_ok))
			return -EPERM;
		m->mtrr_fixed[fix] = val;
		return 0;
	}
	if (is_var(msr)) {
		u32 n = msr - MSR_MTRR_PHYS_BASE0;
		u64 allowed =
		    (phys_addr_mask(v) & ~0xfffULL) | (n % 2 ? VAR_MASK_VALID : VAR_BASE_LOW);

		if ((val & ~allowed) || (n % 2 == 0 && !mtrr_type_ok(val & 0xff)))
			return -EPERM;
		m->mtrr_var[n / 2][n % 2] = val;
		return 0;
	}
	switch (msr) {
	case MSR_IA32_MTRRCAP:
		return -EPERM; /* read-only */
	case MSR_IA32_MTRR_DEF_TYPE:
		if ((val & ~DEF_TYPE_BITS) || !mtrr_type_ok(val & 0xff))
			return -EPERM;
		m->mtrr_def_type = val;
		return 0;
	case MSR_PAT:
		if (!bytes_ok(val, pat_type_ok))
			return -EPERM;
		hvm_ops->set_pat(v, val);
		return 0;
	default:
		return 1;
	}
}
