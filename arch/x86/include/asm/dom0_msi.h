/* dom0's MSIs: its writes to a device's MSI capability are kept, the device gets Keel's vector. */
#ifndef ASM_DOM0_MSI_H
#define ASM_DOM0_MSI_H

#include <keel/types.h>

struct domain;

#define MSI_VEC_BASE 0xa0
#define MSI_MAX	     0x50 /* host vectors 0xa0..0xef */

/* A PCI function and a config-space offset as mechanism 1 names them (bus, device, function). */
static inline u16 pci_bdf(u32 conf_addr)
{
	return (u16)((conf_addr >> 8) & 0xffff);
}

/*
 * A config-space access of dom0 at @off (0..255) of function @bdf: when it touches the message
 * address or data of the function's MSI capability it is served from dom0's copy (true; a write
 * reprograms the device with Keel's address and vector), else it goes to the device (false).
 */
bool dom0_msi_config_read(u16 bdf, unsigned int off, unsigned int size, u32 *val);
bool dom0_msi_config_write(struct domain *d, u16 bdf, unsigned int off, unsigned int size, u32 val);
/* The host took MSI vector @vec: deliver what dom0 programmed for it (softirq context). */
void dom0_msi_fired(unsigned int vec);
void dom0_msi_run_pending(void);
/* dom0 @d is gone: its devices' MSIs are disabled and forgotten. */
void dom0_msi_release(const struct domain *d);

/* Config space of the real device (dom0_ports.c: mechanism 1 under its lock). */
u32 pci_conf_read(u16 bdf, unsigned int off, unsigned int size);
void pci_conf_write(u16 bdf, unsigned int off, unsigned int size, u32 val);

#endif
