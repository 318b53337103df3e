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

/* No IOMMU driver yet (issue 15). */
bool platform_dma_translated(void)
{
	return false;
}
