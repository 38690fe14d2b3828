/* Guest ABI: physdev_op, dom0 telling the hypervisor about its PCI devices (Xen numbering). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_PHYSDEV_H
#define KEEL_PUBLIC_PHYSDEV_H

#include <stdint.h>

/*
 * physdev_op(cmd, arg): dom0 only (others -EPERM). Keel records nothing yet (no IOMMU): the
 * calls are checked and accepted so that dom0 goes on; unknown commands get -ENOSYS.
 */
#define PHYSDEVOP_manage_pci_add     15
#define PHYSDEVOP_manage_pci_remove  16
#define PHYSDEVOP_manage_pci_add_ext 20
#define PHYSDEVOP_pci_mmcfg_reserved 24
#define PHYSDEVOP_pci_device_add     25
#define PHYSDEVOP_pci_device_remove  26

struct physdev_manage_pci {
	uint8_t bus;
	uint8_t devfn;
};

struct physdev_manage_pci_ext {
	uint8_t bus;
	uint8_t devfn;
	unsigned int is_extfn;
	unsigned int is_virtfn;
	struct {
		uint8_t bus;
		uint8_t devfn;
	} physfn;
};

#define XEN_PCI_MMCFG_RESERVED 1u
struct physdev_pci_mmcfg_reserved {
	uint64_t address;
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t flags;
};

#define XEN_PCI_DEV_EXTFN  0x1u
#define XEN_PCI_DEV_VIRTFN 0x2u
#define XEN_PCI_DEV_PXM	   0x4u
struct physdev_pci_device_add {
	uint16_t seg;
	uint8_t bus;
	uint8_t devfn;
	uint32_t flags;
	struct {
		uint8_t bus;
		uint8_t devfn;
	} physfn;
	/* followed by uint32_t optarr[]: the proximity domain when XEN_PCI_DEV_PXM */
};

struct physdev_pci_device {
	uint16_t seg;
	uint8_t bus;
	uint8_t devfn;
};

_Static_assert(sizeof(struct physdev_pci_device_add) == 12, "physdev_pci_device_add is 12");
_Static_assert(sizeof(struct physdev_pci_mmcfg_reserved) == 16, "mmcfg_reserved is 16 bytes");

#endif
