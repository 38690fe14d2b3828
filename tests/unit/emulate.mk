# Instruction emulation over the real page walk: INS/OUTS (arch/x86/hvm/string_io.c) and MMIO
# (mmio.c), with segments (linear.c), registers and fetches (emulate.c), the port and MMIO tables;
# what dom0 finds where other domains own devices (common/device_owner.c).
HVM_EMUL_SRCS := arch/x86/hvm/emulate.c arch/x86/hvm/linear.c arch/x86/hvm/guest_walk.c \
	arch/x86/hvm/io_table.c arch/x86/hvm/ioport.c arch/x86/hvm/string_io.c \
	arch/x86/hvm/mmio.c arch/x86/hvm/mmio_decode.c \
	common/device_owner.c common/domain_config_devices.c \
	tests/unit/shim_core.c tests/unit/shim_spinlock.c tests/unit/shim_core_guest.c
UNIT_TESTS += string_io
string_io_SRCS := $(HVM_EMUL_SRCS) tests/unit/test_string_io.c
string_io_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
UNIT_TESTS += mmio_emul
mmio_emul_SRCS := $(HVM_EMUL_SRCS) tests/unit/test_mmio_emul.c
mmio_emul_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
