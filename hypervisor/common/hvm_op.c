/* hvm_op: HVM parameters (callback, console and xenstore) and the per-vCPU upcall vector. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/vcpu.h>
#include <public/hvm_op.h>

#define UPCALL_VECTOR_MIN 0x10	/* vectors below are exceptions */

static long hvm_param(struct vcpu *v, bool set, u64 arg)
{
	struct domain *d = v->domain;
	struct xen_hvm_param p;

	if (copy_from_guest(v, &p, arg, sizeof(p)))
		return -EFAULT;
	if (p.domid != DOMID_SELF && p.domid != d->id)
		return -ESRCH;
	if (p.index >= HVM_NR_PARAMS)
		return -EINVAL;
	if (!set) {
		p.value = d->hvm_params[p.index];
		return copy_to_guest(v, arg, &p, sizeof(p)) ? -EFAULT : 0;
	}
	/* A guest may only choose how its events are delivered. */
	if (p.index != HVM_PARAM_CALLBACK_IRQ)
		return -EPERM;
	if ((p.value >> 56) == HVM_PARAM_CALLBACK_TYPE_VECTOR &&
	    (p.value & 0xff) < UPCALL_VECTOR_MIN)
		return -EINVAL;
	d->hvm_params[p.index] = p.value;
	return 0;
}

long do_hvm_op(struct vcpu *v, int cmd, u64 arg)
{
	switch (cmd) {
	case HVMOP_set_param:
		return hvm_param(v, true, arg);
	case HVMOP_get_param:
		return hvm_param(v, false, arg);
	case HVMOP_set_evtchn_upcall_vector: {
		struct xen_hvm_evtchn_upcall_vector u;

		if (copy_from_guest(v, &u, arg, sizeof(u)))
			return -EFAULT;
		if (u.vcpu >= v->domain->nr_vcpus || u.vector < UPCALL_VECTOR_MIN)
			return -EINVAL;
		v->domain->vcpus[u.vcpu]->upcall_vector = u.vector;
		return 0;
	}
	default:		/* pagetable_dying included: Linux ignores the error */
		return -ENOSYS;
	}
}
