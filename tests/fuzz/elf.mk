# Fuzzer for the PVH ELF loader, inspect + load (named fuzz_elf: `elf_SRCS` is the unit suite's).
FUZZERS += fuzz_elf
fuzz_elf_SRCS := common/loader/elf.c common/lib/string.c common/lib/vsprintf.c \
                 tests/fuzz/fuzz_elf.c tests/unit/shim_loader_elf.c
fuzz_elf_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
