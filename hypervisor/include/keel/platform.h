/* What keel knows of the machine's devices and their DMA, for backends' choices. */
#ifndef KEEL_PLATFORM_H
#define KEEL_PLATFORM_H

#include <keel/types.h>

/* Does dom0 drive the host's devices (a hardware domain, dom0=pvh)? */
bool platform_dom0_owns_devices(void);
/* Does an IOMMU translate dom0's device DMA (so grant-mapped pages are DMA-able)? */
bool platform_dma_translated(void);
void platform_set_dma_translated(void);

#endif
