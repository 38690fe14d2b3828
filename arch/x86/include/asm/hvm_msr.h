/* The guest MSR policy: per-vCPU MSR state Keel emulates (MTRRs) and the per-group handlers. */
#ifndef ASM_HVM_MSR_H
#define ASM_HVM_MSR_H

#include <keel/types.h>

struct vcpu;

/* MTRRs a vCPU sees: MTRRcap says this many variable ranges, fixed ranges and WC. */
#define HVM_MTRR_VAR_COUNT 8
#define HVM_MTRR_FIXED	   11 /* 1 x 64K, 2 x 16K, 8 x 4K */

#define MSR_MTRR_PHYS_BASE0   0x200 /* base 2n, mask 2n + 1 */
#define MSR_MTRR_FIX64K_00000 0x250
#define MSR_MTRR_FIX16K_80000 0x258
#define MSR_MTRR_FIX16K_A0000 0x259
#define MSR_MTRR_FIX4K_C0000  0x268 /* ... 0x26f */
#define MSR_IA32_UCODE_REV    0x8b

/* Power-on values Keel gives each vCPU (see msr_mtrr.c for why). */
#define HVM_PAT_POWER_ON	0x0007040600070406ULL
#define HVM_MTRR_DEF_TYPE_RESET ((1ULL << 11) | 6) /* MTRRs enabled, default write-back */
#define HVM_MTRR_FIXED_RESET	0x0606060606060606ULL

/* The MSR state Keel keeps for a vCPU (IA32_PAT lives in the VMCS/VMCB). */
struct hvm_vcpu_msrs {
	u64 mtrr_def_type;
	u64 mtrr_fixed[HVM_MTRR_FIXED];
	u64 mtrr_var[HVM_MTRR_VAR_COUNT][2]; /* base, mask */
};

/* Reset @v's emulated MSRs to their power-on values (vCPU creation and every PVH (re)start). */
void hvm_msr_reset(struct vcpu *v);

/*
 * The groups msr.c dispatches to. Each returns 1 when @msr is not its own, else 0 or -EPERM
 * (the guest gets #GP).
 */
int hvm_msr_mtrr_read(struct vcpu *v, u32 msr, u64 *val);
int hvm_msr_mtrr_write(struct vcpu *v, u32 msr, u64 val);

#endif
