# libkeel's kernel image checks (tools/libkeel/elf_image.c, kernel_image.c): the domain builder's input.
UNIT_TESTS += keel_elf
keel_elf_SRCS := tools/libkeel/errf.c tools/libkeel/elf_image.c tests/unit/test_keel_elf.c
keel_elf_CFLAGS := -fno-sanitize-recover=all

# libkeel's bzImage unwrapping (tools/libkeel/kernel_image.c) with Debian's decompressors.
UNIT_TESTS += keel_kernel
keel_kernel_SRCS := tools/libkeel/errf.c tools/libkeel/kernel_image.c tests/unit/test_keel_kernel.c
keel_kernel_CFLAGS := -fno-sanitize-recover=all
keel_kernel_LIBS := -lz -llzma -lzstd -llz4
