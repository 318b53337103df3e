/*
 * MSI and MSI-X of the hardware domain's devices: the guest's address and
 * data are shadowed (they only say where keel delivers); the device gets
 * keel's address and a host vector, fixed and edge. The MSI-X table's
 * pages are claimed: its entries shadowed, applied on unmask or enable.
 */
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/p2m.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/hwdom_irq.h>
#include <asm/intremap.h>
#include <asm/ioapic.h>
#include <asm/mmio.h>
#include <asm/pci.h>
#include <asm/vlapic.h>
#include <asm/vpci.h>

#define MSI_CTRL 2
#define MSI_ENABLE BIT(0)
#define MSI_64BIT BIT(7)
#define MSIX_TABLE 4
#define MSIX_ENABLE BIT(15)
#define MSIX_FMASK BIT(14)
#define MSIX_SIZE 0x7ff
#define MSIX_ENTRY 16
#define MSIX_MASKED BIT(0)
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_LOGICAL BIT(2)
#define PCI_BAR0 0x10
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2

/*
 * The message @m's device sends: to keel's CPU at @m's host vector, fixed
 * and edge, in remappable form through the vector's IRTE when interrupts
 * are remapped.
 */
static void host_message(const struct vmsi *m, u32 *addr, u32 *data)
{
	*addr = MSI_ADDR_BASE | irq_dest_apic_id() << 12;
	*data = m->vector;
	iommu_ir_msi(m->dev->bdf, addr, data);
}

static struct vpci *vpci_of(const struct vpci_dev *dev)
{
	return dev->d->arch.hwirq->vpci;
}

/* Fixed or lowest-priority to the vCPU the guest's address names (physical, or logical's lowest bit). */
static void deliver(struct domain *d, u64 addr, u32 data)
{
	u32 dest = (addr >> 12) & 0xff, mode = (data >> 8) & 7;

	if ((addr >> 20) != (MSI_ADDR_BASE >> 20) || mode > 1)
		return;
	if (addr & MSI_ADDR_LOGICAL)
		dest = dest ? (u32)__builtin_ctz(dest) : ~0u;
	if (dest < d->nr_vcpus)
		vlapic_set_irq(d->vcpus[dest], data & 0xff);
}

static void host_irq(unsigned int vector, void *data)
{
	struct vmsi *m = data;
	struct vpci *vp = vpci_of(m->dev);
	u64 addr;
	u32 msg;

	spin_lock(&vp->lock);
	addr = m->addr;
	msg = m->data;
	spin_unlock(&vp->lock);
	deliver(m->dev->d, addr, msg);
}

static bool get_vector(struct vmsi *m)
{
	int vector = m->vector ? m->vector : irq_vector_alloc(host_irq, m);

	if (vector < 0) {
		pr_warn("d%u: %04x: no host vector left for an MSI\n",
			m->dev->d->id, m->dev->bdf);
		return false;
	}
	m->vector = vector;
	return true;
}

/* ---- MSI ---- */

static unsigned int msi_data_off(const struct vpci_dev *dev)
{
	return dev->msi_flags & MSI_64BIT ? 12 : 8;
}

/* The capability's first 16 bytes as the guest sees them (MMC and MME read 0). */
static void msi_view(const struct vpci_dev *dev, u8 *view)
{
	u16 ctrl = dev->msi_flags | (dev->msi_enabled ? MSI_ENABLE : 0);
	u16 data = dev->msi.data;
	u64 addr = dev->msi.addr;

	memset(view, 0, 16);
	memcpy(view + MSI_CTRL, &ctrl, 2);
	memcpy(view + 4, &addr, dev->msi_flags & MSI_64BIT ? 8 : 4);
	memcpy(view + msi_data_off(dev), &data, 2);
}

static void msi_update(struct vpci_dev *dev, const u8 *view)
{
	u16 c = dev->msi_cap, ctrl, data;
	u64 addr = 0;

	memcpy(&ctrl, view + MSI_CTRL, 2);
	memcpy(&addr, view + 4, dev->msi_flags & MSI_64BIT ? 8 : 4);
	memcpy(&data, view + msi_data_off(dev), 2);
	dev->msi.addr = addr;
	dev->msi.data = data;
	dev->msi_enabled = (ctrl & MSI_ENABLE) && get_vector(&dev->msi);
	if (dev->msi_enabled) {
		u32 haddr, hdata;

		/* Again each time: a reset device lost them (Linux restores by config writes). */
		host_message(&dev->msi, &haddr, &hdata);
		pci_conf_write(dev->bdf, c + 4, 4, haddr);
		if (dev->msi_flags & MSI_64BIT)
			pci_conf_write(dev->bdf, c + 8, 4, 0);
		pci_conf_write(dev->bdf, c + msi_data_off(dev), 2, hdata);
	}
	pci_conf_write(dev->bdf, c + MSI_CTRL, 2, dev->msi_enabled ? MSI_ENABLE : 0);
}

static bool in_msi(const struct vpci_dev *dev, u16 reg)
{
	return dev->msi_cap && reg >= dev->msi_cap + MSI_CTRL &&
	       reg < dev->msi_cap + msi_data_off(dev) + 2;
}

/* ---- MSI-X ---- */

static bool in_msix_ctrl(const struct vpci_dev *dev, u16 reg)
{
	return dev->msix_cap && (reg == dev->msix_cap + 2 || reg == dev->msix_cap + 3);
}

static volatile u32 *hw_entry(const struct vpci_dev *dev, unsigned int i)
{
	return (volatile u32 *)(dev->msix_page + (dev->msix_table & ~PAGE_MASK) +
				i * MSIX_ENTRY);
}

/* Open the hardware entry with keel's message when the guest's is open, else mask it. */
static void msix_apply(struct vpci_dev *dev, unsigned int i)
{
	struct vmsi *m = &dev->msix[i];
	volatile u32 *hw = hw_entry(dev, i);

	if ((dev->msix_ctrl & (MSIX_ENABLE | MSIX_FMASK)) == MSIX_ENABLE &&
	    !(m->ctrl & MSIX_MASKED) && get_vector(m)) {
		u32 addr, data;

		host_message(m, &addr, &data);
		hw[3] = MSIX_MASKED;
		hw[0] = addr;
		hw[1] = 0;
		hw[2] = data;
		hw[3] = 0;
	} else {
		hw[3] = MSIX_MASKED;
	}
}

static void msix_update(struct vpci_dev *dev, u16 ctrl)
{
	if ((ctrl & MSIX_ENABLE) && !dev->msix_table)
		vmsix_claim(dev);	/* its BAR was assigned since */
	if (!dev->msix_table) {
		if (ctrl & MSIX_ENABLE)
			pr_warn("d%u: %04x: MSI-X table not claimable: not enabled\n",
				dev->d->id, dev->bdf);
		ctrl &= ~MSIX_ENABLE;
	}
	dev->msix_ctrl = ctrl & (MSIX_ENABLE | MSIX_FMASK);
	for (unsigned int i = 0; dev->msix_table &&
	     i < MIN(dev->msix_entries, (u32)VPCI_MSIX_MAX); i++)
		msix_apply(dev, i);
	pci_conf_write(dev->bdf, dev->msix_cap + 2, 2, dev->msix_ctrl);
}

void vmsi_quiesce(struct vpci_dev *dev)
{
	if (dev->msi_cap && dev->msi_enabled)
		pci_conf_write(dev->bdf, dev->msi_cap + MSI_CTRL, 2, 0);
	dev->msi_enabled = false;
	for (unsigned int i = 0; dev->msix_table &&
	     i < MIN(dev->msix_entries, (u32)VPCI_MSIX_MAX); i++)
		hw_entry(dev, i)[3] = MSIX_MASKED;
}

/* ---- configuration space ---- */

u32 vmsi_read(struct vpci_dev *dev, u16 reg, unsigned int size, u32 hw)
{
	u8 view[16];

	ASSERT(spin_is_locked(&vpci_of(dev)->lock));
	if (!dev->msi_cap)
		return hw;
	msi_view(dev, view);
	for (unsigned int b = 0; b < size; b++)
		if (in_msi(dev, reg + b))
			hw = (hw & ~(0xffu << 8 * b)) |
			     (u32)view[reg + b - dev->msi_cap] << 8 * b;
	return hw;
}

void vmsi_write(struct vpci_dev *dev, u16 reg, unsigned int size, u32 val)
{
	bool msi = false, msix = false;
	u16 xctrl = dev->msix_ctrl;
	u8 view[16];

	ASSERT(spin_is_locked(&vpci_of(dev)->lock));
	for (unsigned int b = 0; b < size; b++) {
		msi |= in_msi(dev, reg + b);
		msix |= in_msix_ctrl(dev, reg + b);
	}
	if (!msi && !msix) {
		pci_conf_write(dev->bdf, reg, size, val);
		return;
	}
	if (msi)
		msi_view(dev, view);
	for (unsigned int b = 0; b < size; b++) {
		u8 byte = val >> 8 * b;
		u16 r = reg + b;

		if (in_msi(dev, r))
			view[r - dev->msi_cap] = byte;
		else if (in_msix_ctrl(dev, r))
			xctrl = (xctrl & ~(0xff << 8 * (r - dev->msix_cap - 2))) |
				byte << 8 * (r - dev->msix_cap - 2);
		else
			pci_conf_write(dev->bdf, r, 1, byte);
	}
	if (msi)
		msi_update(dev, view);
	if (msix)
		msix_update(dev, xctrl);
}

/* ---- the MSI-X table ---- */

static u32 *shadow_word(struct vpci_dev *dev, u64 off)
{
	struct vmsi *m = &dev->msix[off / MSIX_ENTRY];

	switch (off % MSIX_ENTRY / 4) {
	case 0:
		return (u32 *)&m->addr;
	case 1:
		return (u32 *)&m->addr + 1;
	case 2:
		return &m->data;
	default:
		return &m->ctrl;
	}
}

static int table_read(struct vcpu *v, u64 gpa, unsigned int size, u64 *val,
		      void *priv)
{
	struct vpci_dev *dev = priv;
	u64 off = gpa - dev->msix_table;
	volatile u8 *hw = dev->msix_page + (gpa - (dev->msix_table & PAGE_MASK));
	struct vpci *vp = vpci_of(dev);

	spin_lock(&vp->lock);
	if (gpa < dev->msix_table || off >= (u64)dev->msix_entries * MSIX_ENTRY ||
	    off >= VPCI_MSIX_MAX * MSIX_ENTRY) {
		/* The PBA and the device's other registers; entries keel does not shadow. */
		*val = size == 1 ? *hw : size == 2 ? *(volatile u16 *)hw :
		       size == 4 ? *(volatile u32 *)hw : *(volatile u64 *)hw;
	} else if ((size != 4 && size != 8) || (off & (size - 1))) {
		*val = ~0ULL;
	} else {
		*val = *shadow_word(dev, off);
		if (size == 8)
			*val |= (u64)*shadow_word(dev, off + 4) << 32;
	}
	spin_unlock(&vp->lock);
	return 0;
}

static int table_write(struct vcpu *v, u64 gpa, unsigned int size, u64 val,
		       void *priv)
{
	struct vpci_dev *dev = priv;
	u64 off = gpa - dev->msix_table;
	volatile u8 *hw = dev->msix_page + (gpa - (dev->msix_table & PAGE_MASK));
	struct vpci *vp = vpci_of(dev);

	spin_lock(&vp->lock);
	if (gpa < dev->msix_table || off >= (u64)dev->msix_entries * MSIX_ENTRY) {
		if (size == 1)
			*hw = val;
		else if (size == 2)
			*(volatile u16 *)hw = val;
		else if (size == 4)
			*(volatile u32 *)hw = val;
		else
			*(volatile u64 *)hw = val;
	} else if (off < VPCI_MSIX_MAX * MSIX_ENTRY &&
		   (size == 4 || size == 8) && !(off & (size - 1))) {
		*shadow_word(dev, off) = val;
		if (size == 8)
			*shadow_word(dev, off + 4) = val >> 32;
		if ((off + size - 1) % MSIX_ENTRY >= 12)	/* vector control */
			msix_apply(dev, off / MSIX_ENTRY);
	}
	spin_unlock(&vp->lock);
	return 0;
}

static const struct mmio_ops table_ops = { table_read, table_write };

/*
 * Where the device decodes its MSI-X table now (0: not a memory BAR, or
 * not assigned); @bar_reg/@bar_len: the configuration bytes of its BAR.
 */
static u64 msix_table_addr(const struct vpci_dev *dev, u16 *bar_reg,
			   unsigned int *bar_len)
{
	u16 bdf = dev->bdf;
	u32 table = pci_conf_read(bdf, dev->msix_cap + MSIX_TABLE, 4), bar;
	unsigned int bir = table & 7;
	u64 base;

	if (bir > 5)
		return 0;
	bar = pci_conf_read(bdf, PCI_BAR0 + 4 * bir, 4);
	base = bar & ~0xfULL;
	*bar_reg = PCI_BAR0 + 4 * bir;
	*bar_len = 4;
	if (((bar >> 1) & 3) == 2 && bir < 5) {
		base |= (u64)pci_conf_read(bdf, PCI_BAR0 + 4 * bir + 4, 4) << 32;
		*bar_len = 8;
	}
	if ((bar & 1) || !base)
		return 0;
	return base + (table & ~7u);
}

/* The 1st, 2nd, 4th, 8th... refusal is printed: dom0 cannot flood keel's console. */
static bool guard_should_warn(struct vpci_dev *dev)
{
	u32 n = ++dev->guard_refusals;

	return !(n & (n - 1));
}

/*
 * dom0 may not move a claimed MSI-X table out from under keel's shadow
 * (as Xen's vPCI): writes to its BAR are dropped while memory decoding is
 * on, and decoding is not turned on while the BAR names another place
 * (Linux sizes BARs with decoding off and restores them first). Returns
 * the value to write, with PCI_COMMAND's memory bit dropped if need be,
 * or false when the whole write must go.
 */
bool vmsix_guard_write(struct vpci_dev *dev, u16 reg, unsigned int size,
		       u32 *val)
{
	unsigned int len = 0;
	u16 bar = 0;
	u64 now;

	if (!dev->msix_table)
		return true;
	now = msix_table_addr(dev, &bar, &len);
	if (reg < bar + len && reg + size > bar &&
	    (pci_conf_read(dev->bdf, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY)) {
		if (guard_should_warn(dev))
			pr_warn("d%u: %04x: BAR write ignored: it holds the MSI-X table and decodes\n",
				dev->d->id, dev->bdf);
		return false;
	}
	if (reg <= PCI_COMMAND && reg + size > PCI_COMMAND &&
	    (*val >> 8 * (PCI_COMMAND - reg)) & PCI_COMMAND_MEMORY &&
	    now != dev->msix_table) {
		if (guard_should_warn(dev))
			pr_warn("d%u: %04x: memory decoding left off: the MSI-X table moved from %#llx\n",
				dev->d->id, dev->bdf,
				(unsigned long long)dev->msix_table);
		*val &= ~((u32)PCI_COMMAND_MEMORY << 8 * (PCI_COMMAND - reg));
	}
	return true;
}

void vmsix_claim(struct vpci_dev *dev)
{
	u16 bdf = dev->bdf, bar;
	u32 n = (pci_conf_read(bdf, dev->msix_cap + 2, 2) & MSIX_SIZE) + 1;
	unsigned int len;
	u64 base, start, end;
	u8 *map;

	base = msix_table_addr(dev, &bar, &len);
	if (!base)
		return;			/* not a memory BAR, or not assigned yet */
	start = base & PAGE_MASK;
	end = ALIGN_UP(base + (u64)n * MSIX_ENTRY, PAGE_SIZE);
	/*
	 * dom0 writes the BAR: a table "at" keel's RAM, another domain's, the
	 * LAPIC or an IOAPIC would have keel map that and pass dom0's accesses
	 * through. Only pages dom0 already reaches as its own devices' qualify.
	 */
	if (!p2m_range_is_mmio(dev->d, start, end)) {
		pr_warn("d%u: %04x: MSI-X table at %#llx is not in a device range: not claimed\n",
			dev->d->id, bdf, (unsigned long long)base);
		return;
	}
	map = pci_ioremap(start, end - start);
	if (!map || mmio_register(dev->d, start, end, &table_ops, dev)) {
		pr_warn("d%u: %04x: cannot claim the MSI-X table at %#llx\n",
			dev->d->id, bdf, (unsigned long long)base);
		return;
	}
	dev->msix_page = map;
	dev->msix_table = base;
	dev->msix_entries = n;
	for (u32 i = 0; i < n; i++)
		hw_entry(dev, i)[3] = MSIX_MASKED;
}
