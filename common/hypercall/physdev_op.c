/* physdev_op: dom0 reports its PCI devices and MMCONFIG areas; checked and accepted (no IOMMU yet). */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <public/physdev.h>

#include "handlers.h"

static long device_add(struct vcpu *v, u64 arg)
{
	struct physdev_pci_device_add a;

	if (copy_from_guest(v, &a, arg, sizeof(a)))
		return -EFAULT;
	if (a.flags & ~(XEN_PCI_DEV_EXTFN | XEN_PCI_DEV_VIRTFN | XEN_PCI_DEV_PXM))
		return -EINVAL;
	pr_debug("physdev: d%u reports PCI %04x:%02x:%02x.%u", v->domain->id, a.seg, a.bus,
		 a.devfn >> 3, a.devfn & 7);
	return 0;
}

static long mmcfg_reserved(struct vcpu *v, u64 arg)
{
	struct physdev_pci_mmcfg_reserved r;

	if (copy_from_guest(v, &r, arg, sizeof(r)))
		return -EFAULT;
	if (r.start_bus > r.end_bus || (r.flags & ~XEN_PCI_MMCFG_RESERVED) || (r.address & 0xfffff))
		return -EINVAL;
	return 0;
}

static long read_arg(struct vcpu *v, u64 arg, size_t len)
{
	u8 buf[sizeof(struct physdev_manage_pci_ext)];

	return copy_from_guest(v, buf, arg, len) ? -EFAULT : 0;
}

long do_physdev_op(struct vcpu *v, const u64 *args)
{
	if (!v->domain->privileged)
		return -EPERM;
	switch (args[0]) {
	case PHYSDEVOP_pci_device_add:
		return device_add(v, args[1]);
	case PHYSDEVOP_pci_device_remove:
		return read_arg(v, args[1], sizeof(struct physdev_pci_device));
	case PHYSDEVOP_pci_mmcfg_reserved:
		return mmcfg_reserved(v, args[1]);
	case PHYSDEVOP_manage_pci_add:
	case PHYSDEVOP_manage_pci_remove:
		return read_arg(v, args[1], sizeof(struct physdev_manage_pci));
	case PHYSDEVOP_manage_pci_add_ext:
		return read_arg(v, args[1], sizeof(struct physdev_manage_pci_ext));
	default:
		return -ENOSYS;
	}
}
