# Fuzzer for the management hypercalls (common/hypercall/domctl.c, sysctl.c): arbitrary calls
# from dom0 or a domU over the unit tests' stack (tests/unit/domctl.mk: MGMT_TEST_SRCS),
# checking the call rules, that refused calls change no domain, and that nothing leaks.
FUZZERS += fuzz_domctl
fuzz_domctl_SRCS = $(filter-out tests/unit/test_%,$(MGMT_TEST_SRCS)) tests/fuzz/fuzz_domctl.c
fuzz_domctl_CFLAGS = $(KEEL_HOST_LIB_CFLAGS) -Iarch/x86/include
fuzz_domctl_LIBS := -lcmocka
