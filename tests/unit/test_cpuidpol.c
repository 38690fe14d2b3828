/* Unit tests for the guest CPUID, XSAVE-component and CR4 policies, checked against the host's CPUID. */
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
#include <asm/vlapic.h>
#include <asm/xstate.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ECX_MONITOR    (1u << 3)
#define ECX_VMX	       (1u << 5)
#define ECX_SMX	       (1u << 6)
#define ECX_PCID       (1u << 17)
#define ECX_X2APIC     (1u << 21)
#define ECX_XSAVE      (1u << 26)
#define ECX_OSXSAVE    (1u << 27)
#define ECX_HYPERVISOR (1u << 31)
#define ECX_SSE3       (1u << 0)
#define ECX_FMA	       (1u << 12)
#define ECX_AVX	       (1u << 28)
#define ECX_F16C       (1u << 29)
#define EBX7_AVX2      (1u << 5)
#define EBX7_SMEP      (1u << 7)
#define EBX7_AVX512F   (1u << 16)
#define ECX7_PKU       (1u << 3)
#define ECX7_OSPKE     (1u << 4)
#define EDX_FPU	       (1u << 0)
#define EDX_TSC	       (1u << 4)
#define EDX_MCE	       (1u << 7)
#define EDX_MTRR       (1u << 12)
#define EDX_MCA	       (1u << 14)
#define EDX_ACPI       (1u << 22)
#define EDX_TM	       (1u << 29)
#define EDX_PBE	       (1u << 31)

u64 tsc_khz = 2500000; /* what the vLAPIC leaves (0x15, 0x16) derive from */
static struct domain dom;
static struct vcpu vcpu;
static u64 guest_cr4;

/* The vendor interface as the policies use it: the guest's CR4. */
static u64 fake_get_cr(struct vcpu *v, int cr)
{
	assert_ptr_equal(v, &vcpu);
	assert_int_equal(cr, 4);
	return guest_cr4;
}
static const struct hvm_vendor_ops fake_ops = {.name = "fake", .get_cr = fake_get_cr};
const struct hvm_vendor_ops *hvm_ops = &fake_ops;

static int setup(void **state)
{
	(void)state;
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu, 0, sizeof(vcpu));
	dom.id = 9;
	vcpu.id = 5;
	vcpu.domain = &dom;
	vcpu.arch.xcr0 = XSTATE_X87;
	guest_cr4 = 0;
	return 0;
}

static struct cpuid_regs guest(u32 leaf, u32 sub)
{
	struct cpuid_regs r;

	memset(&r, 0xcc, sizeof(r));
	hvm_cpuid(&vcpu, leaf, sub, &r);
	return r;
}

static struct cpuid_regs host(u32 leaf, u32 sub)
{
	struct cpuid_regs r;

	cpuid_count(leaf, sub, &r);
	return r;
}

static void assert_zero(struct cpuid_regs r)
{
	assert_int_equal(r.eax, 0);
	assert_int_equal(r.ebx, 0);
	assert_int_equal(r.ecx, 0);
	assert_int_equal(r.edx, 0);
}

static void test_xen_signature(void **state)
{
	struct cpuid_regs r = guest(0x40000000, 0);
	char sig[13];

	(void)state;
	assert_int_equal(r.eax, 0x40000004); /* the highest Xen leaf */
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	assert_string_equal(sig, "XenVMMXenVMM");
	/* Sub-leaves do not matter. */
	r = guest(0x40000000, 7);
	assert_int_equal(r.eax, 0x40000004);
}

static void test_xen_version_and_msr(void **state)
{
	struct cpuid_regs r = guest(0x40000001, 0);

	(void)state;
	assert_int_equal(r.eax >> 16, 4);
	assert_int_equal(r.eax & 0xffff, 17);
	assert_int_equal(r.ebx | r.ecx | r.edx, 0);
	r = guest(0x40000002, 0);
	assert_int_equal(r.eax, 1);	     /* one hypercall page */
	assert_int_equal(r.ebx, 0x40000000); /* written through this MSR */
	assert_int_equal(r.ecx | r.edx, 0);
	assert_zero(guest(0x40000003, 0));
}

static void test_xen_leaf4_ids(void **state)
{
	struct cpuid_regs r = guest(0x40000004, 0);

	(void)state;
	assert_true(r.eax & (1u << 3)); /* vCPU id present */
	assert_true(r.eax & (1u << 4)); /* domain id present */
	/* No exitless EOI in the fake vendor: the upcall vector (acked by EOI) is not offered. */
	assert_false(r.eax & (1u << 6));
	assert_int_equal(r.ebx, 5);
	assert_int_equal(r.ecx, 9);
	vcpu.id = 31;
	dom.id = 0x7ff0;
	r = guest(0x40000004, 0);
	assert_int_equal(r.ebx, 31);
	assert_int_equal(r.ecx, 0x7ff0);
}

static void test_other_hypervisor_leaves_zero(void **state)
{
	static const u32 leaves[] = {0x40000005, 0x400000ff, 0x40000100, 0x40000101,
				     0x40000104, 0x40000200, 0x4000ff00, 0x4000ff01,
				     0x40010000, 0x4fffffff, 0x7fffffff};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(leaves); i++)
		assert_zero(guest(leaves[i], 0));
}

static void test_leaf0_vendor(void **state)
{
	struct cpuid_regs g = guest(0, 0), h = host(0, 0);

	(void)state;
	assert_int_equal(g.eax, h.eax);
	assert_int_equal(g.ebx, h.ebx);
	assert_int_equal(g.ecx, h.ecx);
	assert_int_equal(g.edx, h.edx);
}

static void test_leaf1_hidden_and_hypervisor(void **state)
{
	const u32 ecx_hidden =
	    ECX_MONITOR | ECX_VMX | ECX_SMX | ECX_PCID | ECX_X2APIC | ECX_OSXSAVE;
	const u32 edx_hidden = EDX_MCE | EDX_MCA | EDX_ACPI | EDX_TM | EDX_PBE;
	struct cpuid_regs g = guest(1, 0), h = host(1, 0);

	(void)state;
	assert_true(g.ecx & ECX_HYPERVISOR);
	assert_int_equal(g.ecx & ecx_hidden, 0);
	assert_int_equal(g.edx & edx_hidden, 0);
	/* Nothing is added but the hypervisor bit and MTRR (emulated); the rest is the host's. */
	assert_int_equal(g.ecx & ~ECX_HYPERVISOR & ~h.ecx, 0);
	assert_true(g.edx & EDX_MTRR);
	assert_int_equal(g.edx & ~EDX_MTRR & ~h.edx, 0);
	assert_int_equal(g.ecx & ECX_SSE3, h.ecx & ECX_SSE3);
	assert_int_equal(g.edx & (EDX_FPU | EDX_TSC), h.edx & (EDX_FPU | EDX_TSC));
	assert_int_equal(g.eax, h.eax); /* family/model/stepping */
	/* Initial APIC id is twice the vCPU id; the rest of EBX is the host's. */
	assert_int_equal(g.ebx >> 24, 10);
	assert_int_equal(g.ebx & 0xffffff, h.ebx & 0xffffff);
	vcpu.id = 100;
	assert_int_equal(guest(1, 0).ebx >> 24, 200);
}

static void test_power_leaves_zero(void **state)
{
	static const u32 leaves[] = {5, 6, 0xa, 0xf, 0x10, 0x12, 0x14};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(leaves); i++) {
		assert_zero(guest(leaves[i], 0));
		assert_zero(guest(leaves[i], 1));
	}
}

/* CPUID.7.0 features that exist only with the AVX resp. AVX-512 XSAVE components. */
#define EBX7_NEED_AVX	 EBX7_AVX2
#define EBX7_NEED_AVX512 0xdc230000u /* F, DQ, IFMA, PF, ER, CD, BW, VL */
#define ECX7_NEED_AVX	 0x600u	     /* VAES, VPCLMULQDQ */
#define ECX7_NEED_AVX512 0x5842u     /* VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ */

static void test_leaf7(void **state)
{
	const u32 ebx_hidden = (1u << 1) | (1u << 2) | (1u << 4) | (1u << 11) | (1u << 12) |
			       (1u << 14) | (1u << 15) | (1u << 25);
	const u32 edx_kept = (1u << 10) | (1u << 29); /* MD_CLEAR, ARCH_CAPABILITIES */
	const u32 ecx_hidden = (1u << 5) | (1u << 16) | (1u << 30);
	u64 comp = xstate_domain_components(&dom);
	struct cpuid_regs g, h;

	(void)state;
	if (host(0, 0).eax < 7) {
		assert_zero(guest(7, 0));
		return;
	}
	g = guest(7, 0);
	h = host(7, 0);
	h.ebx &= ~ebx_hidden;
	h.ecx &= ~ecx_hidden & ~(ECX7_PKU | ECX7_OSPKE);
	if (!(comp & XSTATE_AVX)) {
		h.ebx &= ~EBX7_NEED_AVX;
		h.ecx &= ~ECX7_NEED_AVX;
	}
	if (!(comp & XSTATE_AVX512)) {
		h.ebx &= ~EBX7_NEED_AVX512;
		h.ecx &= ~ECX7_NEED_AVX512;
	}
	if (comp & XSTATE_PKRU)
		h.ecx |= ECX7_PKU; /* OSPKE only with the guest's CR4.PKE */
	assert_int_equal(g.ebx, h.ebx);
	assert_int_equal(g.ecx, h.ecx);
	assert_int_equal(g.edx, h.edx & edx_kept); /* no SPEC_CTRL, PRED_CMD, FLUSH_CMD */
	assert_int_equal(g.eax, host(7, 0).eax);
	assert_zero(guest(7, 1));
	assert_zero(guest(7, 0xffffffff));
}

static void test_beyond_max_leaves_zero(void **state)
{
	u32 max_basic = host(0, 0).eax, max_ext = host(0x80000000, 0).eax;

	(void)state;
	assert_zero(guest(max_basic + 1, 0));
	assert_zero(guest(0x3fffffff, 0));
	assert_zero(guest(max_ext + 1, 0));
	assert_zero(guest(0xffffffff, 0));
	if (max_ext >= 0x80000001) {
		struct cpuid_regs g = guest(0x80000001, 0), h = host(0x80000001, 0);

		assert_int_equal(g.ecx & (1u << 2), 0); /* SVM */
		assert_int_equal(g.ecx, h.ecx & ~(1u << 2));
		assert_int_equal(g.edx, h.edx);
	}
	assert_int_equal(guest(0x80000000, 0).eax, max_ext);
}

static void test_policy_max_basic_leaf(void **state)
{
	u32 max_basic = host(0, 0).eax;

	(void)state;
	dom.arch.cpuid.max_basic_leaf = 1;
	assert_int_equal(guest(0, 0).eax, MIN(max_basic, 1u));
	assert_zero(guest(2, 0));
	assert_zero(guest(7, 0));
	assert_true(guest(1, 0).ecx & ECX_HYPERVISOR);
	/* A limit above the host's never invents leaves. */
	dom.arch.cpuid.max_basic_leaf = 0xffff;
	assert_int_equal(guest(0, 0).eax, max_basic);
	assert_zero(guest(max_basic + 1, 0));
	/* The Xen and extended leaves are not limited by it. */
	dom.arch.cpuid.max_basic_leaf = 1;
	assert_int_equal(guest(0x40000000, 0).eax, 0x40000004);
	assert_int_equal(guest(0x80000000, 0).eax, host(0x80000000, 0).eax);
}

static void test_policy_extra_hides(void **state)
{
	struct cpuid_regs g, h = host(1, 0);

	(void)state;
	dom.arch.cpuid.leaf1_ecx_hide = ECX_SSE3 | ECX_HYPERVISOR;
	dom.arch.cpuid.leaf1_edx_hide = EDX_FPU | EDX_TSC;
	g = guest(1, 0);
	assert_int_equal(g.ecx & ECX_SSE3, 0);
	assert_true(g.ecx & ECX_HYPERVISOR); /* cannot be hidden */
	assert_int_equal(g.edx & (EDX_FPU | EDX_TSC), 0);
	assert_int_equal(g.edx, (h.edx & ~(EDX_FPU | EDX_TSC | EDX_MCE | EDX_MCA | EDX_ACPI |
					   EDX_TM | EDX_PBE)) |
				    EDX_MTRR);
	if (host(0, 0).eax >= 7) {
		dom.arch.cpuid.leaf7_ebx_hide = 0xffffffff;
		dom.arch.cpuid.leaf7_ecx_hide = 0xffffffff;
		g = guest(7, 0);
		assert_int_equal(g.ebx, 0);
		assert_int_equal(g.ecx, 0);
	}
}

static bool host_has_xsave(void)
{
	return host(0, 0).eax >= 0xd && (host(1, 0).ecx & ECX_XSAVE);
}

/* The components the host offers, worked out independently from the host's CPUID. */
static u64 expected_components(void)
{
	struct cpuid_regs d = host(0xd, 0), l1 = host(1, 0), l7 = host(7, 0);
	u64 m = ((u64)d.edx << 32 | d.eax) & XSTATE_KEEL;

	if (!(l1.ecx & ECX_AVX))
		m &= ~XSTATE_AVX;
	if (!(m & XSTATE_AVX) || !(l7.ebx & EBX7_AVX512F) || (m & XSTATE_AVX512) != XSTATE_AVX512)
		m &= ~XSTATE_AVX512;
	/* PKRU is never offered, whatever the host has: PKU stays hidden (xstate_policy.c). */
	m &= ~XSTATE_PKRU;
	return m;
}

static u32 expected_std_size(u64 mask)
{
	u32 size = 576;

	for (unsigned int i = 2; i < 63; i++)
		if (mask & (1ULL << i))
			size = MAX(size, host(0xd, i).ebx + host(0xd, i).eax);
	return size;
}

static void test_xstate_leaf1(void **state)
{
	u64 comp = xstate_domain_components(&dom);
	struct cpuid_regs g;

	(void)state;
	if (!host_has_xsave()) {
		assert_int_equal(comp, 0);
		assert_int_equal(guest(1, 0).ecx & (ECX_XSAVE | ECX_OSXSAVE | ECX_AVX), 0);
		return;
	}
	assert_int_equal(comp, expected_components());
	assert_true((comp & (XSTATE_X87 | XSTATE_SSE)) == (XSTATE_X87 | XSTATE_SSE));
	g = guest(1, 0);
	assert_true(g.ecx & ECX_XSAVE);
	assert_false(g.ecx & ECX_OSXSAVE); /* the guest's CR4.OSXSAVE, not Keel's */
	assert_int_equal(!!(g.ecx & ECX_AVX), !!(comp & XSTATE_AVX));
	if (!(comp & XSTATE_AVX))
		assert_int_equal(g.ecx & (ECX_FMA | ECX_F16C), 0);
	guest_cr4 = CR4_OSXSAVE;
	assert_true(guest(1, 0).ecx & ECX_OSXSAVE);
	guest_cr4 = CR4_PKE;
	assert_int_equal(!!(guest(7, 0).ecx & ECX7_OSPKE), !!(comp & XSTATE_PKRU));
}

static void test_xstate_leaf_d(void **state)
{
	u64 comp = xstate_domain_components(&dom);
	struct cpuid_regs g, h;

	(void)state;
	if (!host_has_xsave()) {
		assert_zero(guest(0xd, 0));
		assert_zero(guest(0xd, 1));
		return;
	}
	g = guest(0xd, 0);
	assert_int_equal(g.eax, (u32)comp);
	assert_int_equal(g.edx, 0);
	assert_int_equal(g.ebx, 576); /* XCR0 = x87 after reset */
	assert_int_equal(g.ecx, expected_std_size(comp));
	/* EBX follows the guest's XCR0, not the host's. */
	vcpu.arch.xcr0 = XSTATE_X87 | XSTATE_SSE;
	assert_int_equal(guest(0xd, 0).ebx, 576);
	if (comp & XSTATE_AVX) {
		vcpu.arch.xcr0 |= XSTATE_AVX;
		assert_int_equal(guest(0xd, 0).ebx, host(0xd, 2).ebx + host(0xd, 2).eax);
	}
	vcpu.arch.xcr0 = comp;
	assert_int_equal(guest(0xd, 0).ebx, expected_std_size(comp));
	/* Sub-leaf 1: no XSAVES, no supervisor components. */
	g = guest(0xd, 1);
	h = host(0xd, 1);
	assert_int_equal(g.eax, h.eax & 0x7);
	assert_int_equal(g.ecx | g.edx, 0);
	if (g.eax & 2)
		assert_int_equal(g.ebx, xstate_area_size(comp, true));
	/* Components: the host's geometry for the offered ones, nothing for the others. */
	for (u32 i = 2; i < 64; i++) {
		g = guest(0xd, i);
		if (i < 63 && (comp & (1ULL << i))) {
			h = host(0xd, i);
			assert_int_equal(g.eax, h.eax);
			assert_int_equal(g.ebx, h.ebx);
			assert_int_equal(g.ecx, h.ecx & 2);
			assert_int_equal(g.edx, 0);
		} else {
			assert_zero(g);
		}
	}
	assert_zero(guest(0xd, 0xffffffff));
}

static void test_xstate_policy_hides(void **state)
{
	u64 comp;

	(void)state;
	if (!host_has_xsave())
		return;
	dom.arch.cpuid.leaf1_ecx_hide = ECX_AVX;
	comp = xstate_domain_components(&dom);
	assert_int_equal(comp & (XSTATE_AVX | XSTATE_AVX512), 0);
	assert_int_equal(guest(1, 0).ecx & (ECX_AVX | ECX_FMA | ECX_F16C), 0);
	assert_int_equal(guest(7, 0).ebx & (EBX7_AVX2 | EBX7_AVX512F), 0);
	assert_int_equal(guest(0xd, 0).eax, (u32)comp);
	assert_zero(guest(0xd, 2));
	dom.arch.cpuid.leaf1_ecx_hide = 0;
	dom.arch.cpuid.leaf7_ebx_hide = EBX7_AVX512F;
	assert_int_equal(xstate_domain_components(&dom) & XSTATE_AVX512, 0);
	assert_int_equal(guest(7, 0).ebx & EBX7_NEED_AVX512, 0);
	dom.arch.cpuid.leaf7_ebx_hide = 0;
	/* No XSAVE: no components, no leaf 0xD, no XSAVE or OSXSAVE even with CR4.OSXSAVE. */
	dom.arch.cpuid.leaf1_ecx_hide = ECX_XSAVE;
	guest_cr4 = CR4_OSXSAVE;
	assert_int_equal(xstate_domain_components(&dom), 0);
	assert_int_equal(guest(1, 0).ecx & (ECX_XSAVE | ECX_OSXSAVE | ECX_AVX), 0);
	assert_zero(guest(0xd, 0));
	dom.arch.cpuid.leaf1_ecx_hide = 0;
	dom.arch.cpuid.max_basic_leaf = 0xc;
	assert_int_equal(xstate_domain_components(&dom), 0);
}

static void test_xstate_check_xcr0(void **state)
{
	const u64 all = XSTATE_KEEL;

	(void)state;
	assert_int_equal(xstate_check_xcr0(all, XSTATE_X87), 0);
	assert_int_equal(xstate_check_xcr0(all, XSTATE_X87 | XSTATE_SSE), 0);
	assert_int_equal(xstate_check_xcr0(all, XSTATE_X87 | XSTATE_SSE | XSTATE_AVX), 0);
	assert_int_equal(xstate_check_xcr0(all, all), 0);
	assert_int_equal(xstate_check_xcr0(all, all & ~XSTATE_PKRU), 0);
	assert_int_equal(xstate_check_xcr0(all, 0), -EINVAL);
	assert_int_equal(xstate_check_xcr0(all, XSTATE_SSE), -EINVAL);		    /* no x87 */
	assert_int_equal(xstate_check_xcr0(all, XSTATE_X87 | XSTATE_AVX), -EINVAL); /* no SSE */
	assert_int_equal(xstate_check_xcr0(all, XSTATE_X87 | XSTATE_SSE | XSTATE_AVX512),
			 -EINVAL);	      /* AVX-512 without AVX */
	for (unsigned int b = 5; b <= 7; b++) /* AVX-512 only all at once */
		assert_int_equal(
		    xstate_check_xcr0(all, XSTATE_X87 | XSTATE_SSE | XSTATE_AVX | (1ULL << b)),
		    -EINVAL);
	assert_int_equal(xstate_check_xcr0(all, XSTATE_X87 | XSTATE_SSE | XSTATE_AVX |
						    XSTATE_OPMASK | XSTATE_ZMM_HI256),
			 -EINVAL);
	/* Anything not offered: MPX, PT, AMX, reserved, or a component the policy hides. */
	for (unsigned int b = 0; b < 64; b++)
		if (!(all & (1ULL << b)))
			assert_int_equal(xstate_check_xcr0(all, XSTATE_X87 | (1ULL << b)), -EINVAL);
	assert_int_equal(xstate_check_xcr0(XSTATE_X87 | XSTATE_SSE, 7), -EINVAL);
	assert_int_equal(xstate_check_xcr0(0, XSTATE_X87), -EINVAL);
}

static void test_xstate_sizes(void **state)
{
	u64 comp = expected_components();
	u32 compact = 576;

	(void)state;
	if (!host_has_xsave())
		return;
	assert_int_equal(xstate_area_size(XSTATE_X87 | XSTATE_SSE, false), 576);
	assert_int_equal(xstate_area_size(XSTATE_X87 | XSTATE_SSE, true), 576);
	assert_int_equal(xstate_area_size(comp, false), expected_std_size(comp));
	for (unsigned int i = 2; i < 63; i++) {
		if (!(comp & (1ULL << i)))
			continue;
		if (host(0xd, i).ecx & 2)
			compact = (compact + 63) & ~63u;
		compact += host(0xd, i).eax;
	}
	assert_int_equal(xstate_area_size(comp, true), compact);
	assert_true(compact <= expected_std_size(comp));
}

#define EDX1_PGE (1u << 13)

static void test_cr4_bits_follow_cpuid(void **state)
{
	u64 valid = hvm_cr4_valid_bits(&vcpu);
	struct cpuid_regs l1 = guest(1, 0), l7 = guest(7, 0);

	(void)state;
	/* Never: VMXE, SMXE, LA57 (hidden), PCIDE (PCID hidden), CET, PKS and the reserved bits. */
	assert_int_equal(valid & (CR4_VMXE | (1ULL << 14) | CR4_LA57 | CR4_PCIDE), 0);
	assert_int_equal(valid & ~0x7fffffULL, 0);
	assert_int_equal(!!(valid & CR4_OSXSAVE), !!(l1.ecx & ECX_XSAVE));
	assert_int_equal(!!(valid & CR4_PGE), !!(l1.edx & EDX1_PGE));
	assert_int_equal(!!(valid & CR4_SMEP), !!(l7.ebx & EBX7_SMEP));
	assert_int_equal(!!(valid & CR4_PKE), !!(l7.ecx & ECX7_PKU));
	assert_true(valid & CR4_PAE);
	/* Only always-safe bits may be written without an exit. */
	assert_int_equal(hvm_cr4_guest_owned(&vcpu) & ~(CR4_PGE | CR4_TSD | CR4_PCE), 0);
	assert_int_equal(hvm_cr4_guest_owned(&vcpu) & ~valid, 0);
	/* What the policy hides is no longer valid. */
	dom.arch.cpuid.leaf1_ecx_hide = ECX_XSAVE;
	dom.arch.cpuid.leaf1_edx_hide = EDX1_PGE;
	dom.arch.cpuid.leaf7_ebx_hide = EBX7_SMEP;
	valid = hvm_cr4_valid_bits(&vcpu);
	assert_int_equal(valid & (CR4_OSXSAVE | CR4_PGE | CR4_SMEP), 0);
	assert_int_equal(hvm_cr4_guest_owned(&vcpu) & CR4_PGE, 0);
	/* Below leaf 7, none of its CR4 bits. */
	dom.arch.cpuid.max_basic_leaf = 6;
	assert_int_equal(hvm_cr4_valid_bits(&vcpu) &
			     (CR4_FSGSBASE | CR4_SMEP | CR4_SMAP | CR4_UMIP | CR4_PKE | CR4_LA57),
			 0);
}

static void test_cr4_check(void **state)
{
	const u64 lm = EFER_LMA, base = CR4_PAE;
	u64 valid = hvm_cr4_valid_bits(&vcpu);

	(void)state;
	assert_int_equal(hvm_cr4_check(&vcpu, base, base, lm, 0), 0);
	assert_int_equal(hvm_cr4_check(&vcpu, 0, 0, 0, 0), 0);
	/* PAE stays on in IA-32e mode. */
	assert_int_equal(hvm_cr4_check(&vcpu, base, 0, lm, 0), -EPERM);
	/* Bits the CPUID does not offer, in and outside long mode. */
	for (unsigned int b = 0; b < 64; b++) {
		if (valid & (1ULL << b))
			continue;
		assert_int_equal(hvm_cr4_check(&vcpu, base, base | (1ULL << b), lm, 0), -EPERM);
		assert_int_equal(hvm_cr4_check(&vcpu, 0, 1ULL << b, 0, 0), -EPERM);
	}
	/* PCIDE: never while PCID is hidden, whatever the mode and CR3. */
	assert_int_equal(hvm_cr4_check(&vcpu, base, base | CR4_PCIDE, lm, 0), -EPERM);
	assert_int_equal(hvm_cr4_check(&vcpu, 0, CR4_PCIDE, 0, 0), -EPERM);
	/* What is offered is accepted. */
	assert_int_equal(hvm_cr4_check(&vcpu, base, valid, lm, 0), 0);
	dom.arch.cpuid.leaf1_ecx_hide = ECX_XSAVE;
	assert_int_equal(hvm_cr4_check(&vcpu, base, base | CR4_OSXSAVE, lm, 0), -EPERM);
}

/* With a virtual LAPIC: x2APIC and TSC deadline offered, IDs agree, the timer clock is told. */
static void test_vlapic_leaves(void **state)
{
	struct vlapic lapic = {.apic_id = 10};
	struct cpuid_regs g, h = host(0, 0);

	(void)state;
	vcpu.arch.vlapic = &lapic;
	dom.nr_vcpus = 6;
	g = guest(1, 0);
	assert_true(g.ecx & ECX_X2APIC);
	assert_true(g.ecx & (1u << 24));
	assert_int_equal(g.ebx >> 24, 10);
	if (h.eax >= 0xb) {
		g = guest(0xb, 0);
		assert_int_equal(g.edx, 10);
		assert_int_equal((g.ecx >> 8) & 0xff, 1); /* SMT level */
		g = guest(0xb, 1);
		assert_int_equal(g.edx, 10);
		assert_int_equal(g.ebx, 6);
		assert_int_equal(guest(0xb, 2).eax, 0);
	}
	if (h.eax >= 0x15) {
		g = guest(0x15, 0);
		/* TSC = crystal x EBX / EAX = tsc_khz kHz; the crystal is the 1 GHz APIC bus. */
		assert_int_equal((u64)g.ecx * g.ebx / g.eax, tsc_khz * 1000);
		assert_int_equal(g.ecx, VLAPIC_BUS_HZ);
	}
	vcpu.arch.vlapic = NULL;
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_xen_signature),	    T(test_xen_version_and_msr),
	    T(test_xen_leaf4_ids),	    T(test_other_hypervisor_leaves_zero),
	    T(test_leaf0_vendor),	    T(test_leaf1_hidden_and_hypervisor),
	    T(test_power_leaves_zero),	    T(test_leaf7),
	    T(test_beyond_max_leaves_zero), T(test_policy_max_basic_leaf),
	    T(test_policy_extra_hides),	    T(test_xstate_leaf1),
	    T(test_xstate_leaf_d),	    T(test_xstate_policy_hides),
	    T(test_xstate_check_xcr0),	    T(test_xstate_sizes),
	    T(test_cr4_bits_follow_cpuid),  T(test_cr4_check),
	    T(test_vlapic_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
