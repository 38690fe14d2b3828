# Fuzzer for the multiboot2 parser (named fuzz_multiboot2: `multiboot2_SRCS` is the unit suite's).
FUZZERS += fuzz_multiboot2
fuzz_multiboot2_SRCS := arch/x86/boot/multiboot2.c common/lib/string.c common/lib/vsprintf.c \
                        tests/fuzz/fuzz_multiboot2.c tests/unit/shim_lib_printk.c
fuzz_multiboot2_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
