# Unit suite for the XZ decompressor (common/loader/decompress/xz.c, lzma2.c, xz_check.c): vectors
# made at test time by Debian's xz(1), hand-built LZMA2 streams, patched and broken containers.
UNIT_TESTS += xz
xz_SRCS := common/loader/decompress/xz.c common/loader/decompress/lzma2.c \
           common/loader/decompress/xz_check.c common/lib/string.c tests/unit/test_xz.c \
           tests/unit/test_xz_lzma2.c tests/unit/xz_fixture.c
xz_CFLAGS = $(KEEL_HOST_LIB_CFLAGS) -fno-sanitize-recover=all
