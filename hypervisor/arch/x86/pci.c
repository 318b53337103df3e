/* keel's own PCI configuration accesses through CF8/CFC, atomic against each other and dom0's. */
#include <keel/arch.h>
#include <keel/page.h>
#include <keel/pagetable.h>
#include <keel/spinlock.h>
#include <asm/io.h>
#include <asm/pci.h>
#include <asm/x86_page.h>

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define PCI_CONF_ENABLE BIT(31)

static DEFINE_SPINLOCK(pci_lock);	/* the CF8 latch between a write and its CFC access */

u32 pci_conf_read(u16 bdf, u16 reg, unsigned int size)
{
	unsigned long flags = spin_lock_irqsave(&pci_lock);
	u16 port = PCI_CONF_DATA + (reg & 3);
	u32 val;

	outl(PCI_CONF_ADDR, PCI_CONF_ENABLE | (u32)bdf << 8 | (reg & 0xfc));
	val = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
	spin_unlock_irqrestore(&pci_lock, flags);
	return val;
}

void pci_conf_write(u16 bdf, u16 reg, unsigned int size, u32 val)
{
	unsigned long flags = spin_lock_irqsave(&pci_lock);
	u16 port = PCI_CONF_DATA + (reg & 3);

	outl(PCI_CONF_ADDR, PCI_CONF_ENABLE | (u32)bdf << 8 | (reg & 0xfc));
	if (size == 1)
		outb(port, val);
	else if (size == 2)
		outw(port, val);
	else
		outl(port, val);
	spin_unlock_irqrestore(&pci_lock, flags);
}

void *pci_ioremap(u64 phys, u64 len)
{
	u64 start = phys & PAGE_MASK, end = ALIGN_UP(phys + len, PAGE_SIZE);

	for (u64 p = start; p < end; p += PAGE_SIZE) {
		u64 pa, attr, size;

		if (!pt_lookup(&host_page_table, DIRECTMAP_BASE + p, &pa, &attr, &size))
			continue;	/* mapped already (an earlier claim of the page) */
		if (pt_map(&host_page_table, DIRECTMAP_BASE + p, p, PAGE_SIZE,
			   X86_PTE_P | X86_PTE_RW | X86_PTE_PCD | X86_PTE_PWT |
			   X86_PTE_NX, 0))
			return NULL;
	}
	return phys_to_virt(phys);
}
