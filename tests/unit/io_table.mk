# The per-domain tables of emulated MMIO ranges and ports (arch/x86/hvm/io_table.c) and the
# devices every domain registers (arch/x86/hvm/devices.c, acpi_ports.c).
UNIT_TESTS += io_table
io_table_SRCS := arch/x86/hvm/io_table.c arch/x86/hvm/devices.c arch/x86/hvm/acpi_ports.c \
	tests/unit/test_io_table.c \
	tests/unit/shim_spinlock.c
io_table_CFLAGS := -Iarch/x86/include
