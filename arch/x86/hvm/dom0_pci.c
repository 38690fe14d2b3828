/* dom0's view of PCI configuration space: one filter for ports CF8/CFC and the trapped ECAM window. */
#include <asm/dom0_msi.h>
#include <asm/dom0_msix.h>
#include <asm/dom0_pci.h>
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <keel/acpi.h>
#include <keel/dom0_acpi.h>
#include <keel/domain.h>
#include <keel/pci.h>
#include <keel/printk.h>
#include <keel/vcpu.h>

static bool aligned(unsigned int off, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && !(off & (size - 1)) &&
	       off + size <= PCI_CONF_EXT_SIZE;
}

static u32 read_one(u16 bdf, unsigned int off, unsigned int size)
{
	u32 v;

	if (off < PCI_CONF_SIZE && dom0_msi_config_read(bdf, off, size, &v))
		return v;
	return pci_conf_read(bdf, off, size);
}

u32 dom0_pci_read(struct domain *d, u16 bdf, unsigned int off, unsigned int size)
{
	u32 v = 0;

	if (aligned(off, size))
		return read_one(bdf, off, size);
	for (unsigned int i = 0; i < size && i < 4; i++)
		v |= (off + i < PCI_CONF_EXT_SIZE ? read_one(bdf, off + i, 1) : 0xff) << (8 * i);
	return v;
}

static void write_one(struct domain *d, u16 bdf, unsigned int off, unsigned int size, u32 val)
{
	if (off >= PCI_CONF_SIZE || !dom0_msi_config_write(d, bdf, off, size, val))
		pci_conf_write(bdf, off, size, val);
}

void dom0_pci_write(struct domain *d, u16 bdf, unsigned int off, unsigned int size, u32 val)
{
	if (aligned(off, size)) {
		write_one(d, bdf, off, size, val);
	} else {
		for (unsigned int i = 0; i < size && i < 4 && off + i < PCI_CONF_EXT_SIZE; i++)
			write_one(d, bdf, off + i, 1, (val >> (8 * i)) & 0xff);
	}
	dom0_msix_config_written(d, bdf, off, size);
}

/* The ECAM window: bus, device, function and register from the address, as the MCFG says. */
struct ecam_window {
	u64 base; /* of bus 0 */
};

static struct ecam_window window;

static void decode(u64 addr, u16 *bdf, unsigned int *off)
{
	u64 rel = addr - window.base;

	*bdf = (u16)(rel >> 12);
	*off = (unsigned int)(rel & 0xfff);
}

static int ecam_read(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val)
{
	unsigned int off;
	u16 bdf;

	decode(addr, &bdf, &off);
	if (size > 4 || (off & 3) + size > 4) /* ECAM takes accesses within one dword */
		*val = ~0ULL;
	else
		*val = dom0_pci_read(v->domain, bdf, off, size);
	return 0;
}

static int ecam_write(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val)
{
	unsigned int off;
	u16 bdf;

	decode(addr, &bdf, &off);
	if (size <= 4 && (off & 3) + size <= 4)
		dom0_pci_write(v->domain, bdf, off, size, (u32)val);
	return 0;
}

static const struct hvm_io_ops ecam_ops = {.read = ecam_read, .write = ecam_write};

int dom0_ecam_init(struct domain *d)
{
	const struct acpi_mcfg_info *mcfg = &acpi_host_info()->mcfg;
	u64 first;

	if (!mcfg->present)
		return 0;
	window.base = mcfg->ecam_base;
	first = mcfg->ecam_base + ((u64)mcfg->bus_start << 20);
	return hvm_io_register(&d->arch.mmio, first,
			       ((u64)mcfg->bus_end - mcfg->bus_start + 1) << 20, "ECAM", &ecam_ops,
			       NULL);
}
