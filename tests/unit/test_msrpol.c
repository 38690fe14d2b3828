/* Unit tests for the guest MSR policy: each MSR's answer, reserved bits, and agreement with CPUID. */
#include <asm/cpu.h>
#include <asm/cpuid_bits.h>
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
#include <asm/hvm_msr.h>
#include <asm/spec_ctrl.h>
#include <asm/x86_defs.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define EDX_MCE		     (1u << 7)
#define EDX_MTRR	     (1u << 12)
#define EDX_MCA		     (1u << 14)
#define LEAF7_EBX_TSC_ADJUST (1u << 1)

struct spec_policy spec_policy;

static struct domain dom;
static struct vcpu vcpu;
static u64 vmcs_pat, vmcs_efer, vmcs_debugctl;

static u64 fake_get_cr(struct vcpu *v, int cr)
{
	(void)v;
	(void)cr;
	return 0;
}
static u64 fake_get_pat(struct vcpu *v)
{
	assert_ptr_equal(v, &vcpu);
	return vmcs_pat;
}
static void fake_set_pat(struct vcpu *v, u64 val)
{
	assert_ptr_equal(v, &vcpu);
	vmcs_pat = val;
}
static u64 fake_get_efer(struct vcpu *v)
{
	(void)v;
	return vmcs_efer;
}
static u64 fake_get_debugctl(struct vcpu *v)
{
	(void)v;
	return vmcs_debugctl;
}
static void fake_set_debugctl(struct vcpu *v, u64 val)
{
	(void)v;
	vmcs_debugctl = val;
}
static const struct hvm_vendor_ops fake_ops = {
    .name = "fake",
    .get_cr = fake_get_cr,
    .get_efer = fake_get_efer,
    .get_debugctl = fake_get_debugctl,
    .set_debugctl = fake_set_debugctl,
    .get_pat = fake_get_pat,
    .set_pat = fake_set_pat,
};
const struct hvm_vendor_ops *hvm_ops = &fake_ops;

int hvm_write_hypercall_page(struct vcpu *v, u64 gpa)
{
	(void)v;
	return gpa == 0x5000 ? 0 : -EFAULT;
}

static int setup(void **state)
{
	(void)state;
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&spec_policy, 0, sizeof(spec_policy));
	vcpu.domain = &dom;
	vcpu.arch.xcr0 = 1;
	vmcs_pat = HVM_PAT_POWER_ON;
	vmcs_efer = 0x500;
	vmcs_debugctl = 0;
	hvm_msr_reset(&vcpu);
	return 0;
}

static u64 rd(u32 msr)
{
	u64 val = 0xdeadbeef;

	assert_int_equal(hvm_msr_read(&vcpu, msr, &val), 0);
	return val;
}

static void gp_read(u32 msr)
{
	u64 val;

	assert_int_equal(hvm_msr_read(&vcpu, msr, &val), -EPERM);
}

static int wr(u32 msr, u64 val)
{
	return hvm_msr_write(&vcpu, msr, val);
}

static unsigned int maxphyaddr(void)
{
	struct cpuid_regs r;

	hvm_cpuid(&vcpu, 0x80000000u, 0, &r);
	if (r.eax < 0x80000008u)
		return 36;
	hvm_cpuid(&vcpu, 0x80000008u, 0, &r);
	return r.eax & 0xff;
}

static void test_mtrr_cap_and_cpuid(void **state)
{
	struct cpuid_regs r;

	(void)state;
	hvm_cpuid(&vcpu, 1, 0, &r);
	assert_true(r.edx & EDX_MTRR);
	assert_int_equal(rd(MSR_IA32_MTRRCAP), HVM_MTRR_VAR_COUNT | (1u << 8) | (1u << 10));
	assert_int_equal(wr(MSR_IA32_MTRRCAP, 0), -EPERM);
	/* Enabled, default write-back: Linux 6.1 keeps PAT on only with MTRRs enabled. */
	assert_int_equal(rd(MSR_IA32_MTRR_DEF_TYPE), (1u << 11) | 6);
}

static void test_mtrr_def_type(void **state)
{
	(void)state;
	assert_int_equal(wr(MSR_IA32_MTRR_DEF_TYPE, (1u << 11) | (1u << 10) | 0), 0);
	assert_int_equal(rd(MSR_IA32_MTRR_DEF_TYPE), (1u << 11) | (1u << 10));
	assert_int_equal(wr(MSR_IA32_MTRR_DEF_TYPE, 2), -EPERM);	     /* reserved type */
	assert_int_equal(wr(MSR_IA32_MTRR_DEF_TYPE, 7), -EPERM);	     /* UC- only in PAT */
	assert_int_equal(wr(MSR_IA32_MTRR_DEF_TYPE, (1u << 9) | 6), -EPERM); /* reserved bit */
	assert_int_equal(wr(MSR_IA32_MTRR_DEF_TYPE, (1ULL << 32) | 6), -EPERM);
	assert_int_equal(rd(MSR_IA32_MTRR_DEF_TYPE), (1u << 11) | (1u << 10));
	hvm_msr_reset(&vcpu);
	assert_int_equal(rd(MSR_IA32_MTRR_DEF_TYPE), (1u << 11) | 6);
}

static void test_mtrr_variable(void **state)
{
	u64 top = 1ULL << maxphyaddr();

	(void)state;
	for (u32 i = 0; i < HVM_MTRR_VAR_COUNT; i++) {
		u32 base = MSR_MTRR_PHYS_BASE0 + 2 * i;

		assert_int_equal(rd(base), 0);
		assert_int_equal(rd(base + 1), 0);
		assert_int_equal(wr(base, 0x80000000ULL | 1 | ((u64)i << 12)), 0);
		assert_int_equal(wr(base + 1, ((top - 1) & ~0x7ffffffULL) | (1u << 11)), 0);
	}
	for (u32 i = 0; i < HVM_MTRR_VAR_COUNT; i++) {
		u32 base = MSR_MTRR_PHYS_BASE0 + 2 * i;

		assert_int_equal(rd(base), 0x80000000ULL | 1 | ((u64)i << 12));
		assert_int_equal(rd(base + 1), ((top - 1) & ~0x7ffffffULL) | (1u << 11));
	}
	/* Reserved: types 2/3/7, bits 11:8 of the base, 10:0 of the mask, above MAXPHYADDR. */
	assert_int_equal(wr(MSR_MTRR_PHYS_BASE0, 2), -EPERM);
	assert_int_equal(wr(MSR_MTRR_PHYS_BASE0, 7), -EPERM);
	assert_int_equal(wr(MSR_MTRR_PHYS_BASE0, 0x100 | 6), -EPERM);
	assert_int_equal(wr(MSR_MTRR_PHYS_BASE0, top | 6), -EPERM);
	assert_int_equal(wr(MSR_MTRR_PHYS_BASE0 + 1, (1u << 11) | 1), -EPERM);
	assert_int_equal(wr(MSR_MTRR_PHYS_BASE0 + 1, top | (1u << 11)), -EPERM);
	assert_int_equal(rd(MSR_MTRR_PHYS_BASE0), 0x80000000ULL | 1);
	/* Past the advertised count: not an MSR. */
	gp_read(MSR_MTRR_PHYS_BASE0 + 2 * HVM_MTRR_VAR_COUNT);
	assert_int_equal(wr(MSR_MTRR_PHYS_BASE0 + 2 * HVM_MTRR_VAR_COUNT, 0), -EPERM);
}

/* A different valid value for each fixed-range MSR (every byte a valid type). */
static u64 fixed_value(unsigned int i)
{
	static const u8 types[] = {0, 1, 4, 5, 6};

	return 0x0000040506000106ULL | ((u64)types[i % 5] << 56) | ((u64)types[(i / 5) % 5] << 48);
}

static void test_mtrr_fixed(void **state)
{
	static const u32 fixed[] = {0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
				    0x26b, 0x26c, 0x26d, 0x26e, 0x26f};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(fixed); i++) {
		assert_int_equal(rd(fixed[i]), HVM_MTRR_FIXED_RESET);
		assert_int_equal(wr(fixed[i], fixed_value(i)), 0);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(fixed); i++)
		assert_int_equal(rd(fixed[i]), fixed_value(i));
	assert_int_equal(wr(0x250, 0x0606060606060602ULL), -EPERM);
	assert_int_equal(wr(0x26f, 0x0706060606060606ULL), -EPERM);
	gp_read(0x251);
	gp_read(0x25a);
	gp_read(0x267);
	gp_read(0x270);
}

static void test_pat(void **state)
{
	(void)state;
	assert_int_equal(rd(MSR_PAT), 0x0007040600070406ULL);
	assert_int_equal(wr(MSR_PAT, 0x0007010600070106ULL), 0); /* Linux's WC layout */
	assert_int_equal(vmcs_pat, 0x0007010600070106ULL);	 /* into the VMCS: it applies */
	assert_int_equal(rd(MSR_PAT), 0x0007010600070106ULL);
	assert_int_equal(wr(MSR_PAT, 0x0007010600070102ULL), -EPERM);
	assert_int_equal(wr(MSR_PAT, 0x0307010600070106ULL), -EPERM);
	assert_int_equal(wr(MSR_PAT, 0x0807010600070106ULL), -EPERM);
	assert_int_equal(vmcs_pat, 0x0007010600070106ULL);
}

static void test_machine_check_hidden(void **state)
{
	struct cpuid_regs r;

	(void)state;
	hvm_cpuid(&vcpu, 1, 0, &r);
	assert_int_equal(r.edx & (EDX_MCE | EDX_MCA), 0);
	assert_int_equal(hvm_cr4_valid_bits(&vcpu) & CR4_MCE, 0);
	gp_read(0x179); /* MCG_CAP */
	gp_read(0x17a); /* MCG_STATUS */
	gp_read(0x17b); /* MCG_CTL */
	gp_read(0x400); /* MC0_CTL */
	assert_int_equal(wr(0x17a, 0), -EPERM);
	assert_int_equal(wr(0x400, ~0ULL), -EPERM);
}

static void test_misc_enable_and_feature_control(void **state)
{
	u64 misc;

	(void)state;
	misc = rd(MSR_IA32_MISC_ENABLE);
	assert_true(misc & 1);			  /* fast strings */
	assert_int_equal(misc & (1ULL << 22), 0); /* limit CPUID maxval */
	assert_int_equal(misc & (1ULL << 34), 0); /* XD disable */
	assert_int_equal(misc & (1ULL << 18), 0); /* MONITOR/MWAIT: hidden in CPUID */
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, misc), 0);
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, misc | (1ULL << 22)), -EPERM);
	assert_int_equal(wr(MSR_IA32_MISC_ENABLE, misc & ~1ULL), -EPERM);
	assert_int_equal(rd(MSR_FEATURE_CONTROL), 1); /* locked, no VMX in or outside SMX */
	assert_int_equal(wr(MSR_FEATURE_CONTROL, 5), -EPERM);
	assert_int_equal(wr(MSR_FEATURE_CONTROL, 1), -EPERM);
}

static void test_tsc_and_power_msrs(void **state)
{
	struct cpuid_regs r;
	u64 a, b;

	(void)state;
	a = rdtsc();
	b = rd(MSR_IA32_TSC);
	assert_true(b >= a && b <= rdtsc());
	assert_int_equal(wr(MSR_IA32_TSC, b), -EPERM);
	gp_read(0x3b); /* TSC_ADJUST, hidden in CPUID */
	hvm_cpuid(&vcpu, 0, 0, &r);
	if (r.eax >= 7) {
		hvm_cpuid(&vcpu, 7, 0, &r);
		assert_int_equal(r.ebx & LEAF7_EBX_TSC_ADJUST, 0);
	}
	hvm_cpuid(&vcpu, 6, 0, &r);
	assert_int_equal(r.ecx & 1, 0); /* no APERF/MPERF ... */
	gp_read(0xe7);			/* ... and they #GP */
	gp_read(0xe8);
	gp_read(MSR_PLATFORM_INFO);
	assert_int_equal(rd(MSR_IA32_UCODE_REV), 0);
	assert_int_equal(wr(MSR_IA32_UCODE_REV, 0), 0);
	assert_int_equal(wr(MSR_IA32_UCODE_REV, 1), -EPERM);
}

static void test_speculation(void **state)
{
	struct cpuid_regs r;

	(void)state;
	gp_read(0x48); /* SPEC_CTRL */
	assert_int_equal(wr(0x48, 0), -EPERM);
	assert_int_equal(wr(MSR_PRED_CMD, 1), -EPERM);
	assert_int_equal(wr(MSR_FLUSH_CMD, 1), -EPERM);
	gp_read(MSR_ARCH_CAPABILITIES); /* host without it */
	spec_policy.guest_has_arch_caps = true;
	spec_policy.guest_arch_caps = ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO;
	assert_int_equal(rd(MSR_ARCH_CAPABILITIES), ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO);
	assert_int_equal(wr(MSR_ARCH_CAPABILITIES, 0), -EPERM);
	hvm_cpuid(&vcpu, 0, 0, &r);
	if (r.eax >= 7) {
		hvm_cpuid(&vcpu, 7, 0, &r);
		assert_int_equal(r.edx & (CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_STIBP |
					  CPUID7_EDX_L1D_FLUSH | (1u << 31)),
				 0);
	}
}

static void test_amd_and_unknown(void **state)
{
	static const u32 gp[] = {0xc0010015, 0xc0010114, 0xc0011020, 0xc001102a, 0x12345,
				 0x40000001, 0x1b0,	 0x140,	     0x33,	 0xcf};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(gp); i++) {
		gp_read(gp[i]);
		assert_int_equal(wr(gp[i], 0), -EPERM);
	}
}

static void test_existing(void **state)
{
	(void)state;
	assert_int_equal(rd(MSR_EFER), 0x500);
	assert_int_equal(wr(MSR_IA32_DEBUGCTL, 2), 0);
	assert_int_equal(vmcs_debugctl, 2);
	assert_int_equal(wr(MSR_IA32_DEBUGCTL, 1), -EPERM);
	assert_int_equal(wr(HYPERCALL_PAGE_MSR, 0x5000), 0);
	assert_int_equal(wr(HYPERCALL_PAGE_MSR, 0x5001), -EPERM);
	assert_int_equal(wr(HYPERCALL_PAGE_MSR, 0x6000), -EPERM);
	assert_int_equal(wr(MSR_TSC_AUX, 1ULL << 32), -EPERM);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_mtrr_cap_and_cpuid),
	    T(test_mtrr_def_type),
	    T(test_mtrr_variable),
	    T(test_mtrr_fixed),
	    T(test_pat),
	    T(test_machine_check_hidden),
	    T(test_misc_enable_and_feature_control),
	    T(test_tsc_and_power_msrs),
	    T(test_speculation),
	    T(test_amd_and_unknown),
	    T(test_existing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
