# PV console ring (common/console_ring_io.c): output drain and input indices, wraparound,
# hostile indices; serial input focus switching (common/console_input.c, Ctrl-A x3).
UNIT_TESTS += conring
conring_SRCS := common/console_ring_io.c common/console_input.c tests/unit/test_conring.c \
	tests/unit/shim_core.c tests/unit/shim_spinlock.c
conring_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
