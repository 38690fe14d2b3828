# Unit suite for the MMIO instruction decoder (arch/x86/hvm/mmio_decode.c).
UNIT_TESTS += mmio_decode
mmio_decode_SRCS := arch/x86/hvm/mmio_decode.c tests/unit/test_mmio_decode.c
mmio_decode_CFLAGS := -Iarch/x86/include
