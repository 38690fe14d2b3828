/* The host's PCI configuration space as Keel reaches it: functions, registers, capabilities. */
#ifndef KEEL_PCI_H
#define KEEL_PCI_H

#include <keel/types.h>

struct acpi_mcfg_info;

/* Config-space registers and capability ids Keel reads. */
#define PCI_COMMAND	   0x04
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_STATUS	   0x06
#define PCI_STATUS_CAPS	   0x10
#define PCI_HEADER_TYPE	   0x0e
#define PCI_BAR0	   0x10
#define PCI_BAR_COUNT	   6
#define PCI_BAR_IO	   0x1
#define PCI_BAR_MEM64	   0x4 /* type field (bits 2:1) = 2 */
#define PCI_BAR_MEM_MASK   (~0xfULL)
#define PCI_CAP_PTR	   0x34
#define PCI_CAP_ID_MSI	   0x05
#define PCI_CAP_ID_MSIX	   0x11
#define PCI_CONF_SIZE	   256	/* mechanism 1 reaches this much of each function */
#define PCI_CONF_EXT_SIZE  4096 /* ECAM reaches this much */

/* Bus, device and function, as mechanism 1 and ECAM name them (bits 15:8, 7:3, 2:0). */
static inline u16 pci_bdf(u32 conf_addr)
{
	return (u16)((conf_addr >> 8) & 0xffff);
}

/* Use the host's ECAM window for segment 0 when the MCFG has one (at boot, after ACPI). */
void pci_conf_init(const struct acpi_mcfg_info *mcfg);

/*
 * @size (1, 2 or 4) bytes at @off of function @bdf, naturally aligned. Offsets from 256 need
 * ECAM: without it they read all ones and writes are dropped. Safe from any context.
 */
u32 pci_conf_read(u16 bdf, unsigned int off, unsigned int size);
void pci_conf_write(u16 bdf, unsigned int off, unsigned int size, u32 val);

/*
 * The offset of @bdf's capability @id in its standard list, 0 when it has none (or no
 * function answers at @bdf). The list is walked with a bound, so a looping one ends.
 */
u8 pci_find_cap(u16 bdf, u8 id);

/*
 * The memory address BAR @bar of @bdf decodes (both halves of a 64-bit BAR), 0 when it is an
 * I/O BAR, out of range, or unassigned.
 */
u64 pci_bar_address(u16 bdf, unsigned int bar);

#endif
