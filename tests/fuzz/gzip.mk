# Fuzzer for the gzip/deflate decompressor (named fuzz_gzip: `gzip_SRCS` is the unit suite's).
FUZZERS += fuzz_gzip
fuzz_gzip_SRCS := common/loader/decompress/gzip.c common/loader/decompress/inflate.c \
                  common/lib/string.c tests/fuzz/fuzz_gzip.c tests/fuzz/decompress_contract.c
fuzz_gzip_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
