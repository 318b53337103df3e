/* xen_version: the Xen version keel presents (4.17), its extra version and feature bits. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/features.h>
#include <public/version.h>

#define XEN_MAJOR 4
#define XEN_MINOR 17
#define KEEL_EXTRAVERSION ".0-keel"

static u32 feature_submap(struct domain *d, unsigned int idx)
{
	if (idx != 0)
		return 0;
	/*
	 * No XENFEAT_dom0: Linux runs keel's dom0 as an ordinary PVH guest
	 * (it has no hardware to own), with its drivers and tools on top.
	 */
	return BIT(XENFEAT_auto_translated_physmap) |
	       BIT(XENFEAT_hvm_callback_vector) | BIT(XENFEAT_hvm_safe_pvclock);
}

long do_xen_version(struct vcpu *v, int cmd, u64 arg)
{
	switch (cmd) {
	case XENVER_version:
		return (XEN_MAJOR << 16) | XEN_MINOR;
	case XENVER_extraversion: {
		xen_extraversion_t extra = KEEL_EXTRAVERSION;

		return copy_to_guest(v, arg, extra, sizeof(extra)) ? -EFAULT : 0;
	}
	case XENVER_get_features: {
		struct xen_feature_info fi;

		if (copy_from_guest(v, &fi, arg, sizeof(fi)))
			return -EFAULT;
		fi.submap = feature_submap(v->domain, fi.submap_idx);
		return copy_to_guest(v, arg, &fi, sizeof(fi)) ? -EFAULT : 0;
	}
	default:
		return -ENOSYS;
	}
}
