/* What keel knows of the machine's devices and their DMA, for backends' choices. */
#include <keel/platform.h>

/* dom0 drives no device yet (the hardware domain: issue 14). */
bool platform_dom0_owns_devices(void)
{
	return false;
}

/* No IOMMU driver yet (issue 15). */
bool platform_dma_translated(void)
{
	return false;
}
