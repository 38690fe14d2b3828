# Fuzzer for the MMIO instruction decoder (named fuzz_mmio_decode: `mmio_decode_SRCS` is the unit suite's).
FUZZERS += fuzz_mmio_decode
fuzz_mmio_decode_SRCS := arch/x86/hvm/mmio_decode.c tests/fuzz/fuzz_mmio_decode.c
fuzz_mmio_decode_CFLAGS := -Iarch/x86/include
