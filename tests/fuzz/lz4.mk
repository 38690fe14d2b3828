# Fuzzer for the LZ4 legacy decompressor (named fuzz_lz4: `lz4_SRCS` is the unit suite's).
FUZZERS += fuzz_lz4
fuzz_lz4_SRCS := common/loader/decompress/lz4.c common/lib/string.c common/lib/vsprintf.c \
                 tests/fuzz/fuzz_lz4.c
fuzz_lz4_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
