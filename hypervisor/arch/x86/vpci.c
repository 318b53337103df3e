/*
 * The hardware domain's CF8/CFC configuration mechanism: its own latched
 * CF8, each access forwarded to the host under keel's lock, except the
 * MSI and MSI-X capabilities of a function (vmsi.c).
 */
#include <keel/assert.h>
#include <keel/domain.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <asm/hwdom_irq.h>
#include <asm/pci.h>
#include <asm/vpci.h>

#define PORT_CF8 0xcf8
#define PORT_CFC 0xcfc
#define PORT_LAST 0xcff
#define CF8_ENABLE BIT(31)
#define CF8_WRITABLE (CF8_ENABLE | 0x00fffffcu)	/* bus, device, function, register */
#define PCI_VENDOR 0x00
#define PCI_STATUS 0x06
#define PCI_STATUS_CAPS BIT(4)
#define PCI_CAP_PTR 0x34
#define CAP_ID_MSI 0x05
#define CAP_ID_MSIX 0x11
#define CAP_MAX 48		/* caps in 256 bytes: a longer list loops */

static bool is_plain(const struct vpci *vp, u16 bdf)
{
	return vp->plain[bdf / 64] & BIT(bdf % 64);
}

/* The function's MSI/MSI-X state, found on its first access; NULL when it has neither. */
static struct vpci_dev *lookup(struct vpci *vp, struct domain *d, u16 bdf)
{
	struct vpci_dev *dev;
	u8 msi = 0, msix = 0, ptr;

	ASSERT(spin_is_locked(&vp->lock));
	for (unsigned int i = 0; i < vp->nr; i++)
		if (vp->dev[i]->bdf == bdf)
			return vp->dev[i];
	if (is_plain(vp, bdf) || pci_conf_read(bdf, PCI_VENDOR, 2) == 0xffff)
		return NULL;		/* absent functions are looked at again */
	ptr = pci_conf_read(bdf, PCI_STATUS, 2) & PCI_STATUS_CAPS ?
	      pci_conf_read(bdf, PCI_CAP_PTR, 1) & 0xfc : 0;
	for (unsigned int n = 0; ptr >= 0x40 && n < CAP_MAX; n++) {
		u8 id = pci_conf_read(bdf, ptr, 1);

		if (id == CAP_ID_MSI && !msi)
			msi = ptr;
		else if (id == CAP_ID_MSIX && !msix)
			msix = ptr;
		ptr = pci_conf_read(bdf, ptr + 1, 1) & 0xfc;
	}
	if (!msi && !msix) {
		vp->plain[bdf / 64] |= BIT(bdf % 64);
		return NULL;
	}
	dev = vp->nr < VPCI_MAX_DEVS ? alloc_page() : NULL;
	if (!dev) {
		pr_err("d%u: %02x:%02x.%u: no room to intercept its MSI: not shadowed\n",
		       d->id, bdf >> 8, (bdf >> 3) & 31, bdf & 7);
		vp->plain[bdf / 64] |= BIT(bdf % 64);
		return NULL;
	}
	dev->d = d;
	dev->bdf = bdf;
	dev->msi_cap = msi;
	dev->msix_cap = msix;
	dev->msi.dev = dev;
	for (unsigned int i = 0; i < VPCI_MSIX_MAX; i++)
		dev->msix[i] = (struct vmsi){ .dev = dev, .ctrl = 1 };
	vp->dev[vp->nr++] = dev;
	if (msi)
		dev->msi_flags = pci_conf_read(bdf, msi + 2, 2) & 0x180;
	if (msix)
		vmsix_claim(dev);
	return dev;
}

u32 vpci_conf_read(struct vpci *vp, struct domain *d, u16 bdf, u16 reg,
		   unsigned int size)
{
	struct vpci_dev *dev = lookup(vp, d, bdf);
	u32 hw = pci_conf_read(bdf, reg, size);

	return dev ? vmsi_read(dev, reg, size, hw) : hw;
}

void vpci_conf_write(struct vpci *vp, struct domain *d, u16 bdf, u16 reg,
		     unsigned int size, u32 val)
{
	struct vpci_dev *dev = lookup(vp, d, bdf);

	if (!dev)
		pci_conf_write(bdf, reg, size, val);
	else if (vmsix_guard_write(dev, reg, size, &val))
		vmsi_write(dev, reg, size, val);
}

bool vpci_portio(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val)
{
	struct hwdom_irq *h = v->domain->arch.hwirq;
	struct vpci *vp = h ? h->vpci : NULL;
	u32 cf8;

	if (!vp || port < PORT_CF8 || port > PORT_LAST ||
	    (port < PORT_CFC && (port != PORT_CF8 || size != 4)))
		return false;		/* 0xCF9 (reset) and the like are not ours */
	spin_lock(&vp->lock);
	cf8 = vp->cf8;
	if (port == PORT_CF8) {
		if (in)
			*val = cf8;
		else
			vp->cf8 = *val & CF8_WRITABLE;
	} else if (!(cf8 & CF8_ENABLE) || (port & 3) + size > 4) {
		if (in)
			*val = ~0u;
	} else if (in) {
		*val = vpci_conf_read(vp, v->domain, (cf8 >> 8) & 0xffff,
				      (cf8 & 0xfc) | (port & 3), size);
	} else {
		vpci_conf_write(vp, v->domain, (cf8 >> 8) & 0xffff,
				(cf8 & 0xfc) | (port & 3), size, *val);
	}
	spin_unlock(&vp->lock);
	return true;
}
