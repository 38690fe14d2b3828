# Guest MSR policy (arch/x86/hvm/msr.c, msr_mtrr.c) with the CPUID policy it must agree with.
UNIT_TESTS += msrpol
msrpol_SRCS := arch/x86/hvm/msr.c arch/x86/hvm/msr_mtrr.c arch/x86/hvm/cpuid.c \
	arch/x86/hvm/xstate_policy.c arch/x86/hvm/cr4_policy.c arch/x86/hvm/vlapic_cpuid.c \
	tests/unit/shim_vlapic_none.c tests/unit/test_msrpol.c
msrpol_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
