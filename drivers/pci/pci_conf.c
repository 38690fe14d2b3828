/* The host's PCI configuration space: the MCFG's ECAM window where there is one, else ports CF8/CFC. */
#include <asm/io.h>
#include <keel/acpi.h>
#include <keel/compiler.h>
#include <keel/panic.h>
#include <keel/pci.h>
#include <keel/printk.h>
#include <keel/spinlock.h>

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define CONF1_ENABLE  0x80000000u

/* Mechanism 1 is one address latch for the machine: a lock per access. */
static spinlock_t conf1_lock = SPINLOCK_INIT;
/* ECAM: buses ecam_bus_start..ecam_bus_end of segment 0, mapped uncached at boot. */
static volatile u8 *ecam;
static unsigned int ecam_bus_start, ecam_bus_end;

void pci_conf_init(const struct acpi_mcfg_info *mcfg)
{
	u64 base, len;

	if (!mcfg || !mcfg->present) {
		pr_info("pci: configuration space through ports 0xCF8/0xCFC (no MCFG)");
		return;
	}
	base = mcfg->ecam_base + ((u64)mcfg->bus_start << 20);
	len = ((u64)mcfg->bus_end - mcfg->bus_start + 1) << 20;
	ecam = ioremap(base, len);
	ecam_bus_start = mcfg->bus_start;
	ecam_bus_end = mcfg->bus_end;
	pr_info("pci: ECAM for buses %02x-%02x at %#llx", ecam_bus_start, ecam_bus_end, base);
}

static volatile u8 *ecam_at(u16 bdf, unsigned int off)
{
	unsigned int bus = bdf >> 8;

	if (!ecam || bus < ecam_bus_start || bus > ecam_bus_end)
		return NULL;
	return ecam + ((u64)(bus - ecam_bus_start) << 20) + ((u64)(bdf & 0xff) << 12) + off;
}

static bool bad_access(unsigned int off, unsigned int size)
{
	return (size != 1 && size != 2 && size != 4) || (off & (size - 1)) ||
	       off + size > PCI_CONF_EXT_SIZE;
}

u32 pci_conf_read(u16 bdf, unsigned int off, unsigned int size)
{
	volatile u8 *p;
	unsigned long flags;
	u32 v;

	BUG_ON(bad_access(off, size));
	p = ecam_at(bdf, off);
	if (p)
		return size == 1 ? *p : size == 2 ? *(volatile u16 *)p : *(volatile u32 *)p;
	if (off >= PCI_CONF_SIZE)
		return size == 4 ? ~0u : (1u << (8 * size)) - 1;
	flags = spin_lock_irqsave(&conf1_lock);
	outl(PCI_CONF_ADDR, CONF1_ENABLE | ((u32)bdf << 8) | (off & 0xfc));
	v = size == 1	? inb((u16)(PCI_CONF_DATA + (off & 3)))
	    : size == 2 ? inw((u16)(PCI_CONF_DATA + (off & 3)))
			: inl(PCI_CONF_DATA);
	spin_unlock_irqrestore(&conf1_lock, flags);
	return v;
}

void pci_conf_write(u16 bdf, unsigned int off, unsigned int size, u32 val)
{
	volatile u8 *p;
	unsigned long flags;

	BUG_ON(bad_access(off, size));
	p = ecam_at(bdf, off);
	if (p) {
		if (size == 1)
			*p = (u8)val;
		else if (size == 2)
			*(volatile u16 *)p = (u16)val;
		else
			*(volatile u32 *)p = val;
		return;
	}
	if (off >= PCI_CONF_SIZE)
		return;
	flags = spin_lock_irqsave(&conf1_lock);
	outl(PCI_CONF_ADDR, CONF1_ENABLE | ((u32)bdf << 8) | (off & 0xfc));
	if (size == 1)
		outb((u16)(PCI_CONF_DATA + (off & 3)), (u8)val);
	else if (size == 2)
		outw((u16)(PCI_CONF_DATA + (off & 3)), (u16)val);
	else
		outl(PCI_CONF_DATA, val);
	spin_unlock_irqrestore(&conf1_lock, flags);
}
