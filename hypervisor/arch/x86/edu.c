/* A minimal driver for QEMU's edu device: its DMA engine and MSI, for selftest=vtd. */
#include <keel/errno.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <asm/edu.h>
#include <asm/pci.h>

#define EDU_VENDOR_DEVICE 0x11e81234u
#define EDU_ID 0x00
#define EDU_ID_VALUE 0x010000ed
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START BIT(0)
#define EDU_DMA_TO_RAM BIT(1)
#define EDU_DMA_TIMEOUT_MS 2000

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY BIT(1)
#define PCI_COMMAND_MASTER BIT(2)
#define PCI_STATUS_CAPS BIT(4)	/* in the status register, config offset 0x06 */
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34
#define PCI_CAP_MSI 0x05
#define MSI_CTRL 2
#define MSI_CTRL_ENABLE BIT(0)
#define MSI_CTRL_64BIT BIT(7)

u32 edu_read(const struct edu *e, u16 reg)
{
	return *(volatile u32 *)(e->regs + reg);
}

void edu_write(const struct edu *e, u16 reg, u32 val)
{
	*(volatile u32 *)(e->regs + reg) = val;
}

static void edu_write64(const struct edu *e, u16 reg, u64 val)
{
	*(volatile u64 *)(e->regs + reg) = val;
}

static u8 find_msi(u16 bdf)
{
	unsigned int hops = 0;
	u8 cap;

	if (!(pci_conf_read(bdf, 0x06, 2) & PCI_STATUS_CAPS))
		return 0;
	/* At most 48 capabilities fit in 192 bytes: a loop in the list ends here. */
	for (cap = pci_conf_read(bdf, PCI_CAP_PTR, 1) & 0xfc; cap >= 0x40 && hops < 48;
	     cap = pci_conf_read(bdf, cap + 1, 1) & 0xfc, hops++)
		if (pci_conf_read(bdf, cap, 1) == PCI_CAP_MSI)
			return cap;
	return 0;
}

int edu_probe(struct edu *e, u64 tsc_per_ms)
{
	for (u16 bdf = 0; bdf < 0x100; bdf += 8) {
		u32 bar;

		if (pci_conf_read(bdf, 0, 4) != EDU_VENDOR_DEVICE)
			continue;
		bar = pci_conf_read(bdf, PCI_BAR0, 4);
		/* 32-bit memory BAR, as the firmware assigned it. */
		if ((bar & 7) || !(bar & ~0xfu))
			return -ENODEV;
		e->regs = pci_ioremap(bar & ~0xfu, EDU_BUF_SIZE);
		if (!e->regs)
			return -ENODEV;
		e->bdf = bdf;
		e->tsc_per_ms = tsc_per_ms;
		e->msi = find_msi(bdf);
		pci_conf_write(bdf, PCI_COMMAND, 2, pci_conf_read(bdf, PCI_COMMAND, 2) |
			       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
		return edu_read(e, EDU_ID) == EDU_ID_VALUE ? 0 : -ENODEV;
	}
	return -ENODEV;
}

int edu_dma(const struct edu *e, u64 bus, u32 off, u32 len, bool to_ram)
{
	u64 start = arch_read_tsc();

	/* QEMU's edu aborts the whole emulator on a transfer outside its buffer. */
	if (off > EDU_BUF_SIZE || len > EDU_BUF_SIZE - off)
		return -EINVAL;
	edu_write64(e, EDU_DMA_SRC, to_ram ? EDU_BUF + off : bus);
	edu_write64(e, EDU_DMA_DST, to_ram ? bus : EDU_BUF + off);
	edu_write64(e, EDU_DMA_CNT, len);
	edu_write64(e, EDU_DMA_CMD, EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0));
	while (edu_read(e, EDU_DMA_CMD) & EDU_DMA_START) {
		if (arch_read_tsc() - start > EDU_DMA_TIMEOUT_MS * e->tsc_per_ms)
			return -ETIMEDOUT;
		arch_cpu_relax();
	}
	return 0;
}

void edu_msi(const struct edu *e, u32 addr, u32 data, bool on)
{
	u16 ctrl;
	u8 data_reg;

	if (!e->msi)
		return;
	ctrl = pci_conf_read(e->bdf, e->msi + MSI_CTRL, 2);
	data_reg = ctrl & MSI_CTRL_64BIT ? 0x0c : 0x08;
	pci_conf_write(e->bdf, e->msi + MSI_CTRL, 2, ctrl & ~MSI_CTRL_ENABLE);
	if (!on)
		return;
	pci_conf_write(e->bdf, e->msi + 4, 4, addr);
	if (ctrl & MSI_CTRL_64BIT)
		pci_conf_write(e->bdf, e->msi + 8, 4, 0);
	pci_conf_write(e->bdf, e->msi + data_reg, 2, data);
	pci_conf_write(e->bdf, e->msi + MSI_CTRL, 2, ctrl | MSI_CTRL_ENABLE);
}
