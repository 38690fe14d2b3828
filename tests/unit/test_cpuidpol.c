/* Unit tests for the guest CPUID policy (arch/x86/hvm/cpuid.c), checked against the host's CPUID. */
#include <asm/cpu.h>
#include <asm/hvm_emul.h>
#include <keel/compiler.h>
#include <keel/domain.h>
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
#define EDX_FPU	       (1u << 0)
#define EDX_TSC	       (1u << 4)
#define EDX_ACPI       (1u << 22)
#define EDX_TM	       (1u << 29)
#define EDX_PBE	       (1u << 31)

static struct domain dom;
static struct vcpu vcpu;

static int setup(void **state)
{
	(void)state;
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu, 0, sizeof(vcpu));
	dom.id = 9;
	vcpu.id = 5;
	vcpu.domain = &dom;
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
	    ECX_MONITOR | ECX_VMX | ECX_SMX | ECX_PCID | ECX_X2APIC | ECX_XSAVE | ECX_OSXSAVE;
	const u32 edx_hidden = EDX_ACPI | EDX_TM | EDX_PBE;
	struct cpuid_regs g = guest(1, 0), h = host(1, 0);

	(void)state;
	assert_true(g.ecx & ECX_HYPERVISOR);
	assert_int_equal(g.ecx & ecx_hidden, 0);
	assert_int_equal(g.edx & edx_hidden, 0);
	/* Nothing is added except the hypervisor bit; what is kept is the host's. */
	assert_int_equal(g.ecx & ~ECX_HYPERVISOR & ~h.ecx, 0);
	assert_int_equal(g.edx & ~h.edx, 0);
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
	static const u32 leaves[] = {5, 6, 0xa, 0xd, 0xf, 0x10, 0x12, 0x14};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(leaves); i++) {
		assert_zero(guest(leaves[i], 0));
		assert_zero(guest(leaves[i], 1));
	}
}

static void test_leaf7(void **state)
{
	const u32 ebx_hidden =
	    (1u << 2) | (1u << 4) | (1u << 11) | (1u << 12) | (1u << 14) | (1u << 15) | (1u << 25);
	const u32 ecx_hidden = (1u << 5) | (1u << 16) | (1u << 30);
	struct cpuid_regs g, h;

	(void)state;
	if (host(0, 0).eax < 7) {
		assert_zero(guest(7, 0));
		return;
	}
	g = guest(7, 0);
	h = host(7, 0);
	assert_int_equal(g.ebx, h.ebx & ~ebx_hidden);
	assert_int_equal(g.ecx, h.ecx & ~ecx_hidden);
	assert_int_equal(g.edx, 0);
	assert_int_equal(g.eax, h.eax);
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
	assert_int_equal(g.edx, h.edx & ~(EDX_FPU | EDX_TSC | EDX_ACPI | EDX_TM | EDX_PBE));
	if (host(0, 0).eax >= 7) {
		dom.arch.cpuid.leaf7_ebx_hide = 0xffffffff;
		dom.arch.cpuid.leaf7_ecx_hide = 0xffffffff;
		g = guest(7, 0);
		assert_int_equal(g.ebx, 0);
		assert_int_equal(g.ecx, 0);
	}
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
	    T(test_policy_extra_hides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
