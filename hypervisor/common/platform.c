/* What keel knows of the machine's devices and their DMA, for backends' choices. */
#include <keel/domain.h>
#include <keel/platform.h>

bool platform_dom0_owns_devices(void)
{
	struct domain *d = domain_get(0);
	bool owns = d && is_hardware_domain(d);

	if (d)
		domain_put(d);
	return owns;
}

static bool dma_translated;

/* Set by the IOMMU driver once dom0's devices are behind it (VT-d: vtd.c). */
void platform_set_dma_translated(void)
{
	dma_translated = true;
}

bool platform_dma_translated(void)
{
	return dma_translated;
}
