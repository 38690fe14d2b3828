# dom0's config-space filter (arch/x86/hvm/dom0_pci.c, dom0_msix.c, dom0_msi.c): the ECAM window
# and MSI-X tables over fake config spaces, BAR memory and EPT.
UNIT_TESTS += dom0pci
dom0pci_SRCS := arch/x86/hvm/dom0_pci.c arch/x86/hvm/dom0_msix.c arch/x86/hvm/dom0_msi.c \
	arch/x86/hvm/io_table.c drivers/pci/pci_caps.c tests/unit/test_dom0_pci.c \
	tests/unit/shim_msi_dest.c tests/unit/shim_core.c tests/unit/shim_spinlock.c
dom0pci_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
