# dom0's MSI filter (arch/x86/hvm/dom0_msi.c) over a fake PCI config space and vLAPICs.
UNIT_TESTS += dom0msi
dom0msi_SRCS := arch/x86/hvm/dom0_msi.c drivers/pci/pci_caps.c tests/unit/test_dom0_msi.c tests/unit/shim_msi_dest.c tests/unit/shim_core.c \
	tests/unit/shim_spinlock.c
dom0msi_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
