# Fuzzer for boot-module domain configs (named fuzz_domcfg: `domcfg_SRCS` is the unit suite's).
FUZZERS += fuzz_domcfg
fuzz_domcfg_SRCS := common/domain_config.c common/domain_config_values.c common/domain_config_shm.c common/domain_config_devices.c \
	common/lib/string.c common/lib/vsprintf.c \
                    tests/fuzz/fuzz_domcfg.c tests/unit/shim_lib_printk.c
fuzz_domcfg_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
