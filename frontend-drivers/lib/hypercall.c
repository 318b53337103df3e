/* The HYPERVISOR_* wrappers: one VMCALL each, refused when no hypervisor was detected. */
#include <keel/errno.h>
#include "hypercall.h"
#include "hypervisor.h"

static long hypercall(unsigned long nr, unsigned long a1, unsigned long a2,
		      unsigned long a3)
{
	if (!hypervisor_present())
		return -ENOSYS;
	return _hypercall5(nr, a1, a2, a3, 0, 0);
}

long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return hypercall(__HYPERVISOR_xen_version, cmd, (uptr)arg, 0);
}

long HYPERVISOR_console_io(int cmd, int count, const char *buf)
{
	return hypercall(__HYPERVISOR_console_io, cmd, count, (uptr)buf);
}

long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return hypercall(__HYPERVISOR_sched_op, cmd, (uptr)arg, 0);
}

long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return hypercall(__HYPERVISOR_event_channel_op, cmd, (uptr)arg, 0);
}

long HYPERVISOR_hvm_op(int op, void *arg)
{
	return hypercall(__HYPERVISOR_hvm_op, op, (uptr)arg, 0);
}

long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpuid, void *arg)
{
	return hypercall(__HYPERVISOR_vcpu_op, cmd, vcpuid, (uptr)arg);
}

long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return hypercall(__HYPERVISOR_memory_op, cmd, (uptr)arg, 0);
}

long HYPERVISOR_set_timer_op(u64 timeout)
{
	return hypercall(__HYPERVISOR_set_timer_op, timeout, 0, 0);
}

long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
	return hypercall(__HYPERVISOR_vm_assist, cmd, type, 0);
}

long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
	return hypercall(__HYPERVISOR_grant_table_op, cmd, (uptr)uop, count);
}
