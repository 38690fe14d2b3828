/* dom0's view of PCI configuration space: one filter behind ports CF8/CFC and the ECAM window. */
#ifndef ASM_DOM0_PCI_H
#define ASM_DOM0_PCI_H

#include <keel/types.h>

struct domain;

/*
 * dom0 (@d) reads or writes @size (1, 2 or 4) bytes at @off (0..4095) of function @bdf: MSI
 * message registers are dom0's copies (dom0_msi.h), a write that may move or enable an MSI-X
 * table re-traps it (dom0_msix.h), the rest reaches the device. An access that is not
 * naturally aligned is done a byte at a time.
 */
u32 dom0_pci_read(struct domain *d, u16 bdf, unsigned int off, unsigned int size);
void dom0_pci_write(struct domain *d, u16 bdf, unsigned int off, unsigned int size, u32 val);

/*
 * Trap the host's ECAM window (the MCFG's, segment 0) in dom0 @d at its host address: each
 * access goes through the filter above. 0 when the host has none; -errno.
 */
int dom0_ecam_init(struct domain *d);

#endif
