/* xen_version hypercall: sub-op numbers and their argument structures (Xen's values). */
#ifndef PUBLIC_VERSION_H
#define PUBLIC_VERSION_H

#include <keel/types.h>

/* Returns major << 16 | minor; takes no argument. */
#define XENVER_version 0

#define XENVER_extraversion 1
#define XEN_EXTRAVERSION_LEN 16
typedef char xen_extraversion_t[XEN_EXTRAVERSION_LEN];

#define XENVER_get_features 6
struct xen_feature_info {
	unsigned int submap_idx;	/* IN: which 32-bit submap to return */
	u32 submap;			/* OUT: 32-bit submap */
};

#endif
