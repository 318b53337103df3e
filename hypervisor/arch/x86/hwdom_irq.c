/* The hardware domain's interrupt state: a vIOAPIC per host IOAPIC, vPCI, and their teardown. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <asm/hwdom_irq.h>
#include <asm/hwdom_ports.h>
#include <asm/ioapic.h>
#include <asm/mmio.h>
#include <asm/vioapic.h>
#include <asm/vpci.h>

#define VPCI_ORDER 2

BUILD_BUG_ON(sizeof(struct vioapic) > PAGE_SIZE);
BUILD_BUG_ON(sizeof(struct hwdom_irq) > PAGE_SIZE);
BUILD_BUG_ON(sizeof(struct vpci) > (PAGE_SIZE << VPCI_ORDER));
BUILD_BUG_ON(sizeof(struct vpci_dev) > PAGE_SIZE);

int hwdom_irq_init(struct domain *d)
{
	const struct ioapic_info *host;
	struct hwdom_irq *h = alloc_page();
	int rc;

	if (!h)
		return -ENOMEM;
	d->arch.hwirq = h;
	for (unsigned int i = 0; (host = ioapic_get(i)); i++) {
		struct vioapic *vio = alloc_page();

		if (!vio)
			return -ENOMEM;
		vioapic_init(vio, d, host);
		h->vioapic[h->nr_vioapics++] = vio;
		rc = mmio_register(d, host->phys & PAGE_MASK,
				   (host->phys & PAGE_MASK) + PAGE_SIZE,
				   &vioapic_mmio_ops, vio);
		if (rc)
			return rc;
		pr_info("d%u: vIOAPIC id %u at %#x, GSIs %u-%u\n", d->id,
			vio->id, vio->phys, vio->gsi_base,
			vio->gsi_base + vio->pins - 1);
	}
	h->vpci = alloc_pages(VPCI_ORDER);
	if (!h->vpci)
		return -ENOMEM;
	spin_lock_init(&h->vpci->lock);
	return 0;
}

void hwdom_irq_eoi(struct domain *d, u8 vector)
{
	struct hwdom_irq *h = d->arch.hwirq;

	for (unsigned int i = 0; h && i < h->nr_vioapics; i++)
		vioapic_eoi(h->vioapic[i], vector);
}

void hwdom_irq_free(struct domain *d)
{
	struct hwdom_irq *h = d->arch.hwirq;

	if (!h)
		return;
	for (unsigned int i = 0; i < h->nr_vioapics; i++) {
		struct vioapic *vio = h->vioapic[i];

		for (u32 pin = 0; pin < vio->pins; pin++) {
			if (!vio->pin[pin].host_vector)
				continue;
			ioapic_mask(vio->gsi_base + pin, true);
			irq_vector_free(vio->pin[pin].host_vector);
		}
		free_page(vio);
	}
	for (unsigned int i = 0; h->vpci && i < h->vpci->nr; i++) {
		struct vpci_dev *dev = h->vpci->dev[i];

		if (dev->msi.vector)
			irq_vector_free(dev->msi.vector);
		for (unsigned int e = 0; e < VPCI_MSIX_MAX; e++)
			if (dev->msix[e].vector)
				irq_vector_free(dev->msix[e].vector);
		free_page(dev);
	}
	if (h->vpci)
		free_pages(h->vpci, VPCI_ORDER);
	free_page(h);
	d->arch.hwirq = NULL;
}

void arch_domain_free(struct domain *d)
{
	hwdom_irq_free(d);
	mmio_domain_free(d);
	hwdom_ports_free(d);
}
