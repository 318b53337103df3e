/* keel's domain-control hypercall and a yield from dom0 user space, through /dev/xen/privcmd. */
#ifndef DOM0_TOOLS_PRIVCMD_H
#define DOM0_TOOLS_PRIVCMD_H

#include <public/keel_domctl.h>

/* Issues @op as __HYPERVISOR_keel_op on the open privcmd device @fd: 0, or -errno. */
int keel_domctl_on(int fd, struct keel_domctl *op);
/*
 * Issues @op (cmd set by the caller; version is filled in) on a privcmd device opened
 * once: 0, or -errno (-ENOENT when there is no /dev/xen/privcmd, else keel's error).
 */
int keel_domctl(struct keel_domctl *op);
/* getinfo of @domid into *@info: 0 or -errno (-ESRCH: no such domain). */
int keel_getinfo(unsigned int domid, struct keel_domctl_info *info);
/*
 * SCHEDOP_yield on the open privcmd device @fd: the calling vCPU lets another run (a
 * backend, the guest it just notified): 0, or -errno.
 */
int privcmd_sched_yield(int fd);

#endif
