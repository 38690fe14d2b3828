# Fuzzer for the command-line parser (named fuzz_cmdline: `cmdline_SRCS` belongs to the unit suite).
FUZZERS += fuzz_cmdline
fuzz_cmdline_SRCS := common/cmdline.c common/lib/string.c common/lib/vsprintf.c \
                     tests/fuzz/fuzz_cmdline.c tests/unit/shim_lib_printk.c
fuzz_cmdline_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
