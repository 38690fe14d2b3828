# Unit suite for the PVH ELF loader (common/loader/elf.c).
UNIT_TESTS += elf
elf_SRCS := common/loader/elf.c common/lib/string.c common/lib/vsprintf.c \
            tests/unit/test_elf.c tests/unit/shim_loader_elf.c
elf_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
