/* vm_assist: the optional behaviours a guest turns on; a PVH guest has one, runstate_update_flag. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/vcpu.h>
#include <public/xen.h>

/* What an HVM or PVH guest may enable: Xen's HVM_VM_ASSIST_MASK. */
#define VM_ASSIST_VALID (1u << VMASST_TYPE_runstate_update_flag)

/* @cmd and @type are 32-bit in Xen's prototype: a 64-bit guest's upper halves are ignored. */
long do_vm_assist(struct vcpu *v, unsigned int cmd, unsigned int type)
{
	unsigned int bit;

	if (type >= 32 || !(VM_ASSIST_VALID & (1u << type)))
		return -EINVAL;
	bit = 1u << type;
	switch (cmd) {
	case VMASST_CMD_enable:
		__atomic_fetch_or(&v->domain->vm_assist, bit, __ATOMIC_RELAXED);
		return 0;
	case VMASST_CMD_disable:
		__atomic_fetch_and(&v->domain->vm_assist, ~bit, __ATOMIC_RELAXED);
		return 0;
	}
	return -ENOSYS;
}
