# Unit suite for the Zstandard decompressor (common/loader/decompress/zstd*.c); vectors from zstd(1).
UNIT_TESTS += zstd
zstd_SRCS := common/loader/decompress/zstd.c common/loader/decompress/zstd_fse.c \
             common/loader/decompress/zstd_huf.c common/loader/decompress/zstd_seq.c \
             common/lib/string.c tests/unit/test_zstd.c
zstd_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)

# Hand-built frames: every block, literals and sequence path and its refusals, table bounds.
UNIT_TESTS += zstd_frames
zstd_frames_SRCS := common/loader/decompress/zstd.c common/loader/decompress/zstd_fse.c \
                    common/loader/decompress/zstd_huf.c common/loader/decompress/zstd_seq.c \
                    common/lib/string.c tests/unit/test_zstd_frames.c
zstd_frames_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
