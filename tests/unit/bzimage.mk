# Unit suite for the bzImage loader (common/loader/bzimage.c, kernel_image.c): hand-built setup
# headers, and round trips through Debian's gzip, lz4 -l and xz of a small PVH ELF, at test time.
UNIT_TESTS += bzimage
# The payload decompressors bzimage.c's format table names.
BZIMAGE_DECOMPRESSORS := common/loader/decompress/gzip.c common/loader/decompress/inflate.c \
                         common/loader/decompress/lz4.c common/loader/decompress/xz.c \
                         common/loader/decompress/xz_check.c common/loader/decompress/lzma2.c \
                         common/loader/decompress/zstd.c common/loader/decompress/zstd_fse.c \
                         common/loader/decompress/zstd_huf.c common/loader/decompress/zstd_seq.c
bzimage_SRCS := common/loader/bzimage.c common/loader/kernel_image.c $(BZIMAGE_DECOMPRESSORS) \
                common/loader/elf.c common/mm/frame_alloc.c common/mm/heap.c common/lib/string.c common/lib/vsprintf.c \
                tests/unit/test_bzimage.c tests/unit/shim_loader_elf.c tests/unit/shim_mm.c \
                tests/unit/shim_spinlock.c
bzimage_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
