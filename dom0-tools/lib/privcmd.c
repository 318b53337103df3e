/* keel's domain-control hypercall and a yield from dom0 user space, through /dev/xen/privcmd. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/sys/privcmd.h>
#include "privcmd.h"

#define HYPERVISOR_keel_op 48
/* Xen's numbers (xen.h gives user space without __XEN_TOOLS__ the old sched_op, 6). */
#define HYPERVISOR_sched_op_new 29
#define SCHEDOP_yield_ 0

static int privcmd_fd = -1;

int keel_domctl_on(int fd, struct keel_domctl *op)
{
	struct privcmd_hypercall call = {
		.op = HYPERVISOR_keel_op,
		.arg = { (uint64_t)(uintptr_t)op },
	};

	return ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &call) < 0 ? -errno : 0;
}

int keel_domctl(struct keel_domctl *op)
{
	if (privcmd_fd < 0) {
		privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
		if (privcmd_fd < 0)
			return -errno;
	}
	op->version = KEEL_DOMCTL_VERSION;
	return keel_domctl_on(privcmd_fd, op);
}

int keel_getinfo(unsigned int domid, struct keel_domctl_info *info)
{
	struct keel_domctl op = { .cmd = KEEL_DOMCTL_getinfo, .domain = (uint16_t)domid };
	int rc = keel_domctl(&op);

	if (!rc)
		*info = op.u.info;
	return rc;
}

int privcmd_sched_yield(int fd)
{
	struct privcmd_hypercall call = {
		.op = HYPERVISOR_sched_op_new,
		.arg = { SCHEDOP_yield_ },
	};

	return ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &call) < 0 ? -errno : 0;
}
