/* What the machine's devices can do to memory: dom0's devices and DMA translation. */
#include <keel/platform.h>

/* No device is given to dom0 (yet): nothing in the machine DMAs on its behalf. */
bool platform_dom0_owns_devices(void)
{
	return false;
}

/* No IOMMU is programmed (yet): a device's DMA address is a host address. */
bool platform_dma_translated(void)
{
	return false;
}
