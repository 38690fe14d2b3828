# Guest CPUID policy (arch/x86/hvm/cpuid.c): runs the host's CPUID, so tests assert relations.
UNIT_TESTS += cpuidpol
cpuidpol_SRCS := arch/x86/hvm/cpuid.c tests/unit/test_cpuidpol.c
cpuidpol_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
