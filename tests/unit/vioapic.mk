# Virtual IO-APICs (arch/x86/hvm/vioapic.c) over a fake host IO-APIC and vLAPICs: owned pins follow
# the host pin (edge, level with EOI), others never connect; dom0 is withheld others' GSIs.
UNIT_TESTS += vioapic
vioapic_SRCS := arch/x86/hvm/vioapic.c arch/x86/hvm/io_table.c common/device_owner.c \
	common/domain_config_devices.c tests/unit/test_vioapic.c tests/unit/shim_msi_dest.c \
	tests/unit/shim_core.c tests/unit/shim_spinlock.c
vioapic_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
