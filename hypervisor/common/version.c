/* xen_version: the Xen version keel presents (4.17), every sub-op answered as Xen's do_xen_version does. */
#include <keel/arch.h>
#include <keel/assert.h>
#include <keel/bootinfo.h>
#include <keel/build_info.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/page.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/features.h>
#include <public/version.h>

#define XEN_MAJOR 4
#define XEN_MINOR 17
#define KEEL_EXTRAVERSION ".0-keel"
/* What Xen hands a domain in place of a string it may not see (xen_deny()). */
#define XEN_DENY "<denied>"
/* Xen's bound on a variable-length answer (no long-running copies). */
#define VARBUF_MAX KiB(64)

/*
 * Xen's default policy (the XSM dummy module): the command line and the
 * build id are for the control domain; every other sub-op answers all.
 */
static bool denied(const struct domain *d, int cmd)
{
	switch (cmd) {
	case XENVER_commandline:
	case XENVER_commandline2:
	case XENVER_build_id:
		return !d->privileged;
	default:
		return false;
	}
}

static u32 feature_submap0(void)
{
	/*
	 * What Xen sets for a translated HVM domain, less what keel does not
	 * implement: XENFEAT_memory_op_vnode_supported (NUMA node flags),
	 * runstate/vcpu_time_phys_area (VCPUOP_register_*_phys_area) and
	 * dm_msix_all_writes (device models). No XENFEAT_dom0 either: Linux
	 * runs keel's dom0 as an ordinary PVH guest (it has no hardware to
	 * own), with its drivers and tools on top.
	 */
	return BIT(XENFEAT_writable_page_tables) |
	       BIT(XENFEAT_auto_translated_physmap) |
	       BIT(XENFEAT_hvm_callback_vector) | BIT(XENFEAT_hvm_safe_pvclock) |
	       BIT(XENFEAT_not_direct_mapped);
}

/*
 * @s into @size bytes at @arg, truncated and NUL-padded (Xen's safe_strcpy
 * into a zeroed buffer); @s is read no further than that.
 */
static long put_string(struct vcpu *v, u64 arg, const char *s, size_t size)
{
	char buf[sizeof(xen_commandline_t)];

	ASSERT(size && size <= sizeof(buf));
	memset(buf, 0, size);
	memcpy(buf, s, strnlen(s, size - 1));
	return copy_to_guest(v, arg, buf, size) ? -EFAULT : 0;
}

static long compile_info(struct vcpu *v, u64 arg)
{
	struct xen_compile_info info;

	memset(&info, 0, sizeof(info));
	strlcpy(info.compiler, keel_compiler, sizeof(info.compiler));
	strlcpy(info.compile_by, keel_compile_by, sizeof(info.compile_by));
	strlcpy(info.compile_domain, keel_compile_domain,
		sizeof(info.compile_domain));
	strlcpy(info.compile_date, keel_compile_date, sizeof(info.compile_date));
	return copy_to_guest(v, arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long get_features(struct vcpu *v, u64 arg)
{
	struct xen_feature_info fi;

	if (copy_from_guest(v, &fi, arg, sizeof(fi)))
		return -EFAULT;
	if (fi.submap_idx != 0)
		return -EINVAL;
	fi.submap = feature_submap0();
	return copy_to_guest(v, arg, &fi, sizeof(fi)) ? -EFAULT : 0;
}

/*
 * The variable-length sub-ops: @arg 0 asks for the length; otherwise the
 * guest's xen_varbuf says how much room follows it. No NUL is written.
 */
static long put_varbuf(struct vcpu *v, u64 arg, const void *data, u64 size)
{
	struct xen_varbuf vb;

	if (size > VARBUF_MAX)
		return -E2BIG;
	if (!arg)
		return size;
	if (copy_from_guest(v, &vb, arg, sizeof(vb)))
		return -EFAULT;
	if (size > vb.len)
		return -ENOBUFS;
	if (copy_to_guest(v, arg + offsetof(struct xen_varbuf, buf), data, size))
		return -EFAULT;
	return size;
}

static long varbuf_op(struct vcpu *v, int cmd, u64 arg)
{
	const char *s;

	switch (cmd) {
	case XENVER_build_id: {
		const void *id;
		unsigned int len;
		int rc = keel_build_id(&id, &len);

		return rc ? rc : put_varbuf(v, arg, id, len);
	}
	case XENVER_extraversion2:
		s = KEEL_EXTRAVERSION;
		break;
	case XENVER_capabilities2:
		s = arch_xen_caps();
		break;
	case XENVER_changeset2:
		s = keel_changeset;
		break;
	default:
		ASSERT(cmd == XENVER_commandline2);
		s = boot_info.cmdline;
		return put_varbuf(v, arg, s, strnlen(s, sizeof(boot_info.cmdline)));
	}
	return put_varbuf(v, arg, s, strlen(s));
}

long do_xen_version(struct vcpu *v, int cmd, u64 arg)
{
	bool deny = denied(v->domain, cmd);

	switch (cmd) {
	case XENVER_version:
		return (XEN_MAJOR << 16) | XEN_MINOR;
	case XENVER_extraversion:
		return put_string(v, arg, KEEL_EXTRAVERSION, sizeof(xen_extraversion_t));
	case XENVER_compile_info:
		return compile_info(v, arg);
	case XENVER_capabilities:
		return put_string(v, arg, arch_xen_caps(),
				  sizeof(xen_capabilities_info_t));
	case XENVER_changeset:
		return put_string(v, arg, keel_changeset, sizeof(xen_changeset_info_t));
	case XENVER_platform_parameters: {
		/* HYPERVISOR_VIRT_START is a PV guest's business: 0 for PVH. */
		struct xen_platform_parameters params = { .virt_start = 0 };

		return copy_to_guest(v, arg, &params, sizeof(params)) ? -EFAULT : 0;
	}
	case XENVER_get_features:
		return get_features(v, arg);
	case XENVER_pagesize:
		return arg ? -EINVAL : (long)PAGE_SIZE;
	case XENVER_guest_handle: {
		/* keel's toolstack gives domains no UUID: Xen's answer without one. */
		xen_domain_handle_t handle = { 0 };

		return copy_to_guest(v, arg, handle, sizeof(handle)) ? -EFAULT : 0;
	}
	case XENVER_commandline:
		if (deny)
			return copy_to_guest(v, arg, XEN_DENY, sizeof(XEN_DENY)) ?
			       -EFAULT : 0;
		return put_string(v, arg, boot_info.cmdline, sizeof(xen_commandline_t));
	case XENVER_build_id:
	case XENVER_extraversion2:
	case XENVER_capabilities2:
	case XENVER_changeset2:
	case XENVER_commandline2:
		return deny ? -EPERM : varbuf_op(v, cmd, arg);
	default:
		return -ENOSYS;
	}
}
