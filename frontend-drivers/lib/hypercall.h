/* Xen hypercalls from a PVH guest: VMCALL (VMMCALL on AMD), RAX = number, args in RDI, RSI, RDX, R10, R8. */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <keel/types.h>
#include <public/xen.h>

/* AMD's VMMCALL rather than Intel's VMCALL (hypervisor_detect(), as Linux's X86_FEATURE_VMMCALL). */
extern bool hypercall_vmmcall;

/*
 * The raw hypercall: no check that a hypervisor is present (VMCALL raises
 * #UD without one). The hypervisor may clobber the argument registers.
 * Returns RAX: >= 0 on success, a negated errno on failure.
 */
static inline long _hypercall5(unsigned long nr, unsigned long a1,
			       unsigned long a2, unsigned long a3,
			       unsigned long a4, unsigned long a5)
{
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;
	long ret;

	if (hypercall_vmmcall)
		asm volatile("vmmcall"
			     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
			       "+r"(r8)
			     : "0"(nr)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
			       "+r"(r8)
			     : "0"(nr)
			     : "memory");
	return ret;
}

/*
 * The wrappers return -ENOSYS without a VMCALL when no hypervisor was
 * found. Pointer arguments are guest virtual = physical (identity map).
 */
long HYPERVISOR_xen_version(int cmd, void *arg);
long HYPERVISOR_console_io(int cmd, int count, const char *buf);
long HYPERVISOR_sched_op(int cmd, void *arg);
long HYPERVISOR_event_channel_op(int cmd, void *arg);
long HYPERVISOR_hvm_op(int op, void *arg);
long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpuid, void *arg);
long HYPERVISOR_memory_op(unsigned int cmd, void *arg);
long HYPERVISOR_set_timer_op(u64 timeout);
long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type);
long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count);

#endif
