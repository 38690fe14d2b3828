/* Unit tests for the speculation-hygiene decision (arch/x86/cpu/spec_ctrl.c) and its log line. */
#include <asm/spec_ctrl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* From shim_lib_printk.c. */
void shim_printk_reset(void);
bool shim_printk_contains(const char *text);
extern unsigned int shim_printk_count[];

#define EDX_ALL \
	(CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_STIBP | CPUID7_EDX_L1D_FLUSH | CPUID7_EDX_MD_CLEAR)

struct spec_case {
	const char *what;
	struct spec_caps caps;
	bool ibpb, l1d, verw;
	const char *says[3];
};

static const struct spec_case cases[] = {
    {"nothing offered (Bochs)",
     {0, 0, 0},
     false,
     false,
     false,
     {"ARCH_CAPABILITIES no", "no IBPB on domain switch (not offered: vulnerable)",
      "no L1D flush (L1TF-affected, no L1D_FLUSH: vulnerable)"}},
    {"L1TF- and MDS-affected with new microcode: the L1D flush also clears the buffers",
     {CPUID7_EBX_RTM, EDX_ALL, 0},
     true,
     true,
     false,
     {"IBPB on domain switch", "L1D flush before VM entry",
      "no VERW (the L1D flush clears the buffers)"}},
    {"not L1TF- or MDS-affected, but TSX without TAA_NO: VERW",
     {CPUID7_EBX_HLE | CPUID7_EBX_RTM, EDX_ALL | CPUID7_EDX_ARCH_CAPS,
      ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_SKIP_L1DFL | ARCH_CAP_MDS_NO},
     true,
     false,
     true,
     {"ARCH_CAPABILITIES 0x2b", "no L1D flush (not L1TF-affected)", "VERW before VM entry"}},
    {"not affected by any of them",
     {CPUID7_EBX_RTM, EDX_ALL | CPUID7_EDX_ARCH_CAPS,
      ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO | ARCH_CAP_TAA_NO},
     true,
     false,
     false,
     {"no L1D flush (not L1TF-affected)", "no VERW (not MDS/TAA-affected)", "IBPB yes"}},
    {"L1TF-affected, but told the L1D flush is not needed (nested): VERW instead",
     {0, EDX_ALL | CPUID7_EDX_ARCH_CAPS, ARCH_CAP_SKIP_L1DFL},
     true,
     false,
     true,
     {"no L1D flush (SKIP_L1DFL_VMENTRY)", "VERW before VM entry", "L1D_FLUSH yes"}},
    {"MDS-affected without MD_CLEAR: vulnerable, said so",
     {0, CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_ARCH_CAPS, ARCH_CAP_RDCL_NO},
     true,
     false,
     false,
     {"no VERW (MDS/TAA-affected, no MD_CLEAR: vulnerable)", "MD_CLEAR no",
      "IBPB on domain switch"}},
    {"an IA32_ARCH_CAPABILITIES value without the CPUID bit is not trusted",
     {0, EDX_ALL, ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO},
     true,
     true,
     false,
     {"ARCH_CAPABILITIES no", "L1D flush before VM entry", "IBPB on domain switch"}},
};

static void test_decisions_and_log_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct spec_case *c = &cases[i];
		struct spec_policy p;

		spec_ctrl_decide(&c->caps, &p);
		if (p.ibpb_on_switch != c->ibpb || p.l1d_flush != c->l1d || p.verw != c->verw)
			fail_msg("%s: ibpb %d l1d %d verw %d", c->what, p.ibpb_on_switch,
				 p.l1d_flush, p.verw);
		/* Guests see IA32_ARCH_CAPABILITIES with the host's CPUID bit, "_NO" bits only. */
		assert_int_equal(p.guest_has_arch_caps,
				 !!(c->caps.cpuid7_edx & CPUID7_EDX_ARCH_CAPS));
		assert_int_equal(p.guest_arch_caps, p.guest_has_arch_caps
							? c->caps.arch_caps & ARCH_CAP_GUEST_BITS
							: 0);
		assert_int_equal(p.guest_arch_caps & (ARCH_CAP_IBRS_ALL | ARCH_CAP_SKIP_L1DFL), 0);
		shim_printk_reset();
		spec_ctrl_report(&c->caps, &p);
		assert_int_equal(shim_printk_count[6], 1); /* one line, at info level */
		for (int k = 0; k < 3; k++)
			if (!shim_printk_contains(c->says[k]))
				fail_msg("%s: the line does not say \"%s\"", c->what, c->says[k]);
		assert_true(shim_printk_contains("guest GPRs cleared after VM exit"));
	}
}

/* IBPB only when a CPU switches domains, never on the first one or the same one again. */
static void test_ibpb_only_on_a_domain_switch(void **state)
{
	(void)state;
	spec_policy.ibpb_on_switch = false; /* no wrmsr in a host test: the bookkeeping only */
	assert_false(spec_ctrl_enter_domain(0, 1)); /* the first domain on CPU 0 */
	assert_false(spec_ctrl_enter_domain(0, 1)); /* the same again */
	assert_false(spec_ctrl_enter_domain(1, 2)); /* CPU 1 has its own history */
	assert_true(spec_ctrl_enter_domain(0, 2));
	assert_false(spec_ctrl_enter_domain(0, 2));
	assert_true(spec_ctrl_enter_domain(0, 1));
	assert_true(spec_ctrl_enter_domain(1, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decisions_and_log_line),
	    cmocka_unit_test(test_ibpb_only_on_a_domain_switch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
