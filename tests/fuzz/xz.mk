# Fuzzer for the XZ decompressor (named fuzz_xz: `xz_SRCS` is the unit suite's).
FUZZERS += fuzz_xz
fuzz_xz_SRCS := common/loader/decompress/xz.c common/loader/decompress/lzma2.c \
                common/loader/decompress/xz_check.c common/lib/string.c tests/fuzz/fuzz_xz.c
fuzz_xz_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
