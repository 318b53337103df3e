/* VT-d remapping units: bring-up, root and context tables, DMA domains, fault reporting. */
#include <keel/errno.h>
#include <keel/printk.h>
#include <asm/pci.h>
#include <asm/vtd.h>

int dmar_bridge_bus(u16 segment, u8 bus, u8 devfn)
{
	u16 bdf = bus << 8 | devfn;

	if (segment || pci_conf_read(bdf, 0, 2) == 0xffff ||
	    (pci_conf_read(bdf, 0x0e, 1) & 0x7f) != 1)
		return -1;
	return pci_conf_read(bdf, 0x19, 1);
}
