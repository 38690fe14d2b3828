/* dom0's MSIs: Keel's host vectors for them and the MSI capability filter (MSI-X: dom0_msix.h). */
#ifndef ASM_DOM0_MSI_H
#define ASM_DOM0_MSI_H

#include <keel/types.h>

struct domain;

#define MSI_VEC_BASE 0xa0
#define MSI_MAX	     0x50 /* host vectors 0xa0..0xef */

/*
 * A config-space access of dom0 at @off (0..255) of function @bdf: when it touches the message
 * address or data of the function's MSI capability it is served from dom0's copy (true; a write
 * reprograms the device with Keel's address and vector), else it goes to the device (false).
 */
bool dom0_msi_config_read(u16 bdf, unsigned int off, unsigned int size, u32 *val);
bool dom0_msi_config_write(struct domain *d, u16 bdf, unsigned int off, unsigned int size, u32 val);

/* The message address every device gets from Keel: CPU 0, physical, fixed. */
u32 dom0_msi_host_address(void);
/*
 * dom0 (@d) wrote entry @entry of @bdf's MSI-X table as @addr/@data: kept for delivery. Returns
 * the host vector the device's entry must carry instead, or -ENOSPC when none is left.
 */
int dom0_msi_set_msix(struct domain *d, u16 bdf, unsigned int entry, u64 addr, u32 data);
/* @bdf's MSI-X table is no longer filtered: its host vectors are free. */
void dom0_msi_drop_msix(u16 bdf);

/* The host took MSI vector @vec: deliver what dom0 programmed for it (softirq context). */
void dom0_msi_fired(unsigned int vec);
void dom0_msi_run_pending(void);
/* dom0 @d is gone: its devices' MSIs are disabled and forgotten, every vector freed. */
void dom0_msi_release(const struct domain *d);

#endif
