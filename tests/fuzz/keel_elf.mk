# Fuzzers for libkeel's kernel image checks (tools/libkeel/elf_image.c, kernel_image.c).
FUZZERS += fuzz_keel_elf
fuzz_keel_elf_SRCS := tools/libkeel/errf.c tools/libkeel/elf_image.c tests/fuzz/fuzz_keel_elf.c
fuzz_keel_elf_CFLAGS :=

# Fuzzer for libkeel's bzImage unwrapping (tools/libkeel/kernel_image.c).
FUZZERS += fuzz_keel_kernel
fuzz_keel_kernel_SRCS := tools/libkeel/errf.c tools/libkeel/kernel_image.c tests/fuzz/fuzz_keel_kernel.c
fuzz_keel_kernel_CFLAGS :=
fuzz_keel_kernel_LIBS := -lz -llzma -lzstd -llz4
