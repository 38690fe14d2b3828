# Guest CPUID policy (arch/x86/hvm/cpuid.c), with the XSAVE component and CR4 policies built on it
# (xstate_policy.c, cr4_policy.c): runs the host's CPUID, so tests assert relations.
UNIT_TESTS += cpuidpol
cpuidpol_SRCS := arch/x86/hvm/cpuid.c arch/x86/hvm/xstate_policy.c arch/x86/hvm/cr4_policy.c arch/x86/hvm/vlapic_cpuid.c \
	tests/unit/test_cpuidpol.c
cpuidpol_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
