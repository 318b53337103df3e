/* What the machine's devices can do to memory: for dom0's backends (keel_domctl physinfo). */
#ifndef KEEL_PLATFORM_H
#define KEEL_PLATFORM_H

#include <keel/types.h>

/*
 * platform_dom0_owns_devices() - does dom0 drive real devices that can DMA? Then a device
 * may write to a guest-physical address of dom0 as if it were a host address.
 */
bool platform_dom0_owns_devices(void);

/*
 * platform_dma_translated() - do dom0's devices' DMA addresses go through an IOMMU with
 * dom0's p2m? Only then does DMA to a grant-mapped page reach the foreign page.
 */
bool platform_dma_translated(void);

#endif
