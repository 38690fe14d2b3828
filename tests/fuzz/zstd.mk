# Fuzzer for the Zstandard decompressor (named fuzz_zstd: `zstd_SRCS` is the unit suite's).
FUZZERS += fuzz_zstd
fuzz_zstd_SRCS := common/loader/decompress/zstd.c common/loader/decompress/zstd_fse.c \
                  common/loader/decompress/zstd_huf.c common/loader/decompress/zstd_seq.c \
                  common/lib/string.c tests/fuzz/fuzz_zstd.c tests/fuzz/decompress_contract.c
fuzz_zstd_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
