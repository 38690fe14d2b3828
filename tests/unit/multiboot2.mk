# Unit suite for the multiboot2 boot-information parser.
UNIT_TESTS += multiboot2
multiboot2_SRCS := arch/x86/boot/multiboot2.c common/lib/string.c common/lib/vsprintf.c \
                   tests/unit/test_multiboot2.c tests/unit/shim_lib_printk.c
multiboot2_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
