# Fuzzer for the bzImage setup-header parser and payload decompression (common/loader/bzimage.c).
FUZZERS += fuzz_bzimage
fuzz_bzimage_SRCS := common/loader/bzimage.c common/loader/decompress/gzip.c \
                     common/loader/decompress/inflate.c common/loader/decompress/lz4.c \
                     common/loader/decompress/xz.c common/loader/decompress/xz_check.c \
                     common/loader/decompress/lzma2.c common/loader/decompress/zstd.c \
                     common/loader/decompress/zstd_fse.c common/loader/decompress/zstd_huf.c \
                     common/loader/decompress/zstd_seq.c \
                     common/lib/string.c common/lib/vsprintf.c tests/fuzz/fuzz_bzimage.c
fuzz_bzimage_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
