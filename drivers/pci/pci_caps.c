/* Walking a PCI function's configuration: its capability list and its memory BARs. */
#include <keel/pci.h>

#define MAX_CAPS 48 /* a list longer than config space allows is a loop */

u8 pci_find_cap(u16 bdf, u8 id)
{
	u8 ptr;

	if (pci_conf_read(bdf, 0, 2) == 0xffff ||
	    !(pci_conf_read(bdf, PCI_STATUS, 2) & PCI_STATUS_CAPS))
		return 0;
	ptr = (u8)pci_conf_read(bdf, PCI_CAP_PTR, 1) & 0xfc;
	for (unsigned int i = 0; i < MAX_CAPS && ptr >= 0x40; i++) {
		u32 hdr = pci_conf_read(bdf, ptr, 2);

		if ((hdr & 0xff) == id)
			return ptr;
		ptr = (u8)(hdr >> 8) & 0xfc;
	}
	return 0;
}

u64 pci_bar_address(u16 bdf, unsigned int bar)
{
	u32 lo;
	u64 addr;

	if (bar >= PCI_BAR_COUNT)
		return 0;
	lo = pci_conf_read(bdf, PCI_BAR0 + 4 * bar, 4);
	if (lo & PCI_BAR_IO)
		return 0;
	addr = lo & PCI_BAR_MEM_MASK;
	if ((lo & 0x6) == PCI_BAR_MEM64) {
		if (bar + 1 >= PCI_BAR_COUNT)
			return 0;
		addr |= (u64)pci_conf_read(bdf, PCI_BAR0 + 4 * (bar + 1), 4) << 32;
	}
	return addr;
}
