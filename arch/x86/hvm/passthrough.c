/* A domain's own devices (ioports=, iomem=, irqs=): real port I/O, 1:1 device pages, its GSIs. */
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <asm/vioapic.h>
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/domcfg_devices.h>
#include <keel/errno.h>

/*
 * An owned port range: accesses reach the hardware. @priv holds the range's last port: an access
 * that runs past it (into a port the domain does not own) reads all ones and is dropped whole.
 */
static bool inside(void *priv, u64 port, unsigned int size)
{
	return port + size - 1 <= (u64)(uintptr_t)priv;
}

static int own_port_read(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 *val)
{
	*val = inside(priv, port, size) ? hvm_port_passthrough_read((u16)port, size) : ~0ULL;
	return 0;
}

static int own_port_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	if (inside(priv, port, size))
		hvm_port_passthrough_write((u16)port, size, (u32)val);
	return 0;
}

static const struct hvm_io_ops own_ports = {.read = own_port_read, .write = own_port_write};

int arch_domain_assign_devices(struct domain *d, const struct domcfg_devices *dev)
{
	int rc = 0;

	if (d->arch.io_passthrough)
		return -EINVAL; /* dom0 has the host's devices already */
	for (unsigned int i = 0; i < dev->nr_ioports && !rc; i++) {
		const struct domcfg_range *r = &dev->ioports[i];

		rc = hvm_io_register(&d->arch.ports, r->first, r->last - r->first + 1,
				     "assigned ports", &own_ports, (void *)(uintptr_t)r->last);
	}
	for (unsigned int i = 0; i < dev->nr_iomem && !rc; i++) {
		const struct domcfg_range *r = &dev->iomem[i];

		rc = hvm_ops->map_mmio(d, r->first, r->first, r->last - r->first + 1);
	}
	if (!rc && dev->nr_irqs)
		rc = vioapic_domain_init_owned(d, dev->irqs, dev->nr_irqs);
	return rc;
}

u32 arch_domain_ioapic_gpa(const struct domain *d)
{
	return d->arch.io_passthrough ? 0 : vioapic_guest_address(d); /* dom0: the host's MADT */
}
