# Unit suite for the gzip/deflate decompressor (common/loader/decompress/); vectors from gzip(1).
UNIT_TESTS += gzip
gzip_SRCS := common/loader/decompress/gzip.c common/loader/decompress/inflate.c \
             common/lib/string.c tests/unit/test_gzip.c
gzip_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
