/* keel's own PCI configuration access (type 1, CF8/CFC) and device register mappings. */
#ifndef ASM_PCI_H
#define ASM_PCI_H

#include <keel/types.h>

/* @size (1, 2, 4) bytes at @reg (within one dword) of function @bdf, under keel's lock. */
u32 pci_conf_read(u16 bdf, u16 reg, unsigned int size);
void pci_conf_write(u16 bdf, u16 reg, unsigned int size, u32 val);
/* keel's uncached mapping of device registers [phys, phys + len), or NULL. */
void *pci_ioremap(u64 phys, u64 len);

#endif
