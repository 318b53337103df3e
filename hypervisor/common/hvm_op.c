/* hvm_op: HVM parameters (callback, console, xenstore, triple fault) and the upcall vector. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/vcpu.h>
#include <public/hvm_op.h>
#include <public/sched.h>

#define UPCALL_VECTOR_MIN 0x10	/* vectors below are exceptions */

/* What a guest may read of its own parameters: Xen's list (hvm_allow_get_param()). */
static bool guest_may_read(u32 index)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_VM86_TSS:
	case HVM_PARAM_VM86_TSS_SIZED:
	case HVM_PARAM_ACPI_IOPORTS_LOCATION:
	case HVM_PARAM_VM_GENERATION_ID_ADDR:
	case HVM_PARAM_STORE_PFN:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_PFN:
	case HVM_PARAM_CONSOLE_EVTCHN:
	case HVM_PARAM_ALTP2M:
	case HVM_PARAM_X87_FIP_WIDTH:
		return true;
	default:
		return false;
	}
}

/*
 * A guest may only choose how its events are delivered; a control domain
 * may choose what a triple fault does to another domain (keel sets the
 * console and xenstore parameters itself and keeps pointers into them).
 */
static long set_param(struct domain *d, bool self, u32 index, u64 value)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
		if (!self)
			return -EPERM;
		if ((value >> 56) == HVM_PARAM_CALLBACK_TYPE_VECTOR &&
		    (value & 0xff) < UPCALL_VECTOR_MIN)
			return -EINVAL;
		break;
	case HVM_PARAM_TRIPLE_FAULT_REASON:
		if (self)
			return -EPERM;
		if (value > SHUTDOWN_MAX)
			return -EINVAL;
		break;
	default:
		return -EPERM;
	}
	WRITE_ONCE(d->hvm_params[index], value);
	return 0;
}

static long hvm_param(struct vcpu *v, bool set, u64 arg)
{
	struct domain *d;
	struct xen_hvm_param p;
	bool self;
	long rc;

	if (copy_from_guest(v, &p, arg, sizeof(p)))
		return -EFAULT;
	self = p.domid == DOMID_SELF || p.domid == v->domain->id;
	if (self) {
		d = v->domain;
		domain_hold(d);
	} else {
		d = domain_get(p.domid);
		if (!d)
			return -ESRCH;
	}
	if (!self && !v->domain->privileged)
		rc = -EPERM;
	else if (p.index >= HVM_NR_PARAMS)
		rc = -EINVAL;
	else if (set)
		rc = set_param(d, self, p.index, p.value);
	else if (self && !guest_may_read(p.index))
		rc = -EPERM;
	else {
		p.value = READ_ONCE(d->hvm_params[p.index]);
		rc = copy_to_guest(v, arg, &p, sizeof(p)) ? -EFAULT : 0;
	}
	domain_put(d);
	return rc;
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
