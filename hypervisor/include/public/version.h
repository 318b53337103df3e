/* xen_version hypercall: sub-op numbers and their argument structures (Xen's values). */
#ifndef PUBLIC_VERSION_H
#define PUBLIC_VERSION_H

#include <keel/types.h>

/* All sub-ops return 0 on success, but version, pagesize and the varbuf ones. */

/* Returns major << 16 | minor; takes no argument. */
#define XENVER_version 0

#define XENVER_extraversion 1
#define XEN_EXTRAVERSION_LEN 16
typedef char xen_extraversion_t[XEN_EXTRAVERSION_LEN];

#define XENVER_compile_info 2
struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};

#define XENVER_capabilities 3
typedef char xen_capabilities_info_t[1024];

#define XENVER_changeset 4
typedef char xen_changeset_info_t[64];

/* Only meaningful to PV guests (their split with Xen): 0 for HVM and PVH. */
#define XENVER_platform_parameters 5
struct xen_platform_parameters {
	u64 virt_start;			/* xen_ulong_t */
};

#define XENVER_get_features 6
struct xen_feature_info {
	unsigned int submap_idx;	/* IN: which 32-bit submap to return */
	u32 submap;			/* OUT: 32-bit submap */
};

/* Returns the page size; the argument must be NULL. */
#define XENVER_pagesize 7

/* arg == xen_domain_handle_t: the domain's UUID, as the toolstack gave it. */
#define XENVER_guest_handle 8
typedef u8 xen_domain_handle_t[16];

/* The hypervisor's command line: the control domain's only ("<denied>" to others). */
#define XENVER_commandline 9
typedef char xen_commandline_t[1024];

/*
 * Variable-length answers (Xen 4.18 on; build_id before): arg NULL asks
 * for the length; otherwise len is the room in buf[], and the result is
 * the number of bytes written, without a NUL, or -ENOBUFS.
 */
struct xen_varbuf {
	u32 len;			/* IN: size of buf[] */
	u8 buf[];			/* OUT */
};
#define XENVER_build_id 10		/* control domain only */
#define XENVER_extraversion2 11
#define XENVER_capabilities2 12
#define XENVER_changeset2 13
#define XENVER_commandline2 14		/* control domain only */

#endif
